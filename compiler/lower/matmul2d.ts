// 2D block-sharded matmul and convolution over the compute grid (Tenstorrent's matmul_2d):
// output tiles are split by rows over grid rows and by columns over grid columns; at every
// K-step the in0 block of a grid row is multicast along that row and the in1 (weight) block of a
// grid column is multicast down that column. Convolution runs as an implicit-im2col matmul: the
// input slab of a block of output pixels is fetched once per input-channel block and reused for
// every kernel tap. Weight slices stay resident in SRAM when they fit.

import { computeCycles } from '../../arch/core-timing.js';
import type { TaskId, WorkItem } from '../program.js';
import { coreCount, fetchRect, tilesBytes, type LowerContext } from './context.js';
import type { OpGroup } from './group.js';
import { tileRegion, type MatrixView, type ShardGrid, type TileRect } from './layout.js';
import { extraFootprint } from './input-footprints.js';
import { in0Rows, packedK, type Blocking, type MatmulShape } from './matmul-shape.js';
import { placeNearReaders, type ReadBlock } from './dram-placement.js';
import { fetchConstants, keepWeights, keptBlocking, prefetchBuffers, type KeptWeights } from './weights.js';
import { fusedWorkItems, finishOutputBlock, type OutputPlan } from './output.js';

export { in0Rows, packedK, type MatmulShape } from './matmul-shape.js';
export type { KeptWeights } from './weights.js';

/**
 * Picks the logical grid (rows x cols of cores) for an Mt x Nt tile output: the fewest output
 * tiles per core, with grids off the physical rectangle (row/column multicasts no longer on
 * physical rows and columns) counted 1.5x, then fewer cores.
 */
export function chooseMatmulGrid(ctx: LowerContext, mt: number, nt: number): { gr: number; gc: number } {
  const p = coreCount(ctx);
  let best = { gr: 1, gc: 1, cost: Infinity };
  for (let gr = 1; gr <= Math.min(mt, p); gr++) {
    const gc = Math.min(nt, Math.floor(p / gr));
    const perCore = Math.ceil(mt / gr) * Math.ceil(nt / gc);
    // Off the physical rectangle, row and column multicasts no longer run along core rows and
    // columns (they turn corners and cross each other): counted as half as many tiles again.
    const rect = gr <= ctx.gridRows && gc <= ctx.gridCols ? 1 : 1.5;
    const cost = perCore * rect + (gr * gc) / (p * 1000);
    if (cost < best.cost) best = { gr: Math.ceil(mt / Math.ceil(mt / gr)), gc: Math.ceil(nt / Math.ceil(nt / gc)), cost };
  }
  return { gr: best.gr, gc: best.gc };
}

/** The widest K-step, in in0 column tiles (chooseBlocking tries 8, 4, 2, 1). */
export const MAX_K_STEP_TILES = 8;

/**
 * Candidate block edges for `per` tiles, largest first: the balanced split into k blocks,
 * ceil(per / k), for every k (so 37 rows may go as 19, 13, 10, 8, ... and not only by halving).
 */
function edges(per: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= per; k++) {
    const e = Math.ceil(per / k);
    if (out[out.length - 1] !== e) out.push(e);
  }
  return out;
}

/**
 * With its weights resident, a core's shard taller than this many tile rows is computed in at
 * least two row blocks: no tile product starts before the first block's in0 has arrived, so a
 * shard in one block idles its core for the whole gather (ResNet-50 at batch 16: 25 tile rows
 * per core, the first block's operands took 32k cycles to arrive before 42k of compute). Shorter
 * blocks pay per-block overheads and convolution halos again; 4 made ResNet-50 b1 4% slower. An
 * assumption, measured (packet NoC, auto): ResNet-50 b16 -3.6%, VGG-16 -5.9%, ResNet-50 b4
 * +2.5% and ResNet-18 b8 +1.5% (other grids chosen), batch-1 models unchanged.
 */
const FILL_BLOCK_ROWS = 8;

/**
 * The blocking of one core's mPer x nPer output tiles under the SRAM budget: weights resident if
 * they fit, the widest K-step, then the output block (mb x nb accumulator; with resident weights,
 * at most half a shard taller than FILL_BLOCK_ROWS). Whole output columns
 * (nb = nPer) are kept while the row block stays at least half the shard (they simulate faster:
 * in1 then streams once per row block); past that, the block that moves the fewest operand tiles
 * (in0 is re-read once per column block, in1 once per row block). A heuristic until issue 5's cost
 * model replaces it.
 */
function chooseBlocking(ctx: LowerContext, s: MatmulShape, mPer: number, nPer: number, aRowsPerOutRow: number, aView: MatrixView, budget: number): Blocking {
  const tb = ctx.tileBytes;
  const aColTiles = aView.tileCols;
  // Weight tiles per in0 column tile step, packed (few input channels: taps x channels in K).
  const kOf = (c: number) => packedK(s, aView, 0, c);
  const residentW = kOf(aColTiles) * nPer * tb;
  const fit = (mb: number, nb: number, c: number, weightsResident: boolean): Blocking | undefined => {
    const in0 = 2 * Math.ceil(mb * aRowsPerOutRow + 1) * c * tb;
    const in1 = weightsResident ? residentW : 2 * kOf(c) * nb * tb;
    const acc = mb * nb * tb * 2;
    return in0 + in1 + acc <= budget ? { mb, nb, cb: c, weightsResident, workingSetBytes: in0 + in1 + acc } : undefined;
  };
  for (const weightsResident of [true, false]) {
    for (const cb of [MAX_K_STEP_TILES, 4, 2, 1]) {
      const c = Math.min(cb, aColTiles);
      const tallest = weightsResident ? Math.max(FILL_BLOCK_ROWS, Math.ceil(mPer / 2)) : mPer;
      const whole = edges(mPer).filter((mb) => mb <= tallest).map((mb) => fit(mb, nPer, c, weightsResident)).find((b) => b !== undefined);
      if (whole !== undefined && (weightsResident || 2 * whole.mb >= mPer)) return whole;
      if (weightsResident) continue;
      let best = whole;
      let bestCost = whole === undefined ? Infinity : moved(whole);
      for (const nb of edges(nPer)) {
        for (const mb of edges(mPer)) {
          const b = fit(mb, nb, c, false);
          if (b !== undefined && moved(b) < bestCost) { best = b; bestCost = moved(b); }
        }
      }
      if (best !== undefined) return best;
    }
  }
  return { mb: 1, nb: 1, cb: 1, weightsResident: false, workingSetBytes: (2 * Math.ceil(aRowsPerOutRow + 1) + 2 * kOf(1) + 2) * tb };

  function moved(b: Blocking): number {
    return mPer * aRowsPerOutRow * Math.ceil(nPer / b.nb) + kOf(1) * nPer * Math.ceil(mPer / b.mb);
  }
}

/**
 * Lowers a matmul or convolution group with 2D block sharding; returns the per-core working set.
 * With `kept` (pipeline micro-batches), weights that fit stay in SRAM from one micro-batch to the next.
 * With `helpers` (a K-split), each output block's K-steps are split into chunks: chunk 0 on the
 * block's owner in the grid, chunk k on helpers[(k - 1) * grid cores + cell], each chunk a 2D
 * matmul of its own (in0 along its row of cores, in1 down its column). Each helper sends its
 * partial sums to the owner (one tile per output tile, in the program's number format), which
 * adds them, then runs the fused followers: fewer operand bytes into each core for small-M
 * matmuls whose grid leaves cores idle, for one partial tile per output tile and helper.
 */
export function lowerMatmul2d(ctx: LowerContext, grp: OpGroup, s: MatmulShape, out: OutputPlan, budget: number, kept?: KeptWeights, helpers: readonly number[] = []): number {
  const { grid } = out;
  const aView = ctx.views(s.a);
  const mt = s.outView.tileRows;
  const aColTiles = aView.tileCols;
  const aRowsPerOutRow = aView.tileRows / Math.max(1, mt);
  // One core's weight slice: every K-tile (packed) of its grid column's output columns.
  const kTiles = packedK(s, aView, 0, aColTiles);
  const sliceBytes = kTiles * grid.colChunk * ctx.tileBytes;
  const keep = kept?.refused === true ? undefined : kept;
  const blk = keptBlocking(ctx, grid, keep, aRowsPerOutRow, budget) ?? chooseBlocking(ctx, s, grid.rowChunk, grid.colChunk, aRowsPerOutRow, aView, budget);
  if (keep !== undefined && keep.blocking === undefined) keepWeights(ctx, grp, grid, blk, sliceBytes, keep);
  const kept1 = keep?.refused === true ? undefined : keep;
  const kSteps = Math.ceil(aColTiles / blk.cb);
  const cells = grid.coreOf.length;
  const gk = Math.min(kSteps, helpers.length / cells + 1);
  const chunkOf = (st: number) => Math.floor((st * gk) / kSteps);
  const coreAt = (cell: number, k: number) => (k === 0 ? grid.coreOf[cell]! : helpers[(k - 1) * cells + cell]!);
  const mBlocks = Math.ceil(grid.rowChunk / blk.mb);
  const nBlocks = Math.ceil(grid.colChunk / blk.nb);
  const op = grp.index;
  const lastCompute = new Map<number, TaskId[]>(); // core -> compute tasks by its chunk's step counter
  const in1Arrived = kept1?.arrived ?? new Map<string, Map<number, TaskId[]>>();
  // Prefetched weight slices: with a K-split, every core of a chunk holds that chunk's K-steps only.
  const split = { ...grid, coreOf: [...grid.coreOf, ...helpers.slice(0, (gk - 1) * cells)] };
  const chunkBytes = Math.ceil((sliceBytes * Math.ceil(kSteps / gk)) / kSteps);
  const prefetch = kept === undefined && blk.weightsResident && ctx.graph.tensors[s.b]!.isConstant ? prefetchBuffers(ctx, grp, split, chunkBytes, out) : undefined;
  // Biases and other constants of the fused followers, needed by each block's last K-step.
  const constants = fetchConstants(ctx, grp, grid, s.outView, out, s.b);
  // One leader per column reads and multicasts the whole slice, at best at a link's rate each
  // way: when that outlasts a core's compute, the column's cores share the reading.
  const perCore = [{ unit: 'matmul' as const, tiles: grid.rowChunk * grid.colChunk * kTiles, rows: s.usefulRows }];
  const takeTurns = (2 * sliceBytes) / ctx.arch.noc.linkBytesPerCycle > computeCycles(ctx.arch, ctx, perCore);
  const macsPerTile = s.macs / Math.max(1, mt * s.outView.tileCols * aColTiles * s.taps);
  const colCoresOf = (j: number, k: number) => Array.from({ length: grid.gridRows }, (_, i) => coreAt(i * grid.gridCols + j, k));
  // Weights not stored yet go next to the cores that will read them (unless interleaved is asked for).
  if (ctx.weightLayout === 'near-readers' && ctx.graph.tensors[s.b]!.isConstant) {
    const blocks: ReadBlock[] = [];
    for (let nbi = 0; nbi < nBlocks; nbi++) {
      for (let st = 0; st < kSteps; st++) {
        const c0 = st * blk.cb;
        for (let j = 0; j < grid.gridCols; j++) {
          const rect = in1Rect(s, grid, blk, j, nbi, c0, Math.min(aColTiles, c0 + blk.cb));
          const col = colCoresOf(j, chunkOf(st));
          if (rect !== undefined) blocks.push({ core: col[in1Reader(col, st, takeTurns)]!, rect });
        }
      }
    }
    placeNearReaders(ctx, s.b, blocks);
  }
  // Chunks of more than two K-steps take their steps in turn (chunk 0's first, chunk 1's first,
  // ...): the cores holding in0 send each chunk its pieces in that order, so a chunk whose two
  // buffers are full does not hold up the others' sends behind it in the holders' in-order
  // streams. Chunk by chunk, a core holding the end of one chunk's in0 and the start of the next
  // sent the next one's only after the first chunk's last steps, and a skinny matmul's chunks
  // ran one after another. Chunks of one or two steps wait for their buffers only from one output
  // block to the next; they keep chunk order (in turn measured 1-3% slower on MobileNetV2/V3's
  // K-splits, packet NoC).
  const chunkSteps: number[][] = Array.from({ length: gk }, () => []);
  for (let st = 0; st < kSteps; st++) chunkSteps[chunkOf(st)]!.push(st);
  const stepOrder: number[] = [];
  if (Math.max(...chunkSteps.map((c) => c.length)) <= 2) stepOrder.push(...chunkSteps.flat());
  else for (let j = 0; j < kSteps; j++) for (const steps of chunkSteps) if (j < steps.length) stepOrder.push(steps[j]!);
  // Per chunk: its steps lowered so far. Its cores' compute lists are indexed by it, so a step's
  // fetches wait for the compute two of the same cores' steps back (double buffering). With one
  // counter for all chunks, as before, that look-back landed on another chunk's step whenever a
  // chunk had fewer than three steps per block, and those cores fetched without any bound.
  const counters = new Array<number>(gk).fill(0);
  for (let mbi = 0; mbi < mBlocks; mbi++) {
    for (let nbi = 0; nbi < nBlocks; nbi++) {
      // K-split: per output block, its owner's last chunk-0 step and the helpers' partial sums.
      const ownerLast = new Map<number, TaskId>();
      const partials = new Map<number, TaskId[]>();
      for (const st of stepOrder) {
        const c0 = st * blk.cb;
        const c1 = Math.min(aColTiles, c0 + blk.cb);
        const k = chunkOf(st);
        const counter = counters[k]!++;
        const chunkEnds = st === kSteps - 1 || chunkOf(st + 1) !== k;
        const slotDeps = (cores: readonly number[]) => cores.map((c) => lastCompute.get(c)?.[counter - 2]).filter((t): t is TaskId => t !== undefined);
        const colCores = (j: number) => colCoresOf(j, k);
        const in1 = fetchWeights(ctx, grp, s, grid, blk, nbi, st, c0, c1, slotDeps, in1Arrived, takeTurns, colCores, prefetch);
        for (let i = 0; i < grid.gridRows; i++) {
          const [r0, r1] = blockRows(grid, blk, i, mbi);
          if (r0 >= r1) continue;
          const rowCores = Array.from({ length: grid.gridCols }, (_, j) => coreAt(i * grid.gridCols + j, k));
          const [ar0, ar1] = in0Rows(s, r0, r1, mt, aView);
          const in0 = fetchRect(ctx, { op, tensor: s.a, rects: [{ r0: ar0, r1: ar1, c0, c1 }], dsts: rowCores, engine: 'reader', deps: slotDeps(rowCores) });
          for (let j = 0; j < grid.gridCols; j++) {
            const cell = i * grid.gridCols + j;
            const core = coreAt(cell, k);
            const [n0, n1] = blockCols(grid, s, blk, j, nbi);
            if (n0 >= n1) continue;
            const tiles = (r1 - r0) * packedK(s, aView, c0, c1) * (n1 - n0);
            const work: WorkItem[] = [{ unit: 'matmul', tiles, rows: s.usefulRows }];
            const deps = [...(in0.get(core) ?? []), ...(in1.get(j)?.get(core) ?? [])];
            const isLast = gk === 1 && st === kSteps - 1;
            const rect = { r0, r1, c0: n0, c1: n1 };
            const region = tileRegion(out.programIndex, rect);
            const extra = isLast ? [...finishInputs(ctx, grp, out, rect, core), ...(constants.get(core) ?? [])] : [];
            if (isLast) work.push(...fusedWorkItems(grp, (r1 - r0) * (n1 - n0)));
            const sramRead = tilesBytes(ctx, tiles * 2);
            const t = ctx.b.compute(
              { core, op, deps: [...deps, ...extra] },
              work, Math.round((r1 - r0) * (c1 - c0) * s.taps * (n1 - n0) * macsPerTile), sramRead, tilesBytes(ctx, (r1 - r0) * (n1 - n0)),
              isLast ? region : undefined, region, [c0, c1],
            );
            const list = lastCompute.get(core) ?? [];
            list[counter] = t;
            lastCompute.set(core, list);
            if (isLast) finishOutputBlock(ctx, grp, out, core, rect, t);
            if (gk > 1 && chunkEnds) {
              if (k === 0) ownerLast.set(cell, t);
              else {
                const owner = coreAt(cell, 0);
                const open = ctx.openOf.get(owner);
                const sent = ctx.b.send({ core, op, deps: open === undefined ? [t] : [t, open] }, 'writer', [owner], tilesBytes(ctx, (r1 - r0) * (n1 - n0)), undefined, region);
                partials.set(cell, [...(partials.get(cell) ?? []), sent]);
              }
            }
          }
        }
      }
      if (gk > 1) finishSplitBlocks(ctx, grp, s, out, mbi, nbi, blk, gk, ownerLast, partials, constants);
    }
  }
  return kept1 !== undefined || prefetch !== undefined ? blk.workingSetBytes - sliceBytes : blk.workingSetBytes;
}

/** Output tile rows [r0, r1) of row block `mbi` in grid row `i` (empty when the shard is shorter). */
function blockRows(grid: ShardGrid, blk: Blocking, i: number, mbi: number): [number, number] {
  const r0 = grid.row0 + i * grid.rowChunk + mbi * blk.mb;
  return [r0, Math.min(grid.rowEnd, grid.row0 + (i + 1) * grid.rowChunk, r0 + blk.mb)];
}

/** Output tile columns [n0, n1) of column block `nbi` in grid column `j` (empty past the matrix). */
function blockCols(grid: ShardGrid, s: MatmulShape, blk: Blocking, j: number, nbi: number): [number, number] {
  const n0 = j * grid.colChunk + nbi * blk.nb;
  return [n0, Math.min(s.outView.tileCols, (j + 1) * grid.colChunk, n0 + blk.nb)];
}

/**
 * A K-split's last step per output block, on its owner: adds the helpers' partial sums (one
 * element-wise pass per helper), runs the fused followers and completes the block.
 */
function finishSplitBlocks(
  ctx: LowerContext, grp: OpGroup, s: MatmulShape, out: OutputPlan, mbi: number, nbi: number, blk: Blocking, gk: number,
  ownerLast: ReadonlyMap<number, TaskId>, partials: ReadonlyMap<number, readonly TaskId[]>, constants: ReadonlyMap<number, readonly TaskId[]>,
): void {
  const { grid } = out;
  const kEnd = ctx.views(s.a).tileCols;
  for (const [cell, last] of ownerLast) {
    const core = grid.coreOf[cell]!;
    const [r0, r1] = blockRows(grid, blk, Math.floor(cell / grid.gridCols), mbi);
    const [n0, n1] = blockCols(grid, s, blk, cell % grid.gridCols, nbi);
    const rect = { r0, r1, c0: n0, c1: n1 };
    const tiles = (r1 - r0) * (n1 - n0);
    const work: WorkItem[] = [{ unit: 'eltwise', tiles: (gk - 1) * tiles }, ...fusedWorkItems(grp, tiles)];
    const deps = [last, ...(partials.get(cell) ?? []), ...finishInputs(ctx, grp, out, rect, core), ...(constants.get(core) ?? [])];
    const region = tileRegion(out.programIndex, rect);
    const t = ctx.b.compute({ core, op: grp.index, deps }, work, 0, tilesBytes(ctx, gk * tiles), tilesBytes(ctx, tiles), region, region, [kEnd, kEnd]);
    finishOutputBlock(ctx, grp, out, core, rect, t);
  }
}

/** in1 blocks for one K-step and column block, multicast down each grid column (once, when weights stay resident). */
function fetchWeights(
  ctx: LowerContext, grp: OpGroup, s: MatmulShape, grid: ShardGrid, blk: Blocking, nbi: number, st: number,
  c0: number, c1: number, slotDeps: (cores: readonly number[]) => TaskId[], cache: Map<string, Map<number, TaskId[]>>,
  takeTurns: boolean, colOf: (j: number) => number[], prefetch?: ReadonlyMap<number, TaskId>,
): Map<number, Map<number, TaskId[]>> {
  const byCol = new Map<number, Map<number, TaskId[]>>();
  for (let j = 0; j < grid.gridCols; j++) {
    const key = `${j}:${nbi}:${st}`;
    const cached = blk.weightsResident ? cache.get(key) : undefined;
    if (cached !== undefined) {
      byCol.set(j, cached);
      continue;
    }
    const rect = in1Rect(s, grid, blk, j, nbi, c0, c1);
    if (rect === undefined) continue;
    const col = colOf(j);
    const lead = in1Reader(col, st, takeTurns);
    const cores = [...col.slice(lead), ...col.slice(0, lead)];
    const deps = blk.weightsResident ? [] : slotDeps(cores);
    // Stored packed (taps x channels in K): the transfer moves the packed tiles of the step.
    const width = rect.c1 - rect.c0;
    const packed = packedK(s, ctx.views(s.a), c0, c1) * width;
    const arrived = fetchRect(ctx, {
      op: grp.index, tensor: s.b, rects: [rect], dsts: cores, engine: 'writer', deps,
      ...(packed < (rect.r1 - rect.r0) * width ? { packedTiles: packed } : {}), ...(prefetch !== undefined ? { prefetch: { opens: prefetch } } : {}),
    });
    cache.set(key, arrived);
    byCol.set(j, arrived);
  }
  return byCol;
}

/** The in1 (weight) tiles of grid column `j`'s column block `nbi` for the K-step of in0 tile columns [c0, c1). */
function in1Rect(s: MatmulShape, grid: ShardGrid, blk: Blocking, j: number, nbi: number, c0: number, c1: number): TileRect | undefined {
  const n0 = j * grid.colChunk + nbi * blk.nb;
  const n1 = Math.min(s.bView.tileCols, (j + 1) * grid.colChunk, n0 + blk.nb);
  return n0 < n1 ? { r0: c0 * s.taps, r1: Math.min(s.bView.tileRows, c1 * s.taps), c0: n0, c1: n1 } : undefined;
}

/**
 * Which of a grid column's cores reads K-step `st`'s in1 block from DRAM (it forwards the block
 * to the others): with `takeTurns`, the cores take turns; else the first reads them all.
 */
function in1Reader(col: readonly number[], st: number, takeTurns: boolean): number {
  return takeTurns ? st % col.length : 0;
}

/** Brings the fused followers' extra inputs (e.g. a residual) for one output block to its core. */
export function finishInputs(ctx: LowerContext, grp: OpGroup, out: OutputPlan, rect: TileRect, core: number): TaskId[] {
  const deps: TaskId[] = [];
  const outShape = ctx.shapeOf(out.tensor);
  for (const x of new Set(grp.extraInputs)) {
    const rects = extraFootprint(ctx, grp, x, outShape)(rect);
    const got = fetchRect(ctx, { op: grp.index, tensor: x, rects, dsts: [core], engine: 'reader', deps: [] });
    deps.push(...(got.get(core) ?? []));
  }
  return deps;
}
