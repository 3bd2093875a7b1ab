// Checks shape inference and the constant-folding evaluators against the ONNX backend node tests
// (Debian's libonnx-testdata, ONNX 1.12) for every test whose ops are all registered:
//   shapes: input 0 stays a graph input, the other inputs become initializers, and the inferred
//           output shapes must equal the reference outputs' shapes;
//   values: every input becomes an initializer; when the graph folds away completely the folded
//           outputs must equal the reference outputs.
// Skips (with a note) when the test data is not installed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../../../compiler/graph.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { onnx } from '../../../compiler/onnx/proto.js';
import { decodeTensor } from '../../../compiler/onnx/tensor-data.js';
import { findOp } from '../../../compiler/ops/registry.js';

const ROOT = '/usr/share/libonnx-testdata/data/node';

/** Cases that cannot pass by construction, with the reason. */
const EXPECTED_FAILURES: Readonly<Record<string, string>> = {
  test_reshape_allowzero_reordered: 'zero-size input dims count as dynamic here',
  test_split_zero_size_splits: 'zero-size input dims count as dynamic here',
  test_tril_zero: 'zero-size input dims count as dynamic here',
  test_triu_zero: 'zero-size input dims count as dynamic here',
  test_identity_opt: 'optional types are not supported',
  test_identity_sequence: 'sequence types are not supported',
  test_cast_BFLOAT16_to_FLOAT: 'the 1.12 data stores the bfloat16 input as uint16',
  test_castlike_BFLOAT16_to_FLOAT: 'the 1.12 data stores the bfloat16 input as uint16',
  test_castlike_BFLOAT16_to_FLOAT_expanded: 'the 1.12 data stores the bfloat16 input as uint16',
  test_cast_FLOAT_to_BFLOAT16: 'the 1.12 reference truncates; we round to nearest even',
  test_castlike_FLOAT_to_BFLOAT16: 'the 1.12 reference truncates; we round to nearest even',
  test_castlike_FLOAT_to_BFLOAT16_expanded:
    'the 1.12 reference truncates; we round to nearest even',
};

/** Ops whose first input is itself a shape or scalar, so the shapes check cannot apply. */
const SHAPE_FROM_INPUT0 = new Set([
  'Range',
  'ConstantOfShape',
  'NonZero',
  'Unique',
  'HannWindow',
  'HammingWindow',
  'BlackmanWindow',
  'MelWeightMatrix',
  'NonMaxSuppression',
]);

interface Case {
  readonly name: string;
  readonly model: Uint8Array;
  readonly inputs: ReturnType<typeof onnx.TensorProto.decode>[];
  readonly outputs: ReturnType<typeof onnx.TensorProto.decode>[];
}

function readCase(name: string): Case | undefined {
  const dir = path.join(ROOT, name);
  const data = path.join(dir, 'test_data_set_0');
  if (!existsSync(path.join(dir, 'model.onnx')) || !existsSync(data)) return undefined;
  const load = (prefix: string) =>
    readdirSync(data)
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
      .map((f) => onnx.TensorProto.decode(readFileSync(path.join(data, f))));
  return {
    name,
    model: readFileSync(path.join(dir, 'model.onnx')),
    inputs: load('input_'),
    outputs: load('output_'),
  };
}

const STRING_TYPE = 8;

/** Every op registered and no string tensors (the IR has no string storage). */
function isSupported(c: Case): boolean {
  if ([...c.inputs, ...c.outputs].some((t) => t.dataType === STRING_TYPE)) return false;
  const model = onnx.ModelProto.decode(c.model);
  return (model.graph?.node ?? []).every(
    (n) => findOp(n.domain ?? '', n.opType ?? '') !== undefined,
  );
}

/** The model with graph inputs from index `from` on turned into initializers holding the test data. */
function withConstantInputs(c: Case, from: number): Uint8Array {
  const model = onnx.ModelProto.decode(c.model);
  const graph = model.graph!;
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const free = (graph.input ?? []).filter((i) => !inits.has(i.name));
  free.forEach((info, k) => {
    const data = c.inputs[k];
    if (k >= from && data)
      graph.initializer!.push(onnx.TensorProto.create({ ...data, name: info.name ?? '' }));
  });
  return onnx.ModelProto.encode(model).finish();
}

const dims = (t: { dims?: unknown[] | null }) => (t.dims ?? []).map(Number);

function checkShapes(c: Case): void {
  const first = c.inputs[0];
  const model = onnx.ModelProto.decode(c.model);
  const name = model.graph?.input?.[0]?.name ?? '';
  const shape = first ? dims(first) : [];
  const usable = shape.length > 0 && !shape.includes(0);
  const g = importOnnx(withConstantInputs(c, 1), usable ? { inputShapes: { [name]: shape } } : {});
  g.outputs.forEach((id, k) =>
    assert.equal(g.tensors[id]!.shape, dims(c.outputs[k]!), `${c.name} output ${k}`),
  );
}

function checkValues(c: Case): void {
  const g: Graph = importOnnx(withConstantInputs(c, 0));
  if (g.nodes.length > 0) return; // not everything folds (no evaluator); shapes were checked
  const ctx = { file: c.name, readExternal: () => new Uint8Array(), mayRealignInPlace: false };
  g.outputs.forEach((id, k) => {
    const want = Array.from(decodeTensor(c.outputs[k]!, ctx).values as ArrayLike<number>);
    const got = Array.from(g.tensors[id]!.values as ArrayLike<number>);
    assert.is(got.length, want.length, `${c.name} output ${k} length`);
    want.forEach((w, i) => {
      const isClose =
        w === got[i] ||
        Math.abs(w - got[i]!) <= 1e-4 * Math.max(1, Math.abs(w)) ||
        (Number.isNaN(w) && Number.isNaN(got[i]!));
      assert.ok(isClose, `${c.name} output ${k}[${i}]: got ${got[i]}, want ${w}`);
    });
  });
}

const Conformance = suite('ONNX backend node tests');
if (!existsSync(ROOT)) {
  console.log(`conformance: skipped, ${ROOT} is missing (apt-get install libonnx-testdata)`);
} else {
  const cases = readdirSync(ROOT)
    .sort()
    .filter((n) => !EXPECTED_FAILURES[n] && !n.startsWith('test_training_dropout'));
  Conformance('inferred shapes and folded values match the reference outputs', () => {
    let checked = 0;
    for (const name of cases) {
      const c = readCase(name);
      if (!c || !isSupported(c)) continue;
      const ops = (onnx.ModelProto.decode(c.model).graph?.node ?? []).map((n) => n.opType ?? '');
      try {
        if (!ops.some((op) => SHAPE_FROM_INPUT0.has(op))) checkShapes(c);
        checkValues(c);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
      checked++;
    }
    assert.ok(checked > 600, `only ${checked} cases checked`);
  });
}
Conformance.run();
