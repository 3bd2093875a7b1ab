// A row-distributed op's inputs made before the previous op (attention's K and V) come in buffers of
// their own while the ops before it still run (compiler/lower/map-op.ts), as matmul weights are
// prefetched: the V tiles for P.V move while the softmax computes, not after it. Checked: they do,
// and the program still verifies and computes the reference's values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import type { Graph } from '../../compiler/graph.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);

/** Two heads of attention over 64 tokens of width 32, Q, K and V projected from one input. */
function attention(): { graph: Graph; v: string; softmax: string; pv: string } {
  const g = graphBuilder('attention');
  const x = g.input('x', [2, 64, 32]);
  const q = g.node('MatMul', [x, g.weight('wq', [32, 32])], [2, 64, 32]);
  const k = g.node('MatMul', [x, g.weight('wk', [32, 32])], [2, 64, 32]);
  const v = g.node('MatMul', [x, g.weight('wv', [32, 32])], [2, 64, 32]);
  const kt = g.node('Transpose', [k], [2, 32, 64], { perm: { kind: 'ints', value: [0, 2, 1] } });
  const s = g.node('MatMul', [q, kt], [2, 64, 64]);
  const p = g.node('Softmax', [s], [2, 64, 64], { axis: { kind: 'int', value: -1 } });
  const o = g.node('MatMul', [p, v], [2, 64, 32]);
  const graph = g.build([o]);
  const name = (t: number) => graph.tensors[t]!.name;
  const producer = (t: number) => graph.nodes[graph.tensors[t]!.producer!]!.name;
  return { graph, v: name(v), softmax: producer(p), pv: producer(o) };
}

const Prefetch = suite('activation prefetch');

Prefetch('V reaches the P.V cores while the softmax still runs; the program verifies and is right', () => {
  const { graph, v, softmax, pv } = attention();
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: graph.name, batch: 1, archFingerprint: fp });
  assert.equal(verifyProgram(p, arch), []);
  const opIndex = (name: string) => p.ops.find((o) => o.name === name)!.index;
  const vTensor = p.tensors.find((t) => t.name === v)!.id;
  const softmaxEnd = Math.max(...p.tasks.filter((t) => t.op === opIndex(softmax) && t.kind === 'compute').map((t) => t.predictedStartCycle + t.predictedCycles));
  const vMoves = p.tasks.filter((t) => t.op === opIndex(pv) && t.kind === 'send' && t.reads?.some((r) => r.tensor === vTensor));
  assert.ok(vMoves.length > 0, 'P.V fetches V from the cores that made it');
  const early = vMoves.filter((t) => t.predictedStartCycle < softmaxEnd);
  assert.ok(early.length === vMoves.length, `${vMoves.length - early.length} of ${vMoves.length} V transfers wait for the softmax to end`);
  const result = simulate(p, arch, { fingerprint: fp, nocModel: 'packet' });
  const check = checkProgram(p, graph, result, randomInputs(graph, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
  const simEarly = vMoves.filter((t) => result.taskStartCycle[t.id]! < Math.max(...p.tasks.filter((u) => u.op === opIndex(softmax)).map((u) => result.taskEndCycle[u.id]!)));
  assert.ok(simEarly.length > 0, 'in simulation too, V moves before the softmax ends');
});

Prefetch.run();
