// Per-element conversion into a dtype with C / NumPy integer semantics: floats truncate toward
// zero, and integers wrap modulo 2^bits (numpy.astype, and the wrap-around of onnxruntime's
// integer arithmetic). values.ts's converterTo only truncates, because storage widens int8/16.
import type { DType } from '../graph.js';
import { converterTo } from './values.js';

type Convert = (x: number) => number;

const TWO_64 = 2 ** 64;

/** Wraps a finite integer into signed or unsigned 64-bit range (exact while |x| < 2^53). */
function wrap64(x: number, isSigned: boolean): number {
  if (Number.isSafeInteger(x)) return !isSigned && x < 0 ? x + TWO_64 : x;
  const b = BigInt(x);
  return Number(isSigned ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b));
}

const WRAP: Partial<Record<DType, Convert>> = {
  int8: (t) => (t << 24) >> 24,
  uint8: (t) => t & 0xff,
  int16: (t) => (t << 16) >> 16,
  uint16: (t) => t & 0xffff,
  int32: (t) => t | 0,
  uint32: (t) => t >>> 0,
  int64: (t) => wrap64(t, true),
  uint64: (t) => wrap64(t, false),
};

/** The conversion Cast applies when writing a number into `dtype`. */
export function castConverter(dtype: DType): Convert {
  const wrap = WRAP[dtype];
  if (!wrap) return converterTo(dtype);
  return (x) => {
    if (!Number.isFinite(x)) return 0;
    const t = Math.trunc(x);
    // 32-bit operators see the value modulo 2^32, which they compute exactly only below 2^53.
    const isBig = Math.abs(t) >= 2 ** 53 && dtype !== 'int64' && dtype !== 'uint64';
    return wrap(isBig ? Number(BigInt.asIntN(32, BigInt(t))) : t);
  };
}
