// Reference kernels for the normalisations. Statistics are two-pass (mean, then mean squared
// deviation) in doubles, which is at least as exact as the one-pass float kernels of runtimes.
import { numElements, type TensorValues } from '../graph.js';
import { forEachBroadcast } from './broadcast.js';
import { floatAttr, input, intAttr, intsAttr, normAxis } from './context.js';
import { dimsProduct, numbersOf, optionalNumbersOf, scratchFor, storeAs } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';

/** Mean and population variance of x[from + i·step] for i < count. */
function moments(x: ArrayLike<number>, from: number, count: number, step = 1): [number, number] {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += x[from + i * step]!;
  const mean = sum / count;
  let sq = 0;
  for (let i = 0; i < count; i++) {
    const d = x[from + i * step]! - mean;
    sq += d * d;
  }
  return [mean, sq / count];
}

/** Mean and variance per channel of an [N, C, inner] tensor, over N and inner. */
function channelMoments(x: ArrayLike<number>, n: number, c: number, inner: number): Float64Array[] {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) sum += x[(b * c + ch) * inner + i]!;
    const m = sum / (n * inner);
    let sq = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < inner; i++) sq += (x[(b * c + ch) * inner + i]! - m) ** 2;
    }
    mean[ch] = m;
    variance[ch] = sq / (n * inner);
  }
  return [mean, variance];
}

/** BatchNormalization: inference with the given statistics, or training mode (opset 14+) with batch ones. */
export function evaluateBatchNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const [n, c] = [shape[0]!, shape[1]!];
  const inner = dimsProduct(shape, 2);
  const x = numbersOf(ctx, 0);
  const scale = numbersOf(ctx, 1);
  const bias = numbersOf(ctx, 2);
  const eps = floatAttr(ctx, 'epsilon', 1e-5);
  const isTraining = ctx.opset >= 14 && intAttr(ctx, 'training_mode', 0) === 1;
  const [mean, variance] = isTraining
    ? channelMoments(x, n, c, inner)
    : [numbersOf(ctx, 3), numbersOf(ctx, 4)];
  // spatial=0 (opsets 1-8): statistics and parameters per element of [C, D1, ...], not per channel.
  const per = !isTraining && scale.length === c * inner && inner > 1 ? inner : 1;
  const y = scratchFor(outs[0]!.dtype, x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        const at = per === 1 ? ch : ch * inner + i;
        const k = scale[at]! / Math.sqrt(variance[at]! + eps);
        y[base + i] = (x[base + i]! - mean[at]!) * k + bias[at]!;
      }
    }
  }
  const result: TensorValues[] = [storeAs(outs[0]!.dtype, y)];
  // Inference leaves the running statistics as given (old opsets may still declare them).
  if (!isTraining)
    return [...result, ...outs.slice(1).map((_, i) => Float32Array.from(i % 2 ? variance : mean))];
  const momentum = floatAttr(ctx, 'momentum', 0.9);
  const running = (given: ArrayLike<number>, batch: ArrayLike<number>) =>
    Float32Array.from({ length: c }, (_, i) => given[i]! * momentum + batch[i]! * (1 - momentum));
  const extra = [running(numbersOf(ctx, 3), mean), running(numbersOf(ctx, 4), variance)];
  return [...result, ...extra.slice(0, outs.length - 1)];
}

/** y = (x − mean)·invStd·scale + bias per row of an [outer, inner] view; scale/bias index by `paramOf`. */
function normalizeRows(
  x: ArrayLike<number>,
  y: Float32Array | Float64Array,
  rows: { outer: number; inner: number; eps: number },
  paramOf: (row: number, i: number) => number,
  scale: ArrayLike<number> | undefined,
  bias: ArrayLike<number> | undefined,
): { mean: Float32Array; invStd: Float32Array } {
  const mean = new Float32Array(rows.outer);
  const invStd = new Float32Array(rows.outer);
  for (let r = 0; r < rows.outer; r++) {
    const base = r * rows.inner;
    const [m, v] = moments(x, base, rows.inner);
    const inv = 1 / Math.sqrt(v + rows.eps);
    mean[r] = m;
    invStd[r] = inv;
    for (let i = 0; i < rows.inner; i++) {
      const p = paramOf(r, i);
      const s = scale ? scale[p]! : 1;
      y[base + i] = (x[base + i]! - m) * inv * s + (bias ? bias[p]! : 0);
    }
  }
  return { mean, invStd };
}

/** LayerNormalization (opset 17): Y, Mean, InvStdDev over the dims from `axis` on. */
export function evaluateLayerNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), shape.length);
  const inner = dimsProduct(shape, axis);
  const outer = dimsProduct(shape, 0, axis);
  const scale = numbersOf(ctx, 1);
  const bias = optionalNumbersOf(ctx, 2);
  // Scale and B broadcast unidirectionally to the normalised shape.
  const sLen = scale.length;
  const bLen = bias?.length ?? 1;
  const y = new Float64Array(numElements(shape));
  const rows = { outer, inner, eps: floatAttr(ctx, 'epsilon', 1e-5) };
  const stats = normalizeRows(
    numbersOf(ctx, 0),
    y,
    rows,
    (_, i) => i,
    broadcastTail(scale, sLen, inner),
    bias && broadcastTail(bias, bLen, inner),
  );
  return [storeAs(outs[0]!.dtype, y), stats.mean, stats.invStd].slice(0, outs.length);
}

/** A parameter of `len` elements broadcast (numpy-style, trailing) to `inner` elements. */
function broadcastTail(p: ArrayLike<number>, len: number, inner: number): ArrayLike<number> {
  if (len === inner) return p;
  const out = new Float64Array(inner);
  for (let i = 0; i < inner; i++) out[i] = p[len === 1 ? 0 : i % len]!;
  return out;
}

/** InstanceNormalization: per (n, c) over the spatial dims, then scale[c] and B[c]. */
export function evaluateInstanceNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const c = shape[1]!;
  const inner = dimsProduct(shape, 2);
  const y = new Float64Array(numElements(shape));
  const rows = { outer: shape[0]! * c, inner, eps: floatAttr(ctx, 'epsilon', 1e-5) };
  normalizeRows(numbersOf(ctx, 0), y, rows, (r) => r % c, numbersOf(ctx, 1), numbersOf(ctx, 2));
  return [storeAs(outs[0]!.dtype, y)];
}

/** GroupNormalization: per (n, group); scale/bias per group (opset 18) or per channel (opset 21). */
export function evaluateGroupNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const c = shape[1]!;
  const groups = intAttr(ctx, 'num_groups', 1);
  const spatial = dimsProduct(shape, 2);
  const inner = (c / groups) * spatial;
  const scale = numbersOf(ctx, 1);
  const isPerChannel = scale.length === c && c !== groups;
  const y = new Float64Array(numElements(shape));
  const rows = { outer: shape[0]! * groups, inner, eps: floatAttr(ctx, 'epsilon', 1e-5) };
  const paramOf = isPerChannel
    ? (r: number, i: number) => (r % groups) * (c / groups) + Math.floor(i / spatial)
    : (r: number) => r % groups;
  normalizeRows(numbersOf(ctx, 0), y, rows, paramOf, scale, numbersOf(ctx, 2));
  return [storeAs(outs[0]!.dtype, y)];
}

/** MeanVarianceNormalization: (x − mean) / (std + 1e-9) over `axes` (default N, H, W). */
export function evaluateMvn(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const axes = (intsAttr(ctx, 'axes') ?? [0, 2, 3]).map((a) => normAxis(ctx, a, shape.length));
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const x = numbersOf(ctx, 0);
  const groups = numElements(kept);
  const count = numElements(shape) / Math.max(1, groups);
  const groupOf = new Int32Array(x.length);
  forEachBroadcast(shape, [kept], (i, pos) => {
    groupOf[i] = pos[0]!;
  });
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  for (let i = 0; i < x.length; i++) sum[groupOf[i]!]! += x[i]!;
  for (let g = 0; g < groups; g++) sum[g]! /= count;
  for (let i = 0; i < x.length; i++) sq[groupOf[i]!]! += (x[i]! - sum[groupOf[i]!]!) ** 2;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groupOf[i]!;
    y[i] = (x[i]! - sum[g]!) / (Math.sqrt(sq[g]! / count) + 1e-9);
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** LRN across channels: x / (bias + alpha/size · Σ x²)^beta. */
export function evaluateLrn(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const [n, c] = [shape[0]!, shape[1]!];
  const inner = dimsProduct(shape, 2);
  const size = intAttr(ctx, 'size', 1);
  const alpha = floatAttr(ctx, 'alpha', 1e-4);
  const beta = floatAttr(ctx, 'beta', 0.75);
  const bias = floatAttr(ctx, 'bias', 1);
  const below = Math.floor((size - 1) / 2);
  const above = Math.ceil((size - 1) / 2);
  const x = numbersOf(ctx, 0);
  const y = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - below);
      const hi = Math.min(c - 1, ch + above);
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let k = lo; k <= hi; k++) sq += x[(b * c + k) * inner + i]! ** 2;
        const at = (b * c + ch) * inner + i;
        y[at] = x[at]! / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** RMSNormalization (opset 23): x / √(mean(x²) + ε)·scale over the dims from `axis` on. */
export function evaluateRmsNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  return [storeAs(outs[0]!.dtype, rmsNormRows(ctx).y)];
}

/**
 * x / √(mean(x²) + ε)·scale over the dims from `axis` (default -1) on, with each row's 1/√(...):
 * RMSNormalization and com.microsoft's SimplifiedLayerNormalization.
 */
export function rmsNormRows(ctx: OpContext): { y: Float64Array; invStd: Float64Array } {
  const shape = input(ctx, 0).shape;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), shape.length);
  const inner = dimsProduct(shape, axis);
  const outer = dimsProduct(shape, 0, axis);
  const eps = floatAttr(ctx, 'epsilon', 1e-5);
  const x = numbersOf(ctx, 0);
  const raw = numbersOf(ctx, 1);
  const scale = broadcastTail(raw, raw.length, inner);
  const y = new Float64Array(x.length);
  const invStd = new Float64Array(outer);
  for (let r = 0; r < outer; r++) {
    let sq = 0;
    for (let i = 0; i < inner; i++) sq += x[r * inner + i]! ** 2;
    const inv = 1 / Math.sqrt(sq / inner + eps);
    invStd[r] = inv;
    for (let i = 0; i < inner; i++) y[r * inner + i] = x[r * inner + i]! * inv * scale[i]!;
  }
  return { y, invStd };
}
