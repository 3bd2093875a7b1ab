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
  const groups = numElements(r.keptShape);
  const count = numElements(x.shape) / Math.max(1, groups);
  const groupOf = new Int32Array(values.length);
  forEachBroadcast(x.shape, [r.keptShape], (i, pos) => {
    groupOf[i] = pos[0]!;
  });
  // LogSumExp subtracts each group's max first so exp() cannot overflow.
  const shift = new Float64Array(groups);
  if (ctx.op === 'ReduceLogSumExp') {
    shift.fill(-Infinity);
    for (let i = 0; i < values.length; i++)
      shift[groupOf[i]!] = Math.max(shift[groupOf[i]!]!, values[i]!);
    for (let g = 0; g < groups; g++) if (!Number.isFinite(shift[g]!)) shift[g] = 0;
  }
  const acc = new Float64Array(groups).fill(fold.init);
  for (let i = 0; i < values.length; i++) {
    const g = groupOf[i]!;
    acc[g] = fold.step(acc[g]!, values[i]! - shift[g]!);
  }
  const out = allocValues(outs[0]!.dtype, groups);
  const conv = converterTo(outs[0]!.dtype);
  for (let g = 0; g < groups; g++) out[g] = conv(fold.finish(acc[g]!, count) + shift[g]!);
  return [out];
}

/** ArgMax/ArgMin along `axis`; ties go to the first index, or the last with select_last_index. */
function evaluateArg(ctx: OpContext, outs: readonly TensorType[]) {
  const shape = input(ctx, 0).shape;
  const x = constValues(ctx, 0, 'data') as ArrayLike<number>;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), shape.length);
  const len = shape[axis]!;
  const inner = numElements(shape.slice(axis + 1));
  const outer = numElements(shape.slice(0, axis));
  const isMax = ctx.op === 'ArgMax';
  const isLast = intAttr(ctx, 'select_last_index', 0) === 1;
  const out = new Float64Array(numElements(outs[0]!.shape));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = x[base]!;
      let at = 0;
      for (let k = 1; k < len; k++) {
        const v = x[base + k * inner]!;
        const isBetter = isMax
          ? v > best || (isLast && v === best)
          : v < best || (isLast && v === best);
        if (isBetter) {
          best = v;
          at = k;
        }
      }
      out[o * inner + i] = at;
    }
  }
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
  { op: 'ArgMax', domain: '', infer: inferArg, evaluate: evaluateArg },
  { op: 'ArgMin', domain: '', infer: inferArg, evaluate: evaluateArg },
];
