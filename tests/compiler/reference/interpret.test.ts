// runReference: the reference interpreter against onnxruntime on the committed CNN and
// transformer fixtures, plus its input checks, missing-kernel message and memory release.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Graph, NodeId, TensorId } from '../../../compiler/graph.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { runReference } from '../../../compiler/reference/interpret.js';
import { valuesFrom } from '../../../compiler/ops/values.js';
import { buildModel, x } from '../onnx/build-model.js';
import { fixture } from '../onnx/fixtures.js';
import { thrown } from '../onnx/thrown.js';
import { compareWithOrt, randomInputs } from './oracle.js';

const Oracle = suite('runReference vs onnxruntime');

for (const name of ['tiny_cnn.onnx', 'tiny_transformer.onnx']) {
  Oracle(`${name}: every output within 1e-5 relative of onnxruntime`, async () => {
    for (const seed of [1, 2]) {
      const { rel, outputs } = await compareWithOrt(readFileSync(fixture(name)), seed);
      assert.ok(outputs >= 1);
      assert.ok(rel < 1e-5, `seed ${seed}: max relative error ${rel}`);
    }
  });
}

const Inputs = suite('runReference input checks');
const cnn = () => importOnnx(fixture('tiny_cnn.onnx'));
const floats = (shape: number[]) => ({
  dtype: 'float32' as const,
  shape,
  values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});

Inputs('an input of the wrong shape names the input and both shapes', () => {
  const err = thrown(() => runReference(cnn(), { input: floats([1, 3, 16, 16]) }));
  assert.is(err.code, 'E_ONNX_SHAPE');
  assert.is(err.message, 'input "input": expected shape 1x3x32x32, got 1x3x16x16');
});

Inputs('a wrong element type, a missing input and an unknown name are refused by name', () => {
  const g = cnn();
  const f64 = { dtype: 'float64' as const, shape: [1, 3, 32, 32], values: new Float64Array(3072) };
  assert.is(
    thrown(() => runReference(g, { input: f64 })).message,
    'input "input": expected float32 elements, got float64',
  );
  assert.match(thrown(() => runReference(g, {})).message, /^input "input" has no value/);
  const extra = { input: floats([1, 3, 32, 32]), other: floats([1]) };
  assert.match(
    thrown(() => runReference(g, extra)).message,
    /^"other" is not an input of the model/,
  );
});

Inputs('a node whose op has no kernel is named with its op', () => {
  const graph: Graph = {
    name: 'g',
    opsets: { '': 17, 'x.y': 1 },
    tensors: [
      { id: 0 as TensorId, name: 'a', dtype: 'float32', shape: [1], isConstant: false },
      {
        id: 1 as TensorId,
        name: 'b',
        dtype: 'float32',
        shape: [1],
        producer: 0 as NodeId,
        isConstant: false,
      },
    ],
    nodes: [
      {
        id: 0 as NodeId,
        name: 'mystery',
        op: 'Foo',
        domain: 'x.y',
        opset: 1,
        inputs: [0 as TensorId],
        outputs: [1 as TensorId],
        attrs: {},
      },
    ],
    inputs: [0 as TensorId],
    outputs: [1 as TensorId],
  };
  const err = thrown(() => runReference(graph, { a: floats([1]) }));
  assert.is(err.message, 'node "mystery": op x.y/Foo has no reference kernel');
});

const Memory = suite('runReference memory');

Memory('intermediate values are released after their last reader', () => {
  const depth = 40;
  const model = buildModel({
    inputs: [x('v0', 1, 64)],
    outputs: [`v${depth}`],
    nodes: Array.from({ length: depth }, (_, i) => ({
      op: i % 2 ? 'Relu' : 'Neg',
      inputs: [`v${i}`],
      outputs: [`v${i + 1}`],
    })),
  });
  const graph = importOnnx(model);
  let peak = 0;
  const out = runReference(graph, randomInputs(graph), {
    onNode: (_n, _i, live) => (peak = Math.max(peak, live)),
  });
  assert.ok(peak <= 2, `peak live values ${peak}`);
  assert.equal(out[`v${depth}`]!.shape, [1, 64]);
});

Memory('graph outputs that are also read by later nodes are kept', () => {
  const model = buildModel({
    inputs: [x('a', 2)],
    outputs: ['b', 'c'],
    nodes: [
      { op: 'Neg', inputs: ['a'], outputs: ['b'] },
      { op: 'Abs', inputs: ['b'], outputs: ['c'] },
    ],
  });
  const out = runReference(importOnnx(model), {
    a: { dtype: 'float32', shape: [2], values: valuesFrom('float32', [1, -2]) },
  });
  assert.equal(Array.from(out['b']!.values as Float32Array), [-1, 2]);
  assert.equal(Array.from(out['c']!.values as Float32Array), [1, 2]);
});

Oracle.run();
Inputs.run();
Memory.run();
