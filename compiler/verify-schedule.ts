// The deterministic-schedule part of verifyProgram (programs compiled with `--deterministic`),
// written apart from the scheduler (compiler/schedule/): each task starts no earlier than its
// dependencies and the previous task of its engine end; compute tasks last their core-timing
// cycles and transfers their timing alone on the NoC; and no two transfers hold a link or DRAM
// channel at the same time.

import type { ArchSpec } from '../arch/spec.js';
import { computeCycles } from '../arch/core-timing.js';
import { ReservationTable } from '../noc/reservations.js';
import { createTransferModel, releasesEarly, resourceName, timeTransfer, transferOf } from '../noc/transfer.js';
import type { Program } from './program.js';

export type ScheduleProblem = { readonly code: 'schedule'; readonly message: string };

/** Checks the cycle-exact schedule of a deterministic program (nothing to check otherwise). */
export function checkSchedule(p: Program, arch: ArchSpec, add: (d: ScheduleProblem) => void): void {
  if (p.deterministic === undefined) return;
  const model = createTransferModel(arch);
  const table = new ReservationTable(model.resources);
  const coords = p.cores.map((c) => ({ x: c.x, y: c.y }));
  const fmt = { dtype: p.dtype, fidelity: p.fidelity };
  const endOf = (id: number) => p.tasks[id]!.predictedStartCycle + p.tasks[id]!.predictedCycles;
  let makespan = 0;
  // When each task lets its engine go on: at its end, or for a send once its packets are issued.
  const released = p.tasks.map((t) => endOf(t.id));
  for (const t of p.tasks) {
    makespan = Math.max(makespan, endOf(t.id));
    for (const d of t.deps) {
      if (t.predictedStartCycle < endOf(d)) add({ code: 'schedule', message: `task ${t.id} starts at cycle ${t.predictedStartCycle}, before its dependency ${d} ends (${endOf(d)})` });
    }
    if (t.kind === 'compute') {
      const cycles = computeCycles(arch, fmt, t.work);
      if (cycles !== t.predictedCycles) add({ code: 'schedule', message: `compute task ${t.id} is scheduled for ${t.predictedCycles} cycles; its work takes ${cycles}` });
      continue;
    }
    const tm = timeTransfer(model, transferOf(t, coords), p.deterministic.mergeGap);
    if (releasesEarly(t)) released[t.id] = t.predictedStartCycle + tm.issueCycles;
    if (tm.cycles !== t.predictedCycles) add({ code: 'schedule', message: `${t.kind} task ${t.id} is scheduled for ${t.predictedCycles} cycles; alone on the NoC it takes ${tm.cycles}` });
    const clash = table.firstClash(tm.spans, t.predictedStartCycle);
    if (clash !== undefined) {
      add({ code: 'schedule', message: `task ${t.id} holds ${resourceName(model, clash.resource)} while task ${clash.owner} does (cycles ${clash.start}-${clash.end})` });
      continue;
    }
    table.reserve(tm.spans, t.predictedStartCycle, t.id);
  }
  for (const c of p.cores) {
    for (const stream of [c.reader, c.compute, c.writer]) {
      for (let i = 1; i < stream.length; i++) {
        const t = p.tasks[stream[i]!]!;
        const free = released[stream[i - 1]!]!;
        if (t.predictedStartCycle < free) add({ code: 'schedule', message: `task ${t.id} starts at cycle ${t.predictedStartCycle}, before its engine is free (${free})` });
      }
    }
  }
  if (makespan !== p.predictedCycles) add({ code: 'schedule', message: `the program's predicted cycles (${p.predictedCycles}) are not its last task's end (${makespan})` });
}
