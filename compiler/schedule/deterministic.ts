// The deterministic schedule (`--deterministic`, Groq-style: the compiler owns the timing). Every
// task gets a cycle-exact start: a compute task when its engine and inputs are ready; a transfer
// at the earliest cycle from then on at which every link and DRAM channel it uses is free for the
// whole time it needs them. A transfer's timing is the one it has alone on the NoC
// (noc/transfer.ts), so with no two transfers holding a resource at once, the time-triggered
// simulation reproduces the schedule cycle for cycle.

import type { ArchSpec } from '../../arch/spec.js';
import { computeCycles } from '../../arch/core-timing.js';
import { ReservationTable } from '../../noc/reservations.js';
import { createTransferModel, releasesEarly, timeTransfer, transferOf } from '../../noc/transfer.js';
import type { Engine, Program, Task } from '../program.js';

/**
 * Busy intervals of one link closer than this many cycles are reserved as one span. Smaller gaps
 * let more transfers interleave on a link (finer time-division) at the price of more spans to
 * search; an assumption of ours, not a hardware figure.
 */
export const DEFAULT_MERGE_GAP = 64;

const ENGINES: readonly Engine[] = ['reader', 'compute', 'writer'];

/** Re-times `p` as a deterministic program: exact starts, conflict-free link and channel reservations. */
export function scheduleDeterministic(p: Program, arch: ArchSpec, mergeGap = DEFAULT_MERGE_GAP): Program {
  const model = createTransferModel(arch);
  const table = new ReservationTable(model.resources);
  const coords = p.cores.map((c) => ({ x: c.x, y: c.y }));
  const fmt = { dtype: p.dtype, fidelity: p.fidelity };
  const end = new Float64Array(p.tasks.length);
  const engineFree = new Float64Array(p.cores.length * ENGINES.length);
  let makespan = 0;
  // Task ids follow every dependency and every engine's stream order, so one pass in id order works.
  const tasks: Task[] = p.tasks.map((t) => {
    const slot = t.core * ENGINES.length + ENGINES.indexOf(t.engine);
    let ready = engineFree[slot]!;
    for (const d of t.deps) if (end[d]! > ready) ready = end[d]!;
    let start = ready;
    let cycles: number;
    let held: number;
    if (t.kind === 'compute') cycles = held = computeCycles(arch, fmt, t.work);
    else {
      const tm = timeTransfer(model, transferOf(t, coords), mergeGap);
      start = table.earliestFit(tm.spans, ready);
      table.reserve(tm.spans, start, t.id);
      cycles = tm.cycles;
      held = releasesEarly(t) ? tm.issueCycles : tm.cycles;
    }
    end[t.id] = start + cycles;
    engineFree[slot] = start + held;
    if (start + cycles > makespan) makespan = start + cycles;
    return { ...t, predictedStartCycle: start, predictedCycles: cycles };
  });
  return { ...p, tasks, predictedCycles: makespan, deterministic: { mergeGap } };
}
