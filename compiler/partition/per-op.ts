// Op-by-op lowering (Tenstorrent's way): groups in topological order, each over the whole
// compute grid, one after another on every core. For matmul-like ops the strategy search picks
// the grid (height, width or a block shape): each candidate is lowered on a builder checkpoint,
// costed (partition/cost.ts) and taken back; the cheapest is lowered for good. A repeated layer
// (same ops, shapes, input placement and candidates) reuses its first instance's choice.

import type { Graph, TensorId } from '../graph.js';
import type { ProgramOp, TaskId } from '../program.js';
import type { Grouping, OpGroup } from '../lower/group.js';
import { anchorInputsOf, lastReaders, lowerOnGrid, mapGrid, matmulShape, resolveGroup, type Lowered } from '../lower/op.js';
import { releaseTensor } from '../lower/output.js';
import type { Session, Snapshot } from '../lower/session.js';
import type { LowerContext } from '../lower/context.js';
import { OpCostModel } from './cost.js';
import { computeBound, gatherBoundSplit, kSplit, matmulCandidates, StrategySearch, type GridChoice, type Strategy } from './strategy.js';
import type { MatmulShape } from '../lower/matmul-shape.js';
import { SpatialcError } from '../../arch/errors.js';
import { gridLabel, type ChosenGrid } from './refine.js';

export interface PerOpOptions {
  readonly strategy: Exclude<Strategy, 'pipeline'>;
  readonly budgetSeconds: number;
  readonly residentIo: boolean;
  /** Grids fixed per group index (matmul-like groups): lowered as given, without a search. */
  readonly grids?: ReadonlyMap<number, GridChoice>;
  /** Filled with each matmul-like group's grid, the candidates its search had and its situation (refine.ts). */
  readonly chosen?: Map<number, ChosenGrid>;
}

/** Lowers every group of `grouping` op by op; returns the Program's op records. */
export function lowerPerOp(s: Session, graph: Graph, grouping: Grouping, o: PerOpOptions): ProgramOp[] {
  const search = new StrategySearch(o.strategy, o.budgetSeconds);
  const model = new OpCostModel(s.ctx.arch, s.cores);
  const lastReader = lastReaders(grouping.groups, grouping.rootOf, graph, grouping.aliases);
  const outputs = new Set(graph.outputs.map((t) => grouping.rootOf[t] ?? t));
  const ctx: LowerContext = { ...s.ctx, prefetchWeights: true };
  const memo = new Map<string, GridChoice>();
  return grouping.groups.map((grp, k) => {
    const follower = windowFollower(grp, grouping.groups[k + 1], grouping.rootOf);
    const r = lowerGroup(ctx, s, resolveGroup(grp, grouping.rootOf), outputs.has(grp.output), o, search, model, memo, follower && resolveGroup(follower, grouping.rootOf));
    for (const t of new Set(anchorInputsOf(grp, grouping.rootOf, graph, grouping.aliases))) if (lastReader.get(t) === grp.index) releaseTensor(ctx, grp.index, t);
    ctx.b.commit(); // no trial of this group is taken back after this
    return opRecord(grp, r);
  });
}

/** The Program's record of a lowered group. */
export function opRecord(grp: OpGroup, r: Lowered): ProgramOp {
  return {
    index: grp.index, name: grp.anchor.name, op: grp.anchor.op, fused: grp.nodes.map((n) => n.name),
    macs: r.macs, strategy: r.strategy, lowering: r.lowering, coresUsed: r.coresUsed, output: r.programIndex,
    outputIndex: grp.outputIndex,
  };
}

/**
 * The next group when it is a window op (depthwise conv, pool) over this group's output: where its
 * output rows land on the grid decides which cores hold the rows its windows read, so a grid
 * that is fastest alone can make the window op's input cross the chip (a stride-2 window over
 * 56 producer cores read by 49 consumer cores drifts by one core in eight).
 */
function windowFollower(grp: OpGroup, next: OpGroup | undefined, rootOf: readonly TensorId[]): OpGroup | undefined {
  if (next === undefined || next.cls.kind !== 'window') return undefined;
  return (rootOf[next.cls.x] ?? next.cls.x) === (rootOf[grp.output] ?? grp.output) ? next : undefined;
}

/**
 * Lowers a group: map ops row-distributed, matmul-like ops on the grid the search picks. With a
 * window op `follower`, each candidate is costed with the follower lowered after it (on its own
 * grid), a one-op look-ahead.
 */
function lowerGroup(ctx: LowerContext, s: Session, grp: OpGroup, isGraphOutput: boolean, o: PerOpOptions, search: StrategySearch, model: OpCostModel, memo: Map<string, GridChoice>, follower?: OpGroup): Lowered {
  const residentIo = o.residentIo;
  const view = ctx.views(grp.output);
  const mm = matmulShape(ctx, grp, view);
  if (mm === undefined) {
    const { gr, gc } = mapGrid(ctx, grp, view);
    return lowerOnGrid(ctx, grp, undefined, { kind: 'height', gr, gc }, isGraphOutput, s.resident, residentIo);
  }
  const followerGrid = follower !== undefined ? mapGrid(ctx, follower, ctx.views(follower.output)) : undefined;
  const all = matmulCandidates(search.strategy, ctx, view.tileRows, view.tileCols, followerGrid?.gr);
  const split = search.strategy === 'auto' ? gatherBoundSplit(ctx, mm, view.tileRows, view.tileCols, all[0]!) : undefined;
  const cands = split !== undefined ? [split] : all;
  // A repeated layer (the same op on the same shapes, its input held the same way) takes the grid
  // its first instance chose, without trying the candidates again.
  const key = situation(ctx, grp, mm, cands, followerGrid);
  // What refinement may try: the search's candidates, the K-split of each block grid that leaves cores idle too.
  // (A forced strategy keeps its one grid.)
  const record = (choice: GridChoice) => o.chosen?.set(grp.index, { choice, candidates: search.strategy === 'auto' ? refineCandidates(ctx, mm, cands, all) : cands, situation: key });
  const forced = o.grids?.get(grp.index);
  if (forced !== undefined) {
    record(forced);
    return lowerOnGrid(ctx, grp, mm, forced, isGraphOutput, s.resident, residentIo);
  }
  const known = memo.get(key);
  if (known !== undefined) {
    record(known);
    return lowerOnGrid(ctx, grp, mm, known, isGraphOutput, s.resident, residentIo);
  }
  const ready = ctx.b.makespan();
  const compute = computeBound(ctx, mm, view.tileRows, view.tileCols);
  // The chosen candidate's trial, when it was the last one, stands (less its look-ahead follower).
  let trial: { lowered: Lowered; beforeFollower: Snapshot | undefined } | undefined;
  const { choice, kept } = search.choose(cands, (c) => ready + compute(c), (c) => {
    const snap = s.snapshot();
    let lowered: Lowered;
    let beforeFollower: Snapshot | undefined;
    try {
      lowered = lowerOnGrid(ctx, grp, mm, c, isGraphOutput, s.resident, residentIo);
      beforeFollower = follower !== undefined ? s.snapshot() : undefined;
      if (follower !== undefined) lowerOnGrid(ctx, follower, undefined, { kind: 'height', ...followerGrid! }, false, s.resident, residentIo);
    } catch (e) {
      // A candidate that does not fit (a graph input made resident on too few of its cores, say)
      // is no choice; when none fits, the first one's lowering below reports why.
      if (!(e instanceof SpatialcError) || e.code !== 'E_DOES_NOT_FIT') throw e;
      const tasks = ctx.b.tasks.length - snap.b.tasks;
      s.restore(snap);
      return { cost: Infinity, tasks };
    }
    const cost = model.cost(ctx.b.tasks, snap.b.tasks, (id) => ctx.b.end(id as TaskId), ready).cycles;
    const tasks = ctx.b.tasks.length - snap.b.tasks;
    trial = { lowered, beforeFollower };
    return { cost, tasks, undo: () => s.restore(snap) };
  });
  memo.set(key, choice);
  record(choice);
  if (kept && trial !== undefined) {
    if (trial.beforeFollower !== undefined) s.restore(trial.beforeFollower);
    return trial.lowered;
  }
  return lowerOnGrid(ctx, grp, mm, choice, isGraphOutput, s.resident, residentIo);
}

/** The grids refinement may try for a group: its search's candidates, the rest of the block shapes, and their K-splits. */
function refineCandidates(ctx: LowerContext, mm: MatmulShape, cands: readonly GridChoice[], all: readonly GridChoice[]): GridChoice[] {
  const out = [...cands];
  const labels = new Set(out.map(gridLabel));
  for (const c of all) {
    for (const x of [c, kSplit(ctx, mm, c)]) {
      if (x === undefined || labels.has(gridLabel(x))) continue;
      labels.add(gridLabel(x));
      out.push(x);
    }
  }
  return out;
}

/** What the grid choice of a matmul-like group depends on, as a key: its ops and shapes, how its inputs are held, its candidates. */
function situation(ctx: LowerContext, grp: OpGroup, mm: MatmulShape, cands: readonly GridChoice[], follower: { gr: number; gc: number } | undefined): string {
  const held = (t: TensorId): unknown => {
    const p = ctx.placed.get(ctx.aliases.get(t)?.source ?? t);
    if (p === undefined) return 'dram';
    return p.parts.map((part) => part.home === 'dram' ? 'dram' : [part.grid.gridRows, part.grid.gridCols, part.grid.rowChunk, part.grid.colChunk, part.grid.row0, part.grid.rowEnd, part.grid.coreOf[0], part.grid.coreOf.length]);
  };
  const inputs = [mm.a, ...grp.extraInputs].map((t) => [ctx.views(t).tileRows, ctx.views(t).tileCols, held(t)]);
  return JSON.stringify([grp.nodes.map((n) => n.op), mm.outView.tileRows, mm.outView.tileCols, mm.bView.tileRows, mm.bView.tileCols, mm.taps, mm.usefulRows, mm.geometry, ctx.graph.tensors[mm.b]!.isConstant, inputs, cands, follower]);
}
