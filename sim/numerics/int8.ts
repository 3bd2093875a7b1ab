// int8 with a scale and zero point (ONNX QuantizeLinear / DequantizeLinear semantics):
//   q = saturate(roundHalfEven(x / scale) + zeroPoint, -128, 127),  x' = (q - zeroPoint) * scale.
// The division and the dequantizing product are done in float32, as onnxruntime's reference does.
// Note: the Tensix stores INT8 as sign-magnitude (-127..127, Packers/FormatConversion.md); the
// affine scale/zero point is a software convention on top, so this module models the values, not
// the hardware byte encoding.

import { assert } from '../../arch/errors.js';
import type { Int8Params } from './types.js';

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** How int8Params picks a scale: symmetric (zero point 0) or asymmetric (min/max to -128..127). */
export interface Int8ParamsOptions {
  readonly symmetric: boolean;
}

export const DEFAULT_INT8_PARAMS_OPTIONS: Int8ParamsOptions = { symmetric: true };

/** Rounds to the nearest integer, ties to even (ONNX QuantizeLinear rounding). */
export function roundHalfToEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Picks scale and zero point covering the finite range of `values` (scale 1 for all-zero data). */
export function int8Params(
  values: Float32Array,
  opts: Int8ParamsOptions = DEFAULT_INT8_PARAMS_OPTIONS,
): Int8Params {
  let lo = 0;
  let hi = 0; // the range always includes 0 so that 0 is exact
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (opts.symmetric) {
    const maxAbs = Math.max(-lo, hi);
    return { scale: maxAbs > 0 ? Math.fround(maxAbs / INT8_MAX) : 1, zeroPoint: 0 };
  }
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / (INT8_MAX - INT8_MIN));
  const zeroPoint = Math.min(INT8_MAX, Math.max(INT8_MIN, roundHalfToEven(INT8_MIN - lo / scale)));
  return { scale, zeroPoint };
}

function checkParams(p: Int8Params): void {
  assert(
    p.scale > 0 && Number.isFinite(p.scale),
    `int8 scale must be positive and finite, got ${p.scale}`,
  );
  assert(
    Number.isInteger(p.zeroPoint) && p.zeroPoint >= INT8_MIN && p.zeroPoint <= INT8_MAX,
    `int8 zero point must be an integer in [-128, 127], got ${p.zeroPoint}`,
  );
}

/** Quantizes one value (NaN maps to the zero point, ±Inf saturate). */
export function quantizeInt8Value(x: number, p: Int8Params): number {
  if (Number.isNaN(x)) return p.zeroPoint;
  const q = roundHalfToEven(Math.fround(x / p.scale)) + p.zeroPoint;
  return Math.min(INT8_MAX, Math.max(INT8_MIN, q));
}

/** Quantizes values to int8 codes. */
export function quantizeInt8(values: Float32Array, p: Int8Params): Int8Array {
  checkParams(p);
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeInt8Value(values[i] as number, p);
  return out;
}

/** Dequantizes int8 codes: (q - zeroPoint) * scale, rounded to float32. */
export function dequantizeInt8(codes: Int8Array, p: Int8Params): Float32Array {
  checkParams(p);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = ((codes[i] as number) - p.zeroPoint) * p.scale;
  return out;
}

/** Replaces values by their int8 round trip in place and returns `values`. */
export function quantizeInt8InPlace(values: Float32Array, p: Int8Params): Float32Array {
  checkParams(p);
  for (let i = 0; i < values.length; i++)
    values[i] = (quantizeInt8Value(values[i] as number, p) - p.zeroPoint) * p.scale;
  return values;
}
