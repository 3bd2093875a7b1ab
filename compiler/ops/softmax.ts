// Same-shape ops that work along one axis: Softmax, LogSoftmax, Hardmax, LpNormalization and
// CumSum. The tensor is viewed as [outer, len, inner] around the axis; before opset 13 the
// Softmax family instead coerces the input to 2-D [d0·…·d(axis-1), d(axis)·…·d(n-1)] and
// normalises each row over all the trailing dims together.
import type { TensorValues } from '../graph.js';
import { castConverter } from './cast-values.js';
import { constInts, constValues, input, intAttr, normAxis } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

/** A tensor as [outer, len, inner]: lines of `len` elements, `inner` apart. */
interface AxisView {
  readonly outer: number;
  readonly len: number;
  readonly inner: number;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function viewAround(shape: readonly number[], axis: number): AxisView {
  return {
    outer: product(shape.slice(0, axis)),
    len: shape[axis] ?? 1,
    inner: product(shape.slice(axis + 1)),
  };
}

/** The Softmax-family view: one axis from opset 13, the 2-D coercion before it. */
function softmaxView(ctx: OpContext): AxisView {
  const shape = input(ctx, 0).shape;
  if (shape.length === 0) return { outer: 1, len: 1, inner: 1 };
  if (ctx.opset >= 13)
    return viewAround(shape, normAxis(ctx, intAttr(ctx, 'axis', -1), shape.length));
  const raw = intAttr(ctx, 'axis', 1);
  const axis = raw < 0 ? raw + shape.length : raw;
  return { outer: product(shape.slice(0, axis)), len: product(shape.slice(axis)), inner: 1 };
}

/** Calls fn(base, stride) for every line of the view. */
function forEachLine(v: AxisView, fn: (base: number, stride: number) => void): void {
  for (let o = 0; o < v.outer; o++)
    for (let i = 0; i < v.inner; i++) fn(o * v.len * v.inner + i, v.inner);
}

type LineKernel = (
  x: ArrayLike<number>,
  y: Float64Array,
  base: number,
  stride: number,
  len: number,
) => void;

function lineMax(x: ArrayLike<number>, base: number, stride: number, len: number): number {
  let m = -Infinity;
  for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * stride]!);
  return m;
}

function expSum(
  x: ArrayLike<number>,
  base: number,
  stride: number,
  len: number,
  max: number,
): number {
  let s = 0;
  for (let k = 0; k < len; k++) s += Math.exp(x[base + k * stride]! - max);
  return s;
}

const softmaxLine: LineKernel = (x, y, base, stride, len) => {
  const m = lineMax(x, base, stride, len);
  const s = expSum(x, base, stride, len, m);
  for (let k = 0; k < len; k++) y[base + k * stride] = Math.exp(x[base + k * stride]! - m) / s;
};

const logSoftmaxLine: LineKernel = (x, y, base, stride, len) => {
  const m = lineMax(x, base, stride, len);
  const logSum = Math.log(expSum(x, base, stride, len, m));
  for (let k = 0; k < len; k++) y[base + k * stride] = x[base + k * stride]! - m - logSum;
};

/** 1 at the first maximum of the line, 0 elsewhere. */
const hardmaxLine: LineKernel = (x, y, base, stride, len) => {
  let best = 0;
  for (let k = 1; k < len; k++) if (x[base + k * stride]! > x[base + best * stride]!) best = k;
  if (len > 0) y[base + best * stride] = 1;
};

function lineEvaluate(kernel: LineKernel, viewOf: (ctx: OpContext) => AxisView) {
  return (ctx: OpContext, outs: readonly TensorType[]): TensorValues[] => {
    const x = constValues(ctx, 0, 'input') as ArrayLike<number>;
    const y = new Float64Array(x.length);
    const view = viewOf(ctx);
    forEachLine(view, (base, stride) => kernel(x, y, base, stride, view.len));
    const out = allocValues(outs[0]!.dtype, y.length);
    out.set(y);
    return [out];
  };
}

/** LpNormalization: x / ‖x‖_p along `axis` (p = 1 or 2); an all-zero line stays zero. */
function lpNormLine(ctx: OpContext): LineKernel {
  const p = intAttr(ctx, 'p', 2);
  return (x, y, base, stride, len) => {
    let norm = 0;
    for (let k = 0; k < len; k++) {
      const v = x[base + k * stride]!;
      norm += p === 1 ? Math.abs(v) : v * v;
    }
    if (p !== 1) norm = Math.sqrt(norm);
    for (let k = 0; k < len; k++)
      y[base + k * stride] = norm === 0 ? 0 : x[base + k * stride]! / norm;
  };
}

function lpNormView(ctx: OpContext): AxisView {
  const shape = input(ctx, 0).shape;
  return viewAround(shape, normAxis(ctx, intAttr(ctx, 'axis', -1), shape.length));
}

/** CumSum along the axis given as input 1, optionally exclusive and/or reversed. */
function evaluateCumSum(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const v = viewAround(shape, normAxis(ctx, constInts(ctx, 1, 'axis')[0]!, shape.length));
  const isExclusive = intAttr(ctx, 'exclusive', 0) === 1;
  const isReverse = intAttr(ctx, 'reverse', 0) === 1;
  const x = constValues(ctx, 0, 'x') as ArrayLike<number>;
  const out = allocValues(outs[0]!.dtype, x.length);
  const conv = castConverter(outs[0]!.dtype);
  forEachLine(v, (base, stride) => {
    let acc = 0;
    for (let j = 0; j < v.len; j++) {
      const at = base + (isReverse ? v.len - 1 - j : j) * stride;
      if (isExclusive) {
        out[at] = conv(acc);
        acc += x[at]!;
      } else {
        acc += x[at]!;
        out[at] = conv(acc);
      }
    }
  });
  return [out];
}

const sameAsInput = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

const axisOp = (op: string, evaluate: OpDef['evaluate']): OpDef => ({
  op,
  domain: '',
  infer: sameAsInput,
  ...(evaluate ? { evaluate } : {}),
});

/** Axis-wise same-shape ops of the ai.onnx domain. */
export const AXIS_OPS: readonly OpDef[] = [
  axisOp('Softmax', lineEvaluate(softmaxLine, softmaxView)),
  axisOp('LogSoftmax', lineEvaluate(logSoftmaxLine, softmaxView)),
  axisOp('Hardmax', lineEvaluate(hardmaxLine, softmaxView)),
  axisOp('LpNormalization', (ctx, outs) => lineEvaluate(lpNormLine(ctx), lpNormView)(ctx, outs)),
  axisOp('CumSum', evaluateCumSum),
];
