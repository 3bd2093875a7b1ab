// Det: the determinant of each square matrix in the last two dims, by LU decomposition with
// partial pivoting in doubles.
import type { TensorValues } from '../graph.js';
import { fail, fmtShape, input } from './context.js';
import { numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

function inferDet(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const r = x.shape.length;
  if (r < 2 || x.shape[r - 1] !== x.shape[r - 2])
    fail(ctx, `input ${fmtShape(x.shape)} is not a batch of square matrices`);
  return [{ dtype: x.dtype, shape: x.shape.slice(0, -2) }];
}

/** Determinant of the n×n matrix at a[off..], destroying `m` (scratch of n² doubles). */
function determinant(a: ArrayLike<number>, off: number, n: number, m: Float64Array): number {
  for (let i = 0; i < n * n; i++) m[i] = a[off + i]!;
  let det = 1;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(m[r * n + c]!) > Math.abs(m[pivot * n + c]!)) pivot = r;
    if (m[pivot * n + c] === 0) return 0;
    if (pivot !== c) {
      for (let k = 0; k < n; k++) {
        const t = m[c * n + k]!;
        m[c * n + k] = m[pivot * n + k]!;
        m[pivot * n + k] = t;
      }
      det = -det;
    }
    const p = m[c * n + c]!;
    det *= p;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / p;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
    }
  }
  return det;
}

function evaluateDet(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const n = shape[shape.length - 1]!;
  const a = numbersOf(ctx, 0);
  const count = n === 0 ? 0 : a.length / (n * n);
  const out = new Float64Array(count);
  const scratch = new Float64Array(n * n);
  for (let b = 0; b < count; b++) out[b] = determinant(a, b * n * n, n, scratch);
  return [storeAs(outs[0]!.dtype, out)];
}

/** Linear-algebra ops of the ai.onnx domain. */
export const LINALG_OPS: readonly OpDef[] = [
  { op: 'Det', domain: '', infer: inferDet, evaluate: evaluateDet },
];
