// bfloat16 (tt-metal Float16_b): the upper 16 bits of a binary32.

import { bitView, f32ToBits, bitsToF32 } from './bits.js';
import type { RoundingSite } from './types.js';

/** Largest finite bf16 value, 0x7F7F (≈ 3.3895e38). */
export const BF16_MAX = bitsToF32(0x7f7f0000);

/**
 * Rounds a binary32 bit pattern to bf16 (returned as binary32 bits, low half zero).
 * 'host' follows tt-metal's fp32_to_bf16_bits_round_to_nearest_even (bfloat16.cpp): add
 * 0x7FFF + lsb and drop the low half; NaN becomes the canonical quiet NaN 0x7FC0; Inf stays Inf;
 * denormals round like any other value.
 * 'packer' follows the packer's early conversion (Packers/FormatConversion.md): round to nearest,
 * ties away from zero; denormals flush to +0, -0 becomes +0, and NaN becomes Infinity.
 */
export function roundBf16Bits(bits: number, site: RoundingSite): number {
  const exp = bits & 0x7f800000;
  if (site === 'host') {
    if (exp === 0x7f800000 && (bits & 0x007fffff) !== 0) return 0x7fc00000;
    return ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  if (exp === 0) return 0; // denormal or ±0 -> +0
  if (exp === 0x7f800000) return (bits & 0xff800000) >>> 0; // NaN -> Inf, Inf stays
  return ((bits + 0x8000) & 0xffff0000) >>> 0; // magnitude rounds half up: ties away from zero
}

/** Truncates a binary32 bit pattern to bf16 (drops the low 16 bits), as narrowing unpacks do. */
export function truncateBf16Bits(bits: number): number {
  return (bits & 0xffff0000) >>> 0;
}

/** Rounds one value to bf16 ('host' rounding unless told otherwise). */
export function roundBf16(x: number, site: RoundingSite = 'host'): number {
  return bitsToF32(roundBf16Bits(f32ToBits(x), site));
}

/** Rounds every value of `values` to bf16 in place and returns `values`. */
export function quantizeBf16InPlace(values: Float32Array, site: RoundingSite): Float32Array {
  const u = bitView(values);
  for (let i = 0; i < u.length; i++) u[i] = roundBf16Bits(u[i] as number, site);
  return values;
}

/** The 16-bit bf16 encodings of `values` (one Uint16 per value, tt-metal's L1/DRAM layout). */
export function encodeBf16(values: Float32Array, site: RoundingSite): Uint16Array {
  const u = bitView(values);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < u.length; i++) out[i] = roundBf16Bits(u[i] as number, site) >>> 16;
  return out;
}

/** Widens bf16 encodings back to float32 (exact). */
export function decodeBf16(codes: Uint16Array): Float32Array {
  const out = new Float32Array(codes.length);
  const u = bitView(out);
  for (let i = 0; i < codes.length; i++) u[i] = ((codes[i] as number) << 16) >>> 0;
  return out;
}
