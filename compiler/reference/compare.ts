// Output comparison as the ONNX backend test runner does it (numpy.testing.assert_allclose with
// equal_nan: |got - want| <= atol + rtol * |want|), plus exact equality for non-float types.
import { isFloatDtype } from '../ops/values.js';
import type { TensorData } from './interpret.js';

/** Tolerances; the defaults are the ONNX backend runner's (onnx/backend/test/loader). */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

/** The first difference between two tensors, or undefined when they match. */
export function firstMismatch(
  name: string,
  got: TensorData,
  want: TensorData,
  tol: Tolerance = DEFAULT_TOLERANCE,
): string | undefined {
  if (got.dtype !== want.dtype)
    return `output "${name}": dtype ${got.dtype}, expected ${want.dtype}`;
  const isSameShape =
    got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
  if (!isSameShape)
    return `output "${name}": shape [${got.shape.join(', ')}], expected [${want.shape.join(', ')}]`;
  const g = got.values as ArrayLike<number>;
  const w = want.values as ArrayLike<number>;
  const isFloat = isFloatDtype(want.dtype);
  for (let i = 0; i < w.length; i++) {
    if (!isClose(g[i]!, w[i]!, isFloat, tol))
      return `output "${name}"[${i}]: got ${g[i]}, expected ${w[i]}`;
  }
  return undefined;
}

function isClose(g: number, w: number, isFloat: boolean, tol: Tolerance): boolean {
  if (g === w) return true;
  if (!isFloat) return false;
  if (Number.isNaN(g) || Number.isNaN(w)) return Number.isNaN(g) && Number.isNaN(w);
  return Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w);
}

/**
 * Largest absolute element error, and that error relative to the largest |want| (a per-element
 * ratio would be dominated by outputs that happen to be near zero).
 */
export function maxErrors(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): { abs: number; rel: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (d > abs || Number.isNaN(d)) abs = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return { abs, rel: abs === 0 ? 0 : abs / Math.max(scale, Number.MIN_VALUE) };
}
