// Reference kernels for MatMul, Gemm, MatMulInteger, Einsum and the shared gemmNT kernel.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gemmNT } from '../../../compiler/ops/gemm-kernel.js';
import { isWasmGemmUsable } from '../../../compiler/ops/wasm-gemm.js';
import { assertClose, f32, runOp, seeded } from './nn-helpers.js';

/** Naive C = A·B for row-major A [m, k] and B [k, n]. */
function naiveProduct(
  a: readonly number[],
  b: readonly number[],
  m: number,
  k: number,
  n: number,
): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let q = 0; q < k; q++) c[i * n + j]! += a[i * k + q]! * b[q * n + j]!;
  return c;
}

const A23 = f32([2, 3], [1, 2, 3, 4, 5, 6]);
const B32 = f32([3, 2], [7, 8, 9, 10, 11, 12]);

const GemmNT = suite('gemmNT');
GemmNT('gemmNT(a, b, c, size) equals the naive product for every edge size up to 9', () => {
  for (const [m, n, k] of [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [5, 9, 7],
    [8, 3, 1],
    [9, 6, 5],
  ] as const) {
    const a = seeded([m, k], m * 31 + k).values;
    const bt = seeded([n, k], n * 17 + k).values;
    const b = Array.from({ length: k * n }, (_, i) => bt[(i % n) * k + Math.floor(i / n)]!);
    const c = new Float64Array(m * n);
    gemmNT(
      { data: a, offset: 0, stride: k },
      { data: bt, offset: 0, stride: k },
      { data: c, offset: 0, stride: n },
      { m, n, k },
    );
    assertClose(Array.from(c), naiveProduct(a, b, m, k, n), 1e-12);
  }
});
GemmNT('gemmNT(..., {isAccumulate: true}) adds the product to what the output holds', () => {
  const c = Float64Array.of(1, 1, 1, 1);
  gemmNT(
    { data: [1, 2], offset: 0, stride: 1 },
    { data: [3, 4], offset: 0, stride: 1 },
    { data: c, offset: 0, stride: 2 },
    { m: 2, n: 2, k: 1, isAccumulate: true },
  );
  assert.equal(Array.from(c), [4, 5, 7, 9]);
});
GemmNT(
  'gemmNT on float32 operands (the WebAssembly SIMD kernel) matches the naive product, edges and accumulation included',
  () => {
    for (const [m, n, k] of [
      [4, 4, 1],
      [5, 7, 3],
      [13, 9, 18],
      [64, 33, 70],
    ] as const) {
      const a = Float32Array.from(seeded([m, k], m + k).values);
      const bt = Float32Array.from(seeded([n, k], n * 3 + k).values);
      assert.ok(isWasmGemmUsable(a, bt, { m, n, k }), 'WebAssembly SIMD is available on Node 20');
      const b = Array.from({ length: k * n }, (_, i) => bt[(i % n) * k + Math.floor(i / n)]!);
      // A strided view: C sits at offset 2 with a row stride of n + 3, and starts at 1 (accumulate).
      const c = new Float32Array(2 + m * (n + 3)).fill(1);
      const view = { data: c, offset: 2, stride: n + 3 };
      gemmNT({ data: a, offset: 0, stride: k }, { data: bt, offset: 0, stride: k }, view, {
        m,
        n,
        k,
        isAccumulate: true,
      });
      const want = naiveProduct(Array.from(a), b, m, k, n);
      const got = Array.from(
        { length: m * n },
        (_, i) => c[2 + Math.floor(i / n) * (n + 3) + (i % n)]! - 1,
      );
      assertClose(got, want, 1e-5);
    }
  },
);
GemmNT.run();

const MatMul = suite('MatMul');
MatMul('MatMul multiplies [2, 3] by [3, 2]', () => {
  assert.equal(runOp('MatMul', [A23, B32])[0]!.values, [58, 64, 139, 154]);
});
MatMul('MatMul promotes a 1-D left operand and drops its dim', () => {
  const [y] = runOp('MatMul', [f32([3], [1, 2, 3]), B32]);
  assert.equal(y!.shape, [2]);
  assert.equal(y!.values, [58, 64]);
});
MatMul('MatMul promotes a 1-D right operand to a column', () => {
  const [y] = runOp('MatMul', [A23, f32([3], [1, 0, -1])]);
  assert.equal(y!.shape, [2]);
  assert.equal(y!.values, [-2, -2]);
});
MatMul('MatMul broadcasts batch dims ([2, 1, 2, 3] by [3, 3, 2])', () => {
  const a = seeded([2, 1, 2, 3], 1);
  const b = seeded([3, 3, 2], 2);
  const [y] = runOp('MatMul', [a, b]);
  assert.equal(y!.shape, [2, 3, 2, 2]);
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 3; j++) {
      const want = naiveProduct(
        a.values.slice(i * 6, i * 6 + 6),
        b.values.slice(j * 6, j * 6 + 6),
        2,
        3,
        2,
      );
      assertClose(y!.values.slice((i * 3 + j) * 4, (i * 3 + j) * 4 + 4), want);
    }
});
MatMul.run();

const Gemm = suite('Gemm');
Gemm('Gemm computes alpha·Aᵀ·Bᵀ + beta·C with C broadcast from a row', () => {
  const at = f32([3, 2], [1, 4, 2, 5, 3, 6]);
  const bt = f32([2, 3], [7, 9, 11, 8, 10, 12]);
  const [y] = runOp('Gemm', [at, bt, f32([2], [1, -1])], {
    attrs: { transA: 1, transB: 1, alpha: 0.5, beta: 2 },
  });
  assert.equal(y!.values, [29 + 2, 32 - 2, 69.5 + 2, 77 - 2]);
});
Gemm('Gemm without C is a plain product', () => {
  assert.equal(runOp('Gemm', [A23, B32])[0]!.values, [58, 64, 139, 154]);
});
Gemm.run();

const MatMulInteger = suite('MatMulInteger');
MatMulInteger('MatMulInteger subtracts both zero points and accumulates exactly in int32', () => {
  const a = { shape: [2, 2], values: [11, 7, 3, 255], dtype: 'uint8' as const };
  const b = { shape: [2, 2], values: [1, 2, 3, 4], dtype: 'uint8' as const };
  const [y] = runOp('MatMulInteger', [
    a,
    b,
    { shape: [], values: [3], dtype: 'uint8' },
    { shape: [], values: [1], dtype: 'uint8' },
  ]);
  // (A − 3)·(B − 1) = [[8, 4], [0, 252]]·[[0, 1], [2, 3]]
  assert.equal(y!.values, [8, 20, 504, 756]);
});
MatMulInteger('MatMulInteger takes a per-row zero point for A', () => {
  const a = { shape: [2, 1], values: [5, 5], dtype: 'uint8' as const };
  const b = { shape: [1, 1], values: [2], dtype: 'uint8' as const };
  const [y] = runOp('MatMulInteger', [a, b, { shape: [2], values: [1, 4], dtype: 'uint8' }]);
  assert.equal(y!.values, [8, 2]);
});
MatMulInteger.run();

const Einsum = suite('Einsum');
const einsum = (equation: string, ...inputs: Parameters<typeof runOp>[1]) =>
  runOp('Einsum', inputs, { attrs: { equation } })[0]!;
Einsum('Einsum "ij->ji" transposes', () => {
  assert.equal(einsum('ij->ji', A23).values, [1, 4, 2, 5, 3, 6]);
});
Einsum('Einsum "ii->" is the trace and "ii->i" the diagonal', () => {
  const m = f32([2, 2], [1, 2, 3, 4]);
  assert.equal(einsum('ii->', m).values, [5]);
  assert.equal(einsum('ii->i', m).values, [1, 4]);
});
Einsum('Einsum "ij,jk" (implicit output) is the matrix product', () => {
  assert.equal(einsum('ij,jk', A23, B32).values, [58, 64, 139, 154]);
});
Einsum('Einsum "i,i" is the inner product and "i,j->ij" the outer product', () => {
  assert.equal(einsum('i,i', f32([3], [1, 2, 3]), f32([3], [4, 5, 6])).values, [32]);
  assert.equal(einsum('i,j->ij', f32([2], [1, 2]), f32([2], [3, 4])).values, [3, 4, 6, 8]);
});
Einsum('Einsum "...ij,...jk->...ik" broadcasts the ellipsis dims like MatMul', () => {
  const a = seeded([2, 1, 2, 3], 5);
  const b = seeded([3, 3, 2], 6);
  const y = einsum('...ij,...jk->...ik', a, b);
  assert.equal(y.shape, [2, 3, 2, 2]);
  assertClose(y.values, runOp('MatMul', [a, b])[0]!.values);
});
Einsum('Einsum "ij,jk,kl->il" contracts three operands', () => {
  const [a, b, c] = [seeded([2, 3], 7), seeded([3, 4], 8), seeded([4, 2], 9)];
  const ab = runOp('MatMul', [a, b])[0]!;
  const want = runOp('MatMul', [f32(ab.shape, ab.values), c])[0]!.values;
  assertClose(einsum('ij,jk,kl->il', a, b, c).values, want);
});
Einsum('Einsum "bij->bj" sums over a letter that appears once and is not kept', () => {
  assert.equal(einsum('bij->bj', f32([1, 2, 2], [1, 2, 3, 4])).values, [4, 6]);
});
Einsum.run();
