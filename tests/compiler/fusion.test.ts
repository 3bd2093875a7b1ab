// Fusion of element-wise regions that read their start twice (compiler/lower/group.ts
// closedRegions): GELU's erf form x * 0.5 * (1 + erf(x / sqrt 2)) and SiLU's x * sigmoid(x) fuse
// whole into the matmul that makes x, since no value inside is needed elsewhere; when x is also
// read outside the region (a graph output of its own), nothing beyond the plain chain rule fuses. Checked: the
// grouping, and that the programs verify and compute the reference's values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import type { Graph, TensorId } from '../../compiler/graph.js';
import { groupNodes } from '../../compiler/lower/group.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder, type GraphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const M = 64, K = 96, N = 160;

function gelu(g: GraphBuilder, x: TensorId): TensorId {
  const d = g.node('Div', [x, g.weight('sqrt2', [1])], [M, N]);
  const e = g.node('Erf', [d], [M, N]);
  const s = g.node('Add', [e, g.weight('one', [1])], [M, N]);
  const m = g.node('Mul', [x, s], [M, N]);
  return g.node('Mul', [m, g.weight('half', [1])], [M, N]);
}

function matmulThen(name: string, tail: (g: GraphBuilder, x: TensorId) => TensorId): Graph {
  const g = graphBuilder(name);
  const x = g.node('MatMul', [g.input('a', [M, K]), g.weight('w', [K, N])], [M, N]);
  return g.build([tail(g, x)]);
}

const cases: [string, Graph, number][] = [
  ['GELU (erf form)', matmulThen('gelu', gelu), 6],
  ['SiLU', matmulThen('silu', (g, x) => g.node('Mul', [x, g.node('Sigmoid', [x], [M, N])], [M, N])), 3],
];

const Fusion = suite('closed element-wise regions fuse into their producer');
for (const [label, graph, nodes] of cases) {
  Fusion(`${label}: one op of ${nodes} nodes, no extra inputs; verified and right (bf16, and fp32 on a small mesh)`, () => {
    const { groups } = groupNodes(graph);
    assert.is(groups.length, 1, groups.map((x) => x.nodes.map((n) => n.op).join('+')).join(' | '));
    assert.is(groups[0]!.nodes.length, nodes);
    assert.equal(groups[0]!.extraInputs, []);
    const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
    assert.equal(verifyProgram(p, arch), []);
    const check = checkProgram(p, graph, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(graph, 3));
    assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
    const err = fp32ErrorAgainstReference(graph, arch, 3, 2, 5);
    assert.ok(err < 1e-4, `fp32 rel error ${err}`);
  });
}

Fusion('a start also read outside the region (a graph output) keeps its value: the region does not fuse', () => {
  const g = graphBuilder('gelu-and-x');
  const x = g.node('MatMul', [g.input('a', [M, K]), g.weight('w', [K, N])], [M, N]);
  const graph = g.build([gelu(g, x), x]);
  const { groups } = groupNodes(graph);
  assert.ok(groups.length > 1, 'x is materialised as an output');
  assert.is(groups[0]!.nodes.length, 1, groups[0]!.nodes.map((n) => n.op).join('+'));
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const check = checkProgram(p, graph, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(graph, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});

Fusion('a Relu that ends a fused chain is free (the packer clamps); one inside the chain still runs on the SFPU', () => {
  const sfpuOf = (graph: Graph) => groupNodes(graph).groups.map((grp) => grp.fusedWork.sfpu.map((f) => f.fn).join(','));
  const last = matmulThen('relu-last', (g, x) => g.node('Relu', [g.node('Add', [x, g.input('r', [M, N])], [M, N])], [M, N]));
  assert.equal(sfpuOf(last), ['copy'], 'the Add is a preload (see below), the Relu the packer\'s');
  assert.is(groupNodes(last).groups[0]!.nodes.length, 3);
  const inner = matmulThen('relu-inner', (g, x) => g.node('Mul', [g.node('Relu', [x], [M, N]), g.weight('s', [1])], [M, N]));
  assert.equal(sfpuOf(inner), ['relu']);
  const clip = matmulThen('clip-last', (g, x) => g.node('Clip', [x], [M, N]));
  assert.equal(sfpuOf(clip), ['relu'], 'Clip (ReLU6) is not the packer\'s plain ReLU');
  // Values are unchanged: the functional simulation still applies the Relu.
  const p = compileGraph(last, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: last.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const check = checkProgram(p, last, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(last, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});

Fusion('a Clip to [0, t] that ends a chain is the packer\'s threshold ReLU; other bounds still run on the SFPU', () => {
  const clipTo = (lo: number, hi: number) => {
    const g = graphBuilder(`clip-${lo}-${hi}`);
    const x = g.node('MatMul', [g.input('a', [M, K]), g.weight('w', [K, N])], [M, N]);
    const min = g.weight('min', []);
    const max = g.weight('max', []);
    const graph = g.build([g.node('Clip', [x, min, max], [M, N])]);
    Object.assign(graph.tensors[min]!, { values: Float32Array.of(lo) });
    Object.assign(graph.tensors[max]!, { values: Float32Array.of(hi) });
    return graph;
  };
  const relu6 = clipTo(0, 6);
  assert.equal(groupNodes(relu6).groups[0]!.fusedWork.sfpu, []);
  assert.equal(groupNodes(clipTo(-1, 1)).groups[0]!.fusedWork.sfpu.map((f) => f.fn), ['relu']);
  assert.equal(groupNodes(clipTo(0, -1)).groups[0]!.fusedWork.sfpu.map((f) => f.fn), ['relu']);
  const err = fp32ErrorAgainstReference(relu6, arch, 3, 2, 5);
  assert.ok(err < 1e-4, `fp32 rel error ${err}`);
});

Fusion('an Add right after a matmul preloads its other operand into Dst (a tile copy); a later Add stays an element-wise pass', () => {
  const work = (graph: Graph) => groupNodes(graph).groups.map((grp) => ({ eltwise: grp.fusedWork.eltwise, sfpu: grp.fusedWork.sfpu.map((f) => f.fn) }));
  const residual = matmulThen('residual', (g, x) => g.node('Add', [g.input('r', [M, N]), x], [M, N]));
  assert.equal(work(residual), [{ eltwise: 0, sfpu: ['copy'] }]);
  const biasThenResidual = matmulThen('bias-residual', (g, x) => g.node('Add', [g.node('Add', [x, g.weight('bias', [N])], [M, N]), g.input('r', [M, N])], [M, N]));
  assert.equal(work(biasThenResidual), [{ eltwise: 1, sfpu: ['copy'] }]);
  const scaled = matmulThen('scaled', (g, x) => g.node('Add', [g.node('Mul', [x, g.weight('s', [1])], [M, N]), g.input('r', [M, N])], [M, N]));
  assert.equal(work(scaled), [{ eltwise: 2, sfpu: [] }], 'the Add is not next to the matmul');
  const columnBias = matmulThen('column-bias', (g, x) => g.node('Add', [x, g.weight('cb', [M, 1])], [M, N]));
  assert.equal(work(columnBias), [{ eltwise: 1, sfpu: [] }], 'only a row (or scalar) constant is copied by broadcast');
  const p = compileGraph(biasThenResidual, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: biasThenResidual.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const err = fp32ErrorAgainstReference(biasThenResidual, arch, 3, 2, 5);
  assert.ok(err < 1e-4, `fp32 rel error ${err}`);
});

Fusion('a Transpose that moves only size-1 axes is a view: no data op, values right', () => {
  const g = graphBuilder('unit-transpose');
  const x = g.node('MatMul', [g.input('a', [M, K]), g.weight('w', [K, N])], [M, N]);
  const shape = g.weight('shape3', [3]);
  const r = g.node('Reshape', [x, shape], [M, 1, N]);
  const t = g.node('Transpose', [r], [1, M, N], { perm: { kind: 'ints', value: [1, 0, 2] } });
  const graph = g.build([g.node('Add', [t, g.input('b', [1, M, N])], [1, M, N])]);
  Object.assign(graph.tensors[shape]!, { dtype: 'int64', values: Float64Array.from([M, 1, N]) });
  const ops = groupNodes(graph).groups.map((grp) => grp.nodes.map((n) => n.op).join('+'));
  assert.equal(ops, ['MatMul+Add'], ops.join(' | '));
  const swap = graphBuilder('real-transpose');
  const y = swap.node('MatMul', [swap.input('a', [M, K]), swap.weight('w', [K, N])], [M, N]);
  const real = swap.build([swap.node('Transpose', [y], [N, M], { perm: { kind: 'ints', value: [1, 0] } })]);
  assert.is(groupNodes(real).groups.length, 2, 'a real transpose moves data');
  const err = fp32ErrorAgainstReference(graph, arch, 3, 2, 5);
  assert.ok(err < 1e-4, `fp32 rel error ${err}`);
});

Fusion.run();
