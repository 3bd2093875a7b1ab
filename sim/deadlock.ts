// The deadlock watchdog's message: when no event is left but tasks remain, name the engines that
// are stuck, the task each one waits to start, and the deps that task still waits on.

import { SpatialcError } from '../arch/errors.js';
import type { Program } from '../compiler/program.js';
import { ENGINE_ORDER, type Scheduler } from './scheduler.js';

const MAX_LISTED = 5;

/** The E_SIM error for a run that stopped at `cycle` with tasks left. */
export function deadlockError(program: Program, s: Scheduler, cycle: number): SpatialcError {
  const blocked: string[] = [];
  for (let slot = 0; slot < s.slotTasks.length; slot++) {
    const tasks = s.slotTasks[slot]!;
    const next = s.slotNext[slot] as number;
    if (s.slotBusy[slot] === 1 || next >= tasks.length) continue;
    const id = tasks[next] as number;
    const waits = program.tasks[id]!.deps.filter((d) => s.isDone[d] !== 1).map((d) => describe(program, s, d));
    const what = `${describeSlot(program, slot)} cannot start task ${id} (${opName(program, id)})`;
    blocked.push(`${what}: waits on ${waits.join(', ')}`);
  }
  const left = program.tasks.length - s.completed;
  const listed = blocked.slice(0, MAX_LISTED).map((b) => `  - ${b}`);
  if (blocked.length > MAX_LISTED) listed.push(`  - … and ${blocked.length - MAX_LISTED} more blocked engines`);
  return new SpatialcError(
    'E_SIM',
    `simulation deadlocked at cycle ${cycle}: ${left} of ${program.tasks.length} tasks never ran\n` +
      listed.join('\n'),
    {
      where: blocked.length > 0 ? describeSlot(program, firstBlockedSlot(s)) : 'program',
      hint: 'a task depends on a task that can never complete (a later task of the same engine, or a cycle of deps)',
      problems: blocked,
    },
  );
}

function describe(program: Program, s: Scheduler, id: number): string {
  const t = program.tasks[id]!;
  const c = program.cores[t.core]!;
  return `task ${id} (core(${c.x},${c.y})/${t.engine}, ${s.isDone[id] === 1 ? 'done' : 'not started'})`;
}

function describeSlot(program: Program, slot: number): string {
  const c = program.cores[Math.floor(slot / 3)]!;
  return `core(${c.x},${c.y})/${ENGINE_ORDER[slot % 3]}`;
}

function opName(program: Program, id: number): string {
  const op = program.ops[program.tasks[id]!.op];
  return op === undefined ? 'no op' : `op "${op.name}"`;
}

function firstBlockedSlot(s: Scheduler): number {
  for (let slot = 0; slot < s.slotTasks.length; slot++) {
    if (s.slotBusy[slot] !== 1 && (s.slotNext[slot] as number) < s.slotTasks[slot]!.length) return slot;
  }
  return 0;
}
