// Index-driven ops: Gather, GatherElements, GatherND, Scatter*, OneHot, TopK, NonZero.
import { numElements } from '../graph.js';
import { stridesOf } from './broadcast.js';
import { constInts, constValues, fail, fmtShape, input, intAttr, normAxis } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

function gatherAxis(ctx: OpContext): number {
  return normAxis(ctx, intAttr(ctx, 'axis', 0), input(ctx, 0).shape.length);
}

const gather: OpDef = {
  op: 'Gather',
  domain: '',
  infer: (ctx) => {
    const data = input(ctx, 0);
    const axis = gatherAxis(ctx);
    const shape = [
      ...data.shape.slice(0, axis),
      ...input(ctx, 1).shape,
      ...data.shape.slice(axis + 1),
    ];
    return [{ dtype: data.dtype, shape }];
  },
  evaluate: (ctx, outs) => {
    const data = input(ctx, 0);
    const axis = gatherAxis(ctx);
    const src = constValues(ctx, 0, 'data') as ArrayLike<number>;
    const indices = constInts(ctx, 1, 'indices');
    const dim = data.shape[axis]!;
    const outer = numElements(data.shape.slice(0, axis));
    const inner = numElements(data.shape.slice(axis + 1));
    const out = allocValues(outs[0]!.dtype, numElements(outs[0]!.shape));
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const raw of indices) {
        const i = raw < 0 ? raw + dim : raw;
        if (i < 0 || i >= dim) fail(ctx, `index ${raw} is out of range for dim ${dim}`);
        const base = (o * dim + i) * inner;
        for (let j = 0; j < inner; j++) out[k++] = src[base + j]!;
      }
    }
    return [out];
  },
};

const sameAsIndices = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 1).shape },
];
const sameAsData = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

function inferGatherNd(ctx: OpContext): TensorType[] {
  const data = input(ctx, 0);
  const idx = input(ctx, 1).shape;
  const b = intAttr(ctx, 'batch_dims', 0);
  const last = idx[idx.length - 1] ?? 0;
  if (idx.length < 1 || b + last > data.shape.length)
    fail(ctx, `indices ${fmtShape(idx)} do not fit data ${fmtShape(data.shape)}`);
  return [{ dtype: data.dtype, shape: [...idx.slice(0, -1), ...data.shape.slice(b + last)] }];
}

function inferOneHot(ctx: OpContext): TensorType[] {
  const indices = input(ctx, 0);
  const depth = constInts(ctx, 1, 'depth')[0]!;
  const rank = indices.shape.length + 1;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), rank);
  const shape = [...indices.shape.slice(0, axis), depth, ...indices.shape.slice(axis)];
  return [{ dtype: input(ctx, 2).dtype, shape }];
}

function inferTopK(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const k = ctx.opset < 10 ? intAttr(ctx, 'k', 0) : constInts(ctx, 1, 'K')[0]!;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), x.shape.length);
  if (k > x.shape[axis]!) fail(ctx, `k=${k} exceeds dim ${x.shape[axis]} of axis ${axis}`);
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  return [
    { dtype: x.dtype, shape },
    { dtype: 'int64', shape },
  ];
}

/** NonZero's size depends on the data, so it is only static when its input is a constant. */
function nonZeroPositions(ctx: OpContext): number[] {
  const src = constValues(ctx, 0, 'X (NonZero output size depends on data)') as ArrayLike<number>;
  const hits: number[] = [];
  for (let i = 0; i < src.length; i++) if (src[i]) hits.push(i);
  return hits;
}

const nonZero: OpDef = {
  op: 'NonZero',
  domain: '',
  infer: (ctx) => [
    { dtype: 'int64', shape: [input(ctx, 0).shape.length, nonZeroPositions(ctx).length] },
  ],
  evaluate: (ctx, outs) => {
    const shape = input(ctx, 0).shape;
    const strides = stridesOf(shape);
    const hits = nonZeroPositions(ctx);
    const out = allocValues('int64', numElements(outs[0]!.shape));
    hits.forEach((flat, j) => {
      shape.forEach((_, d) => {
        out[d * hits.length + j] = Math.floor(flat / strides[d]!) % shape[d]!;
      });
    });
    return [out];
  },
};

/** Index-driven ops. */
export const INDEXING_OPS: readonly OpDef[] = [
  gather,
  { op: 'GatherElements', domain: '', infer: sameAsIndices },
  { op: 'GatherND', domain: '', infer: inferGatherNd },
  { op: 'ScatterND', domain: '', infer: sameAsData },
  { op: 'ScatterElements', domain: '', infer: sameAsData },
  { op: 'OneHot', domain: '', infer: inferOneHot },
  { op: 'TopK', domain: '', infer: inferTopK },
  nonZero,
];
