// 8-bit floats. Three readings of "fp8" (see Fp8Variant in types.ts). Inputs are float32 values;
// normal results are rounded on the binary32 bit pattern, subnormal e4m3 results on the exact
// value (a fixed power-of-two quantum), so every step is exact.

import { unreachable } from '../../arch/errors.js';
import { bitsToF32, f32ToBits } from './bits.js';
import type { Fp8Variant } from './types.js';

/** Largest finite magnitude of each fp8 variant. */
export const FP8_MAX: Readonly<Record<Fp8Variant, number>> = {
  'ocp-e4m3fn': 448, // S.1111.110
  'tt-metal-e4m3': 240, // S.1110.111: exponent 15 is reserved for NaN
  lf8: 1.75 * 2 ** 16, // e5m2, FP16-style: exponent 31 is an ordinary binade on Tensix
};

/** floor(log2(a)) for a > 0, exact (Math.log2 alone may be off by one next to a power of two). */
function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** True for negative numbers and -0. */
function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** Rounds a non-negative multiple-count `q` (value / quantum) to an integer, ties to even. */
function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const diff = q - f;
  return diff > 0.5 || (diff === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** Rounds the magnitude bits of a normal binary32 to 3 mantissa bits, ties to even. */
function roundMantissa3Bits(w: number): number {
  return ((w + 0x7ffff + ((w >>> 20) & 1)) & 0x7ff00000) >>> 0;
}

/** OCP E4M3FN, saturating, round to nearest even, with subnormals (quantum 2^-9 below 2^-6). */
function ocpE4m3(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a >= FP8_MAX['ocp-e4m3fn']) r = FP8_MAX['ocp-e4m3fn'];
  else if (a < 2 ** -6)
    r = roundHalfEven(a * 2 ** 9) * 2 ** -9; // subnormal: fixed quantum
  else r = Math.min(bitsToF32(roundMantissa3Bits(f32ToBits(a))), FP8_MAX['ocp-e4m3fn']);
  return isNegative(x) ? -r : r;
}

/**
 * tt-metal's fp32_to_fp8_e4m3_bits: flush when the binary32 exponent is below the e4m3 normal
 * range (decided before rounding, so 0.0155 -> 0 although it would round up to 2^-6), round to
 * nearest even, saturate to ±240, Inf -> ±240.
 */
function ttMetalE4m3(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a >= FP8_MAX['tt-metal-e4m3']) r = FP8_MAX['tt-metal-e4m3'];
  else if (a < 2 ** -6) r = 0;
  else r = Math.min(bitsToF32(roundMantissa3Bits(f32ToBits(a))), FP8_MAX['tt-metal-e4m3']);
  return isNegative(x) ? -r : r;
}

/**
 * Wormhole Lf8 (e5m2) as the packer's late conversion writes it: saturate the exponent, truncate
 * the mantissa; |x| < 2^-14 flushes to zero (FormatConversion.md: denormals and |x| <= 2^-15
 * flush; assumption: the "mishandled" range 2^-15..2^-14 flushes too). No NaN: NaN -> max.
 */
function lf8(x: number): number {
  const a = Math.abs(x);
  const sign = isNegative(x) ? -1 : 1;
  if (Number.isNaN(x) || a >= FP8_MAX.lf8) return sign * FP8_MAX.lf8;
  if (a < 2 ** -14) return sign * 0;
  return sign * bitsToF32((f32ToBits(a) & 0x7fe00000) >>> 0);
}

/** Rounds one value to the given fp8 variant and returns it as a number. */
export function roundFp8(x: number, variant: Fp8Variant = 'ocp-e4m3fn'): number {
  switch (variant) {
    case 'ocp-e4m3fn':
      return ocpE4m3(x);
    case 'tt-metal-e4m3':
      return ttMetalE4m3(x);
    case 'lf8':
      return lf8(x);
    default:
      return unreachable(variant);
  }
}

/** Rounds every value of `values` to fp8 in place and returns `values`. */
export function quantizeFp8InPlace(values: Float32Array, variant: Fp8Variant): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = roundFp8(values[i] as number, variant);
  return values;
}

/** The OCP E4M3FN byte of a value already representable in E4M3FN (NaN -> 0x7F). */
export function e4m3Byte(x: number): number {
  if (Number.isNaN(x)) return 0x7f;
  const sign = isNegative(x) ? 0x80 : 0;
  const a = Math.abs(x);
  if (a < 2 ** -6) return sign | Math.round(a / 2 ** -9); // subnormal: exponent field 0
  const e = floorLog2(a);
  return sign | ((e + 7) << 3) | Math.round((a / 2 ** e - 1) * 8);
}

/** The value of an OCP E4M3FN byte. */
export function e4m3Value(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const e = (byte >>> 3) & 0xf;
  const m = byte & 7;
  if (e === 15 && m === 7) return NaN;
  return sign * (e === 0 ? m * 2 ** -9 : (1 + m / 8) * 2 ** (e - 7));
}

/** The Lf8 (e5m2, FP16-style) byte of a value already representable in Lf8. */
export function lf8Byte(x: number): number {
  const sign = isNegative(x) ? 0x80 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  const e = floorLog2(a);
  return sign | ((e + 15) << 2) | Math.round((a / 2 ** e - 1) * 4);
}

/** The value of an Lf8 byte (exponent 0 reads as zero, exponent 31 is an ordinary binade). */
export function lf8Value(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const e = (byte >>> 2) & 0x1f;
  return e === 0 ? sign * 0 : sign * (1 + (byte & 3) / 4) * 2 ** (e - 15);
}

/** Encodes values into fp8 bytes of the given variant (rounding first). */
export function encodeFp8(values: Float32Array, variant: Fp8Variant): Uint8Array {
  const toByte = variant === 'lf8' ? lf8Byte : e4m3Byte; // tt-metal e4m3 values are OCP-encodable
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toByte(roundFp8(values[i] as number, variant));
  return out;
}

/** Decodes fp8 bytes of the given variant into float32 values. */
export function decodeFp8(bytes: Uint8Array, variant: Fp8Variant): Float32Array {
  const toValue = variant === 'lf8' ? lf8Value : e4m3Value;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = toValue(bytes[i] as number);
  return out;
}
