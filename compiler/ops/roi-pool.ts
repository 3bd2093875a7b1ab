// MaxRoiPool (opset 1): Caffe-style region-of-interest max pooling. Each roi (batch, x1, y1, x2,
// y2) is scaled, rounded to pixels and split into pooled_shape bins; a bin's output is its max,
// or 0 when the bin is empty.
import { numElements, type TensorValues } from '../graph.js';
import { fail, floatAttr, fmtShape, input, intsAttr } from './context.js';
import { numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

/** Rounds half away from zero (C's round), which the reference runtimes use for roi corners. */
const roundHalfAway = (v: number): number => Math.sign(v) * Math.round(Math.abs(v));

function pooledShape(ctx: OpContext): [number, number] {
  const s = intsAttr(ctx, 'pooled_shape');
  if (!s || s.length !== 2) fail(ctx, 'attribute pooled_shape must give [height, width]');
  return s as [number, number];
}

function inferMaxRoiPool(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0).shape;
  const rois = input(ctx, 1).shape;
  if (x.length !== 4 || rois.length !== 2 || rois[1] !== 5)
    fail(ctx, `X ${fmtShape(x)} must be [N, C, H, W] and rois ${fmtShape(rois)} [R, 5]`);
  return [{ dtype: input(ctx, 0).dtype, shape: [rois[0]!, x[1]!, ...pooledShape(ctx)] }];
}

/** [start, end) of bin `p` of `bins` over an roi of `length` pixels from `origin`, clamped. */
function binRange(
  p: number,
  bins: number,
  length: number,
  origin: number,
  limit: number,
): [number, number] {
  const size = length / bins;
  const clamp = (v: number) => Math.min(Math.max(v + origin, 0), limit);
  return [clamp(Math.floor(p * size)), clamp(Math.ceil((p + 1) * size))];
}

function evaluateMaxRoiPool(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [, c, h, w] = input(ctx, 0).shape as [number, number, number, number];
  const [ph, pw] = pooledShape(ctx);
  const x = numbersOf(ctx, 0);
  const rois = numbersOf(ctx, 1);
  const scale = floatAttr(ctx, 'spatial_scale', 1);
  const count = input(ctx, 1).shape[0]!;
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let r = 0; r < count; r++) {
    const [b, x1, y1, x2, y2] = [0, 1, 2, 3, 4].map((i) => rois[r * 5 + i]!) as number[];
    const [sw, sh] = [roundHalfAway(x1! * scale), roundHalfAway(y1! * scale)];
    const roiW = Math.max(roundHalfAway(x2! * scale) - sw + 1, 1);
    const roiH = Math.max(roundHalfAway(y2! * scale) - sh + 1, 1);
    for (let ch = 0; ch < c; ch++) {
      const plane = (b! * c + ch) * h * w;
      for (let i = 0; i < ph; i++) {
        const [h0, h1] = binRange(i, ph, roiH, sh, h);
        for (let j = 0; j < pw; j++) {
          const [w0, w1] = binRange(j, pw, roiW, sw, w);
          let max = h1 <= h0 || w1 <= w0 ? 0 : -Infinity;
          for (let yy = h0; yy < h1; yy++)
            for (let xx = w0; xx < w1; xx++) max = Math.max(max, x[plane + yy * w + xx]!);
          y[((r * c + ch) * ph + i) * pw + j] = max;
        }
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** MaxRoiPool. */
export const ROI_POOL_OPS: readonly OpDef[] = [
  { op: 'MaxRoiPool', domain: '', infer: inferMaxRoiPool, evaluate: evaluateMaxRoiPool },
];
