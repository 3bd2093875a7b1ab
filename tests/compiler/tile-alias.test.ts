// Tile aliases: a head split (Slice -> Reshape -> Transpose) and a head merge are whole tiles of
// the tensors they come from, so no op copies them; the keys' transpose is read by the scores
// matmul as its second operand. The compiled program must verify, round-trip through the listing
// and compute the reference's values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import type { AttrValue, Graph, TensorId } from '../../compiler/graph.js';
import { parseListing } from '../../compiler/listing/parse.js';
import { printListing } from '../../compiler/listing/print.js';
import { groupNodes } from '../../compiler/lower/group.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const S = 64, H = 4, d = 32, D = H * d;
const perm = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** One attention block on a fused QKV projection; `keysAlsoTo` adds a second reader of K^T. */
function attention(name: string, keysAlsoTo?: 'output', mergedOut = false): Graph {
  const g = graphBuilder(name);
  const ints: [TensorId, number[]][] = [];
  const c = (label: string, values: number[]) => {
    const t = g.weight(`${label}_${ints.length}`, [values.length]);
    ints.push([t, values]);
    return t;
  };
  const x = g.input('x', [S, D]);
  const qkv = g.node('MatMul', [x, g.weight('wqkv', [D, 3 * D])], [S, 3 * D]);
  const part = (k: number) => g.node('Slice', [qkv, c('start', [k * D]), c('end', [(k + 1) * D]), c('axes', [1])], [S, D]);
  const heads = (t: TensorId) => g.node('Reshape', [t, c('shape', [S, H, d])], [S, H, d]);
  const q = g.node('Transpose', [heads(part(0))], [H, S, d], { perm: perm([1, 0, 2]) });
  const kT = g.node('Transpose', [heads(part(1))], [H, d, S], { perm: perm([1, 2, 0]) });
  const v = g.node('Transpose', [heads(part(2))], [H, S, d], { perm: perm([1, 0, 2]) });
  const scores = g.node('MatMul', [g.node('Mul', [q, g.weight('scale', [1])], [H, S, d]), kT], [H, S, S]);
  const probs = g.node('Softmax', [scores], [H, S, S], { axis: { kind: 'int', value: -1 } });
  const o = g.node('MatMul', [probs, v], [H, S, d]);
  const merged = g.node('Reshape', [g.node('Transpose', [o], [S, H, d], { perm: perm([1, 0, 2]) }), c('shape', [S, D])], [S, D]);
  const y = g.node('MatMul', [merged, g.weight('wo', [D, D])], [S, D]);
  const extra = keysAlsoTo === 'output' ? [g.node('Neg', [kT], [H, d, S])] : mergedOut ? [g.node('Reshape', [merged, c('shape', [S, 1, D])], [S, 1, D])] : [];
  const graph = g.build([y, ...extra]);
  for (const [t, values] of ints) Object.assign(graph.tensors[t]!, { dtype: 'int64', values: Float64Array.from(values) });
  return graph;
}

const Alias = suite('tile aliases');

Alias('a head split and merge are aliases: no data op is lowered, and the program computes the reference values', () => {
  const graph = attention('attention');
  const { groups, aliases } = groupNodes(graph);
  const ops = groups.map((grp) => grp.nodes.map((n) => n.op).join('+'));
  assert.equal(ops, ['MatMul', 'Mul', 'MatMul', 'Softmax', 'MatMul', 'MatMul'], ops.join(' | '));
  const kinds = [...aliases.values()].map((a) => a.transposed);
  assert.ok(kinds.filter((t) => t).length === 1, 'K^T is the one transposed alias');
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  assert.ok(p.tensors.some((t) => t.alias?.transposed === true), 'the program names the transposed alias');
  const text = printListing(p);
  const back = parseListing(text);
  assert.equal(back.tensors, p.tensors);
  assert.is(printListing(back), text);
  const check = checkProgram(p, graph, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(graph, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
  const err = fp32ErrorAgainstReference(graph, arch, 3, 2, 5);
  assert.ok(err < 1e-4, `fp32 rel error ${err}`);
});

Alias('a transposed tile view read by anything but a matmul\'s second operand is copied', () => {
  const graph = attention('attention-keys-out', 'output');
  const { groups, aliases } = groupNodes(graph);
  assert.ok([...aliases.values()].every((a) => !a.transposed));
  assert.ok(groups.some((grp) => grp.anchor.op === 'Transpose'), 'K^T is a data op');
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const check = checkProgram(p, graph, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(graph, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});

Alias('a graph output that is a view of a head merge is computed, not aliased', () => {
  const graph = attention('attention-merged-out', undefined, true);
  const { groups } = groupNodes(graph);
  assert.ok(groups.some((grp) => grp.nodes.some((n) => n.op === 'Reshape' || n.op === 'Transpose')), 'the merge is a data op');
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const err = fp32ErrorAgainstReference(graph, arch, 3, 2, 5);
  assert.ok(err < 1e-4, `fp32 rel error ${err}`);
});

Alias('the verifier refuses an alias whose tiles fall outside its source', () => {
  const p = compileGraph(attention('attention-bad'), arch, { dtype: 'bf16', fidelity: 'HiFi4', model: 'bad', batch: 1, archFingerprint: fp });
  const i = p.tensors.findIndex((t) => t.alias !== undefined);
  const bad = { ...p, tensors: p.tensors.map((t, k) => (k === i ? { ...t, alias: { ...t.alias!, tiles: t.alias!.tiles.map(() => 1e6) } } : t)) };
  assert.ok(verifyProgram(bad, arch).some((e) => e.code === 'structure' && /outside source/.test(e.message)));
});

Alias.run();
