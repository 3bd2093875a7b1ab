// GELU written out with Erf (PyTorch's export before opset 20) becomes one Gelu node at import
// (compiler/passes/fuse-gelu.ts): values unchanged (onnxruntime runs the written-out model), one
// SFPU pass per tile instead of an erf and four element-wise passes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../compiler/onnx/import.js';
import { classifyNode } from '../../compiler/lower/classify.js';
import { buildModel, cf, x, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const Gelu = suite('GELU fusion');

/** x (2x8x32) through a written-out GELU, then Relu (so the GELU's output is not the graph output). */
function model(nodes: readonly NodeSpec[], consts: { scale: number; one?: number; half?: number }, extraOutputs: readonly string[] = []): Uint8Array {
  return buildModel({
    inputs: [x('x', 2, 8, 32)],
    outputs: ['y', ...extraOutputs],
    initializers: [cf('s', [consts.scale], []), cf('one', [consts.one ?? 1], []), cf('half', [consts.half ?? 0.5], [])],
    nodes: [...nodes, { op: 'Relu', inputs: ['g'], outputs: ['y'] }],
  });
}

/** 0.5 · (x · (1 + erf(x / √2))), PyTorch's order. */
const halvingLast: NodeSpec[] = [
  { op: 'Div', inputs: ['x', 's'], outputs: ['d'], name: 'div' },
  { op: 'Erf', inputs: ['d'], outputs: ['e'], name: 'erf' },
  { op: 'Add', inputs: ['e', 'one'], outputs: ['a'], name: 'add' },
  { op: 'Mul', inputs: ['x', 'a'], outputs: ['m'], name: 'mul' },
  { op: 'Mul', inputs: ['m', 'half'], outputs: ['g'], name: 'mul_1' },
];
/** (0.5 · x) · (1 + erf(x · 1/√2)), constants first where the op commutes. */
const halvingFirst: NodeSpec[] = [
  { op: 'Mul', inputs: ['half', 'x'], outputs: ['h'], name: 'half' },
  { op: 'Mul', inputs: ['s', 'x'], outputs: ['d'], name: 'scale' },
  { op: 'Erf', inputs: ['d'], outputs: ['e'], name: 'erf' },
  { op: 'Add', inputs: ['one', 'e'], outputs: ['a'], name: 'add' },
  { op: 'Mul', inputs: ['a', 'h'], outputs: ['g'], name: 'mul' },
];

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => `${n.domain ? `${n.domain}/` : ''}${n.op}`);

Gelu('both written-out forms become one Gelu node, with the values onnxruntime gives the original', async () => {
  for (const [nodes, scale] of [[halvingLast, Math.SQRT2], [halvingFirst, Math.SQRT1_2]] as const) {
    const bytes = model(nodes, { scale });
    assert.equal(ops(bytes), ['com.microsoft/Gelu', 'Relu']);
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `relative error ${rel}`);
  }
});

Gelu('the fused node is one SFPU pass per tile, named after the Erf', () => {
  const g = importOnnx(model(halvingLast, { scale: Math.SQRT2 }));
  const gelu = g.nodes[0]!;
  assert.is(gelu.name, 'erf/Gelu');
  assert.equal(classifyNode(g, gelu), { kind: 'eltwise', inputs: [gelu.inputs[0]], work: { eltwise: 0, sfpu: [{ fn: 'gelu', passes: 1 }] } });
});

Gelu('left alone: other constants, or an intermediate value read outside the pattern', () => {
  assert.equal(ops(model(halvingLast, { scale: 2 })), ['Div', 'Erf', 'Add', 'Mul', 'Mul', 'Relu']);
  assert.equal(ops(model(halvingLast, { scale: Math.SQRT2, one: 2 })), ['Div', 'Erf', 'Add', 'Mul', 'Mul', 'Relu']);
  assert.equal(ops(model(halvingLast, { scale: Math.SQRT2, half: 0.25 })), ['Div', 'Erf', 'Add', 'Mul', 'Mul', 'Relu']);
  // The erf's output is also a graph output.
  assert.equal(ops(model(halvingLast, { scale: Math.SQRT2 }, ['e'])), ['Div', 'Erf', 'Add', 'Mul', 'Mul', 'Relu']);
});

Gelu.run();
