// A K-split matmul's chunks run side by side (lower/matmul2d.ts): its K-steps are lowered in turn
// over the chunks, so the cores holding in0 serve every chunk as they go, and each chunk's fetches
// stay double-buffered on its own cores. Before, chunk by chunk, a skinny matmul (one output tile,
// 1568 K-tiles, in0 spread over the grid by the op before) ran its four chunks one after another
// (221,943 cycles against 79,041): a core holding in0 tiles of two chunks sent the second one's
// only after the first one's last steps, which wait for that chunk's compute.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { simulate } from '../../sim/index.js';
import { graphBuilder } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const KSplit = suite('K-split chunk order');

/** x (32 x K) -> Relu (spread over the grid) -> MatMul by a K x 32 weight. */
function skinny(k: number) {
  const g = graphBuilder('skinny');
  const x = g.input('x', [32, k]);
  const r = g.node('Relu', [x], [32, k]);
  const y = g.node('MatMul', [r, g.weight('w', [k, 32])], [32, 32]);
  return g.build([y]);
}

KSplit('four chunks of a one-tile matmul overlap in time, each with at most two steps fetched ahead', () => {
  // 1568 K-tiles over 63 Relu cores: 24-25 tiles each, so some hold the end of one chunk and the start of the next.
  const graph = skinny(50176);
  const chosen = new Map();
  const p = compileGraph(graph, arch, {
    dtype: 'bf16', fidelity: 'HiFi2', model: 'skinny', batch: 1, archFingerprint: archFingerprint(arch),
    grids: new Map([[1, { kind: 'block', gr: 1, gc: 1, gk: 4 }]]), chosen,
  });
  const mm = p.ops.findIndex((o) => o.op === 'MatMul');
  assert.match(p.ops[mm]!.strategy, /k4/);
  const s = simulate(p, arch, { nocModel: 'packet' });
  // Per core of the matmul: the span of its tile products.
  const spans = new Map<number, [number, number]>();
  p.tasks.forEach((t, i) => {
    if (t.op !== mm || t.kind !== 'compute' || !t.work.some((w) => w.unit === 'matmul')) return;
    const [a, b] = spans.get(t.core) ?? [Infinity, 0];
    spans.set(t.core, [Math.min(a, s.taskStartCycle[i]!), Math.max(b, s.taskEndCycle[i]!)]);
  });
  assert.is(spans.size, 4, "an owner and three helpers");
  const starts = [...spans.values()].map(([a]) => a);
  const ends = [...spans.values()].map(([, b]) => b);
  assert.ok(Math.max(...starts) < Math.min(...ends), `every chunk starts before any finishes: ${JSON.stringify([...spans])}`);
  // Double buffering: a chunk's in0 fetch for its step n waits for its compute of step n - 2.
  const computesOn = new Map<number, number[]>();
  p.tasks.forEach((t) => { if (t.op === mm && t.kind === 'compute' && t.work.some((w) => w.unit === 'matmul')) computesOn.set(t.core, [...(computesOn.get(t.core) ?? []), t.id]); });
  for (const [core, ids] of computesOn) {
    const throttled = p.tasks.filter((t) => t.op === mm && t.deps.some((d) => ids.slice(0, -2).includes(d)) && t.kind !== 'compute');
    assert.ok(throttled.length >= ids.length - 2 - 1, `core ${core}: ${throttled.length} fetches wait for a compute two steps back, of ${ids.length} steps`);
  }
});

KSplit('a one-tile matmul with many K-tiles splits K over more chunks than four, and runs faster for it', () => {
  const graph = skinny(50176);
  const fp = archFingerprint(arch);
  const opts = { dtype: 'bf16' as const, fidelity: 'HiFi2' as const, model: 'skinny', batch: 1, archFingerprint: fp };
  const auto = compileGraph(graph, arch, opts);
  const four = compileGraph(graph, arch, { ...opts, grids: new Map([[1, { kind: 'block' as const, gr: 1, gc: 1, gk: 4 }]]) });
  const mm = auto.ops.find((o) => o.op === 'MatMul')!;
  const k = Number(/k(\d+)$/.exec(mm.strategy)?.[1] ?? 1);
  assert.ok(k > 4, mm.strategy);
  const [a, b] = [auto, four].map((p) => simulate(p, arch, { nocModel: 'packet' }).cycles);
  assert.ok(a! * 1.5 < b!, `k${k}: ${a} cycles against ${b} with four chunks`);
});

KSplit.run();
