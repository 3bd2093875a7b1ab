// Reductions: Reduce{Sum,Mean,Max,Min,Prod,L1,L2,LogSumExp,SumSquare,LogSum} and ArgMax/ArgMin.
// Axes are an attribute before opset 13 (ReduceSum) / 18 (the others) and an optional input after.
import { numElements } from '../graph.js';
import { forEachBroadcast } from './broadcast.js';
import { constValues, input, intAttr, intsAttr, normAxis, optionalConstInts } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues, converterTo } from './values.js';

interface Reduction {
  /** Normalised, sorted axes being reduced. */
  readonly axes: readonly number[];
  /** Output shape with reduced dims kept as 1. */
  readonly keptShape: readonly number[];
  readonly shape: readonly number[];
}

function axesFromInputSince(op: string): number {
  return op === 'ReduceSum' ? 13 : 18;
}

/** The axes, kept shape and output shape of a Reduce* node. */
export function reduction(ctx: OpContext): Reduction {
  const x = input(ctx, 0);
  const rank = x.shape.length;
  const raw =
    ctx.opset >= axesFromInputSince(ctx.op)
      ? optionalConstInts(ctx, 1, 'axes')
      : intsAttr(ctx, 'axes');
  const isNoop = intAttr(ctx, 'noop_with_empty_axes', 0) === 1;
  const all = x.shape.map((_, i) => i);
  const axes =
    raw && raw.length > 0
      ? [...new Set(raw.map((a) => normAxis(ctx, a, rank)))].sort()
      : isNoop
        ? []
        : all;
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const isKeep = intAttr(ctx, 'keepdims', 1) === 1;
  return {
    axes,
    keptShape,
    shape: isKeep ? keptShape : x.shape.filter((_, i) => !axes.includes(i)),
  };
}

function inferReduce(ctx: OpContext): TensorType[] {
  return [{ dtype: input(ctx, 0).dtype, shape: reduction(ctx).shape }];
}

interface Fold {
  readonly init: number;
  readonly step: (acc: number, x: number) => number;
  readonly finish: (acc: number, count: number) => number;
}

const plain = (acc: number): number => acc;
const FOLDS: Readonly<Record<string, Fold>> = {
  ReduceSum: { init: 0, step: (a, x) => a + x, finish: plain },
  ReduceMean: { init: 0, step: (a, x) => a + x, finish: (a, n) => a / n },
  ReduceProd: { init: 1, step: (a, x) => a * x, finish: plain },
  ReduceMax: { init: -Infinity, step: Math.max, finish: plain },
  ReduceMin: { init: Infinity, step: Math.min, finish: plain },
  ReduceL1: { init: 0, step: (a, x) => a + Math.abs(x), finish: plain },
  ReduceL2: { init: 0, step: (a, x) => a + x * x, finish: Math.sqrt },
  ReduceSumSquare: { init: 0, step: (a, x) => a + x * x, finish: plain },
  ReduceLogSum: { init: 0, step: (a, x) => a + x, finish: Math.log },
  ReduceLogSumExp: { init: 0, step: (a, x) => a + Math.exp(x), finish: Math.log },
};

function evaluateReduce(ctx: OpContext, outs: readonly TensorType[]) {
  const x = input(ctx, 0);
  const values = constValues(ctx, 0, 'data') as ArrayLike<number>;
  const r = reduction(ctx);
  const fold = FOLDS[ctx.op]!;
  const count = numElements(x.shape) / Math.max(1, numElements(r.keptShape));
  const acc = new Float64Array(numElements(r.keptShape)).fill(fold.init);
  forEachBroadcast(x.shape, [r.keptShape], (i, pos) => {
    acc[pos[0]!] = fold.step(acc[pos[0]!]!, values[i]!);
  });
  const out = allocValues(outs[0]!.dtype, acc.length);
  const conv = converterTo(outs[0]!.dtype);
  for (let i = 0; i < acc.length; i++) out[i] = conv(fold.finish(acc[i]!, count));
  return [out];
}

function inferArg(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
  const isKeep = intAttr(ctx, 'keepdims', 1) === 1;
  const shape = isKeep
    ? x.shape.map((d, i) => (i === axis ? 1 : d))
    : x.shape.filter((_, i) => i !== axis);
  return [{ dtype: 'int64', shape }];
}

/** Reduction ops. */
export const REDUCE_OPS: readonly OpDef[] = [
  ...Object.keys(FOLDS).map((op): OpDef => ({
    op,
    domain: '',
    infer: inferReduce,
    evaluate: evaluateReduce,
  })),
  { op: 'ArgMax', domain: '', infer: inferArg },
  { op: 'ArgMin', domain: '', infer: inferArg },
];
