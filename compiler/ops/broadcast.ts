// Multidirectional (numpy-style) broadcasting and small index helpers shared by the evaluators.
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import type { MutableValues } from './values.js';

/** The broadcast of several shapes, or undefined when two dims are unequal and neither is 1. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] !== 1) return undefined;
      out[o] = d;
    }
  }
  return out;
}

/** Row-major strides of a shape (elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Strides of `shape` viewed as broadcast to `outShape` (0 along broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : own[i - off]!));
}

/**
 * Calls fn(flatOut, flatIn0, flatIn1, ...) for every element of outShape, with each input's flat
 * index computed under broadcasting. An odometer keeps it allocation-free per element.
 */
export function forEachBroadcast(
  outShape: readonly number[],
  inShapes: readonly (readonly number[])[],
  fn: (out: number, ins: Int32Array | Float64Array) => void,
): void {
  const n = numElements(outShape);
  const rank = outShape.length;
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  const idx = new Array<number>(rank).fill(0);
  const pos = new Float64Array(inShapes.length);
  for (let flat = 0; flat < n; flat++) {
    fn(flat, pos);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < strides.length; k++) pos[k]! += strides[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < strides.length; k++) pos[k]! -= strides[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

/** Elementwise map over broadcast inputs into `out`. */
export function mapBroadcast(
  out: MutableValues,
  outShape: readonly number[],
  ins: readonly { shape: readonly number[]; values: TensorValues }[],
  f: (...xs: number[]) => number,
): MutableValues {
  const vals = ins.map((i) => i.values as ArrayLike<number>);
  const xs = new Array<number>(ins.length);
  forEachBroadcast(
    outShape,
    ins.map((i) => i.shape),
    (o, pos) => {
      for (let k = 0; k < vals.length; k++) xs[k] = vals[k]![pos[k]!]!;
      out[o] = f(...xs);
    },
  );
  return out;
}

/** Gathers out[i] = src[index(i)] where index walks outShape with the given source strides. */
export function gatherStrided(
  out: MutableValues,
  src: TensorValues,
  outShape: readonly number[],
  srcStrides: readonly number[],
  baseOffset = 0,
): MutableValues {
  const s = src as ArrayLike<number>;
  const rank = outShape.length;
  const n = numElements(outShape);
  const idx = new Array<number>(rank).fill(0);
  let pos = baseOffset;
  for (let flat = 0; flat < n; flat++) {
    out[flat] = s[pos]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      pos += srcStrides[d]!;
      if (idx[d]! < outShape[d]!) break;
      pos -= srcStrides[d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Calls fn(index, flat) for every element of `shape` in row-major order (index is reused). */
export function forEachIndex(
  shape: readonly number[],
  fn: (index: readonly number[], flat: number) => void,
): void {
  const n = numElements(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Copies `src` (shape srcShape) into `out` (shape outShape) at `offset` along `axis`. */
export function copyAlongAxis(
  out: MutableValues,
  outShape: readonly number[],
  src: TensorValues,
  srcShape: readonly number[],
  axis: number,
  offset: number,
): void {
  const outer = numElements(srcShape.slice(0, axis));
  const srcBlock = numElements(srcShape.slice(axis));
  const outBlock = numElements(outShape.slice(axis));
  const inner = numElements(outShape.slice(axis + 1));
  const s = src as ArrayLike<number>;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < srcBlock; k++)
      out[o * outBlock + offset * inner + k] = s[o * srcBlock + k]!;
  }
}
