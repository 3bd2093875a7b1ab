// Diagnostic: how much of a run's latency each kind of work accounts for. The compiled program is
// simulated as it is, then again with one kind of work made free: the same tasks, dependencies and
// engine streams, with every DRAM transfer moving one byte per channel it touches, every NoC send
// one byte, or every compute task doing no work. Latencies stay (a free transfer still crosses
// its hops), so a run with everything free is the program's synchronisation alone. A kind whose
// freeing shortens the run a lot is what the mapping is bound by; the run with DRAM and NoC both
// free is its chain of compute and synchronisation, which no prefetch or routing change can beat.
// Used by bench/critical-path.ts --what-if and bench/quality.ts.

import type { ArchSpec } from '../arch/spec.js';
import type { Program, Task } from '../compiler/program.js';
import { roofline } from '../sim/roofline.js';
import { simulate } from '../sim/index.js';

/** What can be made free. */
export type FreeKind = 'dram' | 'noc' | 'compute';

/** `p` with the work of the kinds in `free` made free (a copy; `p` is not changed). */
export function idealise(p: Program, free: ReadonlySet<FreeKind>): Program {
  const tasks = p.tasks.map((t): Task => {
    if (free.has('dram') && (t.kind === 'dram-read' || t.kind === 'dram-write')) return { ...t, channelBytes: t.channelBytes.map((b) => (b > 0 ? 1 : 0)) };
    if (free.has('noc') && t.kind === 'send') return { ...t, bytes: 1 };
    if (free.has('compute') && t.kind === 'compute' && t.work.length > 0) return { ...t, work: [] };
    return t;
  });
  return { ...p, tasks };
}

/** One what-if run: its label, the kinds made free, its cycles and its latency over the roofline. */
export interface WhatIf {
  readonly label: string;
  readonly free: readonly FreeKind[];
  readonly cycles: number;
  readonly seconds: number;
  readonly overRoofline: number;
}

const CASES: readonly { readonly label: string; readonly free: readonly FreeKind[] }[] = [
  { label: 'as compiled', free: [] },
  { label: 'DRAM transfers free', free: ['dram'] },
  { label: 'NoC sends free', free: ['noc'] },
  { label: 'compute free', free: ['compute'] },
  { label: 'DRAM and NoC free', free: ['dram', 'noc'] },
];

/**
 * Simulates `p` as compiled and with each kind of work made free (the roofline is the program's
 * own). `compiledCycles`: the caller's own run of `p` on `nocModel`, so it is not simulated again.
 */
export function whatIf(p: Program, arch: ArchSpec, nocModel: 'packet' | 'flit', compiledCycles?: number): WhatIf[] {
  const bound = roofline(p, arch).seconds;
  return CASES.map(({ label, free }) => {
    const cycles = free.length === 0 && compiledCycles !== undefined ? compiledCycles : simulate(idealise(p, new Set(free)), arch, { nocModel }).cycles;
    const seconds = cycles / arch.clockHz;
    return { label, free, cycles, seconds, overRoofline: seconds / bound };
  });
}
