// Bit-level views of float32 values. The numerics emulate the Tensix formats by operating on the
// IEEE-754 binary32 bit pattern, exactly as tt-metal's host converters and the ISA pseudocode do.

// One-element scratch for scalar bit casts. It carries no state between calls (every call writes
// before it reads), so it is a reinterpretation device, not a cache.
const SCRATCH_F32 = new Float32Array(1);
const SCRATCH_U32 = new Uint32Array(SCRATCH_F32.buffer);

/** The binary32 bit pattern of `x` (after rounding `x` to float32), as an unsigned integer. */
export function f32ToBits(x: number): number {
  SCRATCH_F32[0] = x;
  return SCRATCH_U32[0] as number;
}

/** The float32 value whose bit pattern is the unsigned integer `bits`. */
export function bitsToF32(bits: number): number {
  SCRATCH_U32[0] = bits;
  return SCRATCH_F32[0] as number;
}

/** A Uint32Array view sharing storage with `values` (no copy), for tile-wide bit manipulation. */
export function bitView(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Biased exponent field (0..255) of a binary32 bit pattern. */
export function expField(bits: number): number {
  return (bits >>> 23) & 0xff;
}

/** Flushes a binary32 denormal to a zero of the same sign (the Tensix FPU never sees denormals). */
export function flushDenormalBits(bits: number): number {
  return (bits & 0x7f800000) === 0 ? bits & 0x80000000 : bits;
}
