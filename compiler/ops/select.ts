// Selection ops: OneHot, TopK, Compress and ReverseSequence. Compress's output size depends on
// its condition, so (like NonZero) it has a static shape only when the condition is a constant.
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { constInts, constValues, fail, input, intAttr, normAxis } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function oneHotAxis(ctx: OpContext): number {
  return normAxis(ctx, intAttr(ctx, 'axis', -1), input(ctx, 0).shape.length + 1);
}

function oneHotDepth(ctx: OpContext): number {
  const depth = Math.trunc(constInts(ctx, 1, 'depth')[0]!);
  if (!(depth > 0)) fail(ctx, `depth ${depth} must be positive`);
  return depth;
}

const oneHot: OpDef = {
  op: 'OneHot',
  domain: '',
  infer: (ctx) => {
    const shape = [...input(ctx, 0).shape];
    shape.splice(oneHotAxis(ctx), 0, oneHotDepth(ctx));
    return [{ dtype: input(ctx, 2).dtype, shape }];
  },
  /** out[..., j, ...] = on where indices[...] (negative: + depth) == j, else off. */
  evaluate: (ctx, outs) => {
    const indices = constValues(ctx, 0, 'indices') as ArrayLike<number>;
    const depth = oneHotDepth(ctx);
    const [off, on] = constValues(ctx, 2, 'values') as ArrayLike<number> as [number, number];
    const axis = oneHotAxis(ctx);
    const inner = product(input(ctx, 0).shape.slice(axis));
    const out = allocValues(outs[0]!.dtype, numElements(outs[0]!.shape)).fill(off);
    for (let i = 0; i < indices.length; i++) {
      const raw = Math.trunc(indices[i]!);
      const j = raw < 0 ? raw + depth : raw;
      if (j < 0 || j >= depth) continue;
      const o = Math.floor(i / inner);
      out[(o * depth + j) * inner + (i % inner)] = on;
    }
    return [out];
  },
};

function topKParams(ctx: OpContext): { k: number; axis: number } {
  const x = input(ctx, 0);
  const k = ctx.opset < 10 ? intAttr(ctx, 'k', 0) : constInts(ctx, 1, 'K')[0]!;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), x.shape.length);
  if (k < 0 || k > x.shape[axis]!)
    fail(ctx, `k=${k} is outside [0, ${x.shape[axis]}] for axis ${axis}`);
  return { k, axis };
}

/**
 * TopK: the k largest (or smallest) along the axis, always returned sorted (a valid order for
 * sorted=0 too). Equal values keep index order, so ties resolve to the lower index.
 */
function evaluateTopK(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const { k, axis } = topKParams(ctx);
  const x = constValues(ctx, 0, 'X') as ArrayLike<number>;
  const sign = intAttr(ctx, 'largest', 1) === 1 ? -1 : 1;
  const len = shape[axis]!;
  const outer = product(shape.slice(0, axis));
  const inner = product(shape.slice(axis + 1));
  const values = allocValues(outs[0]!.dtype, outer * k * inner);
  const indices = allocValues('int64', outer * k * inner);
  const order = new Array<number>(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => x[(o * len + j) * inner + i]!;
      for (let j = 0; j < len; j++) order[j] = j;
      order.sort((a, b) => sign * (at(a) - at(b)) || a - b);
      for (let j = 0; j < k; j++) {
        values[(o * k + j) * inner + i] = at(order[j]!);
        indices[(o * k + j) * inner + i] = order[j]!;
      }
    }
  }
  return [values, indices];
}

const topK: OpDef = {
  op: 'TopK',
  domain: '',
  infer: (ctx) => {
    const { k, axis } = topKParams(ctx);
    const shape = input(ctx, 0).shape.map((d, i) => (i === axis ? k : d));
    return [
      { dtype: input(ctx, 0).dtype, shape },
      { dtype: 'int64', shape },
    ];
  },
  evaluate: evaluateTopK,
};

/** Positions Compress keeps along its axis: where the (possibly shorter) condition is true. */
function compressKept(ctx: OpContext, dim: number): number[] {
  const cond = constValues(
    ctx,
    1,
    'condition (Compress output size depends on it)',
  ) as ArrayLike<number>;
  const kept: number[] = [];
  for (let i = 0; i < Math.min(dim, cond.length); i++) if (cond[i]) kept.push(i);
  return kept;
}

/** Compress without `axis` works on the flattened input. */
function compressView(ctx: OpContext): { shape: readonly number[]; axis: number } {
  const x = input(ctx, 0);
  if (ctx.attrs['axis'] === undefined) return { shape: [numElements(x.shape)], axis: 0 };
  return { shape: x.shape, axis: normAxis(ctx, intAttr(ctx, 'axis', 0), x.shape.length) };
}

const compress: OpDef = {
  op: 'Compress',
  domain: '',
  infer: (ctx) => {
    const { shape, axis } = compressView(ctx);
    const kept = compressKept(ctx, shape[axis]!);
    return [
      { dtype: input(ctx, 0).dtype, shape: shape.map((d, i) => (i === axis ? kept.length : d)) },
    ];
  },
  evaluate: (ctx, outs) => {
    const { shape, axis } = compressView(ctx);
    const kept = compressKept(ctx, shape[axis]!);
    const x = constValues(ctx, 0, 'input') as ArrayLike<number>;
    const inner = product(shape.slice(axis + 1));
    const outer = product(shape.slice(0, axis));
    const out = allocValues(outs[0]!.dtype, outer * kept.length * inner);
    let o = 0;
    for (let a = 0; a < outer; a++)
      for (const j of kept)
        for (let i = 0; i < inner; i++) out[o++] = x[(a * shape[axis]! + j) * inner + i]!;
    return [out];
  },
};

/** ReverseSequence: per batch entry b, the first sequence_lens[b] steps along time_axis reversed. */
function evaluateReverseSequence(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const batchAxis = normAxis(ctx, intAttr(ctx, 'batch_axis', 1), shape.length);
  const timeAxis = normAxis(ctx, intAttr(ctx, 'time_axis', 0), shape.length);
  const lens = constValues(ctx, 1, 'sequence_lens') as ArrayLike<number>;
  const x = constValues(ctx, 0, 'input') as ArrayLike<number>;
  const strides = shape.map((_, d) => product(shape.slice(d + 1)));
  const out = allocValues(outs[0]!.dtype, x.length);
  for (let flat = 0; flat < x.length; flat++) {
    const b = Math.floor(flat / strides[batchAxis]!) % shape[batchAxis]!;
    const t = Math.floor(flat / strides[timeAxis]!) % shape[timeAxis]!;
    const len = Math.min(lens[b]!, shape[timeAxis]!);
    const src = t < len ? flat + (len - 1 - 2 * t) * strides[timeAxis]! : flat;
    out[flat] = x[src]!;
  }
  return [out];
}

const sameAsInput = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

/** Selection ops of the ai.onnx domain. */
export const SELECT_OPS: readonly OpDef[] = [
  oneHot,
  topK,
  compress,
  { op: 'ReverseSequence', domain: '', infer: sameAsInput, evaluate: evaluateReverseSequence },
];
