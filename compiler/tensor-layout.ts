// Where each element of a tensor sits in its device matrix (rows x columns of 32x32 tiles). The
// compiler uses it to compute exact data footprints; the functional simulator uses it to move
// real values between ONNX tensors and tiles. Pure functions of (layout, shape).

import type { TensorLayout } from './program.js';

export const TILE = 32;

/** Matrix size [rows, cols] in elements of a tensor stored in `layout`. */
export function matrixSize(layout: TensorLayout, shape: readonly number[]): [number, number] {
  const total = shape.reduce((a, b) => a * b, 1);
  switch (layout) {
    case 'feature-map': {
      const c = shape[1] ?? 1;
      return [Math.max(1, total / Math.max(1, c)), Math.max(1, c)];
    }
    case 'weight-kn': return [shape[0] ?? 1, shape[1] ?? 1];
    case 'weight-nk': return [shape[1] ?? 1, shape[0] ?? 1];
    case 'weight-conv': {
      const taps = shape.slice(2).reduce((a, b) => a * b, 1);
      return [Math.ceil((shape[1] ?? 1) / TILE) * TILE * taps, shape[0] ?? 1];
    }
    case 'rows': {
      const c = shape.length === 0 ? 1 : shape[shape.length - 1] ?? 1;
      return [Math.max(1, Math.round(total / Math.max(1, c))), Math.max(1, c)];
    }
  }
}

/**
 * Returns a function mapping an element's flat (row-major ONNX) index to its matrix position,
 * written into `out` as [row, col] (no allocation per element).
 */
export function positionOf(layout: TensorLayout, shape: readonly number[]): (flat: number, out: Int32Array) => void {
  switch (layout) {
    case 'feature-map': {
      const c = shape[1] ?? 1;
      const hw = shape.slice(2).reduce((a, b) => a * b, 1);
      return (f, out) => {
        const n = Math.floor(f / (c * hw));
        const rem = f - n * c * hw;
        const ch = Math.floor(rem / hw);
        out[0] = n * hw + (rem - ch * hw);
        out[1] = ch;
      };
    }
    case 'weight-kn': {
      const n = shape[1] ?? 1;
      return (f, out) => { out[0] = Math.floor(f / n); out[1] = f % n; };
    }
    case 'weight-nk': {
      const k = shape[1] ?? 1;
      return (f, out) => { out[0] = f % k; out[1] = Math.floor(f / k); };
    }
    case 'weight-conv': {
      const cin = shape[1] ?? 1;
      const taps = shape.slice(2).reduce((a, b) => a * b, 1);
      return (f, out) => {
        const co = Math.floor(f / (cin * taps));
        const rem = f - co * cin * taps;
        const ci = Math.floor(rem / taps);
        const tap = rem - ci * taps;
        out[0] = (Math.floor(ci / TILE) * taps + tap) * TILE + (ci % TILE);
        out[1] = co;
      };
    }
    case 'rows': {
      const c = shape.length === 0 ? 1 : shape[shape.length - 1] ?? 1;
      return (f, out) => { out[0] = Math.floor(f / c); out[1] = f % c; };
    }
  }
}

/** Element map of numpy-style broadcasting from `inShape` into `outShape`. */
export function broadcastSource(outShape: readonly number[], inShape: readonly number[]): (e: number) => number {
  const rank = outShape.length;
  const inStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const axis = rank - (inShape.length - i);
    if ((inShape[i] ?? 1) !== 1 && axis >= 0) inStrides[axis] = stride;
    stride *= inShape[i] ?? 1;
  }
  return (e) => {
    let rest = e;
    let src = 0;
    for (let a = rank - 1; a >= 0; a--) {
      const d = outShape[a] ?? 1;
      const i = rest % d;
      rest = (rest - i) / d;
      src += i * inStrides[a]!;
    }
    return src;
  };
}


/** Inverse of positionOf for activation layouts: the flat index at matrix (row, col), or -1 if padding. */
export function flatOf(layout: TensorLayout, shape: readonly number[]): (row: number, col: number) => number {
  const [rows, cols] = matrixSize(layout, shape);
  if (layout === 'feature-map') {
    const c = shape[1] ?? 1;
    const hw = shape.slice(2).reduce((a, b) => a * b, 1);
    return (r, col) => {
      if (r >= rows || col >= cols) return -1;
      const n = Math.floor(r / hw);
      return (n * c + col) * hw + (r - n * hw);
    };
  }
  return (r, col) => (r >= rows || col >= cols ? -1 : r * cols + col);
}
