// Unique: the distinct elements (or, with `axis`, the distinct slices along it) of a constant
// tensor, sorted ascending (sorted=1, slices compared lexicographically) or in order of first
// occurrence; plus each one's first index, every element's inverse index, and the counts.
// The output size depends on the data, so the input must be a constant for static shapes.
import type { TensorValues } from '../graph.js';
import { constValues, input, intAttr, normAxis } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues, valuesFrom } from './values.js';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

interface UniqueResult {
  /** Flat source position of each unique slice's first occurrence, in output order. */
  readonly firsts: number[];
  readonly inverse: number[];
  readonly counts: number[];
  /** The input viewed as [outer, len, inner] around the axis. */
  readonly outer: number;
  readonly len: number;
  readonly inner: number;
  readonly axis: number | undefined;
}

function uniqueOf(ctx: OpContext): UniqueResult {
  const shape = input(ctx, 0).shape;
  const x = constValues(ctx, 0, 'X (Unique output size depends on data)') as ArrayLike<number>;
  const hasAxis = ctx.attrs['axis'] !== undefined;
  const axis = hasAxis ? normAxis(ctx, intAttr(ctx, 'axis', 0), shape.length) : undefined;
  const outer = axis === undefined ? 1 : product(shape.slice(0, axis));
  const len = axis === undefined ? x.length : shape[axis]!;
  const inner = axis === undefined ? 1 : product(shape.slice(axis + 1));
  const sliceOf = (j: number): number[] => {
    const s: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) s.push(x[(o * len + j) * inner + i]!);
    return s;
  };
  const keys = new Map<string, number>();
  const firsts: number[] = [];
  const slices: number[][] = [];
  const counts: number[] = [];
  const inverse: number[] = [];
  for (let j = 0; j < len; j++) {
    const s = sliceOf(j);
    const key = s.join(',');
    let u = keys.get(key);
    if (u === undefined) {
      u = firsts.length;
      keys.set(key, u);
      firsts.push(j);
      slices.push(s);
      counts.push(0);
    }
    counts[u]!++;
    inverse.push(u);
  }
  if (intAttr(ctx, 'sorted', 1) !== 1) return { firsts, inverse, counts, outer, len, inner, axis };
  const order = firsts.map((_, u) => u).sort((a, b) => compareSlices(slices[a]!, slices[b]!));
  const rank = new Array<number>(order.length);
  order.forEach((u, r) => (rank[u] = r));
  return {
    firsts: order.map((u) => firsts[u]!),
    inverse: inverse.map((u) => rank[u]!),
    counts: order.map((u) => counts[u]!),
    outer,
    len,
    inner,
    axis,
  };
}

function compareSlices(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

const unique: OpDef = {
  op: 'Unique',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    const u = uniqueOf(ctx);
    const n = u.firsts.length;
    const y = u.axis === undefined ? [n] : x.shape.map((d, i) => (i === u.axis ? n : d));
    const types: TensorType[] = [
      { dtype: x.dtype, shape: y },
      { dtype: 'int64', shape: [n] },
      { dtype: 'int64', shape: [u.len] },
      { dtype: 'int64', shape: [n] },
    ];
    return types.slice(0, Math.max(1, ctx.outputCount));
  },
  evaluate: (ctx, outs) => {
    const u = uniqueOf(ctx);
    const x = constValues(ctx, 0, 'X') as ArrayLike<number>;
    const n = u.firsts.length;
    const y = allocValues(outs[0]!.dtype, u.outer * n * u.inner);
    for (let o = 0; o < u.outer; o++)
      u.firsts.forEach((j, k) => {
        for (let i = 0; i < u.inner; i++)
          y[(o * n + k) * u.inner + i] = x[(o * u.len + j) * u.inner + i]!;
      });
    const rest: TensorValues[] = [u.firsts, u.inverse, u.counts].map((v) => valuesFrom('int64', v));
    return [y, ...rest].slice(0, outs.length);
  },
};

/** Unique (ai.onnx). */
export const UNIQUE_OPS: readonly OpDef[] = [unique];
