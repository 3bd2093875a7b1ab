// The elements of an output block: which flat (ONNX row-major) element each tile slot holds,
// and writing computed values back as the block's rounded tiles.

import type { ProgramTensor, TileRegion } from '../../compiler/program.js';
import { flatOf, TILE } from '../../compiler/tensor-layout.js';
import { TILE_ELEMS, type Tile, type TileStore } from './tile-store.js';

export interface BlockElements {
  /** Flat index of every real (non-padding) element of the block. */
  readonly flats: Int32Array;
  /** Its slot: tile index within the block * 1024 + position in the tile. */
  readonly slots: Int32Array;
}

/** The real elements of a block of output tiles, in tile order. */
export function blockElements(out: ProgramTensor, region: TileRegion): BlockElements {
  const flat = flatOf(out.layout, out.shape);
  const flats: number[] = [];
  const slots: number[] = [];
  for (let ri = 0; ri < region.rows; ri++) {
    for (let ci = 0; ci < region.cols; ci++) {
      for (let e = 0; e < TILE_ELEMS; e++) {
        const f = flat((region.row0 + ri) * TILE + Math.floor(e / TILE), (region.col0 + ci) * TILE + (e % TILE));
        if (f < 0) continue;
        flats.push(f);
        slots.push((ri * region.cols + ci) * TILE_ELEMS + e);
      }
    }
  }
  return { flats: Int32Array.from(flats), slots: Int32Array.from(slots) };
}

/** Stores the block's values as tiles (padding zero), each passed through `round`. */
export function storeBlock(store: TileStore, out: ProgramTensor, region: TileRegion, block: BlockElements, values: ArrayLike<number>, round: (t: Tile) => Tile): void {
  const tiles = new Map<number, Tile>();
  for (let i = 0; i < block.flats.length; i++) {
    const slot = block.slots[i]!;
    const t = Math.floor(slot / TILE_ELEMS);
    let tile = tiles.get(t);
    if (tile === undefined) tiles.set(t, (tile = new Float32Array(TILE_ELEMS)));
    tile[slot % TILE_ELEMS] = values[i]!;
  }
  for (let ri = 0; ri < region.rows; ri++) {
    for (let ci = 0; ci < region.cols; ci++) {
      const tile = tiles.get(ri * region.cols + ci) ?? new Float32Array(TILE_ELEMS);
      store.put(out.id, region.row0 + ri, region.col0 + ci, round(tile));
    }
  }
}
