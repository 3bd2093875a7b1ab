// One entry point per tile: quantize a float32 tile to what a DeviceDtype stores, or encode it to
// the tile's bytes and back. Tiles are row-major 32x32 (1024 values); quantize also accepts any
// length (a multiple of 16 for the block formats).

import { assert, unreachable } from '../../arch/errors.js';
import type { DeviceDtype } from '../../arch/spec.js';
import { BF16_MAX, decodeBf16, encodeBf16, quantizeBf16InPlace } from './bf16.js';
import { bfpMax, bfpTileBytes, decodeBfpTile, encodeBfpTile, quantizeBfpInPlace } from './bfp.js';
import { decodeFp8, encodeFp8, FP8_MAX, quantizeFp8InPlace } from './fp8.js';
import {
  dequantizeInt8,
  int8Params,
  INT8_MAX,
  INT8_MIN,
  quantizeInt8,
  quantizeInt8InPlace,
} from './int8.js';
import type { Fp8Variant, Int8Params, RoundingSite } from './types.js';

export interface QuantizeOptions {
  /** Host converter or Tensix packer rounding (see RoundingSite). */
  readonly site: RoundingSite;
  /** Which 8-bit float 'fp8' means. */
  readonly fp8: Fp8Variant;
  /** int8 scale and zero point; undefined picks a symmetric scale from the data's max |x|. */
  readonly int8?: Int8Params;
}

export const DEFAULT_QUANTIZE_OPTIONS: QuantizeOptions = { site: 'host', fp8: 'ocp-e4m3fn' };

const TILE_VALUES = 1024;
const FP32_MAX = 3.4028234663852886e38;

/** Bytes of one 32x32 tile per format (int8 scale/zero point travel separately). */
export const TILE_BYTES: Readonly<Record<DeviceDtype, number>> = {
  fp32: 4 * TILE_VALUES,
  bf16: 2 * TILE_VALUES,
  bfp8: bfpTileBytes(7),
  bfp4: bfpTileBytes(3),
  fp8: TILE_VALUES,
  int8: TILE_VALUES,
};

/** Replaces `values` by what `format` stores and returns `values`. */
export function quantizeTileInPlace(
  values: Float32Array,
  format: DeviceDtype,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): Float32Array {
  switch (format) {
    case 'fp32':
      return values;
    case 'bf16':
      return quantizeBf16InPlace(values, opts.site);
    case 'bfp8':
      return quantizeBfpInPlace(values, 7, opts.site);
    case 'bfp4':
      return quantizeBfpInPlace(values, 3, opts.site);
    case 'fp8':
      return quantizeFp8InPlace(values, opts.fp8);
    case 'int8':
      return quantizeInt8InPlace(values, opts.int8 ?? int8Params(values));
    default:
      return unreachable(format);
  }
}

/** A new array holding what `format` stores for `values` (the input is not changed). */
export function quantizeTile(
  values: Float32Array,
  format: DeviceDtype,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): Float32Array {
  return quantizeTileInPlace(new Float32Array(values), format, opts);
}

/** Largest finite magnitude a format can hold (for int8: of the given or default-picked params). */
export function maxRepresentable(
  format: DeviceDtype,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): number {
  switch (format) {
    case 'fp32':
      return FP32_MAX;
    case 'bf16':
      return BF16_MAX;
    case 'bfp8':
      return bfpMax(7);
    case 'bfp4':
      return bfpMax(3);
    case 'fp8':
      return FP8_MAX[opts.fp8];
    case 'int8': {
      const p = opts.int8;
      if (p === undefined) return Infinity; // the scale follows the data
      return Math.max(INT8_MAX - p.zeroPoint, p.zeroPoint - INT8_MIN) * p.scale;
    }
    default:
      return unreachable(format);
  }
}

/** A tile in its stored form: the exact bytes the device holds (little-endian), plus int8 params. */
export interface EncodedTile {
  readonly format: DeviceDtype;
  readonly bytes: Uint8Array;
  readonly int8?: Int8Params;
}

function asBytes(a: Float32Array | Uint16Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Encodes a row-major 32x32 tile into the bytes `format` stores (TILE_BYTES[format] long). */
export function encodeTile(
  values: Float32Array,
  format: DeviceDtype,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): EncodedTile {
  assert(values.length === TILE_VALUES, `a tile has 1024 values, got ${values.length}`);
  switch (format) {
    case 'fp32':
      return { format, bytes: asBytes(new Float32Array(values)) };
    case 'bf16':
      return { format, bytes: asBytes(encodeBf16(values, opts.site)) };
    case 'bfp8':
      return { format, bytes: encodeBfpTile(values, 7, opts.site) };
    case 'bfp4':
      return { format, bytes: encodeBfpTile(values, 3, opts.site) };
    case 'fp8':
      return { format, bytes: encodeFp8(values, opts.fp8) };
    case 'int8': {
      const p = opts.int8 ?? int8Params(values);
      return { format, bytes: asBytes(quantizeInt8(values, p)), int8: p };
    }
    default:
      return unreachable(format);
  }
}

/** Decodes stored tile bytes back into a row-major float32 tile. */
export function decodeTile(
  tile: EncodedTile,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): Float32Array {
  const { bytes } = tile;
  assert(
    bytes.length === TILE_BYTES[tile.format],
    `a ${tile.format} tile has ${TILE_BYTES[tile.format]} bytes, got ${bytes.length}`,
  );
  const copy = bytes.slice(); // aligned, owned storage for the typed views below
  switch (tile.format) {
    case 'fp32':
      return new Float32Array(copy.buffer);
    case 'bf16':
      return decodeBf16(new Uint16Array(copy.buffer));
    case 'bfp8':
      return decodeBfpTile(copy, 7);
    case 'bfp4':
      return decodeBfpTile(copy, 3);
    case 'fp8':
      return decodeFp8(copy, opts.fp8);
    case 'int8': {
      assert(tile.int8 !== undefined, 'an int8 tile carries its scale and zero point');
      return dequantizeInt8(new Int8Array(copy.buffer), tile.int8);
    }
    default:
      return unreachable(tile.format);
  }
}

/** Encodes a tile to its stored bytes and decodes it again (equals quantizeTile; tested). */
export function tileRoundTrip(
  values: Float32Array,
  format: DeviceDtype,
  opts: QuantizeOptions = DEFAULT_QUANTIZE_OPTIONS,
): Float32Array {
  return decodeTile(encodeTile(values, format, opts), opts);
}
