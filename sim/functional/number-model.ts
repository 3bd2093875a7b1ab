// How the functional simulation rounds and multiplies: the device number format in which tiles
// are stored, and the matrix unit's multiply-accumulate at a math fidelity. fp32 at HiFi4 is
// exact float32 storage with float64 accumulation inside a tile.

import type { DeviceDtype, MathFidelity } from '../../arch/spec.js';
import { matmulTile, quantizeTile, srcFormatFor } from '../numerics/index.js';
import type { Tile } from './tile-store.js';

export interface NumberModel {
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  /** Rounds a tile computed on a core to the storage format (the packer's rounding). */
  readonly store: (tile: Tile) => Tile;
  /** Rounds a tile the host writes to DRAM (inputs, weights: the host converter's rounding). */
  readonly load: (tile: Tile) => Tile;
  /**
   * acc[i, j] += sum_k a[i, k] * b[k, j] over one 32x32x32 tile product (rows: the useful rows
   * of a), with the operand truncation and accumulation of the matrix unit.
   */
  readonly macTile: (acc: Float32Array, a: Tile, b: Tile, rows: number) => void;
}

/** Exact float32 tile product (float64 sums over the 32-term dot products), added into acc. */
export function exactMacTile(acc: Float32Array, a: Tile, b: Tile, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const ai = i * 32;
    for (let j0 = 0; j0 < 32; j0 += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let k = 0; k < 32; k++) {
        const x = a[ai + k]!;
        const bk = k * 32 + j0;
        s0 += x * b[bk]!; s1 += x * b[bk + 1]!; s2 += x * b[bk + 2]!; s3 += x * b[bk + 3]!;
        s4 += x * b[bk + 4]!; s5 += x * b[bk + 5]!; s6 += x * b[bk + 6]!; s7 += x * b[bk + 7]!;
      }
      const o = ai + j0;
      acc[o] = acc[o]! + s0; acc[o + 1] = acc[o + 1]! + s1; acc[o + 2] = acc[o + 2]! + s2; acc[o + 3] = acc[o + 3]! + s3;
      acc[o + 4] = acc[o + 4]! + s4; acc[o + 5] = acc[o + 5]! + s5; acc[o + 6] = acc[o + 6]! + s6; acc[o + 7] = acc[o + 7]! + s7;
    }
  }
}

/** The float32 model: storage is exact, products exact. */
export const FP32_MODEL: NumberModel = { dtype: 'fp32', fidelity: 'HiFi4', store: (t) => t, load: (t) => t, macTile: exactMacTile };

/**
 * The Tensix model: tiles stored in `dtype` (bit-exact, sim/numerics), the matrix unit's operand
 * truncation per fidelity phase, and Dst accumulation in fp32 for fp32 data, else in bf16 (the
 * vendor default without fp32_dest_acc_en). fp32 at HiFi4 on an arch that keeps exact float32
 * products is FP32_MODEL.
 */
export function tensixModel(dtype: DeviceDtype, fidelity: MathFidelity): NumberModel {
  const opts = { accumulateFp32: dtype === 'fp32', src: srcFormatFor(dtype) };
  return {
    dtype, fidelity,
    store: (t) => quantizeTile(t, dtype, { site: 'packer', fp8: 'ocp-e4m3fn' }),
    load: (t) => quantizeTile(t, dtype, { site: 'host', fp8: 'ocp-e4m3fn' }),
    macTile: (acc, a, b, rows) => {
      if (rows === 32) {
        matmulTile(a, b, acc, fidelity, opts);
        return;
      }
      matmulTile(a.subarray(0, rows * 32), b, acc.subarray(0, rows * 32), fidelity, opts);
    },
  };
}
