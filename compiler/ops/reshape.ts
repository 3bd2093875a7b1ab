// Ops that only relabel the shape (the elements keep their row-major order): Reshape, Flatten,
// Squeeze, Unsqueeze. Their evaluators hand the input elements through unchanged.
import { numElements } from '../graph.js';
import {
  constInts,
  constValues,
  fail,
  fmtShape,
  input,
  intAttr,
  intsAttr,
  normAxis,
  optionalConstInts,
} from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

function reshapeTarget(ctx: OpContext): readonly number[] {
  if (ctx.opset < 5) {
    const s = intsAttr(ctx, 'shape');
    if (!s) fail(ctx, 'attribute shape is required');
    return s;
  }
  return constInts(ctx, 1, 'shape');
}

/** Resolves 0 (copy the input dim, unless allowzero) and one -1 (infer) in a Reshape target. */
export function resolveReshape(
  ctx: OpContext,
  inShape: readonly number[],
  target: readonly number[],
): number[] {
  const isAllowZero = intAttr(ctx, 'allowzero', 0) === 1;
  const out = target.map((d, i) =>
    d === 0 && !isAllowZero
      ? (inShape[i] ?? fail(ctx, `shape ${fmtShape(target)} copies dim ${i} which the input lacks`))
      : d,
  );
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d < -1)) fail(ctx, `invalid target shape ${fmtShape(target)}`);
  const total = numElements(inShape);
  if (unknown === 1) {
    const known = numElements(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0)
      fail(ctx, `cannot reshape ${fmtShape(inShape)} to ${fmtShape(target)}`);
    out[out.indexOf(-1)] = total / known;
  }
  if (numElements(out) !== total)
    fail(ctx, `cannot reshape ${fmtShape(inShape)} (${total} elements) to ${fmtShape(out)}`);
  return out;
}

function inferReshape(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  return [{ dtype: x.dtype, shape: resolveReshape(ctx, x.shape, reshapeTarget(ctx)) }];
}

function inferFlatten(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const rank = x.shape.length;
  const raw = intAttr(ctx, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) fail(ctx, `axis ${raw} is out of range for rank ${rank}`);
  return [
    {
      dtype: x.dtype,
      shape: [numElements(x.shape.slice(0, axis)), numElements(x.shape.slice(axis))],
    },
  ];
}

/** Axes come from an attribute before opset 13 and from optional input 1 after. */
function axesOf(ctx: OpContext): readonly number[] | undefined {
  return ctx.opset >= 13 ? optionalConstInts(ctx, 1, 'axes') : intsAttr(ctx, 'axes');
}

function inferSqueeze(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const raw = axesOf(ctx);
  const axes = raw
    ? raw.map((a) => normAxis(ctx, a, x.shape.length))
    : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes)
    if (x.shape[a] !== 1) fail(ctx, `cannot squeeze dim ${a} of ${fmtShape(x.shape)}: it is not 1`);
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
}

function inferUnsqueeze(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const raw = axesOf(ctx);
  if (!raw) fail(ctx, 'axes are required');
  const rank = x.shape.length + raw.length;
  const axes = raw.map((a) => normAxis(ctx, a, rank));
  if (new Set(axes).size !== axes.length) fail(ctx, `axes [${raw.join(', ')}] repeat a dim`);
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : rest.shift()!));
  return [{ dtype: x.dtype, shape }];
}

const passThrough = (ctx: OpContext) => [constValues(ctx, 0, 'data')];

/** Shape-relabelling ops. */
export const RESHAPE_OPS: readonly OpDef[] = [
  { op: 'Reshape', domain: '', infer: inferReshape, evaluate: passThrough },
  { op: 'Flatten', domain: '', infer: inferFlatten, evaluate: passThrough },
  { op: 'Squeeze', domain: '', infer: inferSqueeze, evaluate: passThrough },
  { op: 'Unsqueeze', domain: '', infer: inferUnsqueeze, evaluate: passThrough },
];
