// Local refinement of the per-op search against a measured run (`--refine SECONDS`).
//
// The search (per-op.ts) picks each matmul-like op's grid by the builder's prediction, which
// misses link contention: on ResNet-50 b1 its predicted makespan is 0.72x the simulated one. Here
// whole programs are measured instead, by the caller (spatialc simulates them with the run's NoC
// model; the compiler itself never runs the simulator). First the prefetch settings, one
// dimension at a time, each with the search run again; then, from the grids kept, each site (a
// repeated layer's instances together, then single ops) tries the alternatives its search had,
// lowered with all other grids fixed (no search), and the best is kept when it beats the current
// run. Sites go longest first, by the measured time their ops advance the run; passes repeat
// until one changes nothing. A hill climb: it keeps what the measure rewards, so its gains are for
// that measure (an early version without the prefetch stage took ResNet-50 b1 from 429.8 to
// 415.1 us on the packet model and from 472.7 to 480.3 on the flit one; issue 5's notes).
//
// The budget is a number of measured lowerings, derived from seconds and the program's size
// (RefineBudget), not from a clock: the same inputs give the same program.

import { SpatialcError } from '../../arch/errors.js';
import type { Program } from '../program.js';
import type { GridChoice } from './strategy.js';
import type { PrefetchTuning } from '../lower/context.js';

/** What the search chose for one matmul-like group (CompileOptions.chosen). */
export interface ChosenGrid {
  readonly choice: GridChoice;
  /** The candidates the search had for it (or would have had: a repeated layer takes its first instance's grid). */
  readonly candidates: readonly GridChoice[];
  /** Groups with the same key are instances of one repeated layer in the same situation. */
  readonly situation: string;
}

/** A measured run of a program: its cycles and each task's end. */
export interface Measured {
  readonly cycles: number;
  readonly taskEndCycle: ArrayLike<number>;
}

/** One accepted change: these groups moved from one grid to another, and the run took `cycles` after it. */
export interface RefineStep {
  readonly groups: readonly number[];
  readonly from: GridChoice;
  readonly to: GridChoice;
  readonly cycles: number;
}

/** What a refined lowering fixes: every matmul-like group's grid, and the prefetch settings. */
export interface RefinePlan {
  readonly grids?: ReadonlyMap<number, GridChoice>;
  readonly prefetch?: PrefetchTuning;
}

/**
 * The prefetch settings tried first, one dimension at a time (each value with the others' best so
 * far): posted reads in flight per core, reads queued per DRAM channel (null: unbounded), prefetch depth. Their
 * defaults were chosen over a set of models; single models measured 1-9% faster or slower with
 * each of these (issue 5's notes).
 */
export const PREFETCH_VARIANTS: readonly (readonly PrefetchTuning[])[] = [
  [{ postedInFlight: 2 }, { postedInFlight: 4 }, { postedInFlight: 8 }],
  [{ readsPerChannel: 8 }, { readsPerChannel: 16 }, { readsPerChannel: null }],
  [{ depth: 6 }, { depth: 24 }],
];

/** A lowering with the search, in measurements (a search and its lowering take 2-3 fixed-grid lowerings). */
export const SEARCH_COST = 2;

export interface Refined {
  readonly program: Program;
  /** The prefetch settings kept (empty: the defaults). */
  readonly prefetch: PrefetchTuning;
  /** The search's program (with the default prefetch settings). */
  readonly start: Program;
  /** The search's program as measured, and the result's. */
  readonly startCycles: number;
  readonly cycles: number;
  /** Lowerings measured (the search's own included). */
  readonly evaluations: number;
  readonly steps: readonly RefineStep[];
}

/**
 * How long the refinement may take: `seconds`, at `tasksPerSecond` for one measured lowering (the
 * caller's figure for its measure: a lowering with every grid fixed plus its simulation), so that
 * the budget is a number of measurements that depends on the program's size, not on a clock.
 */
export interface RefineBudget {
  readonly seconds: number;
  readonly tasksPerSecond: number;
}

/**
 * Tasks per second of one measurement (a lowering with every grid fixed, then the caller's
 * simulation), by the simulation's NoC model: assumptions measured on the development machine
 * (packet: ResNet-50 b1 29k tasks in 0.39 s, BERT-base 63k in 0.68 s, MobileNetV2 19k in 0.28 s;
 * flit: ResNet-50 b1 in 11.1 s, MobileNetV2 in 2.5 s; the deterministic schedule costs about a
 * packet-level run), so that seconds of refinement are a deterministic number of measurements.
 */
export const REFINE_TASKS_PER_SECOND = { packet: 80_000, flit: 3_000, deterministic: 80_000 } as const;

/** Grids as a readable key ("block 7x8 k2"). */
export function gridLabel(c: GridChoice): string {
  return `${c.kind} ${c.gr}x${c.gc}${c.gk !== undefined && c.gk > 1 ? ` k${c.gk}` : ''}`;
}

/**
 * Refines the search's prefetch settings and grids. `lower(plan, chosen)` lowers the model (with
 * the search for the groups `plan.grids` does not fix: all of them when it is undefined) and fills
 * `chosen`; `measure` runs a program. Returns the search's program unchanged when it has no
 * matmul-like group to refine or the budget allows no measurement beyond it.
 */
export function refineGrids(
  lower: (plan: RefinePlan | undefined, chosen: Map<number, ChosenGrid>) => Program,
  measure: (p: Program) => Measured,
  allowance: RefineBudget,
): Refined {
  let chosen = new Map<number, ChosenGrid>();
  let best = lower(undefined, chosen);
  const start = best;
  let run = measure(best);
  const startCycles = run.cycles;
  let evaluations = 1;
  // Measurements allowed, the search's own included.
  const budget = Math.floor((allowance.seconds * allowance.tasksPerSecond) / Math.max(1, best.tasks.length));
  const steps: RefineStep[] = [];
  let prefetch: PrefetchTuning = {};
  if (chosen.size === 0 || budget <= 1) return { program: best, start, prefetch, startCycles, cycles: run.cycles, evaluations, steps };
  // Lowers a plan, filling `into`; undefined when it does not fit (SRAM). A lowering with the
  // search (no grids) counts as SEARCH_COST measurements.
  const tryPlan = (plan: RefinePlan, into = new Map<number, ChosenGrid>()): { program: Program; run: Measured } | undefined => {
    evaluations += plan.grids === undefined ? SEARCH_COST : 1;
    let program: Program;
    try {
      program = lower(plan, into);
    } catch (e) {
      if (e instanceof SpatialcError) return undefined;
      throw e;
    }
    return { program, run: measure(program) };
  };
  // The prefetch settings first (global), one dimension at a time, each with the search run again
  // (the settings change its predictions, so its grids).
  for (const values of PREFETCH_VARIANTS) {
    let dimBest: { pf: PrefetchTuning; chosen: Map<number, ChosenGrid>; program: Program; run: Measured } | undefined;
    for (const v of values) {
      if (evaluations + SEARCH_COST > budget) break;
      const pf = { ...prefetch, ...v };
      const into = new Map<number, ChosenGrid>();
      const r = tryPlan({ prefetch: pf }, into);
      if (r !== undefined && r.run.cycles < (dimBest?.run.cycles ?? run.cycles)) dimBest = { pf, chosen: into, ...r };
    }
    if (dimBest === undefined) continue;
    ({ pf: prefetch, chosen, program: best, run } = dimBest);
  }
  const plan = new Map<number, GridChoice>([...chosen].map(([g, c]) => [g, c.choice]));
  const advance = opAdvance(best, run);
  // Sites: every repeated layer's instances together (when more than one), then each group alone.
  const bySituation = new Map<string, number[]>();
  for (const [g, c] of chosen) bySituation.set(c.situation, [...(bySituation.get(c.situation) ?? []), g]);
  const weight = (groups: readonly number[]) => groups.reduce((s, g) => s + (advance.get(g) ?? 0), 0);
  const byWeight = (a: readonly number[], b: readonly number[]) => weight(b) - weight(a) || a[0]! - b[0]!;
  const sites = [
    ...[...bySituation.values()].filter((gs) => gs.length > 1).sort(byWeight),
    ...[...chosen.keys()].map((g) => [g]).sort(byWeight),
  ];
  // Passes over every site until one changes nothing or the budget is spent (a change alters the
  // others' context: link load, where inputs are held).
  for (let changed = true; changed && evaluations < budget;) {
    changed = false;
    for (const site of sites) {
      if (evaluations >= budget) break;
      const current = plan.get(site[0]!)!;
      const seen = new Set([gridLabel(current)]);
      let siteBest: { to: GridChoice; program: Program; run: Measured } | undefined;
      for (const to of chosen.get(site[0]!)!.candidates) {
        if (seen.has(gridLabel(to)) || evaluations >= budget) continue;
        seen.add(gridLabel(to));
        const grids = new Map(plan);
        for (const g of site) grids.set(g, to);
        // A grid that does not fit beside the others' (SRAM) is not a move.
        const r = tryPlan({ grids, prefetch });
        if (r !== undefined && r.run.cycles < (siteBest?.run.cycles ?? run.cycles)) siteBest = { to, ...r };
      }
      if (siteBest === undefined) continue;
      for (const g of site) plan.set(g, siteBest.to);
      best = siteBest.program;
      run = siteBest.run;
      steps.push({ groups: site, from: current, to: siteBest.to, cycles: run.cycles });
      changed = true;
    }
  }
  return { program: best, start, prefetch, startCycles, cycles: run.cycles, evaluations, steps };
}

/**
 * Cycles each op advances the measured run: the last end of its compute tasks past the latest end
 * of every op before it (0 for an op that finishes inside an earlier one's time).
 */
function opAdvance(p: Program, run: Measured): Map<number, number> {
  const end = new Map<number, number>();
  for (const t of p.tasks) {
    if (t.kind !== 'compute' || t.work.length === 0) continue;
    const e = run.taskEndCycle[t.id]!;
    if (e > (end.get(t.op) ?? -Infinity)) end.set(t.op, e);
  }
  const out = new Map<number, number>();
  let latest = 0;
  for (const [op, e] of [...end].sort((a, b) => a[0] - b[0])) {
    out.set(op, Math.max(0, e - latest));
    latest = Math.max(latest, e);
  }
  return out;
}
