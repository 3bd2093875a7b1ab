// com.microsoft quantised ops that onnxruntime's static and dynamic quantisation emit:
// QLinearAdd/Mul/Sigmoid/LeakyRelu/GlobalAveragePool/AveragePool/Concat, QGemm,
// MatMulIntegerToFloat and DynamicQuantizeMatMul. Each dequantises (per tensor), computes in
// float and requantises (round half to even, saturate), which is what the runtime's kernels
// compute up to float rounding.
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { broadcastShapes, mapBroadcast } from './broadcast.js';
import { fail, fmtShape, input, intAttr, normAxis, floatAttr } from './context.js';
import { numbersOf, optionalNumbersOf } from './kernel-util.js';
import { matmulDims } from './matmul.js';
import { evaluateGemm, evaluateMatMul } from './matmul-kernel.js';
import type { EvaluateFn, OpContext, OpDef, TensorInfo, TensorType } from './op-def.js';
import { POOL_KERNELS } from './pool-kernel.js';
import { roundHalfEven, saturate } from './quantize.js';
import { allocValues } from './values.js';
import { readWindow, windowOutput } from './window.js';

const MS = 'com.microsoft';

/** Scale and zero point (per tensor) of a quantised operand. */
interface Quant {
  readonly scale: number;
  readonly zp: number;
}

function quantAt(ctx: OpContext, scaleAt: number, zpAt: number): Quant {
  return { scale: numbersOf(ctx, scaleAt)[0]!, zp: optionalNumbersOf(ctx, zpAt)?.[0] ?? 0 };
}

function dequantize(x: ArrayLike<number>, q: Quant): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - q.zp) * q.scale;
  return out;
}

function quantizeInto(dtype: TensorType['dtype'], x: ArrayLike<number>, q: Quant): TensorValues {
  const out = allocValues(dtype, x.length);
  for (let i = 0; i < x.length; i++)
    out[i] = saturate(roundHalfEven(Math.fround(x[i]! / q.scale)) + q.zp, dtype);
  return out;
}

/** dtype of the quantised output: the output zero point's, else the first operand's. */
function quantDtype(ctx: OpContext, zpAt: number, fallbackAt: number): TensorType['dtype'] {
  return (ctx.inputs[zpAt] ?? input(ctx, fallbackAt)).dtype;
}

/** QLinearAdd / QLinearMul: (A, sa, za, B, sb, zb, sc, zc) with numpy broadcasting. */
function binary(op: string, f: (a: number, b: number) => number): OpDef {
  const infer = (ctx: OpContext): TensorType[] => {
    const shape = broadcastShapes([input(ctx, 0).shape, input(ctx, 3).shape]);
    if (!shape)
      fail(
        ctx,
        `${fmtShape(input(ctx, 0).shape)} and ${fmtShape(input(ctx, 3).shape)} do not broadcast`,
      );
    return [{ dtype: quantDtype(ctx, 7, 0), shape }];
  };
  const evaluate: EvaluateFn = (ctx, outs) => {
    const a = dequantize(numbersOf(ctx, 0), quantAt(ctx, 1, 2));
    const b = dequantize(numbersOf(ctx, 3), quantAt(ctx, 4, 5));
    const y = new Float64Array(numElements(outs[0]!.shape));
    const ins = [
      { shape: input(ctx, 0).shape, values: a },
      { shape: input(ctx, 3).shape, values: b },
    ];
    mapBroadcast(y, outs[0]!.shape, ins, (p, q) => f(p!, q!));
    return [quantizeInto(outs[0]!.dtype, y, quantAt(ctx, 6, 7))];
  };
  return { op, domain: MS, infer, evaluate };
}

/** QLinearSigmoid / QLinearLeakyRelu: (X, sx, zx, sy, zy). */
function unary(op: string, f: (x: number, ctx: OpContext) => number): OpDef {
  return {
    op,
    domain: MS,
    infer: (ctx) => [{ dtype: quantDtype(ctx, 4, 0), shape: input(ctx, 0).shape }],
    evaluate: (ctx, outs) => {
      const x = dequantize(numbersOf(ctx, 0), quantAt(ctx, 1, 2));
      const y = x.map((v) => f(v, ctx));
      return [quantizeInto(outs[0]!.dtype, y, quantAt(ctx, 3, 4))];
    },
  };
}

/** An NHWC shape viewed as NCHW (channels_last = 1), and back. */
const toChannelsFirst = (s: readonly number[]) => [s[0]!, s[s.length - 1]!, ...s.slice(1, -1)];
const toChannelsLast = (s: readonly number[]) => [s[0]!, ...s.slice(2), s[1]!];

/** Permutes [N, spatial..., C] data to [N, C, spatial...] or back. */
function permuteChannels(
  x: ArrayLike<number>,
  shape: readonly number[],
  toFirst: boolean,
): Float32Array {
  const [n, c] = toFirst ? [shape[0]!, shape[shape.length - 1]!] : [shape[0]!, shape[1]!];
  const plane = numElements(shape) / (n * c);
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let p = 0; p < plane; p++) {
        const first = (b * c + ch) * plane + p;
        const last = (b * plane + p) * c + ch;
        if (toFirst) out[first] = x[last]!;
        else out[last] = x[first]!;
      }
  return out;
}

/** QLinearGlobalAveragePool / QLinearAveragePool: a float pool between dequantise and requantise. */
function pool(op: string, isGlobal: boolean): OpDef {
  const nchwShape = (ctx: OpContext) => {
    const s = input(ctx, 0).shape;
    return intAttr(ctx, 'channels_last', 0) === 1 ? toChannelsFirst(s) : s;
  };
  const outShape = (ctx: OpContext) => {
    const s = nchwShape(ctx);
    const spatial = isGlobal
      ? s.slice(2).map(() => 1)
      : windowOutput(
          ctx,
          s.slice(2),
          readWindow(
            ctx,
            ctx.attrs['kernel_shape']?.kind === 'ints' ? ctx.attrs['kernel_shape'].value : [],
          ),
        );
    const nchw = [s[0]!, s[1]!, ...spatial];
    return intAttr(ctx, 'channels_last', 0) === 1 ? toChannelsLast(nchw) : nchw;
  };
  return {
    op,
    domain: MS,
    infer: (ctx) => [{ dtype: quantDtype(ctx, 4, 0), shape: outShape(ctx) }],
    evaluate: (ctx, outs) => {
      const isLast = intAttr(ctx, 'channels_last', 0) === 1;
      const shape = input(ctx, 0).shape;
      const deq = dequantize(numbersOf(ctx, 0), quantAt(ctx, 1, 2));
      const x = isLast ? permuteChannels(deq, shape, true) : deq;
      const nchw = nchwShape(ctx);
      const outNchw = isLast ? toChannelsFirst(outs[0]!.shape) : outs[0]!.shape;
      const inner: OpContext = { ...ctx, inputs: [{ dtype: 'float32', shape: nchw, values: x }] };
      const kernel = isGlobal ? POOL_KERNELS.GlobalAveragePool : POOL_KERNELS.AveragePool;
      const [pooled] = kernel(inner, [{ dtype: 'float32', shape: outNchw }]);
      const y = isLast
        ? permuteChannels(pooled as Float32Array, outNchw, false)
        : (pooled as Float32Array);
      return [quantizeInto(outs[0]!.dtype, y, quantAt(ctx, 3, 4))];
    },
  };
}

/** QLinearConcat(y_scale, y_zp, (x, x_scale, x_zp)...). */
const CONCAT: OpDef = {
  op: 'QLinearConcat',
  domain: MS,
  infer: (ctx) => {
    const parts = Array.from({ length: (ctx.inputs.length - 2) / 3 }, (_, k) =>
      input(ctx, 2 + 3 * k),
    );
    const first = parts[0]!.shape;
    const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), first.length);
    const shape = first.map((d, i) =>
      i === axis ? parts.reduce((s, p) => s + p.shape[i]!, 0) : d,
    );
    return [{ dtype: quantDtype(ctx, 1, 2), shape }];
  },
  evaluate: (ctx, outs) => {
    const shape = outs[0]!.shape;
    const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), shape.length);
    const inner = numElements(shape.slice(axis + 1));
    const outer = numElements(shape.slice(0, axis));
    const y = new Float32Array(numElements(shape));
    let offset = 0;
    for (let k = 0; 2 + 3 * k < ctx.inputs.length; k++) {
      const part = input(ctx, 2 + 3 * k);
      const x = dequantize(numbersOf(ctx, 2 + 3 * k), quantAt(ctx, 3 + 3 * k, 4 + 3 * k));
      const block = part.shape[axis]! * inner;
      for (let o = 0; o < outer; o++)
        y.set(x.subarray(o * block, (o + 1) * block), o * shape[axis]! * inner + offset);
      offset += block;
    }
    return [quantizeInto(outs[0]!.dtype, y, quantAt(ctx, 0, 1))];
  },
};

/** A float MatMul / Gemm of dequantised operands, optionally requantised. */
function floatProduct(
  ctx: OpContext,
  a: TensorInfo,
  b: TensorInfo,
  out: TensorType,
  gemm?: { c?: TensorInfo },
): Float32Array {
  const inner: OpContext = { ...ctx, inputs: gemm ? [a, b, gemm.c] : [a, b] };
  const t: TensorType = { dtype: 'float32', shape: out.shape };
  const [y] = gemm
    ? evaluateGemm(inner, [t])
    : evaluateMatMul(inner, [t], matmulDims(ctx, a.shape, b.shape));
  return y as Float32Array;
}

const dequantInput = (ctx: OpContext, at: number, q: Quant): TensorInfo => ({
  dtype: 'float32',
  shape: input(ctx, at).shape,
  values: dequantize(numbersOf(ctx, at), q),
});

/** QGemm(A, sa, za, B, sb, zb, C?, sy?, zy?): float output without sy, else quantised. */
const QGEMM: OpDef = {
  op: 'QGemm',
  domain: MS,
  infer: (ctx) => {
    const a = input(ctx, 0).shape;
    const b = input(ctx, 3).shape;
    const m = intAttr(ctx, 'transA', 0) ? a[1]! : a[0]!;
    const n = intAttr(ctx, 'transB', 0) ? b[0]! : b[1]!;
    return [{ dtype: ctx.inputs[7] ? quantDtype(ctx, 8, 0) : 'float32', shape: [m, n] }];
  },
  evaluate: (ctx, outs) => {
    const qa = quantAt(ctx, 1, 2);
    const qb = quantAt(ctx, 4, 5);
    const cInt = optionalNumbersOf(ctx, 6);
    // C is int32 in the product's scale sa·sb; alpha scales the product only.
    const c: TensorInfo | undefined = cInt && {
      dtype: 'float32',
      shape: input(ctx, 6).shape,
      values: Float32Array.from(cInt, (v) => v * qa.scale * qb.scale),
    };
    const y = floatProduct(
      ctx,
      dequantInput(ctx, 0, qa),
      dequantInput(ctx, 3, qb),
      outs[0]!,
      c ? { c } : {},
    );
    if (!ctx.inputs[7]) return [y];
    return [quantizeInto(outs[0]!.dtype, y, quantAt(ctx, 7, 8))];
  },
};

const matmulShape = (ctx: OpContext, bAt: number): TensorType[] => [
  { dtype: 'float32', shape: matmulDims(ctx, input(ctx, 0).shape, input(ctx, bAt).shape).shape },
];

function addRowBias(y: Float32Array, bias: ArrayLike<number> | undefined): Float32Array {
  if (bias) for (let i = 0; i < y.length; i++) y[i]! += bias[i % bias.length]!;
  return y;
}

/** MatMulIntegerToFloat(A, B, sa, sb, za?, zb?, bias?) → (A − za)·(B − zb)·sa·sb + bias. */
const MATMUL_INTEGER_TO_FLOAT: OpDef = {
  op: 'MatMulIntegerToFloat',
  domain: MS,
  infer: (ctx) => matmulShape(ctx, 1),
  evaluate: (ctx, outs) => {
    const a = dequantInput(ctx, 0, quantAt(ctx, 2, 4));
    const b = dequantInput(ctx, 1, quantAt(ctx, 3, 5));
    return [addRowBias(floatProduct(ctx, a, b, outs[0]!), optionalNumbersOf(ctx, 6))];
  },
};

/** DynamicQuantizeMatMul(A float, B, sb, zb?, bias?): A quantised to uint8 on the fly. */
const DYNAMIC_QUANTIZE_MATMUL: OpDef = {
  op: 'DynamicQuantizeMatMul',
  domain: MS,
  infer: (ctx) => matmulShape(ctx, 1),
  evaluate: (ctx, outs) => {
    const x = numbersOf(ctx, 0);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < x.length; i++) [lo, hi] = [Math.min(lo, x[i]!), Math.max(hi, x[i]!)];
    const scale = Math.fround((hi - lo) / 255) || 1;
    const qa: Quant = { scale, zp: saturate(roundHalfEven(Math.fround(-lo / scale)), 'uint8') };
    const aq = quantizeInto('uint8', x, qa);
    const a: TensorInfo = {
      dtype: 'float32',
      shape: input(ctx, 0).shape,
      values: dequantize(aq as ArrayLike<number>, qa),
    };
    const b = dequantInput(ctx, 1, quantAt(ctx, 2, 3));
    return [addRowBias(floatProduct(ctx, a, b, outs[0]!), optionalNumbersOf(ctx, 4))];
  },
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** com.microsoft quantised ops. */
export const QLINEAR_CONTRIB_OPS: readonly OpDef[] = [
  binary('QLinearAdd', (a, b) => a + b),
  binary('QLinearMul', (a, b) => a * b),
  unary('QLinearSigmoid', sigmoid),
  unary('QLinearLeakyRelu', (x, ctx) => (x >= 0 ? x : floatAttr(ctx, 'alpha', 0.01) * x)),
  pool('QLinearGlobalAveragePool', true),
  pool('QLinearAveragePool', false),
  CONCAT,
  QGEMM,
  MATMUL_INTEGER_TO_FLOAT,
  DYNAMIC_QUANTIZE_MATMUL,
];
