// A scalar scale of a MatMul input moves to its output at import
// (compiler/passes/scale-through-matmul.ts), where it fuses into the MatMul's output tiles: the
// graph's values stay onnxruntime's, and the scale stops being an op of its own.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../compiler/onnx/import.js';
import { groupNodes } from '../../compiler/lower/group.js';
import { buildModel, cf, x, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const Scale = suite('scale through MatMul');

/** Attention scores: q (2x16x8) scaled, times k (2x8x16), then Softmax. */
function model(nodes: readonly NodeSpec[], scale: { values: number[]; dims: number[] } = { values: [8], dims: [] }, outputs: readonly string[] = ['y']): Uint8Array {
  return buildModel({
    inputs: [x('q', 2, 16, 8), x('k', 2, 8, 16)],
    outputs,
    initializers: [cf('s', scale.values, scale.dims)],
    nodes: [...nodes, { op: 'Softmax', inputs: ['z'], outputs: ['y'], name: 'softmax' }],
  });
}

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => n.op);

Scale('Div of in0 and Mul of in1 by a scalar move after the MatMul, with the values onnxruntime gives the original', async () => {
  const divQ: NodeSpec[] = [
    { op: 'Div', inputs: ['q', 's'], outputs: ['qs'], name: 'div' },
    { op: 'MatMul', inputs: ['qs', 'k'], outputs: ['z'], name: 'mm' },
  ];
  const mulK: NodeSpec[] = [
    { op: 'Mul', inputs: ['s', 'k'], outputs: ['ks'], name: 'mul' },
    { op: 'MatMul', inputs: ['q', 'ks'], outputs: ['z'], name: 'mm' },
  ];
  for (const nodes of [divQ, mulK]) {
    const bytes = model(nodes, { values: [0.125], dims: [1] });
    assert.equal(ops(bytes), ['MatMul', nodes[0]!.op, 'Softmax']);
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `relative error ${rel}`);
  }
});

Scale('the moved scale fuses into the MatMul: one op fewer', () => {
  const g = importOnnx(model([
    { op: 'Div', inputs: ['q', 's'], outputs: ['qs'], name: 'div' },
    { op: 'MatMul', inputs: ['qs', 'k'], outputs: ['z'], name: 'mm' },
  ]));
  const groups = groupNodes(g).groups.map((grp) => grp.nodes.map((n) => n.name));
  assert.equal(groups, [['mm', 'div'], ['softmax']]);
});

Scale('left alone: a scale read elsewhere, a non-scalar constant, a broadcast that widens the input', () => {
  const base: NodeSpec[] = [
    { op: 'Div', inputs: ['q', 's'], outputs: ['qs'], name: 'div' },
    { op: 'MatMul', inputs: ['qs', 'k'], outputs: ['z'], name: 'mm' },
  ];
  assert.equal(ops(model(base, undefined, ['y', 'qs'])), ['Div', 'MatMul', 'Softmax']);
  assert.equal(ops(model(base, { values: [1, 2, 3, 4, 5, 6, 7, 8], dims: [8] })), ['Div', 'MatMul', 'Softmax']);
  // q is 2x16x8, but a [2, 1, 16, 8]-shaped scale would widen it: here a scalar of rank 4 only reshapes.
  assert.equal(ops(model(base, { values: [8], dims: [1, 1, 1, 1] })), ['Div', 'MatMul', 'Softmax']);
});

Scale.run();
