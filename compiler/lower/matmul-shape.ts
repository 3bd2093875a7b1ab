// The 2D-matmul view of a MatMul, Gemm or dense Conv group and the arithmetic its lowering and
// its weight handling share: the block sizes, the packed K of convolutions with few input
// channels, and the in0 rows a block of output rows reads.

import type { TensorId } from '../graph.js';
import { TILE } from '../tensor-layout.js';
import { windowInputRows, type WindowGeometry } from './footprint.js';
import { mapRows, type MatrixView } from './layout.js';

export interface MatmulShape {
  /** Activation input (in0) and its matrix view [rows, K or Cin]. */
  readonly a: TensorId;
  /** Weight / second operand (in1) as a matrix [K, N]. */
  readonly b: TensorId;
  readonly bView: MatrixView;
  /** Output tiles and the useful rows of a tile when M < 32. */
  readonly outView: MatrixView;
  readonly usefulRows: number;
  /** K-steps: K-tiles of in1 per in0 column tile (conv taps; 1 for matmul). */
  readonly taps: number;
  readonly macs: number;
  /** Convolution window along H (halo rows of in0). */
  readonly geometry?: WindowGeometry;
}

/** How one core's output shard is blocked (lower/matmul2d.ts chooseBlocking). */
export interface Blocking {
  /** Output tile rows and columns per block (the accumulator), in0 column tiles per K-step. */
  readonly mb: number;
  readonly nb: number;
  readonly cb: number;
  readonly weightsResident: boolean;
  readonly workingSetBytes: number;
}

/**
 * Tile products along K of one K-step over in0 column tiles [c0, c1): the im2col width (taps x
 * input channels) in tiles, so a convolution with few input channels packs its kernel positions
 * into K (tt-metal's conv1: 7x7 taps x 3 channels = 147 -> 5 tiles, not 49 tiles of 3 channels).
 * Equal to taps x (c1 - c0) when the channels fill their tiles.
 */
export function packedK(s: MatmulShape, aView: MatrixView, c0: number, c1: number): number {
  if (s.taps === 1) return c1 - c0;
  const channels = Math.min(aView.cols, c1 * TILE) - c0 * TILE;
  return Math.ceil((s.taps * channels) / TILE);
}

/** in0 tile rows an output block reads: the conv window with its halo, else the same rows. */
export function in0Rows(s: MatmulShape, r0: number, r1: number, mt: number, aView: MatrixView): [number, number] {
  if (s.geometry !== undefined) {
    const [a, b] = windowInputRows(s.geometry, r0 * TILE, Math.min(s.outView.rows, r1 * TILE));
    return [Math.floor(a / TILE), Math.min(aView.tileRows, Math.ceil(b / TILE))];
  }
  return aView.tileRows === mt ? [r0, r1] : mapRows(r0, r1, mt, aView.tileRows);
}
