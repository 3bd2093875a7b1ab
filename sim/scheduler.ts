// Task scheduling under the Program's execution model: each core has three in-order engines
// (reader, compute, writer); a task starts when its engine has finished the previous task of its
// stream and all its deps have completed. Dependencies are a CSR adjacency (dependents of each
// task) with a per-task count of deps still outstanding.

import { SpatialcError, unreachable } from '../arch/errors.js';
import type { Engine, Program, TaskId } from '../compiler/program.js';
import { allocateBuffers, freeBuffers, runCompute } from './core-model.js';
import { startDataMovement } from './data-movement.js';
import { EVENT, eventPayload, type SimContext } from './state.js';

/** Engines in slot order: engine slot of (core, engine) = core * 3 + ENGINE_ORDER.indexOf(engine). */
export const ENGINE_ORDER: readonly Engine[] = ['reader', 'compute', 'writer'];

/** Scheduling state of one run. */
export interface Scheduler {
  readonly depsLeft: Int32Array;
  /** Engine slot of each task. */
  readonly taskSlot: Int32Array;
  readonly dependentsStart: Int32Array;
  readonly dependents: Int32Array;
  /** Task stream of each engine slot, the index of its next task, and whether it is running one. */
  readonly slotTasks: readonly (readonly TaskId[])[];
  readonly slotNext: Int32Array;
  readonly slotBusy: Uint8Array;
  readonly isDone: Uint8Array;
  /** 1 once a task's engine went on to its next task (a send's, after issuing; others at completion). */
  readonly released: Uint8Array;
  completed: number;
}

/** Builds the dependency graph and the engine slots of `program`. */
export function createScheduler(program: Program): Scheduler {
  const n = program.tasks.length;
  const depsLeft = new Int32Array(n);
  const taskSlot = new Int32Array(n);
  const counts = new Int32Array(n + 1);
  for (const t of program.tasks) {
    depsLeft[t.id] = t.deps.length;
    taskSlot[t.id] = t.core * 3 + ENGINE_ORDER.indexOf(t.engine);
    for (const d of t.deps) counts[d + 1] = (counts[d + 1] as number) + 1;
  }
  for (let i = 0; i < n; i++) counts[i + 1] = (counts[i + 1] as number) + (counts[i] as number);
  const dependentsStart = Int32Array.from(counts);
  const fill = Int32Array.from(counts);
  const dependents = new Int32Array(counts[n] as number);
  for (const t of program.tasks) {
    for (const d of t.deps) {
      dependents[fill[d] as number] = t.id;
      fill[d] = (fill[d] as number) + 1;
    }
  }
  const slotTasks = program.cores.flatMap((c) => ENGINE_ORDER.map((e) => c[e]));
  return {
    depsLeft,
    taskSlot,
    dependentsStart,
    dependents,
    slotTasks,
    slotNext: new Int32Array(slotTasks.length),
    slotBusy: new Uint8Array(slotTasks.length),
    isDone: new Uint8Array(n),
    released: new Uint8Array(n),
    completed: 0,
  };
}

/** Starts the next task of engine slot `slot` at `cycle` if the engine is idle and its deps are met. */
export function tryStart(ctx: SimContext, s: Scheduler, slot: number, cycle: number): void {
  if (s.slotBusy[slot] === 1) return;
  const tasks = s.slotTasks[slot]!;
  const next = s.slotNext[slot] as number;
  if (next >= tasks.length) return;
  const id = tasks[next] as number;
  if ((s.depsLeft[id] as number) > 0) return;
  s.slotBusy[slot] = 1;
  s.slotNext[slot] = next + 1;
  if (ctx.timed !== undefined) {
    // Time-triggered: the task starts at its scheduled cycle, never later than the schedule says.
    const at = ctx.program.tasks[id]!.predictedStartCycle;
    if (cycle > at) throw lateStart(ctx, s, id, at, cycle);
    if (cycle < at) {
      ctx.queue.push(at, eventPayload(EVENT.taskStart, id));
      return;
    }
  }
  startTask(ctx, id, cycle);
}

/** A task of a deterministic program whose inputs or engine are not ready at its scheduled cycle. */
function lateStart(ctx: SimContext, s: Scheduler, id: number, at: number, cycle: number): SpatialcError {
  const t = ctx.program.tasks[id]!;
  const c = ctx.program.cores[t.core]!;
  let why = `its ${t.engine} engine is busy`;
  for (const d of t.deps) if (s.isDone[d] === 1 && ctx.taskEndCycle[d] === cycle) why = `task ${d} ends then`;
  return new SpatialcError('E_SCHEDULE', `deterministic program: task ${id} (op "${ctx.program.ops[t.op]?.name}", core (${c.x},${c.y}) ${t.engine}) is scheduled at cycle ${at} but can start only at ${cycle} (${why})`);
}

/** Starts task `id` at `cycle`. */
export function startTask(ctx: SimContext, id: number, cycle: number): void {
  const task = ctx.program.tasks[id]!;
  ctx.taskStartCycle[id] = cycle;
  // An op starts with its first task that does work: a compute task with no work only allocates
  // buffers (the compiler opens ops early so transfers can land), which is not the op running.
  const first = ctx.counters.op.firstStartCycle;
  const works = task.kind !== 'compute' || task.work.length > 0;
  if (works && cycle < (first[task.op] as number)) first[task.op] = cycle;
  allocateBuffers(ctx, task, cycle);
  switch (task.kind) {
    case 'compute': {
      const end = runCompute(ctx, task, cycle);
      ctx.taskEndCycle[id] = end;
      ctx.queue.push(end, eventPayload(EVENT.taskDone, id));
      return;
    }
    case 'send':
    case 'dram-read':
    case 'dram-write':
      startDataMovement(ctx, task, cycle);
      return;
    default:
      unreachable(task);
  }
}

/** Lets the engine of task `id` start its next task at `cycle` (once per task). */
export function releaseEngine(ctx: SimContext, s: Scheduler, id: number, cycle: number): void {
  if (s.released[id] === 1) return;
  s.released[id] = 1;
  const slot = s.taskSlot[id] as number;
  s.slotBusy[slot] = 0;
  tryStart(ctx, s, slot, cycle);
}

/** Completes task `id` at `cycle`: frees its buffers, its engine and the tasks waiting on it. */
export function completeTask(ctx: SimContext, s: Scheduler, id: number, cycle: number): void {
  const task = ctx.program.tasks[id]!;
  ctx.taskEndCycle[id] = cycle;
  s.isDone[id] = 1;
  s.completed++;
  freeBuffers(ctx, task);
  const last = ctx.counters.op.lastEndCycle;
  if (cycle > (last[task.op] as number)) last[task.op] = cycle;
  releaseEngine(ctx, s, id, cycle);
  const end = s.dependentsStart[id + 1] as number;
  for (let k = s.dependentsStart[id] as number; k < end; k++) {
    const d = s.dependents[k] as number;
    const left = (s.depsLeft[d] as number) - 1;
    s.depsLeft[d] = left;
    if (left === 0) tryStart(ctx, s, s.taskSlot[d] as number, cycle);
  }
}
