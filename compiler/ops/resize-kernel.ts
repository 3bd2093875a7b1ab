// Reference kernel for Resize (opsets 10-19) and Upsample: nearest (every nearest_mode), linear and
// cubic interpolation, each coordinate_transformation_mode, exclude_outside and the
// extrapolation value of tf_crop_and_resize. Interpolation is separable, so it runs as one 1-D
// pass per resized axis, innermost axis first (the order in which the spec's reference nests).
import { numElements, type TensorValues } from '../graph.js';
import { fail, floatAttr, input, intAttr, intsAttr, normAxis, stringAttr } from './context.js';
import { dimsProduct, numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';
import { toNumbers } from './values.js';

/** How one axis maps output coordinates to input coordinates. */
interface AxisPlan {
  readonly inSize: number;
  readonly outSize: number;
  readonly scale: number;
  readonly roiStart: number;
  readonly roiEnd: number;
}

/** Options shared by every axis. */
interface ResizeMode {
  readonly mode: 'nearest' | 'linear' | 'cubic';
  readonly transform: string;
  readonly nearestMode: string;
  readonly cubicA: number;
  readonly isExcludeOutside: boolean;
  /** Opset 18+: widen the linear/cubic kernel when downscaling. */
  readonly isAntialias: boolean;
  readonly extrapolation: number;
}

/** Taps of one output coordinate: input indices and weights, or undefined to extrapolate. */
interface Taps {
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

function numbersAt(ctx: OpContext, i: number): number[] | undefined {
  const t = ctx.inputs[i];
  if (!t?.values) return undefined;
  const v = toNumbers(t.values);
  return v.length > 0 ? v : undefined;
}

/** Per-axis scale and roi, from scales or sizes (opset 18 `axes` may name a subset). */
function planAxes(
  ctx: OpContext,
  inShape: readonly number[],
  outShape: readonly number[],
): AxisPlan[] {
  const rank = inShape.length;
  const isResize = ctx.op === 'Resize';
  const scales = !isResize
    ? ctx.opset < 9
      ? [...(ctx.attrs['scales']?.kind === 'floats' ? ctx.attrs['scales'].value : [])]
      : numbersAt(ctx, 1)
    : numbersAt(ctx, ctx.opset < 11 ? 1 : 2);
  const sizes = isResize && ctx.opset >= 11 ? numbersAt(ctx, 3) : undefined;
  const roi = isResize && ctx.opset >= 11 ? numbersAt(ctx, 1) : undefined;
  const axes =
    intsAttr(ctx, 'axes')?.map((a) => normAxis(ctx, a, rank)) ?? inShape.map((_, i) => i);
  const full = (v: readonly number[] | undefined, fill: (i: number) => number) => {
    const out = inShape.map((_, i) => fill(i));
    if (v) axes.forEach((a, k) => (out[a] = v[k]!));
    return out;
  };
  const policy = stringAttr(ctx, 'keep_aspect_ratio_policy', 'stretch');
  const sizeScales = inShape.map((d, i) => outShape[i]! / d);
  if (sizes && policy !== 'stretch') {
    const ratios = axes.map((a) => sizes[axes.indexOf(a)]! / inShape[a]!);
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a) => (sizeScales[a] = s));
  }
  const scale = sizes ? sizeScales : full(scales, () => 1);
  const starts = full(roi?.slice(0, axes.length), () => 0);
  const ends = full(roi?.slice(axes.length), () => 1);
  return inShape.map((d, i) => ({
    inSize: d,
    outSize: outShape[i]!,
    scale: scale[i]!,
    roiStart: starts[i]!,
    roiEnd: ends[i]!,
  }));
}

/** The spec's output_width: scale·in, unrounded, as its reference computes it. */
function originalCoordinate(x: number, p: AxisPlan, transform: string): number {
  const outWidth = p.scale * p.inSize;
  switch (transform) {
    case 'align_corners':
      return outWidth === 1 ? 0 : (x * (p.inSize - 1)) / (outWidth - 1);
    case 'asymmetric':
      return x / p.scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / p.scale;
    case 'pytorch_half_pixel':
      return outWidth === 1 ? -0.5 : (x + 0.5) / p.scale - 0.5;
    case 'tf_crop_and_resize': {
      const span = (p.roiEnd - p.roiStart) * (p.inSize - 1);
      const base = p.roiStart * (p.inSize - 1);
      return outWidth === 1 ? span / 2 + base : (x * span) / (outWidth - 1) + base;
    }
    case 'half_pixel_symmetric': {
      const adjustment = p.outSize / outWidth;
      const offset = (p.inSize / 2) * (1 - adjustment);
      return offset + (x + 0.5) / p.scale - 0.5;
    }
    default:
      return (x + 0.5) / p.scale - 0.5; // half_pixel
  }
}

function cubicCoeffs(r: number, a: number): number[] {
  const s = 1 - r;
  return [
    ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
    ((a + 2) * r - (a + 3)) * r * r + 1,
    ((a + 2) * s - (a + 3)) * s * s + 1,
    ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a,
  ];
}

/**
 * Opset 18 antialiasing when downscaling: the linear or cubic kernel stretched by 1/scale, so
 * more taps contribute, normalised to sum 1. Returns the weights and the first tap's index.
 */
function antialiasCoeffs(m: ResizeMode, r: number, scale: number, f: number): [number[], number] {
  const radius = m.mode === 'linear' ? 1 : 2;
  const start = Math.floor(-radius / scale) + 1;
  const end = radius + 1 - start;
  const kernel = (x: number): number => {
    const a = Math.abs(x);
    if (m.mode === 'linear') return Math.max(0, 1 - a);
    const A = m.cubicA;
    if (a <= 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
    if (a < 2) return ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
    return 0;
  };
  const coeffs = Array.from({ length: end - start }, (_, t) => kernel((start + t - r) * scale));
  const sum = coeffs.reduce((a, b) => a + b, 0);
  return [coeffs.map((c) => c / sum), f + start];
}

/** Whether nearest rounding picks the upper neighbour for fractional part r (0 < r < 1). */
function isNearestCeil(r: number, nearestMode: string, isDownsampling: boolean): boolean {
  switch (nearestMode) {
    case 'round_prefer_ceil':
      return r >= 0.5;
    case 'floor':
      return false;
    case 'ceil':
      return true;
    case 'simple': // Resize-10 and Upsample: truncate when upsampling, ceil when downsampling
      return isDownsampling;
    default:
      return r > 0.5; // round_prefer_floor
  }
}

function tapsFor(x: number, p: AxisPlan, m: ResizeMode): Taps | undefined {
  const xo = originalCoordinate(x, p, m.transform);
  if (m.transform === 'tf_crop_and_resize' && (xo < 0 || xo > p.inSize - 1)) return undefined;
  // Integer coordinates count as ratio 1 past the lower neighbour, as in the spec's reference.
  let f = Math.floor(xo);
  let r = xo - f;
  if (r === 0) {
    f -= 1;
    r = 1;
  }
  const clamp = (i: number) => Math.min(p.inSize - 1, Math.max(0, i));
  if (m.mode === 'nearest') {
    const pick = r === 1 || isNearestCeil(r, m.nearestMode, p.scale < 1) ? f + 1 : f;
    return { index: Int32Array.of(clamp(pick)), weight: Float64Array.of(1) };
  }
  const [coeffs, first] =
    m.isAntialias && p.scale < 1
      ? antialiasCoeffs(m, r, p.scale, f)
      : m.mode === 'linear'
        ? [[1 - r, r], f]
        : [cubicCoeffs(r, m.cubicA), f - 1];
  const raw = coeffs.map((_, t) => first + t);
  if (m.isExcludeOutside) {
    raw.forEach((i, t) => {
      if (i < 0 || i >= p.inSize) coeffs[t] = 0;
    });
    const sum = coeffs.reduce((a, b) => a + b, 0);
    coeffs.forEach((c, t) => (coeffs[t] = c / sum));
  }
  return { index: Int32Array.from(raw.map(clamp)), weight: Float64Array.from(coeffs) };
}

/** One 1-D resampling pass along `axis` of a tensor of `shape`. */
function resampleAxis(
  x: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  p: AxisPlan,
  m: ResizeMode,
): Float64Array {
  const outer = dimsProduct(shape, 0, axis);
  const inner = dimsProduct(shape, axis + 1);
  const y = new Float64Array(outer * p.outSize * inner);
  const taps = Array.from({ length: p.outSize }, (_, o) => tapsFor(o, p, m));
  for (let b = 0; b < outer; b++) {
    for (let o = 0; o < p.outSize; o++) {
      const t = taps[o];
      const dst = (b * p.outSize + o) * inner;
      if (!t) {
        y.fill(m.extrapolation, dst, dst + inner);
        continue;
      }
      for (let k = 0; k < t.index.length; k++) {
        const w = t.weight[k]!;
        if (w === 0) continue;
        const src = (b * p.inSize + t.index[k]!) * inner;
        for (let i = 0; i < inner; i++) y[dst + i]! += w * x[src + i]!;
      }
    }
  }
  return y;
}

function resizeMode(ctx: OpContext): ResizeMode {
  const raw = stringAttr(ctx, 'mode', 'nearest');
  const mode = raw === 'bilinear' || raw === 'trilinear' ? 'linear' : raw;
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic')
    fail(ctx, `mode "${raw}" is not one of nearest, linear, cubic`);
  const isLegacy = ctx.op === 'Upsample' || ctx.opset < 11;
  return {
    mode,
    transform: isLegacy
      ? 'asymmetric'
      : stringAttr(ctx, 'coordinate_transformation_mode', 'half_pixel'),
    nearestMode: isLegacy ? 'simple' : stringAttr(ctx, 'nearest_mode', 'round_prefer_floor'),
    cubicA: floatAttr(ctx, 'cubic_coeff_a', -0.75),
    isExcludeOutside: intAttr(ctx, 'exclude_outside', 0) === 1,
    isAntialias: ctx.opset >= 18 && intAttr(ctx, 'antialias', 0) === 1,
    extrapolation: floatAttr(ctx, 'extrapolation_value', 0),
  };
}

/** Resize / Upsample. */
export function evaluateResize(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const inShape = input(ctx, 0).shape;
  const outShape = outs[0]!.shape;
  const plans = planAxes(ctx, inShape, outShape);
  const m = resizeMode(ctx);
  let shape = [...inShape];
  let data: ArrayLike<number> = numbersOf(ctx, 0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const p = plans[axis]!;
    const isIdentity =
      p.inSize === p.outSize && p.scale === 1 && m.transform !== 'tf_crop_and_resize';
    if (isIdentity) continue;
    data = resampleAxis(data, shape, axis, p, m);
    shape[axis] = p.outSize;
  }
  const out = data instanceof Float64Array ? data : Float64Array.from(data);
  if (out.length !== numElements(outShape)) fail(ctx, 'resampled size does not match the output');
  return [storeAs(outs[0]!.dtype, out)];
}
