// GELU written out with Erf (PyTorch's export before opset 20) becomes one Gelu node at import
// (compiler/passes/fuse-gelu.ts), its tanh approximation one FastGelu: values unchanged
// (onnxruntime runs the written-out model), one SFPU pass per tile instead of an erf (or tanh)
// and four or more element-wise passes.
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

/** x through the tanh approximation, then Relu; `cubic` is the x³ coefficient (0.044715). */
function tanhModel(nodes: readonly NodeSpec[], cubic = 0.044715): Uint8Array {
  return buildModel({
    inputs: [x('x', 2, 8, 32)],
    outputs: ['y'],
    initializers: [cf('k', [Math.sqrt(2 / Math.PI)], []), cf('c', [cubic], []), cf('three', [3], []), cf('one', [1], []), cf('half', [0.5], [])].filter((t) => nodes.some((n) => n.inputs.includes(t.name))),
    nodes: [...nodes, { op: 'Relu', inputs: ['g'], outputs: ['y'] }],
  });
}

/** torch's export of nn.GELU(approximate='tanh'): x·(x·x), halving last. */
const torchTanh: NodeSpec[] = [
  { op: 'Mul', inputs: ['x', 'x'], outputs: ['x2'] },
  { op: 'Mul', inputs: ['x', 'x2'], outputs: ['x3'] },
  { op: 'Mul', inputs: ['c', 'x3'], outputs: ['cx3'] },
  { op: 'Add', inputs: ['x', 'cx3'], outputs: ['s'] },
  { op: 'Mul', inputs: ['k', 's'], outputs: ['u'] },
  { op: 'Tanh', inputs: ['u'], outputs: ['t'], name: 'tanh' },
  { op: 'Add', inputs: ['one', 't'], outputs: ['a'] },
  { op: 'Mul', inputs: ['x', 'a'], outputs: ['m'] },
  { op: 'Mul', inputs: ['m', 'half'], outputs: ['g'] },
];
/** transformers' gelu_new: Pow(x, 3), halving first. */
const hfTanh: NodeSpec[] = [
  { op: 'Pow', inputs: ['x', 'three'], outputs: ['x3'] },
  { op: 'Mul', inputs: ['x3', 'c'], outputs: ['cx3'] },
  { op: 'Add', inputs: ['cx3', 'x'], outputs: ['s'] },
  { op: 'Mul', inputs: ['s', 'k'], outputs: ['u'] },
  { op: 'Tanh', inputs: ['u'], outputs: ['t'], name: 'tanh' },
  { op: 'Add', inputs: ['t', 'one'], outputs: ['a'] },
  { op: 'Mul', inputs: ['half', 'x'], outputs: ['h'] },
  { op: 'Mul', inputs: ['h', 'a'], outputs: ['g'] },
];

Gelu('the tanh approximation, in both spellings, becomes one FastGelu with onnxruntime\'s values', async () => {
  for (const nodes of [torchTanh, hfTanh]) {
    const bytes = tanhModel(nodes);
    assert.equal(ops(bytes), ['com.microsoft/FastGelu', 'Relu']);
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `relative error ${rel}`);
  }
  const g = importOnnx(tanhModel(torchTanh));
  assert.equal(classifyNode(g, g.nodes[0]!), { kind: 'eltwise', inputs: [g.nodes[0]!.inputs[0]], work: { eltwise: 0, sfpu: [{ fn: 'gelu', passes: 1 }] } });
  // Another cubic coefficient is another function: left alone.
  assert.is(ops(tanhModel(torchTanh, 0.05)).length, torchTanh.length + 1);
});

Gelu.run();
