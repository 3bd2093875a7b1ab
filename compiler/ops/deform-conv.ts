// DeformConv (opset 19, 2-D): each kernel tap samples the input at its regular position plus a
// learned (dy, dx) offset, bilinearly with zeros outside, optionally scaled by a mask; the
// sampled receptive fields then multiply the weights like Conv's im2col rows on gemmNT.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intAttr, intsAttr } from './context.js';
import { addChannelBias } from './conv-kernel.js';
import { gemmNT } from './gemm-kernel.js';
import { numbersOf, optionalNumbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { readWindow, resolvePads, windowOutput } from './window.js';

function inferDeformConv(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0).shape;
  const w = input(ctx, 1).shape;
  if (x.length !== 4 || w.length !== 4)
    fail(ctx, `input ${fmtShape(x)} and weight ${fmtShape(w)} must be 2-D convolutions (rank 4)`);
  const win = readWindow(ctx, intsAttr(ctx, 'kernel_shape') ?? w.slice(2));
  return [
    { dtype: input(ctx, 0).dtype, shape: [x[0]!, w[0]!, ...windowOutput(ctx, x.slice(2), win)] },
  ];
}

/** Bilinear sample of plane `p` at (y, x); corners outside the image count as zero. */
function sample(
  x: ArrayLike<number>,
  p: number,
  h: number,
  w: number,
  y: number,
  xx: number,
): number {
  if (y <= -1 || y >= h || xx <= -1 || xx >= w) return 0;
  const y0 = Math.floor(y);
  const x0 = Math.floor(xx);
  const [ly, lx] = [y - y0, xx - x0];
  const at = (r: number, c: number) => (r >= 0 && r < h && c >= 0 && c < w ? x[p + r * w + c]! : 0);
  return (
    (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) +
    ly * ((1 - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1))
  );
}

function evaluateDeformConv(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [n, c, h, w] = input(ctx, 0).shape as [number, number, number, number];
  const [m, cg, kh, kw] = input(ctx, 1).shape as [number, number, number, number];
  const [, , oh, ow] = outs[0]!.shape as [number, number, number, number];
  const win = readWindow(ctx, [kh, kw]);
  const [padT, padL] = resolvePads(win, [h, w], [oh, ow]).begin as [number, number];
  const [sh, sw] = win.strides as [number, number];
  const [dh, dw] = win.dilations as [number, number];
  const group = intAttr(ctx, 'group', 1);
  const offsetGroups = intAttr(ctx, 'offset_group', 1);
  const x = numbersOf(ctx, 0);
  const weights = numbersOf(ctx, 1);
  const offset = numbersOf(ctx, 2);
  const mask = optionalNumbersOf(ctx, 4);
  const taps = kh * kw;
  const kc = cg * taps;
  const positions = oh * ow;
  const mg = m / group;
  const col = new Float64Array(positions * kc);
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < group; g++) {
      for (let p = 0; p < positions; p++) {
        const [py, px] = [Math.floor(p / ow), p % ow];
        for (let ci = 0; ci < cg; ci++) {
          const ch = g * cg + ci;
          const og = Math.floor(ch / (c / offsetGroups));
          for (let t = 0; t < taps; t++) {
            const [ty, tx] = [Math.floor(t / kw), t % kw];
            const off = ((b * offsetGroups + og) * 2 * taps + 2 * t) * positions + p;
            const sy = py * sh - padT + ty * dh + offset[off]!;
            const sx = px * sw - padL + tx * dw + offset[off + positions]!;
            const scale = mask ? mask[((b * offsetGroups + og) * taps + t) * positions + p]! : 1;
            col[p * kc + ci * taps + t] = scale * sample(x, (b * c + ch) * h * w, h, w, sy, sx);
          }
        }
      }
      gemmNT(
        { data: weights, offset: g * mg * kc, stride: kc },
        { data: col, offset: 0, stride: kc },
        { data: y, offset: (b * m + g * mg) * positions, stride: positions },
        { m: mg, n: positions, k: kc },
      );
    }
  }
  const bias = optionalNumbersOf(ctx, 3);
  if (bias) addChannelBias(y, bias, n, m);
  return [storeAs(outs[0]!.dtype, y)];
}

/** DeformConv. */
export const DEFORM_CONV_OPS: readonly OpDef[] = [
  {
    op: 'DeformConv',
    domain: '',
    infer: inferDeformConv,
    macs: (ctx, o) => numElements(o[0]!.shape) * numElements(input(ctx, 1).shape.slice(1)),
    evaluate: evaluateDeformConv,
  },
];
