// Scatter ops: ScatterElements (and its opset-9 name Scatter) and ScatterND. The output is a copy
// of data with the updates written (or combined by `reduction`: add, mul, max, min) at the
// indexed places, in the order the updates come (ONNX leaves duplicate targets without reduction
// undefined; the last write wins here, as in the ONNX reference implementation).
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { forEachIndex, stridesOf } from './broadcast.js';
import { castConverter } from './cast-values.js';
import { constValues, fail, fmtShape, input, intAttr, normAxis, stringAttr } from './context.js';
import { wrapIndex } from './index-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues, type MutableValues } from './values.js';

type Combine = (old: number, update: number) => number;

const REDUCTIONS: Readonly<Record<string, Combine>> = {
  none: (_old, u) => u,
  add: (o, u) => o + u,
  mul: (o, u) => o * u,
  max: (o, u) => Math.max(o, u),
  min: (o, u) => Math.min(o, u),
};

function reductionOf(ctx: OpContext): Combine {
  const name = stringAttr(ctx, 'reduction', 'none');
  return (
    REDUCTIONS[name] ?? fail(ctx, `reduction "${name}" is not one of none, add, mul, max, min`)
  );
}

/** A fresh copy of input 0 in the output's storage. */
function copyOfData(ctx: OpContext, outs: readonly TensorType[]): MutableValues {
  const src = constValues(ctx, 0, 'data') as ArrayLike<number>;
  const out = allocValues(outs[0]!.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}

/** ScatterElements: out[i with i[axis] = indices[i]] = combine(out[...], updates[i]). */
function evaluateScatterElements(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), shape.length);
  const strides = stridesOf(shape);
  const indices = constValues(ctx, 1, 'indices') as ArrayLike<number>;
  const updates = constValues(ctx, 2, 'updates') as ArrayLike<number>;
  const combine = reductionOf(ctx);
  const conv = castConverter(outs[0]!.dtype);
  const out = copyOfData(ctx, outs);
  forEachIndex(input(ctx, 1).shape, (idx, flat) => {
    let pos = 0;
    for (let d = 0; d < idx.length; d++)
      pos += (d === axis ? wrapIndex(ctx, indices[flat]!, shape[d]!) : idx[d]!) * strides[d]!;
    out[pos] = conv(combine(out[pos]!, updates[flat]!));
  });
  return [out];
}

/** ScatterND: each index tuple (last dim of indices) names a slice of data to update. */
function evaluateScatterNd(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const idxShape = input(ctx, 1).shape;
  const k = idxShape[idxShape.length - 1] ?? 0;
  if (k > shape.length) fail(ctx, `index tuples of ${k} exceed data rank ${shape.length}`);
  const strides = stridesOf(shape);
  const indices = constValues(ctx, 1, 'indices') as ArrayLike<number>;
  const updates = constValues(ctx, 2, 'updates') as ArrayLike<number>;
  const slice = numElements(shape.slice(k));
  const tuples = numElements(idxShape.slice(0, -1));
  if (updates.length !== tuples * slice)
    fail(ctx, `updates ${fmtShape(input(ctx, 2).shape)} do not match ${tuples} slices of ${slice}`);
  const combine = reductionOf(ctx);
  const conv = castConverter(outs[0]!.dtype);
  const out = copyOfData(ctx, outs);
  for (let t = 0; t < tuples; t++) {
    let pos = 0;
    for (let j = 0; j < k; j++) pos += wrapIndex(ctx, indices[t * k + j]!, shape[j]!) * strides[j]!;
    for (let e = 0; e < slice; e++)
      out[pos + e] = conv(combine(out[pos + e]!, updates[t * slice + e]!));
  }
  return [out];
}

const sameAsData = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

/** Scatter ops of the ai.onnx domain. */
export const SCATTER_OPS: readonly OpDef[] = [
  { op: 'ScatterElements', domain: '', infer: sameAsData, evaluate: evaluateScatterElements },
  { op: 'Scatter', domain: '', infer: sameAsData, evaluate: evaluateScatterElements },
  { op: 'ScatterND', domain: '', infer: sameAsData, evaluate: evaluateScatterNd },
];
