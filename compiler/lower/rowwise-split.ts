// Row-wise reductions along the last axis (Softmax, LogSoftmax, LayerNormalization, the RMS norms)
// split across the columns of a grid row, as tt-metal's width-sharded layer norm does: each core
// reduces its own columns of a block of rows to partial statistics (sums, maxima), multicasts them
// to the other cores of its grid row, combines what it receives and normalises its own columns. A
// model with few rows (BERT at sequence 128: 4 tile rows) then spreads its layer norms over 48
// cores, not 4.
//
// The exchange is timed as one tile of partial statistics per tile row; it lists the sender's input
// block as what it delivers, so the functional simulation (which evaluates the op from whole rows)
// finds every column of the rows on each core. Modelled work: two FPU passes over the core's
// columns for the partial statistics, then the op's remaining passes on its columns, and a reduce
// on the matrix unit per received partial to combine them.

import { assert } from '../../arch/errors.js';
import type { TaskId, WorkItem } from '../program.js';
import { fetchRect, tilesBytes, type LowerContext } from './context.js';
import type { OpGroup } from './group.js';
import { tileRegion, type TileRect } from './layout.js';
import { finishInputs } from './matmul2d.js';
import { anchorInputs, reduceWork } from './map-op.js';
import { fetchConstants } from './weights.js';
import { finishOutputBlock, fusedWorkItems, type OutputPlan } from './output.js';

const SPLITTABLE = new Set(['Softmax', 'LogSoftmax', 'LayerNormalization', 'RMSNormalization', 'SimplifiedLayerNormalization']);
/** FPU passes over its own columns a core spends on partial statistics (a sum and a sum of squares, or a max and a sum). */
const STATS_PASSES = 2;

/** True when the group is a last-axis row reduction of one activation whose columns may be split. */
export function splitsRows(ctx: LowerContext, grp: OpGroup): boolean {
  if (grp.cls.kind !== 'rowwise' || !SPLITTABLE.has(grp.anchor.op)) return false;
  const inputs = anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph);
  if (inputs.length !== 1) return false;
  const out = ctx.graph.tensors[grp.anchor.outputs[grp.outputIndex]!]!.shape;
  const a = grp.anchor.attrs['axis'];
  const axis = a !== undefined && a.kind === 'int' ? a.value : grp.anchor.op === 'Softmax' && grp.anchor.opset < 13 ? 1 : -1;
  if (axis !== -1 && axis !== out.length - 1) return false;
  const x = ctx.views(inputs[0]!);
  const y = ctx.views(grp.output);
  return x.tileRows === y.tileRows && x.tileCols === y.tileCols;
}

/** Lowers a split row reduction over `out.grid`; returns the per-core working set. */
export function lowerSplitRowwise(ctx: LowerContext, grp: OpGroup, out: OutputPlan, budget: number): number {
  const { grid, view } = out;
  assert(grp.cls.kind === 'rowwise', 'lowerSplitRowwise: not a row-wise op');
  const work = grp.cls.work;
  const x = anchorInputs(grp.cls, grp.anchor, ctx.rootOf, ctx.graph)[0]!;
  const op = grp.index;
  // Double-buffered input block, its partial statistics and the peers', and the output block.
  const perRow = 2 * grid.colChunk + 2 * grid.gridCols + grid.colChunk;
  const rb = Math.max(1, Math.min(grid.rowChunk, Math.floor(budget / (perRow * ctx.tileBytes))));
  const constants = fetchConstants(ctx, grp, grid, view, out);
  const rows = Array.from({ length: grid.gridRows }, (_, i) => {
    const cells = [];
    for (let j = 0; j < grid.gridCols; j++) {
      const core = grid.coreOf[i * grid.gridCols + j]!;
      const c0 = j * grid.colChunk;
      const c1 = Math.min(view.tileCols, c0 + grid.colChunk);
      if (c0 >= c1) continue;
      cells.push({ core, c0, c1, done: [] as TaskId[], constDeps: constants.get(core) ?? [] });
    }
    return { start: grid.row0 + i * grid.rowChunk, end: Math.min(grid.rowEnd, grid.row0 + (i + 1) * grid.rowChunk), cells };
  });
  for (let k = 0; rows.some((r) => r.start + k * rb < r.end); k++) {
    for (const { start, end, cells } of rows) {
      const r0 = start + k * rb;
      if (r0 >= end) continue;
      const r1 = Math.min(end, r0 + rb);
      // Partial statistics of each core's columns, multicast along the grid row.
      const partial = cells.map(({ core, c0, c1, done, constDeps }) => {
        const slot = done.length >= 2 ? [done[done.length - 2]!] : [];
        const got = fetchRect(ctx, { op, tensor: x, rects: [{ r0, r1, c0, c1 }], dsts: [core], engine: 'reader', deps: slot }).get(core) ?? [];
        const tiles = (r1 - r0) * (c1 - c0);
        const stats = ctx.b.compute({ core, op, deps: [...got, ...constDeps] }, [{ unit: 'eltwise', tiles: STATS_PASSES * tiles }], 0, tilesBytes(ctx, tiles), tilesBytes(ctx, r1 - r0));
        const peers = cells.filter((c) => c.core !== core).map((c) => c.core);
        const opens = peers.map((p) => ctx.openOf.get(p)).filter((t): t is TaskId => t !== undefined);
        const xp = ctx.placed.get(x)!;
        const sent = peers.length === 0 ? undefined : ctx.b.send({ core, op, deps: [stats, ...opens] }, 'writer', peers, tilesBytes(ctx, r1 - r0),
          [tileRegion(xp.programIndex, { r0, r1, c0, c1 })]);
        return { stats, sent };
      });
      // Combine the partials and normalise each core's own columns.
      cells.forEach(({ core, c0, c1, done }, j) => {
        const rect: TileRect = { r0, r1, c0, c1 };
        const tiles = (r1 - r0) * (c1 - c0);
        const peerSends = partial.filter((_, p) => p !== j).map((p) => p.sent).filter((t): t is TaskId => t !== undefined);
        const deps = [partial[j]!.stats, ...peerSends, ...finishInputs(ctx, grp, out, rect, core)];
        const items: WorkItem[] = [{ unit: 'eltwise', tiles: Math.ceil(Math.max(1, work.eltwise - STATS_PASSES) * tiles) }];
        // The peers' partial statistics are reduced on the matrix unit (reduce_tile, as tt-metal's
        // split layer norm combines them): one 16x16 face pass per cycle, i.e. an 8-row pass of a
        // tile, at the unpack rate when that is slower.
        if (cells.length > 1) items.push(reduceWork((cells.length - 1) * (r1 - r0)));
        for (const f of work.sfpu) items.push({ unit: 'sfpu', fn: f.fn, tiles: Math.ceil(tiles * f.passes) });
        items.push(...fusedWorkItems(grp, tiles));
        const region = tileRegion(out.programIndex, rect);
        const t = ctx.b.compute({ core, op, deps }, items, 0, tilesBytes(ctx, tiles * 2), tilesBytes(ctx, tiles), region, region);
        done.push(t);
        finishOutputBlock(ctx, grp, out, core, rect, t);
      });
    }
  }
  return Math.ceil(rb * perRow * ctx.tileBytes);
}
