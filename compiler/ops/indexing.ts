// Index-driven ops: Gather, GatherElements, GatherND, NonZero here; Scatter* in scatter.ts;
// OneHot, TopK, Compress, ReverseSequence in select.ts; Unique in unique.ts. Negative indices
// count from the end of their dim; an index outside [-dim, dim) is a shape error naming the node.
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { forEachIndex, stridesOf } from './broadcast.js';
import { constInts, constValues, fail, fmtShape, input, intAttr, normAxis } from './context.js';
import { wrapIndex } from './index-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { SCATTER_OPS } from './scatter.js';
import { SELECT_OPS } from './select.js';
import { UNIQUE_OPS } from './unique.js';
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
        const base = (o * dim + wrapIndex(ctx, raw, dim)) * inner;
        for (let j = 0; j < inner; j++) out[k++] = src[base + j]!;
      }
    }
    return [out];
  },
};

const sameAsIndices = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 1).shape },
];

/** GatherElements: out[i] = data[i with i[axis] replaced by indices[i]]. */
function evaluateGatherElements(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const data = input(ctx, 0);
  const axis = gatherAxis(ctx);
  const strides = stridesOf(data.shape);
  const src = constValues(ctx, 0, 'data') as ArrayLike<number>;
  const indices = constValues(ctx, 1, 'indices') as ArrayLike<number>;
  const out = allocValues(outs[0]!.dtype, indices.length);
  forEachIndex(input(ctx, 1).shape, (idx, flat) => {
    let pos = 0;
    for (let d = 0; d < idx.length; d++)
      pos += (d === axis ? wrapIndex(ctx, indices[flat]!, data.shape[d]!) : idx[d]!) * strides[d]!;
    out[flat] = src[pos]!;
  });
  return [out];
}

function inferGatherNd(ctx: OpContext): TensorType[] {
  const data = input(ctx, 0);
  const idx = input(ctx, 1).shape;
  const b = intAttr(ctx, 'batch_dims', 0);
  const last = idx[idx.length - 1] ?? 0;
  if (idx.length < 1 || b + last > data.shape.length)
    fail(ctx, `indices ${fmtShape(idx)} do not fit data ${fmtShape(data.shape)}`);
  return [{ dtype: data.dtype, shape: [...idx.slice(0, -1), ...data.shape.slice(b + last)] }];
}

/**
 * GatherND with batch_dims b: each index tuple (last dim of indices, length k) picks the slice
 * data[batch, t0, …, t(k-1), …] within its batch (the first b dims, shared by data and indices).
 */
function evaluateGatherNd(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const data = input(ctx, 0).shape;
  const idxShape = input(ctx, 1).shape;
  const b = intAttr(ctx, 'batch_dims', 0);
  const k = idxShape[idxShape.length - 1] ?? 0;
  const strides = stridesOf(data);
  const src = constValues(ctx, 0, 'data') as ArrayLike<number>;
  const indices = constValues(ctx, 1, 'indices') as ArrayLike<number>;
  const slice = numElements(data.slice(b + k));
  const batches = numElements(idxShape.slice(0, b));
  const tuples = numElements(idxShape.slice(b, -1));
  const batchSize = numElements(data.slice(b));
  const out = allocValues(outs[0]!.dtype, numElements(outs[0]!.shape));
  let o = 0;
  for (let bi = 0; bi < batches; bi++) {
    for (let t = 0; t < tuples; t++) {
      const tuple = (bi * tuples + t) * k;
      let pos = bi * batchSize;
      for (let j = 0; j < k; j++)
        pos += wrapIndex(ctx, indices[tuple + j]!, data[b + j]!) * strides[b + j]!;
      for (let e = 0; e < slice; e++) out[o++] = src[pos + e]!;
    }
  }
  return [out];
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
  { op: 'GatherElements', domain: '', infer: sameAsIndices, evaluate: evaluateGatherElements },
  { op: 'GatherND', domain: '', infer: inferGatherNd, evaluate: evaluateGatherNd },
  nonZero,
  ...SCATTER_OPS,
  ...SELECT_OPS,
  ...UNIQUE_OPS,
];
