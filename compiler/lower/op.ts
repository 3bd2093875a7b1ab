// Lowering one op group onto a grid of cores: the output's home and buffers, then the 2D matmul
// (matmul2d.ts) or the row-distributed map lowering (map-op.ts), then closing the op. Shared by
// op-by-op compilation (each op on the whole grid) and the pipeline (each op on its stage's region,
// once per micro-batch).

import { SpatialcError } from '../../arch/errors.js';
import type { Graph, TensorId } from '../graph.js';
import { nodeMacs } from '../ops/node-macs.js';
import type { OpClass } from './classify.js';
import { gridShards, placeConstant, placeResidentInput, type LowerContext } from './context.js';
import type { OpGroup } from './group.js';
import type { TileAlias } from './tile-alias.js';
import { shardGrid, type MatrixView, type ShardGrid } from './layout.js';
import { anchorInputs, canSplitCols, chooseMapGrid, lowerMapOp } from './map-op.js';
import { lowerSplitRowwise, splitsRows } from './rowwise-split.js';
import { lowerSplitPool, planPoolSplit, splitHolders } from './pool-split.js';
import { in0Rows, lowerMatmul2d, type KeptWeights, type MatmulShape } from './matmul2d.js';
import { anchorFootprint, extraFootprint } from './input-footprints.js';
import type { TileRect } from './layout.js';
import { closeOutput, planOutput } from './output.js';
import { constantBytesPerCore } from './weights.js';

/** Fraction of the per-core budget an op's working set must keep for its output to stay in SRAM. */
const MIN_WORKING_SHARE = 0.25;

/** How an op's output tiles are spread: height (rows over cores), block (2D) or width (columns). */
export interface GridChoice {
  readonly kind: 'height' | 'block' | 'width';
  readonly gr: number;
  readonly gc: number;
  /** K-split (matmul-like ops): each output block's K-steps split over this many cores (default 1). */
  readonly gk?: number;
}

/** One micro-batch of an op (pipeline mode): its output tile rows, and the weights it keeps across micro-batches. */
export interface MicroBatch {
  readonly rows: readonly [number, number];
  /** Parts of the output alive at once (their readers free them as they move on): SRAM the home decision counts. */
  readonly live: number;
  readonly kept?: KeptWeights;
}

export interface Lowered {
  readonly lowering: 'matmul2d' | 'map';
  readonly macs: number;
  readonly strategy: string;
  readonly coresUsed: number;
  readonly programIndex: number;
}

/** Rewrites a group's tensor references to root tensors (views resolved). */
export function resolveGroup(grp: OpGroup, rootOf: readonly TensorId[]): OpGroup {
  const r = (t: TensorId) => rootOf[t] ?? t;
  const cls = grp.cls;
  const resolved: OpClass =
    cls.kind === 'matmul' ? { ...cls, a: r(cls.a), b: r(cls.b), ...(cls.c !== undefined ? { c: r(cls.c) } : {}) }
    : cls.kind === 'conv' ? { ...cls, x: r(cls.x) }
    : cls.kind === 'window' || cls.kind === 'rowwise' ? { ...cls, x: r(cls.x) }
    : cls.kind === 'eltwise' || cls.kind === 'data' ? { ...cls, inputs: cls.inputs.map(r) }
    : cls;
  return { ...grp, cls: resolved, extraInputs: grp.extraInputs.map(r) };
}

/** The root tensors a group reads, and the sources of those that are tile aliases (it reads their tiles). */
export function anchorInputsOf(grp: OpGroup, rootOf: readonly TensorId[], graph: Graph, aliases?: ReadonlyMap<TensorId, TileAlias>): TensorId[] {
  const g = resolveGroup(grp, rootOf);
  const ins = [...anchorInputs(g.cls, g.anchor, rootOf, graph), ...g.extraInputs];
  const sources = aliases === undefined ? [] : ins.flatMap((t) => { const a = aliases.get(t); return a === undefined ? [] : [a.source]; });
  return [...ins, ...sources];
}

/** For every root tensor, the index of the last group reading it (directly or through an alias). */
export function lastReaders(groups: readonly OpGroup[], rootOf: readonly TensorId[], graph: Graph, aliases?: ReadonlyMap<TensorId, TileAlias>): Map<TensorId, number> {
  const last = new Map<TensorId, number>();
  for (const grp of groups) for (const t of anchorInputsOf(grp, rootOf, graph, aliases)) last.set(t, grp.index);
  return last;
}

/**
 * Lowers a group on `choice`'s grid over the context's area: its whole output, or the rows of one
 * micro-batch (`mb`).
 */
export function lowerOnGrid(
  ctx: LowerContext, grp: OpGroup, mm: MatmulShape | undefined, choice: GridChoice, isGraphOutput: boolean, resident: Set<TensorId>, residentIo: boolean,
  mb?: MicroBatch,
): Lowered {
  const view = ctx.views(grp.output);
  const cls = grp.cls;
  const { gr, gc } = choice;
  const grid = shardGrid(ctx.area, view, gr, gc, mb?.rows);
  const poolSplit = mm === undefined && mb === undefined ? planPoolSplit(ctx, grp, grid) : undefined;
  const helpers = mm !== undefined && mb === undefined ? splitHelpers(ctx, grid, choice.gk ?? 1)
    : poolSplit !== undefined ? splitHolders(poolSplit, grid) : [];
  for (const t of anchorInputs(cls, grp.anchor, ctx.rootOf, ctx.graph).concat(grp.extraInputs)) {
    if (!resident.has(t)) continue;
    resident.delete(t);
    const v = ctx.views(t);
    placeResidentInput(ctx, grp.index, t, shardGrid(ctx.area, v, Math.min(gr, v.tileRows), Math.min(gc, v.tileCols)));
  }
  const budgetAll = ctx.sramBudgetBytes - Math.max(0, ...[...grid.coreOf, ...helpers].map((c) => ctx.residentBytes[c] ?? 0));
  const shardBytes = grid.rowChunk * grid.colChunk * ctx.tileBytes * (mb?.live ?? 1);
  const toDram = (isGraphOutput && !residentIo) || budgetAll - shardBytes < MIN_WORKING_SHARE * ctx.sramBudgetBytes;
  const budget = toDram ? budgetAll : budgetAll - shardBytes;
  if (budget <= 0) {
    throw new SpatialcError('E_DOES_NOT_FIT', `node "${grp.anchor.name}" (${grp.anchor.op}): no SRAM left on the cores for its working set`);
  }
  const out = planOutput(ctx, grp, view, grid, budget, toDram, helpers);
  const macs = groupMacs(ctx, grp);
  // The group's constants (biases, norm scales, depthwise weights) come in buffers of their own.
  const opBudget = Math.max(budget / 2, budget - constantBytesPerCore(ctx, grp, grid, view, mm?.b));
  const ws = mm !== undefined ? lowerMatmul2d(ctx, grp, mm, out, opBudget, mb?.kept, helpers)
    : poolSplit !== undefined ? lowerSplitPool(ctx, grp, out, poolSplit)
    : grid.gridCols > 1 && splitsRows(ctx, grp) ? lowerSplitRowwise(ctx, grp, out, opBudget)
    : lowerMapOp(ctx, grp, out, opBudget, macs);
  for (const buf of out.workBuffers.values()) ctx.b.resizeBuffer(buf, Math.min(ws, opBudget));
  const placed = closeOutput(ctx, grp, out);
  if (isGraphOutput && out.home === 'sram') ctx.setShards(out.programIndex, placed.parts.filter((p) => p.home === 'sram').flatMap((p) => gridShards(p.grid, view)));
  const split = helpers.length > 0 ? ` k${helpers.length / grid.coreOf.length + 1}` : '';
  const strategy = mm !== undefined ? `${choice.kind} ${gr}x${gc}${split}`
    : poolSplit !== undefined ? `rows ${gr}x${gc}, reduced on ${helpers.length + grid.coreOf.length} holders` : `rows ${gr}x${gc}`;
  return { lowering: mm !== undefined ? 'matmul2d' : 'map', macs, strategy, coresUsed: grid.coreOf.length + helpers.length, programIndex: out.programIndex };
}

/**
 * The helper cores of a K-split over `gk` K-chunks: (gk - 1) per core of the output grid, from the
 * area's cores the grid leaves idle, in order (none when they are too few).
 */
function splitHelpers(ctx: LowerContext, grid: ShardGrid, gk: number): number[] {
  if (gk <= 1) return [];
  const owners = new Set(grid.coreOf);
  const a = ctx.area;
  const idle: number[] = [];
  for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) {
    const core = (a.row0 + r) * a.stride + a.col0 + c;
    if (!owners.has(core)) idle.push(core);
  }
  const need = (gk - 1) * grid.coreOf.length;
  return idle.length >= need ? idle.slice(0, need) : [];
}

function intAttr(n: { readonly attrs: Graph['nodes'][number]['attrs'] }, name: string): number | undefined {
  const a = n.attrs[name];
  return a !== undefined && a.kind === 'int' ? a.value : undefined;
}

export function groupMacs(ctx: LowerContext, grp: OpGroup): number {
  return grp.outputIndex === 0 ? nodeMacs(ctx.graph, grp.anchor) : 0;
}

/** The 2D-matmul description of a group, when its anchor is a matmul with a shared in1 or a conv. */
export function matmulShape(ctx: LowerContext, grp: OpGroup, outView: MatrixView): MatmulShape | undefined {
  const cls = grp.cls;
  // Gemm with an activation C or a transposed A runs row-distributed (the reference kernel does it all).
  if (cls.kind === 'matmul' && cls.batch === 1 && cls.c === undefined && !cls.transA && (grp.anchor.op === 'MatMul' || grp.anchor.op === 'Gemm')) {
    if (cls.bIsConst) placeConstant(ctx, cls.b, grp.anchor.op === 'Gemm' && intAttr(grp.anchor, 'transB') === 1 ? 'weight-nk' : 'weight-kn');
    const bView = ctx.views(cls.b);
    return { a: cls.a, b: cls.b, bView, outView, usefulRows: Math.min(32, cls.m), taps: 1, macs: cls.m * cls.k * cls.n };
  }
  if (cls.kind === 'conv' && cls.geometry !== undefined && grp.anchor.op === 'Conv' && cls.isDense && ctx.graph.tensors[cls.w]!.isConstant) {
    placeConstant(ctx, cls.w, 'weight-conv');
    const bView = ctx.views(cls.w);
    const macs = cls.batch * cls.outHw * cls.cout * cls.cin * cls.taps;
    return { a: cls.x, b: cls.w, bView, outView, usefulRows: Math.min(32, outView.rows), taps: cls.taps, macs, ...(cls.geometry ? { geometry: cls.geometry } : {}) };
  }
  return undefined;
}

/**
 * The first tile row of input `t` that output rows [fromRow, end) of `grp` still read (Infinity
 * when none): the footprint of every output row not lowered yet, so rows of `t` before it are
 * never read again by this group, whatever order its footprints take.
 */
export function firstRowNeeded(ctx: LowerContext, grp: OpGroup, t: TensorId, fromRow: number): number {
  const view = ctx.views(grp.output);
  if (fromRow >= view.tileRows) return Infinity;
  const rect: TileRect = { r0: fromRow, r1: view.tileRows, c0: 0, c1: view.tileCols };
  const outShape = ctx.shapeOf(grp.output);
  const rects: TileRect[] = [];
  if (grp.extraInputs.includes(t)) rects.push(...extraFootprint(ctx, grp, t, outShape)(rect));
  const mm = matmulShape(ctx, grp, view);
  if (mm !== undefined) {
    if (t === mm.b) return 0;
    if (t === mm.a) {
      const [r0, r1] = in0Rows(mm, rect.r0, rect.r1, view.tileRows, ctx.views(mm.a));
      rects.push({ r0, r1, c0: 0, c1: 1 });
    }
  } else if (anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph).includes(t)) {
    rects.push(...anchorFootprint(ctx, grp, t, outShape)(rect));
  }
  let first = Infinity;
  for (const r of rects) if (r.r1 > r.r0 && r.c1 > r.c0) first = Math.min(first, r.r0);
  return first;
}

/** The grid of a row-distributed group over `view` (columns split when the op allows it). */
export function mapGrid(ctx: LowerContext, grp: OpGroup, view: MatrixView): { gr: number; gc: number } {
  return chooseMapGrid(ctx, view, canSplitCols(ctx, grp) || splitsRows(ctx, grp));
}
