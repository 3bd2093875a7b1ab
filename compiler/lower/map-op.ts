// Row-distributed lowering for everything that is not a 2D matmul: element-wise and row-wise ops
// (softmax, normalisation, reductions), sliding windows (pooling, depthwise conv), data movement
// (transpose, concat, slice, gather) and batched matmuls of two activations (attention). Output
// tile rows are spread over every core (and tile columns too when the op allows it); each core
// streams its input rows in blocks, computes, and keeps or writes back its output block.

import type { Graph, Node, TensorId } from '../graph.js';
import type { TaskId, WorkItem } from '../program.js';
import type { OpClass } from './classify.js';
import { coreCount, fetchRect, tilesBytes, type LowerContext } from './context.js';
import type { OpGroup } from './group.js';
import { rectTiles, rectsTiles, tileRegion, type MatrixView, type TileRect } from './layout.js';
import type { Footprint } from './footprint.js';
import { anchorFootprint } from './input-footprints.js';
import { finishOutputBlock, fusedWorkItems, type OutputPlan } from './output.js';
import { finishInputs } from './matmul2d.js';
import { earlyInputs, fetchConstants, prefetchInputs } from './weights.js';

/** Picks the logical grid for a row-distributed op. */
export function chooseMapGrid(ctx: LowerContext, view: MatrixView, splitCols: boolean): { gr: number; gc: number } {
  const p = coreCount(ctx);
  const gr0 = Math.min(p, view.tileRows);
  const gc0 = splitCols ? Math.max(1, Math.min(view.tileCols, Math.floor(p / gr0))) : 1;
  const rowChunk = Math.ceil(view.tileRows / gr0);
  const colChunk = Math.ceil(view.tileCols / gc0);
  return { gr: Math.ceil(view.tileRows / rowChunk), gc: Math.ceil(view.tileCols / colChunk) };
}

/**
 * True when the op's output columns can be split across cores without extra communication:
 * element-wise, window and data ops, and the row-wise ops whose columns (channels, in feature-map
 * layout) are independent: global pools, instance norm, inference batch norm.
 */
export function canSplitCols(ctx: LowerContext, grp: OpGroup): boolean {
  const cls = grp.cls;
  if (cls.kind === 'eltwise' || cls.kind === 'window' || cls.kind === 'data') return true;
  if (cls.kind !== 'rowwise' || !PER_CHANNEL.has(grp.anchor.op)) return false;
  const training = grp.anchor.attrs['training_mode'];
  if (training !== undefined && training.kind === 'int' && training.value === 1) return false;
  return ctx.shapeOf(cls.x).layout === 'feature-map' && ctx.shapeOf(grp.output).layout === 'feature-map';
}

/** Row-wise ops that reduce or normalise each channel on its own. */
const PER_CHANNEL = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'InstanceNormalization', 'BatchNormalization']);

/** Activation inputs the anchor reads: the class's main inputs first, then every other one. */
export function anchorInputs(cls: OpClass, anchor?: Node, rootOf?: readonly TensorId[], graph?: Graph): TensorId[] {
  const main: TensorId[] = (() => {
    switch (cls.kind) {
      case 'eltwise': case 'data': return [...cls.inputs];
      case 'window': case 'rowwise': return [cls.x];
      case 'matmul': return cls.c === undefined ? [cls.a, cls.b] : [cls.a, cls.b, cls.c];
      case 'conv': return [cls.x];
      case 'view': return [cls.src];
    }
  })();
  if (anchor === undefined || graph === undefined) return main;
  const rest = anchor.inputs
    .filter((i): i is TensorId => i !== undefined && !graph.tensors[i]!.isConstant)
    .map((i) => rootOf?.[i] ?? i);
  return [...new Set([...main, ...rest])];
}

/**
 * A reduce of one tile on the matrix unit costs an 8-row pass of a tile product: tt-metal's matrix
 * engine report gives reductions at 16x16 per cycle, a quarter of a 32-row tile product's rate.
 */
const REDUCE_PASS_ROWS = 8;

/** Reduces of `tiles` tiles on the matrix unit (tt-metal's reduce_tile). */
export function reduceWork(tiles: number): WorkItem {
  return { unit: 'matmul', tiles, rows: REDUCE_PASS_ROWS };
}

const GLOBAL_POOLS = new Set(['GlobalAveragePool', 'GlobalMaxPool']);

export function isGlobalPool(grp: OpGroup): boolean {
  return grp.cls.kind === 'rowwise' && GLOBAL_POOLS.has(grp.anchor.op);
}

/** Work of a global pool reducing `inputTiles` tiles into `outTiles` output tiles, and finishing them. */
export function globalPoolWork(inputTiles: number, outTiles: number): WorkItem[] {
  return [reduceWork(Math.max(inputTiles, outTiles)), { unit: 'eltwise', tiles: outTiles }];
}

/** Matrix-unit and FPU work of the anchor for `outTiles` output tiles. */
export function anchorWork(cls: OpClass, outTiles: number): { work: WorkItem[]; hasMacs: boolean } {
  switch (cls.kind) {
    case 'matmul':
      return { work: [{ unit: 'matmul', tiles: outTiles * Math.ceil(cls.k / 32), rows: Math.min(32, cls.m) }], hasMacs: true };
    case 'window':
      // A depthwise conv multiplies each tap's input tile by a diagonal weight tile on the matrix
      // unit (ttnn expands grouped weights block-diagonally; only the diagonal tile is non-zero,
      // so the others are skipped); pooling accumulates taps on the FPU.
      return cls.hasWeights
        ? { work: [{ unit: 'matmul', tiles: outTiles * cls.taps, rows: 32 }], hasMacs: true }
        : { work: [{ unit: 'eltwise', tiles: outTiles * cls.taps }], hasMacs: false };
    case 'rowwise': case 'eltwise': {
      const w: WorkItem[] = [];
      if (cls.work.eltwise > 0) w.push({ unit: 'eltwise', tiles: Math.ceil(outTiles * cls.work.eltwise) });
      for (const f of cls.work.sfpu) w.push({ unit: 'sfpu', fn: f.fn, tiles: Math.ceil(outTiles * f.passes) });
      return { work: w, hasMacs: false };
    }
    case 'conv':
      return { work: [{ unit: 'matmul', tiles: outTiles * Math.ceil((cls.taps * cls.cin) / 32), rows: 32 }], hasMacs: true };
    case 'data': case 'view':
      return { work: [{ unit: 'eltwise', tiles: outTiles }], hasMacs: false };
  }
}

/** Input tiles needed per output tile row (for block sizing). */
function inputTilesPerOutRow(ctx: LowerContext, inputs: readonly TensorId[], out: MatrixView, colFraction: number): number {
  let t = 0;
  for (const x of inputs) {
    const v = ctx.views(x);
    t += (v.tileRows / Math.max(1, out.tileRows)) * (v.tileCols === out.tileCols ? v.tileCols * colFraction : v.tileCols);
  }
  return t;
}

/** Lowers a row-distributed op group; returns the per-core working set it used. */
export function lowerMapOp(ctx: LowerContext, grp: OpGroup, out: OutputPlan, budget: number, macsTotal: number): number {
  const { grid, view } = out;
  const inputs = anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph);
  const colFraction = grid.colChunk / Math.max(1, view.tileCols);
  const perRow = inputTilesPerOutRow(ctx, inputs, view, colFraction) + grid.colChunk;
  const rb = Math.max(1, Math.min(grid.rowChunk, Math.floor(budget / (2 * perRow * ctx.tileBytes))));
  // One output tile row whose inputs overflow SRAM (a global pool over a large image) streams
  // them in chunks, double-buffered, reducing as they come.
  const chunkTiles = 2 * perRow * ctx.tileBytes > budget && new Set(inputs).size === 1
    ? Math.max(1, Math.floor((budget / ctx.tileBytes - 2 * grid.colChunk) / 2)) : undefined;
  const workingSetBytes = chunkTiles !== undefined ? (2 * chunkTiles + 2 * grid.colChunk) * ctx.tileBytes : Math.ceil(2 * rb * perRow * ctx.tileBytes);
  const op = grp.index;
  const totalOutTiles = view.tileRows * view.tileCols;
  const outShape = ctx.shapeOf(out.tensor);
  const footprints = new Map([...new Set(inputs)].map((x) => [x, anchorFootprint(ctx, grp, x, outShape)] as const));
  let macsLeft = macsTotal;
  // Block-major: the k-th block of every core before any core's (k+1)-th, so a core holding input
  // rows serves its readers in the order they need them (core by core, a holder's sends to the
  // next core would queue behind every block of the previous one).
  const constants = fetchConstants(ctx, grp, grid, view, out);
  const cores = [];
  for (let i = 0; i < grid.gridRows; i++) {
    for (let j = 0; j < grid.gridCols; j++) {
      const core = grid.coreOf[i * grid.gridCols + j]!;
      const c0 = j * grid.colChunk;
      const c1 = Math.min(view.tileCols, c0 + grid.colChunk);
      const start = grid.row0 + i * grid.rowChunk;
      const end = Math.min(grid.rowEnd, grid.row0 + (i + 1) * grid.rowChunk);
      if (start >= end || c0 >= c1) continue;
      cores.push({ core, c0, c1, start, end, done: [] as TaskId[], constDeps: constants.get(core) ?? [] });
    }
  }
  // Inputs made before the previous op (attention's K and V, from the QKV projection two and four
  // ops back) are fetched ahead (weights.ts prefetchInputs) when each core has one block. They land
  // in buffers of their own, so the working set no longer holds them (it counted each twice).
  let prefetched = 0;
  if (chunkTiles === undefined && cores.every((c) => c.start + rb >= c.end)) {
    const early = earlyInputs(ctx, grp, grid, view, [...footprints].map(([x, fp]) => ({ x, tilesOn: (cell: TileRect) => rectsTiles(fp(cell)) })));
    prefetched = prefetchInputs(ctx, grp, out, early);
  }
  for (let k = 0; cores.some((c) => c.start + k * rb < c.end); k++) {
    for (const { core, c0, c1, start, end, done, constDeps } of cores) {
      const r0 = start + k * rb;
      if (r0 >= end) continue;
      const r1 = Math.min(end, r0 + rb);
      const rect: TileRect = { r0, r1, c0, c1 };
      const deps = [...constDeps];
      const needed = COPY_OPS.has(grp.anchor.op) ? (r1 - r0) * (c1 - c0) : undefined;
      if (chunkTiles !== undefined) {
        const [x, fp] = [...footprints][0]!;
        const rects = fp(rect);
        // A global pool reduces every input tile it streams; anything else does its share of the op's work per chunk.
        const chunkWork = isGlobalPool(grp) ? [reduceWork(rectsTiles(rects))] : anchorWork(grp.cls, (r1 - r0) * (c1 - c0)).work;
        deps.push(...streamChunks(ctx, grp, x, rects, chunkTiles, core, done, chunkWork));
      } else for (const [x, fp] of footprints) deps.push(...fetchInput(ctx, op, x, fp, rect, core, done, needed, out.earlyInputs.get(x)));
      deps.push(...finishInputs(ctx, grp, out, rect, core));
      const tiles = (r1 - r0) * (c1 - c0);
      const { work, hasMacs } = chunkTiles !== undefined ? { work: [{ unit: 'eltwise' as const, tiles }], hasMacs: false }
        : isGlobalPool(grp) ? { work: globalPoolWork(rectsTiles([...footprints.values()][0]!(rect)), tiles), hasMacs: false }
        : anchorWork(grp.cls, tiles);
      const share = macsTotal > 0 ? Math.min(macsLeft, Math.round((macsTotal * tiles) / Math.max(1, totalOutTiles))) : 0;
      // Ops the class does not price on the matrix unit (integer / quantized matmuls) still pay for their MACs.
      if (!hasMacs && share > 0) work.push({ unit: 'matmul', tiles: Math.ceil(share / (32 * 32 * 32)), rows: 32 });
      macsLeft -= share;
      work.push(...fusedWorkItems(grp, tiles));
      const region = tileRegion(out.programIndex, { r0, r1, c0, c1 });
      const t = ctx.b.compute(
        { core, op, deps },
        work, share, tilesBytes(ctx, tiles * (inputs.length + 1)), tilesBytes(ctx, tiles),
        region, region,
      );
      done.push(t);
      finishOutputBlock(ctx, grp, out, core, rect, t);
    }
  }
  return prefetched > 0 ? Math.max(workingSetBytes - prefetched, Math.ceil(2 * rb * grid.colChunk * ctx.tileBytes)) : workingSetBytes;
}

/**
 * Streams an input footprint too large for SRAM in chunks of `chunkTiles` tiles: each chunk is
 * fetched (double-buffered) and reduced by a compute task doing its share of the op's `work` (no
 * output yet); returns the last such task. The block's final compute waits for it and only
 * finishes the output tiles (one pass, plus the fused followers).
 */
function streamChunks(
  ctx: LowerContext, grp: OpGroup, x: TensorId, rects: readonly TileRect[], chunkTiles: number, core: number, done: TaskId[], work: readonly WorkItem[],
): TaskId[] {
  const chunks: TileRect[][] = [[]];
  let size = 0;
  for (const r of rects) {
    const width = Math.max(1, r.c1 - r.c0);
    for (let r0 = r.r0; r0 < r.r1;) {
      const room = Math.max(1, Math.floor((chunkTiles - size) / width));
      const r1 = Math.min(r.r1, r0 + room);
      chunks[chunks.length - 1]!.push({ ...r, r0, r1 });
      size += (r1 - r0) * width;
      r0 = r1;
      if (size >= chunkTiles && r0 < r.r1) { chunks.push([]); size = 0; }
    }
  }
  const total = rectsTiles(rects);
  let last: TaskId[] = [];
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const slot = done.length >= 2 ? [done[done.length - 2]!] : [];
    const got = fetchRect(ctx, { op: grp.index, tensor: x, rects: chunk, dsts: [core], engine: 'reader', deps: slot }).get(core) ?? [];
    const frac = rectsTiles(chunk) / Math.max(1, total);
    const part = work.map((w) => ({ ...w, tiles: Math.ceil(w.tiles * frac) }));
    const t = ctx.b.compute({ core, op: grp.index, deps: [...got, ...last] }, part, 0, tilesBytes(ctx, Math.ceil(total * frac)), 0);
    done.push(t);
    last = [t];
  }
  return last;
}

/**
 * Brings the input tiles an output block needs to its core (double-buffered), or, with `opens`
 * (weights.ts prefetchInputs), into the input's own buffer, opened ahead of the op.
 */
function fetchInput(ctx: LowerContext, op: number, x: TensorId, fp: Footprint, rect: TileRect, core: number, done: readonly TaskId[], neededTiles?: number, opens?: ReadonlyMap<number, TaskId>): TaskId[] {
  const slot = opens === undefined && done.length >= 2 ? [done[done.length - 2]!] : [];
  return fetchRect(ctx, {
    op, tensor: x, rects: fp(rect), dsts: [core], engine: 'reader', deps: slot,
    ...(neededTiles !== undefined ? { neededTiles } : {}), ...(opens !== undefined ? { prefetch: { opens } } : {}),
  }).get(core) ?? [];
}

/**
 * Ops whose every output element is a copy of at most one input element (or a constant): a block
 * needs at most its own size of input, however many tiles that input is spread over.
 */
const COPY_OPS = new Set([
  'Transpose', 'Reshape', 'Slice', 'Concat', 'Split', 'Gather', 'Tile', 'Expand', 'Pad', 'DepthToSpace', 'SpaceToDepth',
  'Flatten', 'Squeeze', 'Unsqueeze', 'Identity',
]);
