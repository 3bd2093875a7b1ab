// Integer and quantised products: ConvInteger, QLinearConv, QLinearMatMul. Operands are shifted by
// their zero points (so zero padding stays zero), multiplied exactly on gemmNT (integer products
// are exact in doubles), then requantised: round half to even of acc·(sa·sb/sy), plus y's zero
// point, saturated. The multiplier is formed in float32, as runtimes do.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intAttr, intsAttr } from './context.js';
import { addChannelBias, convolve } from './conv-kernel.js';
import { forwardConvSpec } from './conv-pool.js';
import { numbersOf, optionalNumbersOf } from './kernel-util.js';
import { matmulDims } from './matmul.js';
import { evaluateMatMulInteger } from './matmul-kernel.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { roundHalfEven, saturate } from './quantize.js';
import { allocValues } from './values.js';
import { readWindow, windowOutput } from './window.js';

/** Conv output shape for data at input `xi` and weights at input `wi`. */
function convShape(ctx: OpContext, xi: number, wi: number): number[] {
  const x = input(ctx, xi).shape;
  const w = input(ctx, wi).shape;
  if (x.length < 3 || w.length !== x.length)
    fail(ctx, `input ${fmtShape(x)} and weight ${fmtShape(w)} must be N-C-spatial of one rank`);
  const group = intAttr(ctx, 'group', 1);
  if (w[1]! * group !== x[1])
    fail(ctx, `weight ${fmtShape(w)} with group ${group} does not match ${x[1]} input channels`);
  const win = readWindow(ctx, intsAttr(ctx, 'kernel_shape') ?? w.slice(2));
  return [x[0]!, w[0]!, ...windowOutput(ctx, x.slice(2), win)];
}

/** x − zp, with zp per tensor or per channel (`groupOf` maps a flat index to its channel). */
function shift(
  x: ArrayLike<number>,
  zp: ArrayLike<number> | undefined,
  groupOf: (i: number) => number,
): Float64Array {
  const out = Float64Array.from(x);
  if (!zp || zp.length === 0) return out;
  for (let i = 0; i < out.length; i++) out[i]! -= zp[zp.length === 1 ? 0 : groupOf(i)]!;
  return out;
}

/** Exact integer convolution of zero-point-shifted operands (weights' zero point per output channel). */
function integerConv(
  ctx: OpContext,
  outShape: readonly number[],
  at: { x: number; w: number; xZp: number; wZp: number },
): Float64Array {
  const s = forwardConvSpec(ctx, outShape, at.x, at.w);
  const perFilter = numElements(input(ctx, at.w).shape.slice(1));
  const x = shift(numbersOf(ctx, at.x), optionalNumbersOf(ctx, at.xZp), () => 0);
  const w = shift(numbersOf(ctx, at.w), optionalNumbersOf(ctx, at.wZp), (i) =>
    Math.floor(i / perFilter),
  );
  const acc = new Float64Array(numElements(outShape));
  convolve(s, x, w, acc);
  return acc;
}

/** Which scale of a and of b applies to output element i (used only when they are not scalars). */
interface ScaleIndex {
  readonly a: (i: number) => number;
  readonly b: (i: number) => number;
}

/** Requantises acc[i] with per-tensor or per-row/column/channel scales into `dtype`. */
function requantize(
  acc: Float64Array,
  dtype: TensorType['dtype'],
  scales: { a: ArrayLike<number>; b: ArrayLike<number>; y: number; yZp: number },
  at: ScaleIndex,
): TensorValues {
  const out = allocValues(dtype, acc.length);
  for (let i = 0; i < acc.length; i++) {
    const sa = scales.a[scales.a.length === 1 ? 0 : at.a(i)]!;
    const sb = scales.b[scales.b.length === 1 ? 0 : at.b(i)]!;
    const multiplier = Math.fround(Math.fround(sa * sb) / scales.y);
    out[i] = saturate(roundHalfEven(Math.fround(acc[i]! * multiplier)) + scales.yZp, dtype);
  }
  return out;
}

function evaluateConvInteger(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const acc = integerConv(ctx, outs[0]!.shape, { x: 0, w: 1, xZp: 2, wZp: 3 });
  return [Int32Array.from(acc)];
}

function evaluateQLinearConv(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = outs[0]!.shape;
  const acc = integerConv(ctx, shape, { x: 0, w: 3, xZp: 2, wZp: 5 });
  const bias = optionalNumbersOf(ctx, 8);
  if (bias) addChannelBias(acc, bias, shape[0]!, shape[1]!);
  const plane = numElements(shape.slice(2));
  const yZp = optionalNumbersOf(ctx, 7)?.[0] ?? 0;
  const scales = { a: numbersOf(ctx, 1), b: numbersOf(ctx, 4), y: numbersOf(ctx, 6)[0]!, yZp };
  const channel = (i: number) => Math.floor(i / plane) % shape[1]!;
  return [requantize(acc, outs[0]!.dtype, scales, { a: channel, b: channel })];
}

function evaluateQLinearMatMul(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  // Reuse MatMulInteger with the inputs rearranged as (a, b, a_zero_point, b_zero_point).
  const integerCtx: OpContext = {
    ...ctx,
    inputs: [ctx.inputs[0], ctx.inputs[3], ctx.inputs[2], ctx.inputs[5]],
  };
  const d = matmulDims(ctx, input(ctx, 0).shape, input(ctx, 3).shape);
  const int32: TensorType[] = [{ dtype: 'int32', shape: outs[0]!.shape }];
  const acc = Float64Array.from(
    evaluateMatMulInteger(integerCtx, int32, d)[0] as ArrayLike<number>,
  );
  const yZp = optionalNumbersOf(ctx, 7)?.[0] ?? 0;
  const scales = { a: numbersOf(ctx, 1), b: numbersOf(ctx, 4), y: numbersOf(ctx, 6)[0]!, yZp };
  // a's scales are per row, b's per column.
  const at = { a: (i: number) => Math.floor(i / d.n) % d.m, b: (i: number) => i % d.n };
  return [requantize(acc, outs[0]!.dtype, scales, at)];
}

/** Integer and quantised product ops. */
export const QLINEAR_OPS: readonly OpDef[] = [
  {
    op: 'ConvInteger',
    domain: '',
    infer: (ctx) => [{ dtype: 'int32', shape: convShape(ctx, 0, 1) }],
    macs: (ctx, outs) => numElements(outs[0]!.shape) * numElements(input(ctx, 1).shape.slice(1)),
    evaluate: evaluateConvInteger,
  },
  {
    op: 'QLinearConv',
    domain: '',
    infer: (ctx) => [{ dtype: input(ctx, 7).dtype, shape: convShape(ctx, 0, 3) }],
    macs: (ctx, outs) => numElements(outs[0]!.shape) * numElements(input(ctx, 3).shape.slice(1)),
    evaluate: evaluateQLinearConv,
  },
  {
    op: 'QLinearMatMul',
    domain: '',
    infer: (ctx) => [
      {
        dtype: input(ctx, 7).dtype,
        shape: matmulDims(ctx, input(ctx, 0).shape, input(ctx, 3).shape).shape,
      },
    ],
    macs: (ctx) => {
      const d = matmulDims(ctx, input(ctx, 0).shape, input(ctx, 3).shape);
      return numElements(d.batch) * d.m * d.k * d.n;
    },
    evaluate: evaluateQLinearMatMul,
  },
];
