// Element storage for constant tensors. One typed array per storage class:
//   float32, float16, bfloat16 → Float32Array (half types are widened on import)
//   float64, int64, uint64, uint32 → Float64Array (integers exact up to 2^53)
//   int8, int16, uint16, int32 → Int32Array;   uint8, bool → Uint8Array;   string → unsupported
import type { DType, TensorValues } from '../graph.js';

/** A writable TensorValues. */
export type MutableValues = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Allocates zeroed storage for `count` elements of `dtype`. */
export function allocValues(dtype: DType, count: number): MutableValues {
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return new Float32Array(count);
    case 'float64':
    case 'int64':
    case 'uint64':
    case 'uint32':
    case 'string':
      return new Float64Array(count);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
      return new Int32Array(count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(count);
  }
}

/** Builds storage for `dtype` from plain numbers, converting each like a Cast would. */
export function valuesFrom(dtype: DType, numbers: ArrayLike<number>): MutableValues {
  const out = allocValues(dtype, numbers.length);
  const conv = converterTo(dtype);
  for (let i = 0; i < numbers.length; i++) out[i] = conv(numbers[i]!);
  return out;
}

/** The per-element conversion Cast applies when writing into `dtype`. */
export function converterTo(dtype: DType): (x: number) => number {
  if (dtype === 'float16') return roundToHalf;
  if (dtype === 'bfloat16') return roundToBfloat16;
  if (isFloatDtype(dtype)) return (x) => x;
  if (dtype === 'bool') return (x) => (x !== 0 && !Number.isNaN(x) ? 1 : 0);
  return (x) => (Number.isFinite(x) ? Math.trunc(x) : 0);
}

/** True for float16/bfloat16/float32/float64. */
export function isFloatDtype(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

/** The values as a plain number array (for small shape-like tensors). */
export function toNumbers(values: TensorValues): number[] {
  return Array.from(values as ArrayLike<number>);
}

/** Converts an IEEE half-precision bit pattern to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Converts a bfloat16 bit pattern to a number. */
export function bfloat16ToNumber(
  bits: number,
  scratch: Float32Array = new Float32Array(1),
): number {
  new Uint32Array(scratch.buffer)[0] = (bits & 0xffff) << 16;
  return scratch[0]!;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds to the nearest bfloat16 (ties to even), returned widened. */
export function roundToBfloat16(x: number): number {
  f32[0] = x;
  if (Number.isNaN(f32[0]!)) return NaN;
  const bits = u32[0]!;
  u32[0] = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  return f32[0]!;
}

/** Rounds to the nearest IEEE half (ties to even, overflow to ±Infinity), returned widened. */
export function roundToHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  // Spacing of halves near |x|: 2^(e-10) for normals, 2^-24 for subnormals.
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const ulp = 2 ** (e - 10);
  const q = a / ulp;
  const r = Math.floor(q);
  const diff = q - r;
  const rounded = diff > 0.5 || (diff === 0.5 && r % 2 === 1) ? r + 1 : r;
  return Math.sign(x) * rounded * ulp;
}
