// MatMuls reading one activation with constant weights merge into one MatMul and column Slices at
// import (compiler/passes/fuse-shared-matmuls.ts): transformers' separate query, key and value
// projections become torch's in_proj form. Values unchanged (onnxruntime runs the original); the
// Slices start on tile boundaries, so the lowering reads them as views (no op of their own).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { importOnnx } from '../../compiler/onnx/import.js';
import { buildModel, cf, x, type InitSpec, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const Merge = suite('shared-input MatMul fusion');
const K = 64;

const weight = (name: string, n: number, seed: number): InitSpec =>
  cf(name, Array.from({ length: K * n }, (_, k) => Math.sin(seed * 7.1 + k * 0.37) / 8), [K, n]);
const bias = (name: string, n: number): InitSpec => cf(name, Array.from({ length: n }, (_, k) => (k % 9) / 20 - 0.2));

/** x (2x64xK) through MatMuls of the given widths (with a bias Add where asked), each then Relu. */
function model(widths: readonly number[], biased: readonly boolean[], extraOutputs: readonly string[] = []): Uint8Array {
  const nodes: NodeSpec[] = [];
  const inits: InitSpec[] = [];
  widths.forEach((n, i) => {
    inits.push(weight(`w${i}`, n, i + 1));
    nodes.push({ op: 'MatMul', inputs: ['x', `w${i}`], outputs: [`p${i}`], name: `proj${i}` });
    if (biased[i]) {
      inits.push(bias(`b${i}`, n));
      nodes.push({ op: 'Add', inputs: [i % 2 === 0 ? `p${i}` : `b${i}`, i % 2 === 0 ? `b${i}` : `p${i}`], outputs: [`q${i}`] });
    }
    nodes.push({ op: 'Relu', inputs: [biased[i] ? `q${i}` : `p${i}`], outputs: [`y${i}`] });
  });
  return buildModel({ opset: 14, inputs: [x('x', 2, 64, K)], outputs: [...widths.map((_, i) => `y${i}`), ...extraOutputs], initializers: inits, nodes });
}

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => n.op);

Merge('three projections become one MatMul, one bias Add and three Slices, with onnxruntime\'s values', async () => {
  for (const biased of [[true, true, true], [true, false, true], [false, false, false]]) {
    const bytes = model([32, 64, 32], biased);
    const got = ops(bytes);
    assert.equal(got.filter((o) => o === 'MatMul').length, 1, got.join(' '));
    assert.equal(got.filter((o) => o === 'Slice').length, 3);
    assert.equal(got.filter((o) => o === 'Add').length, biased.some((b) => b) ? 1 : 0);
    const merged = importOnnx(bytes).nodes.find((n) => n.op === 'MatMul')!;
    assert.equal(importOnnx(bytes).tensors[merged.inputs[1]!]!.shape, [K, 128]);
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-6, `relative error ${rel}`);
  }
});

Merge('left alone: one projection, a width off the tile grid', () => {
  assert.equal(ops(model([64], [true])), ['MatMul', 'Add', 'Relu']);
  assert.equal(ops(model([32, 48], [false, false])), ['MatMul', 'Relu', 'MatMul', 'Relu']);
});

Merge('projections far apart in the graph stay apart', () => {
  // proj0, then a chain of 20 Relus on another value, then proj1: 21 nodes between them.
  const chain: NodeSpec[] = Array.from({ length: 20 }, (_, k) => ({ op: 'Relu', inputs: [k === 0 ? 'p0' : `c${k - 1}`], outputs: [`c${k}`] }));
  const bytes = buildModel({
    opset: 14,
    inputs: [x('x', 2, 64, K)],
    outputs: ['c19', 'p1'],
    initializers: [weight('w0', 32, 1), weight('w1', 32, 2)],
    nodes: [{ op: 'MatMul', inputs: ['x', 'w0'], outputs: ['p0'] }, ...chain, { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['p1'] }],
  });
  assert.equal(ops(bytes).filter((o) => o === 'MatMul').length, 2);
  assert.equal(ops(bytes).filter((o) => o === 'Slice').length, 0);
});

Merge('a bias read outside the pattern stays an Add of its own; the Slices cost no op', () => {
  // p0 is also a graph output, so its Add is not absorbed (the merged MatMul's Slice still makes p0).
  const got = ops(model([32, 32], [true, true], ['p0']));
  assert.equal(got.filter((o) => o === 'MatMul').length, 1);
  assert.equal(got.filter((o) => o === 'Add').length, 2, got.join(' '));
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(importOnnx(model([32, 64, 32], [true, true, true])), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'qkv', batch: 1, archFingerprint: archFingerprint(arch) });
  assert.equal(p.ops.filter((o) => o.op === 'Slice'), [], 'the Slices are views of the merged output');
  assert.equal(p.ops.filter((o) => o.op === 'MatMul').length, 1);
});

Merge.run();
