// Resize (opset 10: scales; 11+: roi, scales or sizes; 18: axes, keep_aspect_ratio_policy) and the
// deprecated Upsample (scales as attribute before opset 9, as input after).
import {
  floatsAttr,
  fail,
  fmtShape,
  input,
  intsAttr,
  normAxis,
  optionalInput,
  stringAttr,
  constValues,
} from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { evaluateResize } from './resize-kernel.js';
import { toNumbers } from './values.js';

/** A constant input's numbers, treating an omitted or empty input as absent (torch writes both). */
function optionalNumbers(ctx: OpContext, i: number, what: string): number[] | undefined {
  if (!optionalInput(ctx, i)) return undefined;
  const v = toNumbers(constValues(ctx, i, what));
  return v.length > 0 ? v : undefined;
}

/** Per-axis values expanded to full rank (opset 18 `axes` may name a subset). */
function fullRank(
  ctx: OpContext,
  values: readonly number[],
  rank: number,
  fill: (axis: number) => number,
): number[] {
  const axes =
    intsAttr(ctx, 'axes')?.map((a) => normAxis(ctx, a, rank)) ??
    Array.from({ length: rank }, (_, i) => i);
  if (values.length !== axes.length)
    fail(ctx, `${values.length} scales/sizes given for ${axes.length} axes`);
  const out = Array.from({ length: rank }, (_, i) => fill(i));
  axes.forEach((a, k) => {
    out[a] = values[k]!;
  });
  return out;
}

function fromSizes(ctx: OpContext, shape: readonly number[], sizes: readonly number[]): number[] {
  const policy = stringAttr(ctx, 'keep_aspect_ratio_policy', 'stretch');
  const full = fullRank(ctx, sizes, shape.length, (i) => shape[i]!);
  if (policy === 'stretch') return full;
  const axes =
    intsAttr(ctx, 'axes')?.map((a) => normAxis(ctx, a, shape.length)) ?? shape.map((_, i) => i);
  const ratios = axes.map((a) => full[a]! / shape[a]!);
  const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  return shape.map((d, i) => (axes.includes(i) ? Math.round(d * scale) : d));
}

function fromScales(
  ctx: OpContext,
  shape: readonly number[],
  scales: readonly number[],
  roi?: readonly number[],
): number[] {
  const full = fullRank(ctx, scales, shape.length, () => 1);
  const isCrop =
    stringAttr(ctx, 'coordinate_transformation_mode', '') === 'tf_crop_and_resize' && roi;
  return shape.map((d, i) => {
    const extent = isCrop ? roi[i + shape.length]! - roi[i]! : 1;
    return Math.floor(d * extent * full[i]!);
  });
}

function inferResize(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const shape = (() => {
    if (ctx.opset < 11)
      return fromScales(
        ctx,
        x.shape,
        optionalNumbers(ctx, 1, 'scales') ?? fail(ctx, 'scales are required'),
      );
    const sizes = optionalNumbers(ctx, 3, 'sizes');
    if (sizes) return fromSizes(ctx, x.shape, sizes);
    const scales = optionalNumbers(ctx, 2, 'scales') ?? fail(ctx, 'needs scales or sizes');
    return fromScales(ctx, x.shape, scales, optionalNumbers(ctx, 1, 'roi'));
  })();
  if (shape.length !== x.shape.length)
    fail(ctx, `output ${fmtShape(shape)} differs in rank from input ${fmtShape(x.shape)}`);
  return [{ dtype: x.dtype, shape }];
}

function inferUpsample(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const scales = ctx.opset < 9 ? floatsAttr(ctx, 'scales') : optionalNumbers(ctx, 1, 'scales');
  if (!scales || scales.length !== x.shape.length)
    fail(ctx, `needs one scale per dim of ${fmtShape(x.shape)}`);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => Math.floor(d * scales[i]!)) }];
}

/** Resampling ops. */
export const RESIZE_OPS: readonly OpDef[] = [
  { op: 'Resize', domain: '', infer: inferResize, evaluate: evaluateResize },
  { op: 'Upsample', domain: '', infer: inferUpsample, evaluate: evaluateResize },
];
