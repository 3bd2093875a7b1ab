// Global pools (GlobalAveragePool, GlobalMaxPool) reduced where their input lies. A global pool's
// output is one row per image, so its row distribution gives each output tile column to one core,
// which would gather every pixel of its channels: an SE block's pool over a 112x112 image pulls
// 392 tiles into one core. Instead, every core holding a piece of the input reduces that piece in
// place (a reduce on the matrix unit per input tile, as tt-metal's reduce_h does with reduce_tile)
// and sends one partial tile per output tile to the output's owner, which combines the partials
// (one more reduce per partial), scales and packs.
//
// As in rowwise-split.ts, a partial's send is timed as the partial tiles but lists the input tiles
// it summarises, so the functional simulation (which evaluates the pool from the whole image)
// finds every pixel of its channels on the owner.

import { computeCycles } from '../../arch/core-timing.js';
import type { TaskId, WorkItem } from '../program.js';
import { fetchRect, gridShards, tilesBytes, type LowerContext } from './context.js';
import type { OpGroup } from './group.js';
import { anchorInputs, globalPoolWork, isGlobalPool, reduceWork } from './map-op.js';
import { anchorFootprint } from './input-footprints.js';
import { holdersOf, rectTiles, rectsTiles, tileRegion, type ShardGrid, type TileRect } from './layout.js';
import { finishInputs } from './matmul2d.js';
import { finishOutputBlock, fusedWorkItems, type OutputPlan } from './output.js';

/**
 * How much faster the split must be estimated to be. The estimate leaves out that a holder's
 * partial waits for the core to finish the op before (its gate), where a gather's send waits only
 * for the tiles. An assumption, not derived. Measured (packet NoC, us, EfficientNet-B0 /
 * MobileNetV3-L / MobileNetV3-S): margin 1 splits pools that then run slower (291.3 / 160.0 /
 * 90.4); 2, 3 and 4 give 290.1 / 155.3 / 90.1; 6 leaves pools worth splitting (299.8 / 155.3 / 96.0).
 */
const SPLIT_MARGIN = 4;
/** One output cell of the split: its owner, its output rect, and the input pieces each holder reduces. */
interface SplitCell {
  readonly owner: number;
  readonly rect: TileRect;
  readonly pieces: ReadonlyMap<number, readonly TileRect[]>;
}

/**
 * The split of a global pool over `grid` (its output's distribution), or undefined when the pool
 * should gather instead: its input is not wholly in SRAM shards (spilled, an alias, a graph input),
 * or some output cell has fewer than two holders or would take longer split than gathered. The
 * gather streams the cell's input into its owner through one link; the split costs the largest
 * holder's reduce, one partial's transfer and the owner's combine of every partial.
 */
export function planPoolSplit(ctx: LowerContext, grp: OpGroup, grid: ShardGrid): SplitCell[] | undefined {
  if (!isGlobalPool(grp)) return undefined;
  const inputs = anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph);
  if (inputs.length !== 1) return undefined;
  const x = inputs[0]!;
  const placed = ctx.placed.get(x);
  if (ctx.aliases.has(x) || placed === undefined || placed.parts.length === 0 || placed.parts.some((p) => p.home !== 'sram')) return undefined;
  const view = ctx.views(grp.output);
  const fp = anchorFootprint(ctx, grp, x, ctx.shapeOf(grp.output));
  const cells: SplitCell[] = [];
  for (const s of gridShards(grid, view)) {
    const rect: TileRect = { r0: s.row0, r1: s.row0 + s.rows, c0: s.col0, c1: s.col0 + s.cols };
    const pieces = new Map<number, TileRect[]>();
    let inputTiles = 0;
    for (const r of fp(rect)) {
      for (const part of placed.parts) {
        for (const h of holdersOf(part.grid, r)) {
          if (h.tiles === 0) continue;
          const list = pieces.get(h.core) ?? [];
          list.push(h.rect);
          pieces.set(h.core, list);
          inputTiles += h.tiles;
        }
      }
    }
    const outTiles = rectTiles(rect);
    const largest = Math.max(0, ...[...pieces.values()].map(rectsTiles));
    const link = ctx.arch.noc.linkBytesPerCycle;
    const gather = (inputTiles * ctx.tileBytes) / link + computeCycles(ctx.arch, ctx, globalPoolWork(inputTiles, outTiles));
    const split = computeCycles(ctx.arch, ctx, [reduceWork(largest)])
      + (outTiles * ctx.tileBytes) / link + computeCycles(ctx.arch, ctx, globalPoolWork(pieces.size * outTiles, outTiles));
    if (pieces.size < 2 || SPLIT_MARGIN * split > gather) return undefined;
    cells.push({ owner: s.core, rect, pieces });
  }
  return cells.length > 0 ? cells : undefined;
}

/** The cores a split pool runs on besides its output grid's: the holders of its input. */
export function splitHolders(cells: readonly SplitCell[], grid: ShardGrid): number[] {
  const owners = new Set(grid.coreOf);
  const out = new Set<number>();
  for (const c of cells) for (const h of c.pieces.keys()) if (!owners.has(h)) out.add(h);
  return [...out].sort((a, b) => a - b);
}

/** Lowers a split global pool (planPoolSplit's cells); returns the per-core working set. */
export function lowerSplitPool(ctx: LowerContext, grp: OpGroup, out: OutputPlan, cells: readonly SplitCell[]): number {
  const op = grp.index;
  const x = anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph)[0]!;
  const xp = ctx.placed.get(x)!;
  // Every holder's partials first, then the owners' combines: a core's in-order compute stream
  // must not hold a partial another owner waits for behind its own combine.
  const partials = cells.map(({ owner, rect, pieces }) => {
    const outTiles = rectTiles(rect);
    const sends: TaskId[] = [];
    let own: TaskId | undefined;
    for (const [holder, rects] of pieces) {
      // The holder's tiles are already there: waiting for them is waiting for their producer.
      const ready = fetchRect(ctx, { op, tensor: x, rects, dsts: [holder], engine: 'reader', deps: [] }).get(holder) ?? [];
      const opened = ctx.openOf.get(holder);
      const tiles = rectsTiles(rects);
      const partial = ctx.b.compute(
        { core: holder, op, deps: opened === undefined ? ready : [opened, ...ready] },
        [reduceWork(tiles)], 0, tilesBytes(ctx, tiles), tilesBytes(ctx, outTiles),
      );
      if (holder === owner) {
        own = partial;
        continue;
      }
      const opens = ctx.openOf.get(owner);
      sends.push(ctx.b.send({ core: holder, op, deps: opens === undefined ? [partial] : [partial, opens] }, 'writer', [owner], tilesBytes(ctx, outTiles),
        rects.map((r) => tileRegion(xp.programIndex, r))));
    }
    return { own, sends };
  });
  let most = 0;
  cells.forEach(({ owner, rect }, i) => {
    const { own, sends } = partials[i]!;
    const outTiles = rectTiles(rect);
    most = Math.max(most, sends.length + 1);
    const deps = [...(own === undefined ? [] : [own]), ...sends, ...finishInputs(ctx, grp, out, rect, owner)];
    const work: WorkItem[] = [...globalPoolWork(sends.length * outTiles, outTiles), ...fusedWorkItems(grp, outTiles)];
    const region = tileRegion(out.programIndex, rect);
    const t = ctx.b.compute({ core: owner, op, deps }, work, 0, tilesBytes(ctx, (sends.length + 1) * outTiles), tilesBytes(ctx, outTiles), region, region);
    finishOutputBlock(ctx, grp, out, owner, rect, t);
  });
  // Received partials and the owner's own, for the largest cell; holders keep one partial per cell.
  const cellTiles = Math.max(1, ...cells.map((c) => rectTiles(c.rect)));
  return tilesBytes(ctx, (most + 1) * cellTiles);
}
