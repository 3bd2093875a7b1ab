// Matrix products: MatMul (numpy semantics, broadcast batch dims), Gemm, and Einsum.
import { numElements } from '../graph.js';
import { broadcastShapes } from './broadcast.js';
import { fail, fmtShape, input, intAttr } from './context.js';
import { EINSUM_OP } from './einsum.js';
import { evaluateGemm, evaluateMatMul, evaluateMatMulInteger } from './matmul-kernel.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

interface MatMulDims {
  readonly batch: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly shape: readonly number[];
}

/** Batch, M, K, N and the output shape of MatMul(a, b), with 1-D operands promoted and dropped. */
export function matmulDims(ctx: OpContext, a: readonly number[], b: readonly number[]): MatMulDims {
  if (a.length === 0 || b.length === 0) fail(ctx, 'MatMul operands must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const [m, k] = a2.slice(-2) as [number, number];
  const [kb, n] = b2.slice(-2) as [number, number];
  if (k !== kb)
    fail(ctx, `cannot multiply ${fmtShape(a)} by ${fmtShape(b)}: inner dims ${k} and ${kb} differ`);
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) fail(ctx, `batch dims of ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
  const shape = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  return { batch, m, k, n, shape };
}

function inferMatMul(ctx: OpContext): TensorType[] {
  const a = input(ctx, 0);
  return [
    {
      dtype: ctx.op === 'MatMulInteger' ? 'int32' : a.dtype,
      shape: matmulDims(ctx, a.shape, input(ctx, 1).shape).shape,
    },
  ];
}

function productDims(ctx: OpContext): MatMulDims {
  return matmulDims(ctx, input(ctx, 0).shape, input(ctx, 1).shape);
}

function matmulMacs(ctx: OpContext): number {
  const d = matmulDims(ctx, input(ctx, 0).shape, input(ctx, 1).shape);
  return numElements(d.batch) * d.m * d.k * d.n;
}

function gemmDims(ctx: OpContext): { m: number; k: number; n: number } {
  const a = input(ctx, 0).shape;
  const b = input(ctx, 1).shape;
  if (a.length !== 2 || b.length !== 2)
    fail(ctx, `Gemm needs 2-D inputs, got ${fmtShape(a)} and ${fmtShape(b)}`);
  const [m, k] = intAttr(ctx, 'transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = intAttr(ctx, 'transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== kb) fail(ctx, `inner dims ${k} and ${kb} differ (A ${fmtShape(a)}, B ${fmtShape(b)})`);
  return { m, k, n };
}

function inferGemm(ctx: OpContext): TensorType[] {
  const { m, n } = gemmDims(ctx);
  const c = ctx.inputs[2];
  if (c && !broadcastShapes([c.shape, [m, n]])?.every((d, i) => d === [m, n][i])) {
    fail(ctx, `C ${fmtShape(c.shape)} does not broadcast to [${m}, ${n}]`);
  }
  return [{ dtype: input(ctx, 0).dtype, shape: [m, n] }];
}

function gemmMacs(ctx: OpContext): number {
  const { m, k, n } = gemmDims(ctx);
  return m * k * n;
}

/** Matrix-product ops. */
export const MATMUL_OPS: readonly OpDef[] = [
  {
    op: 'MatMul',
    domain: '',
    infer: inferMatMul,
    macs: matmulMacs,
    evaluate: (ctx, outs) => evaluateMatMul(ctx, outs, productDims(ctx)),
  },
  {
    op: 'MatMulInteger',
    domain: '',
    infer: inferMatMul,
    macs: matmulMacs,
    evaluate: (ctx, outs) => evaluateMatMulInteger(ctx, outs, productDims(ctx)),
  },
  { op: 'Gemm', domain: '', infer: inferGemm, macs: gemmMacs, evaluate: evaluateGemm },
  EINSUM_OP,
];

export { matmulMacs, inferMatMul };
