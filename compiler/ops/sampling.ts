// Spatial sampling ops: AffineGrid (opset 20), GridSample (opset 16: bilinear, nearest, bicubic; zeros, border and
// reflection padding) and RoiAlign (opset 10 and 16: avg/max, sampling ratio, half_pixel or
// output_half_pixel coordinates). Both follow the reference runtimes' sample-placement rules.
import { numElements, type TensorValues } from '../graph.js';
import { fail, floatAttr, fmtShape, input, intAttr, stringAttr } from './context.js';
import { numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { roundHalfEven } from './quantize.js';

/** Reflects x into [lo, hi] (repeatedly, like a mirror at both ends). */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const d = lo - x;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const d = x - hi;
    const n = Math.floor(d / range);
    const r = d - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function cubicWeights(t: number): number[] {
  const a = -0.75;
  const w = (d: number) => {
    const x = Math.abs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

function inferGridSample(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0).shape;
  const grid = input(ctx, 1).shape;
  if (x.length !== 4 || grid.length !== 4 || grid[3] !== 2)
    fail(ctx, `X ${fmtShape(x)} must be [N, C, H, W] and grid ${fmtShape(grid)} [N, Ho, Wo, 2]`);
  return [{ dtype: input(ctx, 0).dtype, shape: [x[0]!, x[1]!, grid[1]!, grid[2]!] }];
}

function evaluateGridSample(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [n, c, h, w] = input(ctx, 0).shape as [number, number, number, number];
  const [, ho, wo] = input(ctx, 1).shape as [number, number, number];
  const x = numbersOf(ctx, 0);
  const grid = numbersOf(ctx, 1);
  const mode = stringAttr(ctx, 'mode', 'bilinear');
  const padding = stringAttr(ctx, 'padding_mode', 'zeros');
  const isAligned = intAttr(ctx, 'align_corners', 0) === 1;
  const [xMin, xMax] = isAligned ? [0, w - 1] : [-0.5, w - 0.5];
  const [yMin, yMax] = isAligned ? [0, h - 1] : [-0.5, h - 0.5];
  const denorm = (v: number, size: number) =>
    isAligned ? ((v + 1) / 2) * (size - 1) : ((v + 1) * size - 1) / 2;
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      const pixel = (r: number, q: number): number => {
        if (padding === 'zeros')
          return r >= 0 && r < h && q >= 0 && q < w ? x[plane + r * w + q]! : 0;
        if (padding === 'reflection') {
          q = Math.trunc(reflect(q, xMin, xMax));
          r = Math.trunc(reflect(r, yMin, yMax));
        }
        q = Math.min(w - 1, Math.max(0, q));
        r = Math.min(h - 1, Math.max(0, r));
        return x[plane + r * w + q]!;
      };
      for (let i = 0; i < ho * wo; i++) {
        const g = (b * ho * wo + i) * 2;
        let gx = denorm(grid[g]!, w);
        let gy = denorm(grid[g + 1]!, h);
        if (mode === 'nearest') {
          gx = roundHalfEven(gx);
          gy = roundHalfEven(gy);
        }
        if (gx < xMin || gx > xMax || gy < yMin || gy > yMax) {
          if (padding === 'border') {
            gx = Math.min(w - 1, Math.max(0, gx));
            gy = Math.min(h - 1, Math.max(0, gy));
          } else if (padding === 'reflection') {
            gx = reflect(gx, xMin, xMax);
            gy = reflect(gy, yMin, yMax);
          }
        }
        const dst = (b * c + ch) * ho * wo + i;
        if (mode === 'nearest') {
          y[dst] = pixel(Math.round(gy), Math.round(gx));
        } else if (mode === 'bicubic') {
          const x0 = Math.floor(gx) - 1;
          const y0 = Math.floor(gy) - 1;
          const wx = cubicWeights(gx - x0 - 1);
          const wy = cubicWeights(gy - y0 - 1);
          let s = 0;
          for (let r = 0; r < 4; r++)
            for (let q = 0; q < 4; q++) s += wy[r]! * wx[q]! * pixel(y0 + r, x0 + q);
          y[dst] = s;
        } else {
          const x1 = Math.floor(gx);
          const y1 = Math.floor(gy);
          const [dx, dy] = [gx - x1, gy - y1];
          y[dst] =
            (1 - dy) * ((1 - dx) * pixel(y1, x1) + dx * pixel(y1, x1 + 1)) +
            dy * ((1 - dx) * pixel(y1 + 1, x1) + dx * pixel(y1 + 1, x1 + 1));
        }
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

function inferRoiAlign(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0).shape;
  const rois = input(ctx, 1).shape;
  if (x.length !== 4 || rois.length !== 2 || rois[1] !== 4)
    fail(ctx, `X ${fmtShape(x)} must be [N, C, H, W] and rois ${fmtShape(rois)} [R, 4]`);
  const shape = [
    rois[0]!,
    x[1]!,
    intAttr(ctx, 'output_height', 1),
    intAttr(ctx, 'output_width', 1),
  ];
  return [{ dtype: input(ctx, 0).dtype, shape }];
}

/** Bilinear sample of one plane with RoiAlign's edge rules; contributions per corner. */
function roiSample(
  x: ArrayLike<number>,
  plane: number,
  h: number,
  w: number,
  yy: number,
  xx: number,
): number[] {
  if (yy < -1 || yy > h || xx < -1 || xx > w) return [0, 0, 0, 0];
  let y = Math.max(yy, 0);
  let xq = Math.max(xx, 0);
  let yLow = Math.trunc(y);
  let xLow = Math.trunc(xq);
  let yHigh = yLow + 1;
  let xHigh = xLow + 1;
  if (yLow >= h - 1) [yLow, yHigh, y] = [h - 1, h - 1, h - 1];
  if (xLow >= w - 1) [xLow, xHigh, xq] = [w - 1, w - 1, w - 1];
  const [ly, lx] = [y - yLow, xq - xLow];
  const [hy, hx] = [1 - ly, 1 - lx];
  const at = (r: number, q: number) => x[plane + r * w + q]!;
  return [
    hy * hx * at(yLow, xLow),
    hy * lx * at(yLow, xHigh),
    ly * hx * at(yHigh, xLow),
    ly * lx * at(yHigh, xHigh),
  ];
}

function evaluateRoiAlign(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [, c, h, w] = input(ctx, 0).shape as [number, number, number, number];
  const [r, , oh, ow] = outs[0]!.shape as [number, number, number, number];
  const x = numbersOf(ctx, 0);
  const rois = numbersOf(ctx, 1);
  const batch = numbersOf(ctx, 2);
  const scale = floatAttr(ctx, 'spatial_scale', 1);
  const ratio = intAttr(ctx, 'sampling_ratio', 0);
  const isMax = stringAttr(ctx, 'mode', 'avg') === 'max';
  const isHalfPixel =
    ctx.opset >= 16 &&
    stringAttr(ctx, 'coordinate_transformation_mode', 'half_pixel') === 'half_pixel';
  const offset = isHalfPixel ? 0.5 : 0;
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let k = 0; k < r; k++) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((i) => rois[k * 4 + i]! * scale - offset) as [
      number,
      number,
      number,
      number,
    ];
    const roiW = isHalfPixel ? x2 - x1 : Math.max(x2 - x1, 1);
    const roiH = isHalfPixel ? y2 - y1 : Math.max(y2 - y1, 1);
    const [binH, binW] = [roiH / oh, roiW / ow];
    const gridH = ratio > 0 ? ratio : Math.ceil(roiH / oh);
    const gridW = ratio > 0 ? ratio : Math.ceil(roiW / ow);
    const count = Math.max(gridH * gridW, 1);
    for (let ch = 0; ch < c; ch++) {
      const plane = (batch[k]! * c + ch) * h * w;
      for (let ph = 0; ph < oh; ph++) {
        for (let pw = 0; pw < ow; pw++) {
          let acc = isMax ? -Infinity : 0;
          for (let iy = 0; iy < gridH; iy++) {
            const yy = y1 + ph * binH + ((iy + 0.5) * binH) / gridH;
            for (let ix = 0; ix < gridW; ix++) {
              const xx = x1 + pw * binW + ((ix + 0.5) * binW) / gridW;
              const parts = roiSample(x, plane, h, w, yy, xx);
              acc = isMax
                ? Math.max(acc, ...parts)
                : acc + parts[0]! + parts[1]! + parts[2]! + parts[3]!;
            }
          }
          y[((k * c + ch) * oh + ph) * ow + pw] = isMax ? acc : acc / count;
        }
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

function inferAffineGrid(ctx: OpContext): TensorType[] {
  const size = numbersOf(ctx, 1);
  if (size.length !== 4 && size.length !== 5)
    fail(ctx, 'size must be [N, C, H, W] or [N, C, D, H, W]');
  const spatial = Array.from(size).slice(2);
  return [{ dtype: input(ctx, 0).dtype, shape: [size[0]!, ...spatial, spatial.length] }];
}

/** AffineGrid (opset 20): theta·[x, y, (z,) 1] over the normalised base grid of `size`. */
function evaluateAffineGrid(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const theta = numbersOf(ctx, 0);
  const size = Array.from(numbersOf(ctx, 1));
  const spatial = size.slice(2);
  const rank = spatial.length;
  const isAligned = intAttr(ctx, 'align_corners', 0) === 1;
  const base = (i: number, n: number) =>
    isAligned ? (n === 1 ? 0 : -1 + (2 * i) / (n - 1)) : (2 * i + 1) / n - 1;
  const points = spatial.reduce((a, b) => a * b, 1);
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let b = 0; b < size[0]!; b++) {
    for (let p = 0; p < points; p++) {
      // Coordinates in x, y(, z) order: the last spatial dim is x.
      const coords: number[] = [];
      let rest = p;
      for (let d = rank - 1; d >= 0; d--) {
        coords.push(base(rest % spatial[d]!, spatial[d]!));
        rest = Math.floor(rest / spatial[d]!);
      }
      coords.push(1);
      for (let r = 0; r < rank; r++) {
        let v = 0;
        for (let k = 0; k <= rank; k++) v += theta[(b * rank + r) * (rank + 1) + k]! * coords[k]!;
        y[(b * points + p) * rank + r] = v;
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** Sampling ops. */
export const SAMPLING_OPS: readonly OpDef[] = [
  { op: 'GridSample', domain: '', infer: inferGridSample, evaluate: evaluateGridSample },
  { op: 'RoiAlign', domain: '', infer: inferRoiAlign, evaluate: evaluateRoiAlign },
  { op: 'AffineGrid', domain: '', infer: inferAffineGrid, evaluate: evaluateAffineGrid },
];
