// Reference kernels for MatMul, MatMulInteger and Gemm, all on gemmNT. The right operand is
// transposed once up front (every batch matrix at once), which costs K·N per matrix against the
// product's M·K·N.
import { numElements } from '../graph.js';
import { broadcastStrides } from './broadcast.js';
import { floatAttr, input, intAttr } from './context.js';
import { gemmNT, transposeInto, type NumArray } from './gemm-kernel.js';
import { numbersOf, optionalNumbersOf, scratchFor, storeAs } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';
import type { TensorValues } from '../graph.js';

/**
 * Every matrix of a [..., rows, cols] operand, transposed: [..., cols, rows]. Float32 stays
 * Float32 so gemmNT sees one array type per float32 model (mixed types make V8's loads
 * polymorphic and the kernel 2-3x slower).
 */
function transposeMatrices(values: ArrayLike<number>, rows: number, cols: number): NumArray {
  const out = sameFloatKind(values, values.length);
  const size = rows * cols;
  for (let off = 0; off < values.length; off += size) {
    transposeInto(out.subarray(off, off + size), values, off, rows, cols);
  }
  return out;
}

/** New zeroed storage: Float32Array when `like` is one, else Float64Array. */
function sameFloatKind(like: ArrayLike<number>, count: number): Float32Array | Float64Array {
  return like instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
}

/** Batch dims and matrix sizes of a MatMul, as matmul.ts computes them. */
export interface ProductDims {
  readonly batch: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Batched A·B with numpy broadcasting over batch dims, into `out`. */
function batchedProduct(
  ctx: OpContext,
  d: ProductDims,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  out: NumArray,
): void {
  const as = input(ctx, 0).shape;
  const bs = input(ctx, 1).shape;
  const aBatch = as.length <= 2 ? [] : as.slice(0, -2);
  const bBatch = bs.length <= 2 ? [] : bs.slice(0, -2);
  const bt = transposeMatrices(b, d.k, d.n);
  const aStr = broadcastStrides(aBatch, d.batch);
  const bStr = broadcastStrides(bBatch, d.batch);
  const count = numElements(d.batch);
  // A shared right operand and an unbroadcast left one: the batch folds into M (one big product
  // instead of `count` thin ones that would each stream all of B).
  const isBShared = bStr.every((v) => v === 0);
  const isAFull = numElements(aBatch) === count;
  if (isBShared && isAFull && count > 1) {
    const m = count * d.m;
    gemmNT(
      { data: a, offset: 0, stride: d.k },
      { data: bt, offset: 0, stride: d.k },
      { data: out, offset: 0, stride: d.n },
      { m, n: d.n, k: d.k },
    );
    return;
  }
  const idx = new Array<number>(d.batch.length).fill(0);
  for (let t = 0; t < count; t++) {
    let ao = 0;
    let bo = 0;
    for (let q = 0; q < idx.length; q++) {
      ao += idx[q]! * aStr[q]!;
      bo += idx[q]! * bStr[q]!;
    }
    gemmNT(
      { data: a, offset: ao * d.m * d.k, stride: d.k },
      { data: bt, offset: bo * d.k * d.n, stride: d.k },
      { data: out, offset: t * d.m * d.n, stride: d.n },
      d,
    );
    for (let q = idx.length - 1; q >= 0 && ++idx[q]! >= d.batch[q]!; q--) idx[q] = 0;
  }
}

/** MatMul: numpy matmul semantics (1-D operands promoted, batch dims broadcast). */
export function evaluateMatMul(
  ctx: OpContext,
  outs: readonly TensorType[],
  d: ProductDims,
): TensorValues[] {
  const out = scratchFor(outs[0]!.dtype, numElements(outs[0]!.shape));
  batchedProduct(ctx, d, numbersOf(ctx, 0), numbersOf(ctx, 1), out);
  return [storeAs(outs[0]!.dtype, out)];
}

/** x − zero point, where the zero point is a scalar or one value per `group` (row or column). */
function shifted(
  x: ArrayLike<number>,
  zp: ArrayLike<number> | undefined,
  groupOf: (flat: number) => number,
): Float64Array {
  const out = Float64Array.from(x);
  if (!zp || zp.length === 0) return out;
  if (zp.length === 1) {
    const z = zp[0]!;
    for (let i = 0; i < out.length; i++) out[i]! -= z;
  } else {
    for (let i = 0; i < out.length; i++) out[i]! -= zp[groupOf(i)]!;
  }
  return out;
}

/** MatMulInteger: (A − a_zero_point)·(B − b_zero_point) in int32; zero points per tensor or per row/column. */
export function evaluateMatMulInteger(
  ctx: OpContext,
  outs: readonly TensorType[],
  d: ProductDims,
): TensorValues[] {
  const aZp = optionalNumbersOf(ctx, 2);
  const bZp = optionalNumbersOf(ctx, 3);
  const a = shifted(numbersOf(ctx, 0), aZp, (i) => Math.floor(i / d.k) % (aZp?.length ?? 1));
  const b = shifted(numbersOf(ctx, 1), bZp, (i) => i % d.n);
  const out = new Float64Array(numElements(outs[0]!.shape));
  batchedProduct(ctx, d, a, b, out);
  return [storeAs(outs[0]!.dtype, out)];
}

/** Gemm: alpha·A'·B' + beta·C, with A' = Aᵀ under transA, B' = Bᵀ under transB, C broadcast. */
export function evaluateGemm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [m, n] = outs[0]!.shape as [number, number];
  const as = input(ctx, 0).shape;
  const k = intAttr(ctx, 'transA', 0) ? as[0]! : as[1]!;
  const alpha = floatAttr(ctx, 'alpha', 1);
  const beta = floatAttr(ctx, 'beta', 1);
  const a0 = numbersOf(ctx, 0);
  const b0 = numbersOf(ctx, 1);
  const a = intAttr(ctx, 'transA', 0) ? transposeMatrices(a0, k, m) : a0;
  // gemmNT wants B as N×K, which is B itself under transB.
  const bt = intAttr(ctx, 'transB', 0) ? b0 : transposeMatrices(b0, k, n);
  const out = scratchFor(outs[0]!.dtype, m * n);
  const aView = { data: a, offset: 0, stride: k };
  gemmNT(
    aView,
    { data: bt, offset: 0, stride: k },
    { data: out, offset: 0, stride: n },
    { m, n, k },
  );
  const c = optionalNumbersOf(ctx, 2);
  if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i]! *= alpha;
  if (c && beta !== 0) addBias(out, c, ctx.inputs[2]!.shape, m, n, beta);
  return [storeAs(outs[0]!.dtype, out)];
}

/** out[i, j] += beta·C[i, j] with C unidirectionally broadcast to [m, n]. */
function addBias(
  out: NumArray,
  c: ArrayLike<number>,
  shape: readonly number[],
  m: number,
  n: number,
  beta: number,
): void {
  const [rs, cs] = broadcastStrides(shape, [m, n]) as [number, number];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j]! += beta * c[i * rs + j * cs]!;
  }
}
