// The builder's stream order (compiler/lower/builder.ts): a prefetch (an ungated task) goes into
// its engine's stream ahead of later ops' tasks predicted to start after it is ready, never ahead
// of its own deps; posted reads release their engine after issuing and wait for the core's
// previous posted read (and, with a bound per channel, for the read that many before it on each
// of its channels); finish() renumbers tasks so ids follow deps and every stream; a rollback
// takes inserted tasks out exactly. Random builds (fast-check) run to completion in the simulator.
// Also the predicted link load: transfers sharing a link at the same time are predicted to take
// longer than alone, and a send takes the NoC (a DRAM transfer: the NoC and the channel's endpoint
// tile) it is predicted to finish first on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { computeCores } from '../../compiler/compile.js';
import { ProgramBuilder } from '../../compiler/lower/builder.js';
import type { Engine, Program, TaskId } from '../../compiler/program.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';

const arch = loadArch('wormhole_n150');
const cores = computeCores(arch).slice(0, 4);
const ENGINES: readonly Engine[] = ['reader', 'compute', 'writer'];

function builder(): ProgramBuilder {
  return new ProgramBuilder({ arch, dtype: 'bf16', fidelity: 'HiFi2', cores });
}

/** The builder's tasks as a Program the simulator and verifier accept. */
function program(b: ProgramBuilder): Program {
  const { tasks, streams } = b.finish();
  return {
    format: 'spatialc-program/1', archName: arch.name, archFingerprint: archFingerprint(arch), model: 'order', dtype: 'bf16', fidelity: 'HiFi2', batch: 1, strategy: 'test',
    cores: cores.map((c, i) => ({ x: c.x, y: c.y, reader: streams[i]![0]!, compute: streams[i]![1]!, writer: streams[i]![2]! })),
    tasks, buffers: b.buffers, tensors: [], macs: 0, predictedCycles: b.makespan(),
    ops: [{ index: 0, name: 'op0', op: 'MatMul', fused: ['op0'], macs: 0, strategy: 'test', lowering: 'map', coresUsed: cores.length, outputIndex: 0 }],
  };
}

/** Ids ascend along every stream and every dep points back; each task is in exactly one stream. */
function assertOrdered(p: Program): void {
  const seen = new Uint8Array(p.tasks.length);
  p.cores.forEach((c, ci) => {
    for (const e of ENGINES) {
      c[e].forEach((id, i) => {
        assert.ok(i === 0 || id > c[e][i - 1]!, `core ${ci} ${e}: ${c[e][i - 1]} then ${id}`);
        assert.is(p.tasks[id]!.core, ci);
        assert.is(p.tasks[id]!.engine, e);
        seen[id]!++;
      });
    }
  });
  assert.ok(seen.every((n) => n === 1), 'every task in exactly one stream');
  p.tasks.forEach((t, i) => {
    assert.is(t.id, i);
    for (const d of t.deps) assert.ok(d < t.id, `task ${t.id} depends on ${d}`);
  });
}

const Order = suite('builder stream order');

Order('a prefetch read goes ahead of a later op\'s gated task that waits for a long compute, and is posted', () => {
  const b = builder();
  const long = b.compute({ core: 0, op: 0, deps: [] }, [{ unit: 'matmul', tiles: 64, rows: 32 }], 0, 0, 0);
  b.setGate(0, long);
  const gated = b.send({ core: 0, op: 0, deps: [] }, 'writer', [1], 2048); // waits for the gate
  const read = b.dramRead({ core: 0, op: 0, deps: [], ungated: true }, 'writer', [4096, 4096]);
  const p = program(b);
  assertOrdered(p);
  const writer = p.cores[0]!.writer.map((id) => p.tasks[id]!.kind);
  assert.equal(writer, ['dram-read', 'send'], 'the read is first on the writer engine');
  const r = p.tasks.find((t) => t.kind === 'dram-read')!;
  assert.ok(r.kind === 'dram-read' && r.posted === true);
  assert.ok(r.predictedStartCycle < b.end(long), 'it is predicted to start before the gate opens');
  assert.ok(read > gated, 'created after the send, renumbered before it');
  const sim = simulate(p, arch, { nocModel: 'packet' });
  assert.ok(sim.taskStartCycle[r.id]! < sim.taskEndCycle[0]!, 'and it runs while the long compute does');
});

Order('each posted read of a core waits for that core\'s previous one', () => {
  const b = builder();
  const first = b.dramRead({ core: 1, op: 0, deps: [], ungated: true }, 'writer', [8192]);
  const second = b.dramRead({ core: 1, op: 0, deps: [], ungated: true }, 'writer', [8192]);
  const other = b.dramRead({ core: 2, op: 0, deps: [], ungated: true }, 'writer', [8192]);
  assert.ok(b.tasks[second]!.deps.includes(first));
  assert.equal(b.tasks[other]!.deps, []);
});

Order('with a bound on prefetch reads per channel, each waits for the one that many before it on each of its channels', () => {
  const b = new ProgramBuilder({ arch, dtype: 'bf16', fidelity: 'HiFi2', cores, prefetchReadsPerChannel: 2 });
  const on = (core: number, ch: number) => b.dramRead({ core, op: 0, deps: [], ungated: true }, 'writer', arch.dram.channels.map((_, c) => (c === ch ? 8192 : 0)));
  const r0 = on(0, 0);
  const r1 = on(1, 0);
  const elsewhere = on(2, 5);
  const r2 = on(3, 0);
  const r3 = on(2, 0);
  assert.ok(b.tasks[r2]!.deps.includes(r0), 'the third on channel 0 waits for the first');
  assert.not.ok(b.tasks[r2]!.deps.includes(r1));
  assert.ok(b.tasks[r3]!.deps.includes(r1), 'the fourth waits for the second');
  assert.equal(b.tasks[elsewhere]!.deps, [], 'another channel is not held up');
  assert.ok(b.tasks[r2]!.predictedStartCycle >= b.end(r0));
  // Gated reads (what an op needs now) are never held back.
  const gated = b.dramRead({ core: 1, op: 0, deps: [] }, 'reader', arch.dram.channels.map((_, c) => (c === 0 ? 8192 : 0)));
  assert.equal(b.tasks[gated]!.deps, []);
});

Order('a send whose shorter route is busy takes the other NoC when it is predicted to finish first there', () => {
  const b = builder();
  const bytes = 64 * 1024;
  // Cores 0, 1, 2 and 3 sit side by side in one row; 0 -> 2 and 1 -> 2 on NoC 0 share core 2's last hop.
  const first = b.send({ core: 0, op: 0, deps: [] }, 'writer', [2], bytes);
  const alone = b.tasks[first]!.predictedCycles;
  const second = b.send({ core: 1, op: 0, deps: [] }, 'writer', [2], bytes);
  const [t1, t2] = [b.tasks[first]!, b.tasks[second]!];
  assert.ok(t1.kind === 'send' && t2.kind === 'send');
  assert.is(t1.noc, 0, 'the first takes the short way');
  assert.is.not(t2.noc, t1.noc, 'the second goes round the other way');
  assert.ok(t2.predictedCycles < 1.5 * alone, `${t2.predictedCycles} vs ${alone} alone`);
});

Order('sends that share links on every NoC are predicted slower than alone', () => {
  const b = builder();
  const bytes = 64 * 1024;
  // Three engines of core 0 send at once (one engine would issue them one after another).
  const ids = ENGINES.map((e) => b.send({ core: 0, op: 0, deps: [] }, e, [1], bytes));
  const alone = b.tasks[ids[0]!]!.predictedCycles;
  // Each NoC has one inject link at core 0: the third shares it with one of the first two.
  assert.ok(b.tasks[ids[2]!]!.predictedCycles > 1.5 * alone, `${b.tasks[ids[2]!]!.predictedCycles} vs ${alone} alone`);
  // A fresh builder predicts the same send alone again.
  const fresh = builder();
  assert.is(fresh.tasks[fresh.send({ core: 0, op: 0, deps: [] }, 'writer', [1], bytes)]!.predictedCycles, alone);
});

Order('a DRAM read whose nearest tile is busy comes through another tile of its channel\'s group', () => {
  // Channels faster than a link, so that the tiles' links, not the channel, bound the reads.
  const fast = { ...arch, dram: { ...arch.dram, channels: arch.dram.channels.map((c) => ({ ...c, bytesPerSecond: 96e9 })) } };
  const b = new ProgramBuilder({ arch: fast, dtype: 'bf16', fidelity: 'HiFi2', cores });
  const bytes = [1 << 20];
  const first = b.dramRead({ core: 0, op: 0, deps: [] }, 'reader', bytes);
  const second = b.dramRead({ core: 1, op: 0, deps: [] }, 'reader', bytes);
  const [t1, t2] = [b.tasks[first]!, b.tasks[second]!];
  assert.ok(t1.kind === 'dram-read' && t2.kind === 'dram-read');
  // Core 0 is at (1,1), core 1 at (2,1): on idle links both would read channel 0 through (0,1).
  const tile = (t: typeof t1) => fast.dram.channels[0]!.endpoints[t.kind === 'dram-read' ? t.endpoints?.[0] ?? 0 : 0]!;
  assert.equal(tile(t1), { x: 0, y: 1 }, 'the first takes the nearest tile');
  assert.not.equal(tile(t2), tile(t1), 'the second another one');
  assert.ok(t2.predictedCycles < 1.3 * t1.predictedCycles, `${t2.predictedCycles} vs ${t1.predictedCycles}`);
});

type Step =
  | { kind: 'task'; core: number; engine: number; deps: number[]; ungated: boolean; read: boolean; send: boolean; work: number }
  | { kind: 'gate'; core: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('task' as const), core: fc.integer({ min: 0, max: cores.length - 1 }), engine: fc.integer({ min: 0, max: 2 }),
    deps: fc.array(fc.nat(), { maxLength: 3 }), ungated: fc.boolean(), read: fc.boolean(), send: fc.boolean(), work: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({ kind: fc.constant('gate' as const), core: fc.integer({ min: 0, max: cores.length - 1 }) }),
);

/** Replays `steps` on `b` (deps index the tasks made so far). */
function apply(b: ProgramBuilder, steps: readonly Step[]): void {
  for (const s of steps) {
    const n = b.tasks.length;
    if (s.kind === 'gate') {
      if (n > 0) b.setGate(s.core, (n - 1) as TaskId);
      continue;
    }
    const deps = n === 0 ? [] : [...new Set(s.deps.map((d) => (d % n) as TaskId))];
    const c = { core: s.core, op: 0, deps, ungated: s.ungated };
    if (s.read) b.dramRead(c, ENGINES[s.engine]!, [1024 * (s.work + 1), 512]);
    else if (s.send) b.send(c, s.engine === 1 ? 'writer' : ENGINES[s.engine]!, [(s.core + 1 + (s.work % (cores.length - 1))) % cores.length], 2048 * (s.work + 1));
    else b.compute(c, s.work > 0 ? [{ unit: 'eltwise', tiles: s.work }] : [], 0, 0, 0);
  }
}

Order('random builds: ordered after finish, verified, simulated without deadlock', () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
    const b = builder();
    apply(b, steps);
    const p = program(b);
    assertOrdered(p);
    assert.equal(verifyProgram(p, arch).filter((x) => x.code === 'structure'), []);
    simulate(p, arch, { nocModel: 'packet' }); // throws on a deadlock
  }), { numRuns: 150 });
});

Order('a rollback takes out inserted tasks exactly: the build equals one that never made them', () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 25 }), fc.array(step, { maxLength: 25 }), fc.array(step, { maxLength: 10 }), fc.boolean(), (kept, dropped, after, bounded) => {
    // Also with a bound on prefetch reads per channel: its queues are rolled back too.
    const make = () => (bounded ? new ProgramBuilder({ arch, dtype: 'bf16', fidelity: 'HiFi2', cores, prefetchReadsPerChannel: 2 }) : builder());
    const b = make();
    apply(b, kept);
    const cp = b.checkpoint();
    apply(b, dropped);
    b.rollback(cp);
    apply(b, after);
    const fresh = make();
    apply(fresh, kept);
    apply(fresh, after);
    assert.equal(JSON.stringify(program(b)), JSON.stringify(program(fresh)));
  }), { numRuns: 150 });
});

Order.run();
