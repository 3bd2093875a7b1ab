// The one matrix-product kernel behind MatMul, Gemm, Conv, ConvTranspose and the integer and
// quantised variants: C = A·Bᵀ with both operands K-contiguous ("NT" form), so the inner loop is
// a dot product over two unit-stride rows. A 4×4 register block gives 16 independent double
// accumulators per 8 loads, which V8 keeps in registers; plain JS reaches ~4-5 GFLOP/s this way.
// Accumulators are doubles and each output is rounded once, when it is stored. Float32 operands
// of at least 4×4 outputs go to the WebAssembly SIMD kernel instead (wasm-gemm.ts, ~20 GFLOP/s).

import { gemmNTWasm, isWasmGemmUsable } from './wasm-gemm.js';

/** Any numeric storage a kernel reads or writes. */
export type NumArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** One operand of gemmNT: `rows` rows of K elements, row r starting at offset + r·stride. */
export interface MatrixView {
  readonly data: ArrayLike<number>;
  readonly offset: number;
  readonly stride: number;
}

/** Where gemmNT writes: element (i, j) goes to data[offset + i·stride + j]. */
export interface OutputView {
  readonly data: NumArray;
  readonly offset: number;
  readonly stride: number;
}

/** Sizes of one product: C is m×n, the contraction runs over k. */
export interface GemmSize {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Add the product to what C holds instead of overwriting it. */
  readonly isAccumulate?: boolean;
}

/** C[i, j] = Σ_k A[i, k]·B[j, k] for i < m, j < n (B is given transposed, N×K). */
export function gemmNT(a: MatrixView, b: MatrixView, c: OutputView, size: GemmSize): void {
  if (isWasmGemmUsable(a.data, b.data, size)) {
    gemmNTWasm(
      a as MatrixView & { data: Float32Array },
      b as MatrixView & { data: Float32Array },
      c,
      size,
    );
    return;
  }
  const { m, n, k } = size;
  const isAccumulate = size.isAccumulate === true;
  const full = m - (m % 4);
  // Panels of B's rows sized to stay in L2 while every row block of A sweeps them.
  const panel = Math.max(4, Math.floor(PANEL_ELEMENTS / Math.max(1, k)) & ~3);
  for (let j0 = 0; j0 < n; j0 += panel) {
    const cols = Math.min(panel, n - j0);
    const bp = { data: b.data, offset: b.offset + j0 * b.stride, stride: b.stride };
    const cp = { data: c.data, offset: c.offset + j0, stride: c.stride };
    gemmRows4(a, bp, cp, 0, full, cols, k, isAccumulate);
    for (let i = full; i < m; i++) gemmRow(a, bp, cp, i, cols, k, isAccumulate);
  }
}

/** Elements of B per panel (~256 KiB of float32). */
const PANEL_ELEMENTS = 65536;

/** Rows [from, to) of C, four at a time (to − from must be a multiple of 4). */
// prettier-ignore
function gemmRows4(
  a: MatrixView,
  b: MatrixView,
  c: OutputView,
  from: number,
  to: number,
  n: number,
  k: number,
  isAccumulate: boolean,
): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const lc = c.stride;
  for (let i = from; i < to; i += 4) {
    const i1 = i + 1;
    const i2 = i + 2;
    const i3 = i + 3;
    const a0 = a.offset + i * a.stride;
    const a1 = a.offset + i1 * a.stride;
    const a2 = a.offset + i2 * a.stride;
    const a3 = a.offset + i3 * a.stride;
    const r0 = c.offset + i * lc;
    const r1 = c.offset + i1 * lc;
    const r2 = c.offset + i2 * lc;
    const r3 = c.offset + i3 * lc;
    for (let j = 0; j < n; j += 4) {
      // Edge columns repeat the last one: the duplicate stores write identical values.
      const j1 = Math.min(j + 1, n - 1);
      const j2 = Math.min(j + 2, n - 1);
      const j3 = Math.min(j + 3, n - 1);
      const b0 = b.offset + j * b.stride;
      const b1 = b.offset + j1 * b.stride;
      const b2 = b.offset + j2 * b.stride;
      const b3 = b.offset + j3 * b.stride;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = A[a0 + q]!;
        const x1 = A[a1 + q]!;
        const x2 = A[a2 + q]!;
        const x3 = A[a3 + q]!;
        const y0 = B[b0 + q]!;
        const y1 = B[b1 + q]!;
        const y2 = B[b2 + q]!;
        const y3 = B[b3 + q]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      if (isAccumulate) {
        // Read all sixteen first: with edge duplicates, a cell must not be added to twice.
        c00 += C[r0 + j]!; c01 += C[r0 + j1]!; c02 += C[r0 + j2]!; c03 += C[r0 + j3]!;
        c10 += C[r1 + j]!; c11 += C[r1 + j1]!; c12 += C[r1 + j2]!; c13 += C[r1 + j3]!;
        c20 += C[r2 + j]!; c21 += C[r2 + j1]!; c22 += C[r2 + j2]!; c23 += C[r2 + j3]!;
        c30 += C[r3 + j]!; c31 += C[r3 + j1]!; c32 += C[r3 + j2]!; c33 += C[r3 + j3]!;
      }
      C[r0 + j] = c00; C[r0 + j1] = c01; C[r0 + j2] = c02; C[r0 + j3] = c03;
      C[r1 + j] = c10; C[r1 + j1] = c11; C[r1 + j2] = c12; C[r1 + j3] = c13;
      C[r2 + j] = c20; C[r2 + j1] = c21; C[r2 + j2] = c22; C[r2 + j3] = c23;
      C[r3 + j] = c30; C[r3 + j1] = c31; C[r3 + j2] = c32; C[r3 + j3] = c33;
    }
  }
}

/** One row i of C, four columns at a time. */
// prettier-ignore
function gemmRow(
  a: MatrixView,
  b: MatrixView,
  c: OutputView,
  i: number,
  n: number,
  k: number,
  isAccumulate: boolean,
): void {
  const A = a.data;
  const B = b.data;
  const C = c.data;
  const a0 = a.offset + i * a.stride;
  const r0 = c.offset + i * c.stride;
  for (let j = 0; j < n; j += 4) {
    const j1 = Math.min(j + 1, n - 1);
    const j2 = Math.min(j + 2, n - 1);
    const j3 = Math.min(j + 3, n - 1);
    const b0 = b.offset + j * b.stride;
    const b1 = b.offset + j1 * b.stride;
    const b2 = b.offset + j2 * b.stride;
    const b3 = b.offset + j3 * b.stride;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let q = 0; q < k; q++) {
      const x = A[a0 + q]!;
      c0 += x * B[b0 + q]!; c1 += x * B[b1 + q]!; c2 += x * B[b2 + q]!; c3 += x * B[b3 + q]!;
    }
    if (isAccumulate) {
      c0 += C[r0 + j]!; c1 += C[r0 + j1]!; c2 += C[r0 + j2]!; c3 += C[r0 + j3]!;
    }
    C[r0 + j] = c0; C[r0 + j1] = c1; C[r0 + j2] = c2; C[r0 + j3] = c3;
  }
}

/** Writes the transpose of a rows×cols block (row-major at `src[offset]`) into `out` (cols×rows). */
export function transposeInto(
  out: NumArray,
  src: ArrayLike<number>,
  offset: number,
  rows: number,
  cols: number,
): NumArray {
  // 32×32 tiles keep both the reads and the writes within a few cache lines.
  for (let r0 = 0; r0 < rows; r0 += 32) {
    const r1 = Math.min(rows, r0 + 32);
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const c1 = Math.min(cols, c0 + 32);
      for (let r = r0; r < r1; r++) {
        const base = offset + r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[base + c]!;
      }
    }
  }
  return out;
}

/** The values as a Float32Array (a view when they already are one, else a converted copy). */
export function asFloat32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
