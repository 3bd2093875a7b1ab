// Diagnostic: what a simulated run's latency is made of. From the task that ends last it walks back,
// at each task, to whatever let it start last: one of its dependencies (their end) or the task
// before it on its engine (its release: a posted read frees the engine once issued, anything else
// at its end). It prints the cycles on that path by task kind, the cycles where a task waited for
// its engine's previous task of another op (head-of-line blocking in the in-order streams), the
// gaps nothing explains (transfer latency, buffer space), and the ops holding the most of the path.
// With --what-if it also simulates the same program with DRAM transfers, NoC sends or compute made
// free (bench/what-if.ts): how far each kind of work holds the run above the roofline. With
// --segments it prints, per run of ops at one output size, its span against its compute spread over
// every core (bench/segments.ts): what overlapping those ops could save at most.
//
//   node dist/bench/critical-path.js MODEL.onnx [--batch N] [--noc-model packet|flit]
//        [--strategy auto|opbyop|matmul2d|pipeline] [--stages N] [--micro-batches N] [--ops N] [--what-if] [--segments]
//
// MODEL may be a path or a name under models/ (bert_base -> models/bert_base_op17.onnx).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { archFingerprint, loadArch } from '../arch/index.js';
import { compileGraph } from '../compiler/compile.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { STRATEGIES, type Strategy } from '../compiler/partition/strategy.js';
import type { Program, Task } from '../compiler/program.js';
import { simulate, type SimResult } from '../sim/index.js';
import { segments } from './segments.js';
import { whatIf } from './what-if.js';

function usage(message: string): never {
  console.error(`bench/critical-path: ${message}`);
  process.exit(2);
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const v = process.argv[at + 1];
  if (v === undefined) usage(`${name} needs a value`);
  return v;
}

/** The kind a task counts under. */
function kindOf(t: Task): string {
  switch (t.kind) {
    case 'compute': return t.work.length > 0 ? 'compute' : 'bookkeeping';
    case 'dram-read': return t.posted === true ? 'DRAM read (prefetch)' : 'DRAM read';
    case 'dram-write': return 'DRAM write';
    case 'send':
      if (t.partial !== undefined) return 'send (partial sums)';
      return !t.multicast ? 'send (unicast)' : t.dsts.length > 8 ? 'multicast (>8 cores)' : 'multicast (<=8 cores)';
  }
}

export interface CriticalPath {
  readonly cycles: number;
  readonly byKind: ReadonlyMap<string, number>;
  /** Cycles of engine predecessors of another op that a task on the path waited for. */
  readonly heldByOtherOps: number;
  /** Cycles between a task's start and the latest of its predecessors (latency, buffer space). */
  readonly unexplained: number;
  readonly byOp: ReadonlyMap<number, ReadonlyMap<string, number>>;
}

/** Walks the simulated run's critical path (see the file comment). */
export function criticalPath(p: Program, s: SimResult): CriticalPath {
  const before = new Int32Array(p.tasks.length).fill(-1);
  for (const c of p.cores) for (const q of [c.reader, c.compute, c.writer]) for (let k = 1; k < q.length; k++) before[q[k]!] = q[k - 1]!;
  const release = (i: number) => {
    const t = p.tasks[i]!;
    return t.kind === 'dram-read' && t.posted === true ? s.taskStartCycle[i]! : s.taskEndCycle[i]!;
  };
  const byKind = new Map<string, number>();
  const byOp = new Map<number, Map<string, number>>();
  const add = (op: number, kind: string, cycles: number) => {
    if (cycles <= 0) return;
    byKind.set(kind, (byKind.get(kind) ?? 0) + cycles);
    const m = byOp.get(op) ?? new Map<string, number>();
    m.set(kind, (m.get(kind) ?? 0) + cycles);
    byOp.set(op, m);
  };
  let cur = -1;
  for (let i = 0; i < p.tasks.length; i++) if (cur < 0 || s.taskEndCycle[i]! > s.taskEndCycle[cur]!) cur = i;
  let held = 0;
  let unexplained = 0;
  // Each step goes to a task that ended (or released its engine) no later than this one started.
  let until = cur >= 0 ? s.taskEndCycle[cur]! : 0;
  while (cur >= 0) {
    const t = p.tasks[cur]!;
    const start = s.taskStartCycle[cur]!;
    add(t.op, kindOf(t), Math.min(until, s.taskEndCycle[cur]!) - start);
    let next = -1;
    let at = -Infinity;
    for (const d of t.deps) if (s.taskEndCycle[d]! > at) { at = s.taskEndCycle[d]!; next = d; }
    const q = before[cur]!;
    const viaEngine = q >= 0 && release(q) > at;
    if (viaEngine) { at = release(q); next = q; }
    if (next < 0) { add(t.op, 'start', start); break; }
    if (viaEngine && p.tasks[q]!.op !== t.op) held += Math.max(0, Math.min(at, start) - s.taskStartCycle[q]!);
    if (start > at) { unexplained += start - at; add(t.op, 'gap', start - at); }
    until = Math.min(start, at);
    cur = next;
  }
  return { cycles: s.cycles, byKind, heldByOtherOps: held, unexplained, byOp };
}

if (process.argv[1] !== undefined && path.basename(process.argv[1]) === 'critical-path.js') {
  const model = process.argv[2];
  if (model === undefined || model.startsWith('--')) usage('expected a model (a path, or a name under models/)');
  const file = existsSync(model) ? model : path.join(process.env['SPATIALC_MODELS'] ?? 'models', `${model}_op17.onnx`);
  if (!existsSync(file)) usage(`no model "${model}" (nor ${file}; npm run models)`);
  const batch = Number(option('--batch') ?? 1);
  if (!Number.isInteger(batch) || batch < 1) usage('--batch: expected a positive integer');
  const nocModel = option('--noc-model') ?? 'packet';
  if (nocModel !== 'packet' && nocModel !== 'flit') usage(`--noc-model: expected packet or flit, got "${nocModel}"`);
  const strategy = (option('--strategy') ?? 'auto') as Strategy;
  if (!STRATEGIES.includes(strategy)) usage(`--strategy: expected one of ${STRATEGIES.join(', ')}, got "${strategy}"`);
  const topOps = Number(option('--ops') ?? 12);
  const count = (name: string): number | undefined => {
    const v = option(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${name}: expected a positive integer, got "${v}"`);
    return n;
  };
  const stages = count('--stages');
  const microBatches = count('--micro-batches');
  const pipeline = { ...(stages !== undefined ? { stages } : {}), ...(microBatches !== undefined ? { microBatches } : {}) };
  const arch = loadArch('wormhole_n150');
  const g = loadOnnxModel(file, { batch });
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: path.basename(file), batch, archFingerprint: archFingerprint(arch), strategy, pipeline });
  const s = simulate(p, arch, { nocModel });
  const cp = criticalPath(p, s);
  const pct = (c: number) => `${(100 * c / Math.max(1, cp.cycles)).toFixed(1)}%`.padStart(6);
  console.log(`${path.basename(file)} b${batch} on ${arch.name}, ${p.strategy}, ${nocModel} NoC: ${cp.cycles} cycles (predicted ${Math.round(p.predictedCycles)})`);
  console.log('critical path by task kind:');
  for (const [k, c] of [...cp.byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(24)} ${String(Math.round(c)).padStart(9)} ${pct(c)}`);
  console.log(`  tasks of another op ahead on the same engine (head-of-line): ${Math.round(cp.heldByOtherOps)} (${pct(cp.heldByOtherOps).trim()})`);
  console.log(`ops holding the most of the path (top ${topOps}):`);
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  for (const [op, m] of [...cp.byOp].sort((a, b) => total(b[1]) - total(a[1])).slice(0, topOps)) {
    const parts = [...m].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${Math.round(c)}`).join(', ');
    console.log(`  ${p.ops[op]!.name.padEnd(48)} ${String(Math.round(total(m))).padStart(8)}  ${parts}`);
  }
  if (process.argv.includes('--segments')) {
    console.log('segments (runs of ops with outputs of one tile-row count): simulated span, compute busy over every core, the difference');
    let span = 0;
    let share = 0;
    for (const g of segments(p, s)) {
      span += g.spanCycles;
      share += g.busyShareCycles;
      const ops = `ops ${g.first}-${g.last}`.padEnd(12);
      console.log(`  ${ops} ${String(g.tileRows).padStart(5)} tile rows  span ${String(Math.round(g.spanCycles)).padStart(9)}  busy/core ${String(Math.round(g.busyShareCycles)).padStart(9)}  headroom ${String(Math.round(g.spanCycles - g.busyShareCycles)).padStart(9)}  ${p.ops[g.first]!.name}`);
    }
    console.log(`  total        span ${Math.round(span)}  busy/core ${Math.round(share)}  headroom ${Math.round(span - share)} (spans overlap where segments do)`);
  }
  if (process.argv.includes('--what-if')) {
    console.log('what if (the same program, one kind of work made free):');
    for (const w of whatIf(p, arch, nocModel, s.cycles)) {
      console.log(`  ${w.label.padEnd(24)} ${(w.seconds * 1e6).toFixed(1).padStart(9)} us  ${w.overRoofline.toFixed(2)}x the roofline`);
    }
  }
}
