// Cross-checks parseOnnxText against ONNX's own parser: the same text through onnx.parser
// (Python, then serialised) and readOnnxModel must give the same OnnxModel. Runs only where a
// Python with the onnx package is found (SPATIALC_PYTHON, /usr/bin/python3 or python3 on PATH);
// elsewhere the tests are skipped. The texts avoid syntax newer than onnx 1.12 (node labels,
// quoted names, string escapes, float16/bfloat16 literals), which the fixtures use.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { OnnxModel } from '../../../compiler/onnx/onnx-model.js';
import { parseOnnxText } from '../../../compiler/onnx/onnx-text.js';
import { readOnnxModel } from '../../../compiler/onnx/read-model.js';
import { ROOT } from './fixtures.js';

const TO_BYTES = [
  'import sys, onnx, onnx.parser',
  'm = onnx.parser.parse_model(sys.stdin.read())',
  'sys.stdout.buffer.write(m.SerializeToString())',
].join('\n');

function findPython(): string | undefined {
  const candidates = [process.env['SPATIALC_PYTHON'], '/usr/bin/python3', 'python3'];
  return candidates.find(
    (py) =>
      py !== undefined &&
      spawnSync(py, ['-c', 'import onnx.parser'], { stdio: 'ignore' }).status === 0,
  );
}

const python = findPython();

/** The model onnx.parser makes of `text`, read back through the binary reader. */
function viaOnnxParser(text: string): OnnxModel {
  const r = spawnSync(python!, ['-c', TO_BYTES], { input: text, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`onnx.parser failed: ${r.stderr.toString()}`);
  return readOnnxModel(new Uint8Array(r.stdout), { modelPath: 'x.onnx' });
}

const fixtureText = (name: string) =>
  readFileSync(path.join(ROOT, 'tests', 'fixtures', 'onnxtxt', name), 'utf8');

const COMPAT_TOUR = `
<ir_version: 9, opset_import: ["" : 17, "com.microsoft" : 1], producer_name: "hand", producer_version: "2",
 domain: "d", model_version: 3, doc_string: "doc", metadata_props: ["k" : "v"]>
tour (float[batch, seq, 4] x, float[4] bias = {0.5, -0.5, 0.25, 0}, float[?, 4] u) => (float[batch, seq, 4] y, z)
<
  float eps = {1e-5}, double[2] d = {0.1, -2.5e3},
  int8[2] i8 = {-128, 127}, uint8[2] u8 = {0, 255},
  int16[1] i16 = {-32768}, uint16[1] u16 = {65535}, int32[2] i32 = {-2147483648, 2147483647},
  uint32[1] u32 = {4294967295}, int64[3] i64 = {-1, 0, 9223372036854775807},
  uint64[1] u64 = {18446744073709551615}, bool[2] flags = {1, 0}, float[0] empty = {},
  float[batch, seq, 4] t1, float[] t3
>
{
  t1 = com.microsoft.FusedMatMul <alpha: float = 1.0, transA = 0> (x, x)
  t2 = Add (t1, bias)
  t3 = Transpose (t2) <perm = [0, 1, 2]>
  t4 = LeakyRelu <alpha = 0.1, f = [1.5, 2.0], s = "text", ss = ["a", "b"], n = -3> (t3)
  t5 = Clip (t4, , eps)
  k = Constant <value = float[1, 1, 4] {1, 2.5, -3e-2, 4}> ()
  y = Mul (t5, k)
  z = Identity (y)
}
`;

const CrossCheck = suite('parseOnnxText vs onnx.parser');
const test = python ? CrossCheck : CrossCheck.skip;

test('agrees with onnx.parser on the MLP and tiny CNN fixtures', () => {
  for (const text of [
    fixtureText('mlp.onnxtxt'),
    fixtureText('tiny-cnn.onnxtxt').replace('[conv] ', ''),
  ]) {
    assert.equal(parseOnnxText(text, { file: 'x.onnx' }), viaOnnxParser(text));
  }
});

test('agrees with onnx.parser on every element type, attribute kind and omitted input', () => {
  assert.equal(parseOnnxText(COMPAT_TOUR, { file: 'x.onnx' }), viaOnnxParser(COMPAT_TOUR));
});

CrossCheck.run();
