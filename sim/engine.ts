// The simulator driver: an event-driven run of a Program on an ArchSpec.
//
// Events are task completions and packet injections, kept in one binary heap keyed by
// (cycle, insertion order), so identical inputs give identical runs. Compute tasks take
// arch/core-timing.ts cycles; data-movement tasks are packet streams through the NoC and DRAM
// models (sim/noc-model.ts, sim/dram-model.ts). The run only counts events; energy and the report
// are derived afterwards (sim/energy.ts, sim/report.ts).

import type { ArchSpec } from '../arch/spec.js';
import type { Program } from '../compiler/program.js';
import { buildTopology } from '../noc/topology.js';
import { createSramState } from './core-model.js';
import { createCounterState, finishCounters, type Counters } from './counters.js';
import { flitPacketDelivered, flitPacketInjected, sendStreamPacket } from './data-movement.js';
import { addFlitLinkBusy, createFlitNoc } from './flit-noc.js';
import { deadlockError } from './deadlock.js';
import { createDramState } from '../noc/dram-channel.js';
import { EventQueue } from './event-queue.js';
import { createNocState } from '../noc/packet-model.js';
import { completeTask, createScheduler, releaseEngine, startTask, tryStart } from './scheduler.js';
import { EVENT, type SimContext, type TimedState } from './state.js';
import { ReservationTable } from '../noc/reservations.js';
import { createTransferModel } from '../noc/transfer.js';
import { createStreamPool } from './streams.js';
import { validateProgram } from './validate-program.js';

/** Options of simulate. */
export interface SimulateOptions {
  /** The arch's fingerprint (arch/load-arch.ts); a Program compiled for another arch is refused. */
  readonly fingerprint?: string;
  /**
   * NoC model: 'flit' (default) runs packets through the flit-level router network; 'packet' uses
   * the faster link-reservation model (sim/noc-model.ts).
   */
  readonly nocModel?: 'flit' | 'packet';
  /** Called with the fraction of tasks completed, at most about every 1% of tasks, and at the end. */
  readonly onProgress?: (fraction: number) => void;
}

/** What a run produced: its length, its counters and every task's start and end cycle. */
export interface SimResult {
  readonly cycles: number;
  /** The NoC model the run used ('deterministic': a time-triggered run of a deterministic program). */
  readonly nocModel: 'flit' | 'packet' | 'deterministic';
  readonly counters: Counters;
  /** Start and end cycle of each task, indexed by TaskId. */
  readonly taskStartCycle: Float64Array;
  readonly taskEndCycle: Float64Array;
}

/** Simulates `program` on `arch`, cycle-accurately at packet level; pure and deterministic. */
export function simulate(program: Program, arch: ArchSpec, opts: SimulateOptions = {}): SimResult {
  validateProgram(program, arch, { fingerprint: opts.fingerprint });
  const ctx = createContext(program, arch, program.deterministic !== undefined ? 'packet' : opts.nocModel ?? 'flit');
  const sched = createScheduler(program);
  const n = program.tasks.length;
  const progressStep = Math.max(1, Math.ceil(n / 100));
  const net = ctx.flit?.net;
  if (net !== undefined) {
    net.onInjected = (pkt, t) => flitPacketInjected(ctx, pkt, t);
    net.onDeliver = (pkt, _node, t) => flitPacketDelivered(ctx, pkt, t);
  }
  for (let slot = 0; slot < sched.slotTasks.length; slot++) tryStart(ctx, sched, slot, 0);
  let cycle = 0;
  const queue = ctx.queue;
  for (;;) {
    if (net !== undefined && !net.idle()) {
      // Step the network up to the next event; deliveries and injections add events as they happen.
      const next = queue.size > 0 ? (queue.peekCycle() as number) : Infinity;
      if (net.t < next) {
        net.step();
        continue;
      }
    }
    if (queue.size === 0) break;
    cycle = queue.peekCycle() as number;
    if (net !== undefined && net.idle()) net.skipTo(cycle);
    const payload = queue.pop();
    const id = payload >>> 2;
    const kind = payload & 3;
    if (kind === EVENT.streamPacket) {
      sendStreamPacket(ctx, id, cycle);
      continue;
    }
    if (kind === EVENT.taskStart) {
      startTask(ctx, id, cycle);
      continue;
    }
    if (kind === EVENT.engineFree) {
      releaseEngine(ctx, sched, id, cycle);
      continue;
    }
    completeTask(ctx, sched, id, cycle);
    if (opts.onProgress !== undefined && sched.completed % progressStep === 0) opts.onProgress(sched.completed / n);
  }
  if (sched.completed < n) throw deadlockError(program, sched, cycle);
  if (ctx.flit !== undefined) addFlitLinkBusy(ctx.flit, ctx.noc.topo, arch, ctx.counters.linkBusyCycles);
  if (opts.onProgress !== undefined && n % progressStep !== 0) opts.onProgress(1);
  const counters = finishCounters(ctx.counters, {
    cycles: cycle,
    dtype: program.dtype,
    gridCols: arch.grid.cols,
    opComputeCores: opComputeCores(program),
  });
  const nocModel = ctx.timed !== undefined ? 'deterministic' : ctx.flit === undefined ? 'packet' : 'flit';
  return { cycles: cycle, nocModel, counters, taskStartCycle: ctx.taskStartCycle, taskEndCycle: ctx.taskEndCycle };
}

function createContext(program: Program, arch: ArchSpec, nocModel: 'flit' | 'packet'): SimContext {
  const topo = buildTopology(arch);
  const tiles = topo.cols * topo.rows;
  const counters = createCounterState(program.ops.length, program.cores.length, topo.linkCount, tiles);
  const sramCapacityBytes = arch.core.sramBytes - arch.core.sramReservedBytes;
  const n = program.tasks.length;
  return {
    program,
    arch,
    fmt: { dtype: program.dtype, fidelity: program.fidelity },
    coords: program.cores.map((c) => ({ x: c.x, y: c.y })),
    tileElements: arch.core.tileSize * arch.core.tileSize,
    queue: new EventQueue(),
    counters,
    noc: createNocState(arch, counters.linkBusyCycles),
    flit: nocModel === 'flit' ? createFlitNoc(arch) : undefined,
    dram: createDramState(arch),
    streams: createStreamPool(),
    sram: createSramState(program.cores.length, program.buffers.length, sramCapacityBytes),
    taskStartCycle: new Float64Array(n),
    taskEndCycle: new Float64Array(n),
    pendingStreams: new Int32Array(n),
    pendingIssue: new Int32Array(n),
    issueEndCycle: new Float64Array(n),
    timed: program.deterministic === undefined ? undefined : timedState(arch, counters.linkBusyCycles, program.deterministic.mergeGap),
  };
}

function timedState(arch: ArchSpec, linkBusyCycles: Float64Array, mergeGap: number): TimedState {
  const model = createTransferModel(arch, linkBusyCycles);
  return { model, table: new ReservationTable(model.resources), mergeGap };
}

/** Distinct cores running compute tasks of each op. */
function opComputeCores(program: Program): number[] {
  const seen = new Uint8Array(program.ops.length * program.cores.length);
  const counts = new Array<number>(program.ops.length).fill(0);
  for (const t of program.tasks) {
    if (t.kind !== 'compute') continue;
    const key = t.op * program.cores.length + t.core;
    if (seen[key] === 0) {
      seen[key] = 1;
      counts[t.op] = (counts[t.op] ?? 0) + 1;
    }
  }
  return counts;
}
