// `spatialc eval`: writes DIR/OUTPUT.pb for each output (named, '/' sanitised), pins dynamic
// dims from the input files, and rejects bad inputs with one line and exit code 2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../cli/main.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import {
  decodeTensorProto,
  encodeNpy,
  encodeTensorProto,
} from '../../../compiler/onnx/tensor-file.js';
import { runReference } from '../../../compiler/reference/interpret.js';
import { buildModel, x } from '../onnx/build-model.js';
import { fixture } from '../onnx/fixtures.js';
import { seededUniform } from './oracle.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'spatialc-eval-'));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    isTty: false,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Writes a random float32 tensor as .npy or .pb and returns the path and the tensor. */
function writeInput(file: string, shape: number[], name = 'input') {
  const next = seededUniform(shape.length * 7 + shape[0]!);
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next);
  const t = { name, dtype: 'float32' as const, shape, values };
  const full = path.join(tmp, file);
  writeFileSync(full, file.endsWith('.npy') ? encodeNpy(t) : encodeTensorProto(t));
  return { file: full, tensor: t };
}

const Eval = suite('spatialc eval');

Eval('writes each output as DIR/NAME.pb, equal to the reference interpreter', async () => {
  const { file, tensor } = writeInput('x.npy', [1, 3, 32, 32]);
  const out = path.join(tmp, 'out1');
  const r = await run('eval', fixture('tiny_cnn.onnx'), '--input', `input=${file}`, '--out', out);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /output\.pb {2}float32\[1x10\]/);
  const written = decodeTensorProto(readFileSync(path.join(out, 'output.pb')), 'output.pb');
  assert.is(written.name, 'output');
  assert.equal(written.shape, [1, 10]);
  const want = runReference(importOnnx(fixture('tiny_cnn.onnx')), { input: tensor });
  assert.equal(
    Array.from(written.values as Float32Array),
    Array.from(want['output']!.values as Float32Array),
  );
});

Eval(
  'a dynamic batch dim is taken from the input file; .pb inputs bind by their name',
  async () => {
    const { file } = writeInput('x2.pb', [2, 3, 32, 32]);
    const out = path.join(tmp, 'out2');
    const r = await run('eval', fixture('tiny_cnn.onnx'), '--input', file, '--out', out);
    assert.is(r.code, 0, r.err);
    assert.equal(decodeTensorProto(readFileSync(path.join(out, 'output.pb')), 'o').shape, [2, 10]);
  },
);

Eval('output names with "/" become safe file names', async () => {
  const model = path.join(tmp, 'slash.onnx');
  writeFileSync(
    model,
    buildModel({
      inputs: [x('a', 2)],
      outputs: ['block/out'],
      nodes: [{ op: 'Neg', inputs: ['a'], outputs: ['block/out'] }],
    }),
  );
  const { file } = writeInput('a.npy', [2], 'a');
  const out = path.join(tmp, 'out3');
  const r = await run('eval', model, '--input', `a=${file}`, '--out', out);
  assert.is(r.code, 0, r.err);
  assert.ok(existsSync(path.join(out, 'block_out.pb')));
  assert.is(decodeTensorProto(readFileSync(path.join(out, 'block_out.pb')), 'o').name, 'block/out');
});

const expectOneLine = (r: { code: number; out: string; err: string }, pattern: RegExp) => {
  assert.is(r.code, 2, r.err);
  assert.is(r.out, '');
  assert.is(r.err.trimEnd().split('\n').length, 1, r.err);
  assert.match(r.err, pattern);
};

Eval('an input of the wrong shape is one line naming it and both shapes, exit 2', async () => {
  const { file } = writeInput('small.npy', [1, 3, 16, 16]);
  const r = await run(
    'eval',
    fixture('tiny_transformer.onnx'),
    '--input',
    `input=${file}`,
    '--out',
    tmp,
  );
  expectOneLine(r, /^spatialc: error: input "input": expected shape 1x16x64, got 1x3x16x16$/m);
});

Eval('a missing --input names the model input; a missing --out is a usage error', async () => {
  const r = await run('eval', fixture('tiny_cnn.onnx'), '--out', path.join(tmp, 'out4'));
  expectOneLine(
    r,
    /^spatialc: error: input "input" has no value \(the model's inputs are: input\)$/m,
  );
  const u = await run('eval', fixture('tiny_cnn.onnx'));
  expectOneLine(u, /--out DIR is required/);
});

Eval.run();
