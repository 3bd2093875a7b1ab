import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SpatialcError } from '../../arch/errors.js';
import { simulate } from '../../sim/index.js';
import { tinyArch, wormholeLikeArch } from './helpers/arch.js';
import { programBuilder, tileMacs } from './helpers/program.js';
import { readIssueCycles } from '../../noc/transfer.js';

// These tests pin the packet-level NoC model's formulas (the flit-level model has its own tests).
const PACKET = { nocModel: 'packet' } as const;
const arch = tinyArch();
const CORES = [{ x: 1, y: 0 }, { x: 2, y: 0 }, { x: 3, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 1 }];

function thrown(fn: () => unknown): SpatialcError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpatialcError) return e;
    throw e;
  }
  throw new Error('expected a SpatialcError');
}

const Simulate = suite('simulate');

Simulate('a single compute task takes computeCycles: 4 LoFi tiles = 4 x 16 + 10 overhead', () => {
  const b = programBuilder({ cores: CORES });
  b.compute(0, { work: [{ unit: 'matmul', tiles: 4, rows: 32 }], macs: tileMacs(4) });
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.cycles, 74);
  assert.is(r.counters.macs, tileMacs(4));
  assert.is(r.counters.coreBusyCycles[0], 74);
});

Simulate('fidelity phases multiply matmul cycles (HiFi2 doubles them)', () => {
  const b = programBuilder({ cores: CORES, fidelity: 'HiFi2' });
  b.compute(0, { work: [{ unit: 'matmul', tiles: 4, rows: 32 }] });
  assert.is(simulate(b.build(), arch, PACKET).cycles, 4 * 32 + 10);
});

Simulate('an engine runs its stream in order; deps make other engines wait', () => {
  const b = programBuilder({ cores: CORES });
  const a = b.compute(0, { work: [{ unit: 'eltwise', tiles: 1 }] }); // 110 cycles
  const c = b.compute(0, { work: [{ unit: 'eltwise', tiles: 1 }] }); // no deps, but in-order: 110..220
  const w = b.send(0, { dsts: [1], bytes: 512, deps: [a] }); // writer waits for a
  const r0 = b.dramRead(0, { channelBytes: [0, 0] }); // empty read: reader free at 0
  const r = simulate(b.build(), arch, PACKET);
  assert.equal([r.taskStartCycle[a], r.taskEndCycle[a]], [0, 110]);
  assert.equal([r.taskStartCycle[c], r.taskEndCycle[c]], [110, 220]);
  assert.is(r.taskStartCycle[w], 110);
  assert.equal([r.taskStartCycle[r0], r.taskEndCycle[r0]], [0, 0]);
  assert.is(r.cycles, 220);
});

Simulate('a posted read frees its engine once its requests are out; its data still gates its users', () => {
  for (const posted of [false, true]) {
    const b = programBuilder({ cores: CORES });
    const read = b.dramRead(0, { channelBytes: [16384, 16384], engine: 'writer', posted });
    const next = b.compute(0, { work: [], engine: 'writer' }); // the engine's next task, no deps
    const use = b.compute(0, { work: [{ unit: 'eltwise', tiles: 1 }], deps: [read] });
    const r = simulate(b.build(), arch, PACKET);
    const issue = readIssueCycles(arch, [16384, 16384]);
    if (posted) assert.is(r.taskStartCycle[next], issue, 'the engine goes on after issuing');
    else assert.is(r.taskStartCycle[next], r.taskEndCycle[read], 'a blocking read holds its engine to the last byte');
    assert.ok(r.taskEndCycle[read]! > issue);
    assert.is(r.taskStartCycle[use], r.taskEndCycle[read]);
  }
});

Simulate('a DRAM read comes from the endpoint tile it names; an endpoint the channel lacks is refused', () => {
  const wh = wormholeLikeArch();
  const cores = [{ x: 1, y: 1 }, { x: 2, y: 1 }];
  const tiles = wh.dram.channels[0]!.endpoints;
  assert.ok(tiles.length > 1, 'the channel has several endpoint tiles');
  const used = (which: number | undefined): string[] => {
    const b = programBuilder({ cores, archFingerprint: 'wh' });
    b.dramRead(0, { channelBytes: [8192], ...(which !== undefined ? { endpoints: [which] } : {}) });
    return simulate(b.build(), wh, PACKET).counters.dramEndpointsUsed.map((c) => `${c.x},${c.y}`);
  };
  assert.equal(used(undefined), [`${tiles[0]!.x},${tiles[0]!.y}`]);
  assert.equal(used(1), [`${tiles[1]!.x},${tiles[1]!.y}`]);
  const e = thrown(() => used(tiles.length));
  assert.is(e.code, 'E_PROGRAM_INVALID');
  assert.match(e.message, `uses endpoint ${tiles.length} of DRAM channel 0, which has ${tiles.length}`);
});

Simulate('vector ops count every element of eltwise and sfpu tiles', () => {
  const b = programBuilder({ cores: CORES });
  b.compute(0, { work: [{ unit: 'eltwise', tiles: 2 }, { unit: 'sfpu', fn: 'exp', tiles: 1 }] });
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.counters.vectorOps, 3 * 1024);
  assert.is(r.cycles, 10 + 2 * 100 + 1000);
});

Simulate('a deadlock names the blocked engine, its task and the dep it waits on', () => {
  const b = programBuilder({ cores: CORES });
  b.compute(0, { work: [{ unit: 'eltwise', tiles: 1 }], deps: [1 as never] });
  b.compute(0, { work: [{ unit: 'eltwise', tiles: 1 }] });
  const e = thrown(() => simulate(b.build(), arch, PACKET));
  assert.is(e.code, 'E_SIM');
  assert.match(e.message, 'deadlocked at cycle 0: 2 of 2 tasks never ran');
  assert.match(e.message, 'core(1,0)/compute cannot start task 0 (op "op0"): waits on task 1 (core(1,0)/compute, not started)');
});

Simulate('allocating past SRAM raises E_SRAM_OVERFLOW naming the core, buffer and bytes', () => {
  const b = programBuilder({ cores: CORES });
  const small = b.buffer(1, 40000, 'act0');
  const big = b.buffer(1, 30000, 'weights1');
  b.compute(1, { work: [{ unit: 'eltwise', tiles: 1 }], alloc: [small] });
  b.compute(1, { work: [{ unit: 'eltwise', tiles: 1 }], alloc: [big] });
  const e = thrown(() => simulate(b.build(), arch, PACKET));
  assert.is(e.code, 'E_SRAM_OVERFLOW');
  assert.is(
    e.message,
    'core(2,0): allocating buffer "weights1" (30000 B) at cycle 110 raises SRAM use to 70000 B, ' +
      'over the 64512 B available (65536 B minus 1024 B reserved)',
  );
});

Simulate('freed buffers return their SRAM; the peak is recorded per core', () => {
  const b = programBuilder({ cores: CORES });
  const x = b.buffer(1, 40000, 'x');
  const y = b.buffer(1, 30000, 'y');
  b.compute(1, { work: [{ unit: 'eltwise', tiles: 1 }], alloc: [x], free: [x] });
  b.compute(1, { work: [{ unit: 'eltwise', tiles: 1 }], alloc: [y], free: [y] });
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.counters.coreSramPeakBytes[1], 40000);
});

Simulate('a program compiled for another arch fingerprint is refused', () => {
  const b = programBuilder({ cores: CORES, archFingerprint: 'abc' });
  b.compute(0, { work: [] });
  const e = thrown(() => simulate(b.build(), arch, { ...PACKET, fingerprint: 'def' }));
  assert.is(e.code, 'E_PROGRAM_INVALID');
  assert.match(e.message, 'fingerprint abc');
  simulate(b.build(), arch, { ...PACKET, fingerprint: 'abc' });
});

Simulate('structural problems are listed together', () => {
  const p = programBuilder({ cores: CORES }).build();
  const bad = { ...p, tasks: [{ id: 0, core: 9, engine: 'compute', deps: [5], op: 0, kind: 'compute', work: [], macs: 0, sramReadBytes: 0, sramWriteBytes: 0, predictedStartCycle: 0, predictedCycles: 0 }] };
  const e = thrown(() => simulate(bad as never, arch, PACKET));
  assert.is(e.code, 'E_PROGRAM_INVALID');
  assert.match(e.message, 'task 0 has bad core 9');
  assert.match(e.message, 'task 0 depends on unknown task 5');
  assert.match(e.message, 'task 0 is in no engine stream');
});

Simulate('progress is reported at most every 1% of tasks, rising, ending at 1', () => {
  const b = programBuilder({ cores: CORES });
  for (let i = 0; i < 1000; i++) b.compute(i % 5, { work: [{ unit: 'eltwise', tiles: 1 }] });
  const seen: number[] = [];
  simulate(b.build(), arch, { ...PACKET, onProgress: (f) => seen.push(f) });
  assert.ok(seen.length <= 101 && seen.length >= 50, `${seen.length} calls`);
  assert.ok(seen.every((f, i) => i === 0 || f > (seen[i - 1] as number)));
  assert.is(seen[seen.length - 1], 1);
});

Simulate.run();

const Edges = suite('simulate: edge cases');

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

Edges('an empty program runs 0 cycles', () => {
  const r = simulate(programBuilder({ cores: CORES }).build(), arch, PACKET);
  assert.is(r.cycles, 0);
});

Edges('the simulator never mutates the program', () => {
  const b = programBuilder({ cores: CORES });
  const buf = b.buffer(0, 1000, 'x');
  const c = b.compute(0, { work: [{ unit: 'matmul', tiles: 1, rows: 32 }], alloc: [buf], free: [buf] });
  b.send(0, { dsts: [1, 2], bytes: 3000, multicast: true, deps: [c] });
  b.dramRead(1, { channelBytes: [5000, 7000] });
  const p = deepFreeze(b.build());
  const before = JSON.stringify(p);
  simulate(p, arch, PACKET);
  assert.is(JSON.stringify(p), before);
});

Edges('on a mesh every NoC routes both ways: a -x send on noc0 (+x on a torus) takes the reverse links', () => {
  const mesh = tinyArch({ topology: 'mesh' });
  const cycles = (noc: number) => {
    const b = programBuilder({ cores: CORES });
    b.send(2, { dsts: [0], bytes: 100, noc }); // (3,0) -> (1,0): two hops west
    return simulate(b.build(), mesh, PACKET).cycles;
  };
  assert.is(cycles(0), 2 * 5 + 2 * 9 + Math.ceil(132 / 32));
  assert.is(cycles(1), cycles(0));
});

Edges.run();
