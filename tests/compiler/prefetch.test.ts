// Prefetch op by op (compiler/lower/weights.ts prefetchBuffers): a matmul's weight slices, and the
// constants of a row-distributed op, land in buffers of their own opened while earlier ops still
// run, as far back as SRAM allows over a core's last prefetchDepth ops; their reads ignore the
// cores' gates. Checked: how far back the buffers open, that the reads are ungated writer-engine
// tasks that start before the op's previous op ends, and that programs verify and stay right.
// Also: the per-op search offers grids aligned with a window op that reads the output next.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import type { AttrValue, Graph } from '../../compiler/graph.js';
import type { Program } from '../../compiler/program.js';
import { prefetchDepth } from '../../compiler/lower/context.js';
import { matmulCandidates } from '../../compiler/partition/strategy.js';
import { createSession } from '../../compiler/lower/session.js';
import { groupNodes } from '../../compiler/lower/group.js';
import { computeCores } from '../../compiler/compile.js';
import { tileBytes } from '../../arch/core-timing.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder } from './helpers/graphs.js';
import { withMesh } from '../helpers/oracle.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** `hops` transposes (ops of their own) between the input and a MatMul by a weight. */
function transposesThenMatmul(hops: number): Graph {
  const g = graphBuilder(`t${hops}-mm`);
  let x = g.input('x', [256, 256]);
  for (let i = 0; i < hops; i++) x = g.node('Transpose', [x], [256, 256], { perm: ints([1, 0]) });
  return g.build([g.node('MatMul', [x, g.weight('w', [256, 512])], [256, 512])]);
}

/** Ops whose tasks the buffers of op `op` wait for, by the allocating bookkeeping tasks. */
function openedDuring(p: Program, op: number): number[] {
  const allocs = p.tasks.filter((t) => t.op === op && t.kind === 'compute' && t.work.length === 0 && t.engine === 'writer' && t.alloc !== undefined);
  return allocs.flatMap((t) => t.deps.map((d) => p.tasks[d]!.op));
}

function compile(g: Graph): Program {
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: g.name, batch: 1, archFingerprint: fp, strategy: 'matmul2d' });
  assert.equal(verifyProgram(p, arch), []);
  const check = checkProgram(p, g, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(g, 7));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
  return p;
}

/** The default weight layout's prefetch window. */
const PREFETCH_DEPTH = prefetchDepth('near-readers');

const Prefetch = suite('prefetch op by op');

Prefetch(`weight buffers open up to ${PREFETCH_DEPTH} ops back, and their reads start before the previous op ends`, () => {
  const p = compile(transposesThenMatmul(6));
  const mm = p.ops.find((o) => o.op === 'MatMul')!;
  const opened = openedDuring(p, mm.index);
  assert.ok(opened.length > 0, 'the weights are prefetched');
  assert.ok(Math.min(...opened) < mm.index - 1, `buffers open during op ${Math.min(...opened)}, not only the previous one (${mm.index - 1})`);
  assert.ok(Math.min(...opened) >= mm.index - PREFETCH_DEPTH, `no further back than ${PREFETCH_DEPTH} ops`);
  const previousEnd = Math.max(...p.tasks.filter((t) => t.op === mm.index - 1).map((t) => t.predictedStartCycle + t.predictedCycles));
  const reads = p.tasks.filter((t) => t.op === mm.index && t.kind === 'dram-read');
  assert.ok(reads.every((t) => t.engine === 'writer'), 'weight reads run on the writer engine');
  assert.ok(Math.min(...reads.map((t) => t.predictedStartCycle)) < previousEnd, 'the first weight read starts while the previous op runs');
});

Prefetch('with nothing before it, a matmul opens its weight buffers at once', () => {
  const p = compile(transposesThenMatmul(0));
  assert.equal(openedDuring(p, 0), []);
  assert.ok(p.tasks.some((t) => t.op === 0 && t.kind === 'compute' && t.work.length === 0 && t.engine === 'writer' && t.alloc !== undefined));
});

Prefetch('a depthwise conv reads its weights and bias ungated on the writer engine, before its producer ends', () => {
  const g = graphBuilder('pw-dw');
  const x = g.input('x', [1, 64, 28, 28]);
  const y = g.node('Conv', [x, g.weight('pw', [64, 64, 1, 1])], [1, 64, 28, 28], { kernel_shape: ints([1, 1]) });
  const z = g.node('Conv', [y, g.weight('dw', [64, 1, 3, 3]), g.weight('b', [64])], [1, 64, 28, 28], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), group: { kind: 'int', value: 64 } });
  const graph = g.build([g.node('Relu', [z], [1, 64, 28, 28])]);
  const p = compile(graph);
  const dw = p.ops[1]!;
  assert.is(dw.lowering, 'map');
  const reads = p.tasks.filter((t) => t.op === dw.index && t.kind === 'dram-read');
  assert.ok(reads.length > 0 && reads.every((t) => t.engine === 'writer'), 'constant reads are prefetches');
  const producerEnd = Math.max(...p.tasks.filter((t) => t.op === 0).map((t) => t.predictedStartCycle + t.predictedCycles));
  assert.ok(Math.max(...reads.map((t) => t.predictedStartCycle)) < producerEnd, 'they start while the pointwise conv runs');
});

Prefetch('the per-op search offers grids with the row blocks of a window op that reads the output', () => {
  const g = transposesThenMatmul(0);
  const grouping = groupNodes(g);
  const s = createSession(g, grouping, { arch, dtype: 'bf16', fidelity: 'HiFi2', cores: computeCores(arch), tileBytes: tileBytes(arch, 'bf16'), residentIo: false });
  const plain = matmulCandidates('auto', s.ctx, 392, 3);
  const aligned = matmulCandidates('auto', s.ctx, 392, 3, 49);
  assert.not.ok(plain.some((c) => c.gr === 49), 'no 49-row grid by default');
  assert.ok(aligned.some((c) => c.gr === 49 && c.kind === 'height'), 'a 49-row height grid when the reader has 49 row blocks');
});

Prefetch('an op\'s working set leaves room for its constants\' buffers (a bias beside a budget-filling matmul)', () => {
  const small = withMesh(arch, 2, 2);
  for (const kb of [128, 256]) {
    const tight = { ...small, core: { ...small.core, sramBytes: small.core.sramReservedBytes + kb * 1024 } };
    for (const [k, n] of [[512, 640], [1024, 512]] as const) {
      const g = graphBuilder('mm-bias');
      const y = g.node('MatMul', [g.input('a', [256, k]), g.weight('w', [k, n])], [256, n]);
      const graph = g.build([g.node('Relu', [g.node('Add', [y, g.weight('bias', [n])], [256, n])], [256, n])]);
      for (const strategy of ['matmul2d', 'auto'] as const) {
        const p = compileGraph(graph, tight, { dtype: 'bf16', fidelity: 'HiFi2', model: graph.name, batch: 1, archFingerprint: archFingerprint(tight), strategy });
        assert.equal(verifyProgram(p, tight), []);
        // The simulator throws when a core's live buffers exceed its SRAM.
        const check = checkProgram(p, graph, simulate(p, tight, { fingerprint: archFingerprint(tight), nocModel: 'packet' }), randomInputs(graph, 2));
        assert.ok(check.maxRelError < 0.05, `${kb} KiB, ${k}x${n}, ${strategy}: rel error ${check.maxRelError}`);
      }
    }
  }
});

Prefetch.run();
