// Tile storage for the functional simulation: every core's SRAM and the DRAM hold 32x32 tiles
// of program tensors (float32 values already rounded to the device number format). Keys are
// (tensor, tile row, tile col) packed into one number.

import { SpatialcError } from '../../arch/errors.js';
import type { ProgramTensor, TileRegion } from '../../compiler/program.js';
import { flatOf, positionOf, TILE } from '../../compiler/tensor-layout.js';

export type Tile = Float32Array;
export const TILE_ELEMS = TILE * TILE;

/** Packs (tensor, row, col) into one key (tensor < 2^20, rows and cols < 2^16). */
export function tileKey(tensor: number, row: number, col: number): number {
  return tensor * 4294967296 + row * 65536 + col;
}

/**
 * One memory (a core's SRAM or the DRAM): tiles by key. Given the program's tensors, a tile of an
 * alias tensor is its source's tile (transposed for a transposed alias), read and written there.
 */
export class TileStore {
  readonly tiles = new Map<number, Tile>();
  /** Keys of the tiles held, per tensor (for gathering a tensor without scanning every element). */
  readonly keysOf = new Map<number, number[]>();
  readonly name: string;
  private readonly tensors: readonly ProgramTensor[] | undefined;
  constructor(name: string, tensors?: readonly ProgramTensor[]) {
    this.name = name;
    this.tensors = tensors;
  }

  get(tensor: number, row: number, col: number): Tile | undefined {
    const src = this.aliased(tensor, row, col);
    if (src !== undefined) {
      const tile = this.get(src.tensor, src.row, src.col);
      return tile !== undefined && src.transposed ? transposeTile(tile) : tile;
    }
    return this.tiles.get(tileKey(tensor, row, col));
  }

  put(tensor: number, row: number, col: number, tile: Tile): void {
    const src = this.aliased(tensor, row, col);
    if (src !== undefined) {
      this.put(src.tensor, src.row, src.col, src.transposed ? transposeTile(tile) : tile);
      return;
    }
    const key = tileKey(tensor, row, col);
    if (!this.tiles.has(key)) {
      let keys = this.keysOf.get(tensor);
      if (keys === undefined) this.keysOf.set(tensor, (keys = []));
      keys.push(key);
    }
    this.tiles.set(key, tile);
  }

  /** The source tile an alias tensor's tile is (undefined for tensors that are no alias). */
  private aliased(tensor: number, row: number, col: number): { tensor: number; row: number; col: number; transposed: boolean } | undefined {
    const t = this.tensors?.[tensor];
    const a = t?.alias;
    if (t === undefined || a === undefined) return undefined;
    const src = this.tensors![a.tensor]!;
    const s = a.tiles[row * t.tileCols + col];
    if (s === undefined) throw new SpatialcError('E_SIM', `tile (${row},${col}) is outside alias tensor "${t.name}"`);
    return { tensor: a.tensor, row: Math.floor(s / src.tileCols), col: s % src.tileCols, transposed: a.transposed };
  }

  /** A tile that must be present (a missing one means the program moved data wrongly). */
  need(tensor: ProgramTensor, row: number, col: number, who: string): Tile {
    const t = this.get(tensor.id, row, col);
    if (t === undefined) {
      throw new SpatialcError('E_SIM', `${who} needs tile (${row},${col}) of tensor "${tensor.name}" but ${this.name} does not hold it`);
    }
    return t;
  }
}

/** A tile's transpose (element (i, j) moved to (j, i)). */
export function transposeTile(tile: Tile): Tile {
  const out = new Float32Array(TILE_ELEMS);
  for (let i = 0; i < TILE; i++) for (let j = 0; j < TILE; j++) out[j * TILE + i] = tile[i * TILE + j]!;
  return out;
}

/** Copies the tiles of `regions` from one store to others (a transfer's data effect). */
export function copyRegions(from: TileStore, to: readonly TileStore[], regions: readonly TileRegion[], tensors: readonly ProgramTensor[], who: string): void {
  for (const r of regions) {
    const t = tensors[r.tensor]!;
    for (let i = r.row0; i < r.row0 + r.rows; i++) {
      for (let j = r.col0; j < r.col0 + r.cols; j++) {
        const tile = from.need(t, i, j, who);
        for (const d of to) d.put(t.id, i, j, tile);
      }
    }
  }
}

/** Splits a tensor's elements (row-major ONNX order) into tiles, zero-padded, rounded by `round`. */
export function tensorToTiles(t: ProgramTensor, values: ArrayLike<number>, store: TileStore, round: (tile: Tile) => Tile): void {
  const pos = positionOf(t.layout, t.shape);
  const p = new Int32Array(2);
  const tiles = new Map<number, Tile>();
  for (let e = 0; e < values.length; e++) {
    pos(e, p);
    const r = p[0]!, c = p[1]!;
    const key = Math.floor(r / TILE) * t.tileCols + Math.floor(c / TILE);
    let tile = tiles.get(key);
    if (tile === undefined) tiles.set(key, (tile = new Float32Array(TILE_ELEMS)));
    tile[(r % TILE) * TILE + (c % TILE)] = values[e]!;
  }
  for (let r = 0; r < t.tileRows; r++) {
    for (let c = 0; c < t.tileCols; c++) {
      const tile = tiles.get(r * t.tileCols + c) ?? new Float32Array(TILE_ELEMS);
      store.put(t.id, r, c, round(tile));
    }
  }
}

/**
 * Gathers a tensor's elements from a store; elements whose tile is absent become `missing`
 * (NaN). Walks only the tiles the store holds, so it costs what the core holds, not the tensor.
 */
export function tilesToTensor(t: ProgramTensor, store: TileStore, missing = NaN): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n).fill(missing);
  if (t.layout !== 'rows' && t.layout !== 'feature-map') return gatherByElement(t, store, out);
  const flat = flatOf(t.layout, t.shape);
  // An alias's tiles are kept as its source's: visit every tile of it (the store resolves them).
  const keys = t.alias === undefined ? store.keysOf.get(t.id) ?? []
    : Array.from({ length: t.tileRows * t.tileCols }, (_, k) => tileKey(t.id, Math.floor(k / t.tileCols), k % t.tileCols));
  for (const key of keys) {
    const r0 = Math.floor((key % 4294967296) / 65536) * TILE;
    const c0 = (key % 65536) * TILE;
    const tile = t.alias === undefined ? store.tiles.get(key)! : store.get(t.id, r0 / TILE, c0 / TILE);
    if (tile === undefined) continue;
    for (let i = 0; i < TILE; i++) {
      for (let j = 0; j < TILE; j++) {
        const f = flat(r0 + i, c0 + j);
        if (f >= 0) out[f] = tile[i * TILE + j]!;
      }
    }
  }
  return out;
}

/** The element-by-element gather for weight layouts. */
function gatherByElement(t: ProgramTensor, store: TileStore, out: Float32Array): Float32Array {
  const pos = positionOf(t.layout, t.shape);
  const p = new Int32Array(2);
  for (let e = 0; e < out.length; e++) {
    pos(e, p);
    const tile = store.tiles.get(tileKey(t.id, Math.floor(p[0]! / TILE), Math.floor(p[1]! / TILE)));
    if (tile !== undefined) out[e] = tile[(p[0]! % TILE) * TILE + (p[1]! % TILE)]!;
  }
  return out;
}
