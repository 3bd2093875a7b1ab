// RMS normalisation written out in primitive ops (LLaMA-style exports) becomes one
// RMSNormalization node at import (compiler/passes/fuse-norms.ts): values unchanged
// (onnxruntime runs the original), one row-wise op split across a grid row like a layer norm.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { buildModel, cf, ints, x, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const Rms = suite('RMS-norm fusion');
const W = 256;
const weight = Array.from({ length: W }, (_, k) => 0.5 + (k % 11) / 10);

function model(nodes: readonly NodeSpec[], extraOutputs: readonly string[] = []): Uint8Array {
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const inits = [cf('two', [2], []), cf('three', [3], []), cf('one', [1], []), cf('eps', [1e-6], []), cf('w', weight)];
  return buildModel({
    opset: 17,
    inputs: [x('x', 1, 128, W)],
    outputs: ['y', ...extraOutputs],
    initializers: inits.filter((t) => used.has(t.name)),
    nodes: [...nodes, { op: 'Relu', inputs: ['rms'], outputs: ['y'] }],
  });
}
const mean = (i: string, o: string): NodeSpec => ({ op: 'ReduceMean', inputs: [i], outputs: [o], name: `${o}/mean`, attrs: { axes: ints([-1]) } });

/** transformers' LlamaRMSNorm: x · rsqrt(mean(x²) + eps) (rsqrt as 1 / sqrt), then the weight first. */
const llama: NodeSpec[] = [
  { op: 'Pow', inputs: ['x', 'two'], outputs: ['sq'] }, mean('sq', 'v'), { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
  { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] }, { op: 'Div', inputs: ['one', 's'], outputs: ['r'] },
  { op: 'Mul', inputs: ['x', 'r'], outputs: ['n'] }, { op: 'Mul', inputs: ['w', 'n'], outputs: ['rms'] },
];
/** x · x, Reciprocal, no weight. */
const bare: NodeSpec[] = [
  { op: 'Mul', inputs: ['x', 'x'], outputs: ['sq'] }, mean('sq', 'v'), { op: 'Add', inputs: ['eps', 'v'], outputs: ['ve'] },
  { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] }, { op: 'Reciprocal', inputs: ['s'], outputs: ['r'] }, { op: 'Mul', inputs: ['r', 'x'], outputs: ['rms'] },
];
/** x / sqrt(...), weight after. */
const divided: NodeSpec[] = [
  { op: 'Pow', inputs: ['x', 'two'], outputs: ['sq'] }, mean('sq', 'v'), { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] },
  { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] }, { op: 'Div', inputs: ['x', 's'], outputs: ['n'] }, { op: 'Mul', inputs: ['n', 'w'], outputs: ['rms'] },
];

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => n.op);

Rms('each spelling becomes one RMSNormalization with the values onnxruntime gives the original', async () => {
  for (const nodes of [llama, bare, divided]) {
    const bytes = model(nodes);
    assert.equal(ops(bytes), ['RMSNormalization', 'Relu']);
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `relative error ${rel}`);
  }
});

Rms('left alone: an intermediate read outside, a cube instead of a square', () => {
  assert.is(ops(model(llama, ['s'])).length, llama.length + 1);
  const cube = model([{ op: 'Pow', inputs: ['x', 'three'], outputs: ['sq'] }, ...llama.slice(1)]);
  assert.is(ops(cube).length, llama.length + 1);
});

Rms('the fused op splits across a grid row like a layer norm', () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(importOnnx(model(llama)), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'rms', batch: 1, archFingerprint: archFingerprint(arch) });
  const o = p.ops.find((x) => x.op === 'RMSNormalization')!;
  assert.ok(o.coresUsed > 4, `${o.strategy} on ${o.coresUsed} cores (4 tile rows)`);
  assert.is(p.ops.length, 1, 'the Relu fuses into it');
});

Rms.run();
