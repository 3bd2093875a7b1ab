// Layer normalisation written out in primitive ops (PyTorch's export of nn.LayerNorm before opset
// 17, and TensorFlow's algebra of it) becomes one LayerNormalization node at import
// (compiler/passes/fuse-norms.ts): values
// unchanged (onnxruntime runs the written-out model), one row-wise op instead of eight to ten.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { buildModel, cf, f, i, ints, x, type InitSpec, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const LayerNorm = suite('layer-norm fusion');
const W = 96;
const gamma = Array.from({ length: W }, (_, k) => 0.5 + (k % 7) / 8);
const beta = Array.from({ length: W }, (_, k) => ((k % 5) - 2) / 10);

interface Form {
  readonly nodes: readonly NodeSpec[];
  readonly inits?: readonly InitSpec[];
  readonly opset?: number;
}

/** x (2x64xW) through a written-out layer norm ending in `ln`, then Relu. */
function model(form: Form, extraOutputs: readonly string[] = []): Uint8Array {
  const used = new Set(form.nodes.flatMap((n) => n.inputs));
  const inits = [cf('two', [2], []), cf('eps', [1e-5], []), cf('gamma', gamma), cf('beta', beta), ...(form.inits ?? [])];
  return buildModel({
    opset: form.opset ?? 13,
    inputs: [x('x', 2, 64, W)],
    outputs: ['y', ...extraOutputs],
    initializers: inits.filter((t) => used.has(t.name)),
    nodes: [...form.nodes, { op: 'Relu', inputs: ['ln'], outputs: ['y'] }],
  });
}

const mean = (input: string, output: string, name: string, axes: number[] = [-1]): NodeSpec => ({ op: 'ReduceMean', inputs: [input], outputs: [output], name, attrs: { axes: ints(axes) } });

/** PyTorch's export: Pow, Div, scale and bias after. */
const torchForm: Form = {
  nodes: [
    mean('x', 'm', 'norm/ReduceMean'),
    { op: 'Sub', inputs: ['x', 'm'], outputs: ['d'] },
    { op: 'Pow', inputs: ['d', 'two'], outputs: ['sq'] },
    mean('sq', 'v', 'norm/ReduceMean_1'),
    { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
    { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
    { op: 'Div', inputs: ['d', 's'], outputs: ['n'] },
    { op: 'Mul', inputs: ['n', 'gamma'], outputs: ['g'] },
    { op: 'Add', inputs: ['g', 'beta'], outputs: ['ln'] },
  ],
};

/** The other spellings: d · d, a reciprocal, constants first, the axis by number, no bias. */
const otherForm: Form = {
  nodes: [
    mean('x', 'm', 'ln/mean', [2]),
    { op: 'Sub', inputs: ['x', 'm'], outputs: ['d'] },
    { op: 'Mul', inputs: ['d', 'd'], outputs: ['sq'] },
    mean('sq', 'v', 'ln/var', [2]),
    { op: 'Add', inputs: ['eps', 'v'], outputs: ['ve'] },
    { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
    { op: 'Reciprocal', inputs: ['s'], outputs: ['r'] },
    { op: 'Mul', inputs: ['r', 'd'], outputs: ['n'] },
    { op: 'Mul', inputs: ['gamma', 'n'], outputs: ['ln'] },
  ],
};

/** No affine part, and ReduceMean's axes as an input (opset 18). */
const plainForm: Form = {
  opset: 18,
  inits: [{ name: 'axes', dtype: 'int64', dims: [1], values: [-1] }],
  nodes: [
    { op: 'ReduceMean', inputs: ['x', 'axes'], outputs: ['m'], name: 'plain/mean' },
    { op: 'Sub', inputs: ['x', 'm'], outputs: ['d'] },
    { op: 'Pow', inputs: ['d', 'two'], outputs: ['sq'] },
    { op: 'ReduceMean', inputs: ['sq', 'axes'], outputs: ['v'] },
    { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
    { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
    { op: 'Div', inputs: ['d', 's'], outputs: ['ln'] },
  ],
};

/** TensorFlow's algebra (Keras LayerNormalization through tf2onnx): x · inv + (beta - m · inv), inv = gamma / sqrt(v + eps). */
const tfForm: Form = {
  nodes: [
    mean('x', 'm', 'tf/mean'),
    { op: 'Sub', inputs: ['x', 'm'], outputs: ['d'] },
    { op: 'Mul', inputs: ['d', 'd'], outputs: ['sq'] },
    mean('sq', 'v', 'tf/var'),
    { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
    { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
    { op: 'Reciprocal', inputs: ['s'], outputs: ['r'] },
    { op: 'Mul', inputs: ['r', 'gamma'], outputs: ['inv'] },
    { op: 'Mul', inputs: ['x', 'inv'], outputs: ['xs'] },
    { op: 'Mul', inputs: ['m', 'inv'], outputs: ['ms'] },
    { op: 'Sub', inputs: ['beta', 'ms'], outputs: ['off'] },
    { op: 'Add', inputs: ['xs', 'off'], outputs: ['ln'] },
  ],
};

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => n.op);

LayerNorm('each written-out form becomes one LayerNormalization, with the values onnxruntime gives the original', async () => {
  for (const [form, inputs] of [[torchForm, 3], [otherForm, 2], [plainForm, 2], [tfForm, 3]] as const) {
    const bytes = model(form);
    assert.equal(ops(bytes), ['LayerNormalization', 'Relu']);
    const ln = importOnnx(bytes).nodes[0]!;
    assert.is(ln.inputs.length, inputs, 'scale, and bias when there is one');
    assert.equal(ln.attrs['epsilon'], { kind: 'float', value: Math.fround(1e-5) });
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `relative error ${rel}`);
  }
});

LayerNorm('left alone: another axis, another exponent, a value read outside, no constant epsilon', () => {
  const written = torchForm.nodes.length + 1;
  const swap = (k: number, n: NodeSpec): Form => ({ nodes: torchForm.nodes.map((m, j) => (j === k ? n : m)) });
  // (The deviation's own normalisation then reads as an RMS norm of x - mean, fuseRmsNorm in fuse-norms.ts.)
  assert.not.ok(ops(model(swap(0, mean('x', 'm', 'norm/ReduceMean', [1])))).includes('LayerNormalization'), 'mean over axis 1');
  assert.not.ok(ops(model({ nodes: torchForm.nodes, inits: [] }, ['d'])).includes('LayerNormalization'), 'the deviation is a graph output');
  const cube = model({ nodes: torchForm.nodes.map((n) => (n.op === 'Pow' ? { ...n, inputs: ['d', 'three'] } : n)), inits: [cf('three', [3], [])] });
  assert.is(ops(cube).length, written, 'cubed deviations');
  assert.is(ops(model(swap(4, { op: 'Add', inputs: ['v', 'v'], outputs: ['ve'] }))).length, written, 'no constant epsilon');
});

LayerNorm('the fused form compiles to fewer ops and fewer cycles', () => {
  const arch = loadArch('wormhole_n150');
  const compile = (bytes: Uint8Array) => compileGraph(importOnnx(bytes), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'ln', batch: 1, archFingerprint: archFingerprint(arch) });
  const fused = compile(model(torchForm));
  const native = compile(buildModel({
    opset: 17,
    inputs: [x('x', 2, 64, W)],
    outputs: ['y'],
    initializers: [cf('gamma', gamma), cf('beta', beta)],
    nodes: [
      { op: 'LayerNormalization', inputs: ['x', 'gamma', 'beta'], outputs: ['ln'], attrs: { axis: i(-1), epsilon: f(1e-5) } },
      { op: 'Relu', inputs: ['ln'], outputs: ['y'] },
    ],
  }));
  assert.is(fused.ops.length, native.ops.length);
  assert.is(fused.predictedCycles, native.predictedCycles, 'the same program as the native op');
});

LayerNorm.run();
