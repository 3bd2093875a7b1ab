// Where a tensor's tiles live between ops: sharded over a grid of cores in 2D blocks (SRAM), or
// interleaved tile by tile over every DRAM channel. Functions here answer "who holds this
// rectangle of tiles" arithmetically, without listing tiles.

import type { BufferId, TileRegion } from '../program.js';

/** A tensor seen as a row-major matrix, in elements and in 32x32 tiles. */
export interface MatrixView {
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
}

/** A rectangle of tiles, half-open: rows [r0, r1), cols [c0, c1). */
export interface TileRect {
  readonly r0: number;
  readonly r1: number;
  readonly c0: number;
  readonly c1: number;
}

/**
 * A block distribution of tiles over a logical grid of cores: tile rows [row0, rowEnd) (the whole
 * matrix, or one micro-batch of it) split in chunks of rowChunk over grid rows, columns likewise.
 */
export interface ShardGrid {
  readonly gridRows: number;
  readonly gridCols: number;
  readonly rowChunk: number;
  readonly colChunk: number;
  readonly row0: number;
  readonly rowEnd: number;
  /** Program core index of logical grid cell (i, j) at i * gridCols + j. */
  readonly coreOf: readonly number[];
}

export type TensorHome =
  | { readonly home: 'dram'; readonly firstChannel: number }
  | { readonly home: 'sram'; readonly grid: ShardGrid; readonly bufferOf: ReadonlyMap<number, BufferId> };

/** Rectangle `r` of Program tensor `tensor` as a task's tile region. */
export function tileRegion(tensor: number, r: TileRect): TileRegion {
  return { tensor, row0: r.r0, rows: r.r1 - r.r0, col0: r.c0, cols: r.c1 - r.c0 };
}

/** Number of tiles in a rectangle. */
export function rectTiles(r: TileRect): number {
  return Math.max(0, r.r1 - r.r0) * Math.max(0, r.c1 - r.c0);
}

/** Tiles of a list of rectangles. */
export function rectsTiles(rects: readonly TileRect[]): number {
  return rects.reduce((n, r) => n + rectTiles(r), 0);
}

/** The tiles of grid cell (i, j), clipped to the matrix. */
export function cellRect(grid: ShardGrid, view: MatrixView, i: number, j: number): TileRect {
  return {
    r0: Math.min(grid.rowEnd, grid.row0 + i * grid.rowChunk),
    r1: Math.min(grid.rowEnd, grid.row0 + (i + 1) * grid.rowChunk),
    c0: Math.min(view.tileCols, j * grid.colChunk),
    c1: Math.min(view.tileCols, (j + 1) * grid.colChunk),
  };
}

/** The pieces of `rect` held by each core of an SRAM-sharded tensor. */
export function holdersOf(grid: ShardGrid, rect: TileRect): { core: number; tiles: number; rect: TileRect }[] {
  const out: { core: number; tiles: number; rect: TileRect }[] = [];
  rect = { ...rect, r0: Math.max(rect.r0, grid.row0), r1: Math.min(rect.r1, grid.rowEnd) };
  if (rectTiles(rect) === 0) return out;
  const i0 = Math.floor((rect.r0 - grid.row0) / grid.rowChunk);
  const i1 = Math.min(grid.gridRows - 1, Math.floor((rect.r1 - 1 - grid.row0) / grid.rowChunk));
  const j0 = Math.floor(rect.c0 / grid.colChunk);
  const j1 = Math.min(grid.gridCols - 1, Math.floor((rect.c1 - 1) / grid.colChunk));
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      const r0 = Math.max(rect.r0, grid.row0 + i * grid.rowChunk);
      const r1 = Math.min(rect.r1, grid.row0 + (i + 1) * grid.rowChunk);
      const c0 = Math.max(rect.c0, j * grid.colChunk);
      const c1 = Math.min(rect.c1, (j + 1) * grid.colChunk);
      const core = grid.coreOf[i * grid.gridCols + j];
      if (r1 > r0 && c1 > c0 && core !== undefined) out.push({ core, tiles: (r1 - r0) * (c1 - c0), rect: { r0, r1, c0, c1 } });
    }
  }
  return out;
}

/** Bytes of `rect` stored on each DRAM channel when tiles are interleaved round-robin. */
export function channelBytesOf(
  view: MatrixView,
  rect: TileRect,
  firstChannel: number,
  channels: number,
  tileBytes: number,
): number[] {
  const bytes = new Array<number>(channels).fill(0);
  const width = Math.max(0, rect.c1 - rect.c0);
  if (width === 0) return bytes;
  const full = Math.floor(width / channels);
  for (let r = rect.r0; r < rect.r1; r++) {
    const start = r * view.tileCols + rect.c0 + firstChannel;
    if (full > 0) for (let ch = 0; ch < channels; ch++) bytes[ch]! += full * tileBytes;
    for (let t = 0; t < width - full * channels; t++) bytes[(start + t) % channels]! += tileBytes;
  }
  return bytes;
}

/** Adds `tileBytes` per tile of `rect` to `bytes` at the tile's channel in `tileChannel` (row-major, `tileCols` wide). */
export function addTileChannelBytes(tileChannel: Int16Array, tileCols: number, rect: TileRect, tileBytes: number, bytes: number[]): void {
  for (let r = rect.r0; r < rect.r1; r++) {
    for (let c = rect.c0; c < rect.c1; c++) {
      const ch = tileChannel[r * tileCols + c]!;
      bytes[ch] = bytes[ch]! + tileBytes;
    }
  }
}

/** Splits [0, n) into `parts` contiguous chunks of near-equal size; returns chunk size. */
export function chunkSize(n: number, parts: number): number {
  return Math.max(1, Math.ceil(n / Math.max(1, parts)));
}

/** Maps a row range of one matrix onto the proportional row range of another. */
export function mapRows(r0: number, r1: number, fromRows: number, toRows: number): [number, number] {
  if (fromRows <= 0 || toRows <= 0) return [0, 0];
  const a = Math.floor((r0 * toRows) / fromRows);
  const b = Math.max(a + 1, Math.ceil((r1 * toRows) / fromRows));
  return [Math.min(a, toRows), Math.min(b, toRows)];
}

/**
 * The cores an op may use: a rectangle of the compute grid (the whole grid, or a pipeline
 * stage's region). Program core index of cell (r, c) = (row0 + r) * stride + col0 + c.
 */
export interface CoreArea {
  readonly rows: number;
  readonly cols: number;
  readonly row0: number;
  readonly col0: number;
  /** Columns of the whole compute grid. */
  readonly stride: number;
}

/** The whole compute grid of `rows` x `cols` cores. */
export function wholeGrid(rows: number, cols: number): CoreArea {
  return { rows, cols, row0: 0, col0: 0, stride: cols };
}

/**
 * A gr x gc logical grid on the area's cores, for tile rows [rows[0], rows[1]) (default: all): on
 * the area's rectangle when it fits (grid rows on core rows), else transposed when that fits (grid
 * rows on core columns, tt-metal's transpose_mcast), else row-major over the area (row and column
 * multicasts then zigzag).
 */
export function shardGrid(area: CoreArea, view: MatrixView, gr: number, gc: number, rows: readonly [number, number] = [0, view.tileRows]): ShardGrid {
  const coreOf: number[] = [];
  const fits = gc <= area.cols && gr <= area.rows;
  const transposed = !fits && gr <= area.cols && gc <= area.rows;
  const at = (k: number) => (area.row0 + Math.floor(k / area.cols)) * area.stride + area.col0 + (k % area.cols);
  for (let i = 0; i < gr; i++) for (let j = 0; j < gc; j++) coreOf.push(at(fits ? i * area.cols + j : transposed ? j * area.cols + i : i * gc + j));
  const [row0, rowEnd] = rows;
  return { gridRows: gr, gridCols: gc, rowChunk: Math.ceil((rowEnd - row0) / gr), colChunk: Math.ceil(view.tileCols / gc), coreOf, row0, rowEnd };
}
