// Signal ops for audio front ends (opset 17): DFT, STFT and MelWeightMatrix. The last dim of a
// signal is 1 (real) or 2 (complex); spectra are complex ([..., 2]). Transforms are direct
// O(N²) sums with twiddles from a table, exact for any length.
import { numElements, type TensorValues } from '../graph.js';
import { dtypeOfCode } from '../onnx/dtypes.js';
import { dtypeAttr, fail, fmtShape, input, intAttr, normAxis } from './context.js';
import { dimsProduct, numbersOf, optionalNumbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

/** DFT of `n` complex points read at re[at(i)], im[at(i)], written as `bins` complex outputs. */
function dft(
  read: (i: number) => [number, number],
  n: number,
  length: number,
  bins: number,
  isInverse: boolean,
  write: (k: number, re: number, im: number) => void,
): void {
  const cos = new Float64Array(length);
  const sin = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / length);
    sin[i] = Math.sin((2 * Math.PI * i) / length);
  }
  const sign = isInverse ? 1 : -1;
  const m = Math.min(n, length); // shorter signals are zero-padded, longer ones truncated
  for (let k = 0; k < bins; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < m; i++) {
      const [xr, xi] = read(i);
      const t = (i * k) % length;
      re += xr * cos[t]! - sign * xi * sin[t]!;
      im += sign * xr * sin[t]! + xi * cos[t]!;
    }
    write(k, isInverse ? re / length : re, isInverse ? im / length : im);
  }
}

function dftAxis(ctx: OpContext): number {
  const rank = input(ctx, 0).shape.length;
  const axis = ctx.opset >= 20 ? (optionalNumbersOf(ctx, 2)?.[0] ?? -2) : intAttr(ctx, 'axis', 1);
  const a = normAxis(ctx, axis, rank);
  if (a === rank - 1) fail(ctx, 'the DFT axis cannot be the last (complex) dim');
  return a;
}

function dftGeometry(ctx: OpContext): { axis: number; length: number; bins: number } {
  const shape = input(ctx, 0).shape;
  const axis = dftAxis(ctx);
  const length = optionalNumbersOf(ctx, 1)?.[0] ?? shape[axis]!;
  const isOnesided = intAttr(ctx, 'onesided', 0) === 1;
  return { axis, length, bins: isOnesided ? Math.floor(length / 2) + 1 : length };
}

function inferDft(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const last = x.shape[x.shape.length - 1];
  if (last !== 1 && last !== 2)
    fail(ctx, `input ${fmtShape(x.shape)} must end in 1 (real) or 2 (complex)`);
  const { axis, bins } = dftGeometry(ctx);
  const shape = x.shape.map((d, i) => (i === axis ? bins : i === x.shape.length - 1 ? 2 : d));
  return [{ dtype: x.dtype, shape }];
}

function evaluateDft(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const x = numbersOf(ctx, 0);
  const { axis, length, bins } = dftGeometry(ctx);
  const comps = shape[shape.length - 1]!;
  const n = shape[axis]!;
  const outer = dimsProduct(shape, 0, axis);
  const inner = dimsProduct(shape, axis + 1, shape.length - 1);
  const y = new Float64Array(numElements(outs[0]!.shape));
  const isInverse = intAttr(ctx, 'inverse', 0) === 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const src = (t: number) => ((o * n + t) * inner + i) * comps;
      dft(
        (t) => [x[src(t)]!, comps === 2 ? x[src(t) + 1]! : 0],
        n,
        length,
        bins,
        isInverse,
        (k, re, im) => {
          const dst = ((o * bins + k) * inner + i) * 2;
          y[dst] = re;
          y[dst + 1] = im;
        },
      );
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

function stftGeometry(ctx: OpContext): {
  frames: number;
  length: number;
  bins: number;
  step: number;
} {
  const shape = input(ctx, 0).shape;
  const step = numbersOf(ctx, 1)[0]!;
  const window = optionalNumbersOf(ctx, 2);
  const length =
    optionalNumbersOf(ctx, 3)?.[0] ?? window?.length ?? fail(ctx, 'needs a window or frame_length');
  const frames = Math.floor((shape[1]! - length) / step) + 1;
  const isOnesided = intAttr(ctx, 'onesided', 1) === 1;
  return { frames, length, step, bins: isOnesided ? Math.floor(length / 2) + 1 : length };
}

function inferStft(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape.length !== 3)
    fail(ctx, `signal ${fmtShape(x.shape)} must be [batch, length, 1 or 2]`);
  const g = stftGeometry(ctx);
  return [{ dtype: x.dtype, shape: [x.shape[0]!, g.frames, g.bins, 2] }];
}

function evaluateStft(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const x = numbersOf(ctx, 0);
  const window = optionalNumbersOf(ctx, 2);
  const g = stftGeometry(ctx);
  const comps = shape[2]!;
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let b = 0; b < shape[0]!; b++) {
    for (let f = 0; f < g.frames; f++) {
      const src = (t: number) => (b * shape[1]! + f * g.step + t) * comps;
      const w = (t: number) => (window ? window[t]! : 1);
      dft(
        (t) => [x[src(t)]! * w(t), comps === 2 ? x[src(t) + 1]! * w(t) : 0],
        g.length,
        g.length,
        g.bins,
        false,
        (k, re, im) => {
          const dst = ((b * g.frames + f) * g.bins + k) * 2;
          y[dst] = re;
          y[dst + 1] = im;
        },
      );
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

function inferMel(ctx: OpContext): TensorType[] {
  const bins = numbersOf(ctx, 0)[0]!;
  const dftLength = numbersOf(ctx, 1)[0]!;
  const dtype = dtypeAttr(ctx, 'output_datatype', 'float32', dtypeOfCode);
  return [{ dtype, shape: [Math.floor(dftLength / 2) + 1, bins] }];
}

/** Triangular mel filters, following the spec's reference (including its mel step over bins + 2). */
function evaluateMel(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [melBins, dftLength, rate, lowHz, highHz] = [0, 1, 2, 3, 4].map(
    (i) => numbersOf(ctx, i)[0]!,
  ) as [number, number, number, number, number];
  const spectrogramBins = Math.floor(dftLength / 2) + 1;
  const toMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const lowMel = toMel(lowHz);
  const step = (toMel(highHz) - lowMel) / (melBins + 2);
  const edges = Array.from({ length: melBins + 2 }, (_, i) => {
    const hz = 700 * (10 ** ((i * step + lowMel) / 2595) - 1);
    return Math.trunc(Math.floor(((dftLength + 1) * hz) / rate));
  });
  const out = new Float64Array(spectrogramBins * melBins);
  for (let i = 0; i < melBins; i++) {
    const [lo, center, hi] = [edges[i]!, edges[i + 1]!, edges[i + 2]!];
    if (center === lo) out[center * melBins + i] = 1;
    else for (let j = lo; j <= center; j++) out[j * melBins + i] = (j - lo) / (center - lo);
    for (let j = center; j < hi; j++) out[j * melBins + i] = (hi - j) / (hi - center);
  }
  return [storeAs(outs[0]!.dtype, out)];
}

/** Signal-processing ops. */
export const SIGNAL_OPS: readonly OpDef[] = [
  { op: 'DFT', domain: '', infer: inferDft, evaluate: evaluateDft },
  { op: 'STFT', domain: '', infer: inferStft, evaluate: evaluateStft },
  { op: 'MelWeightMatrix', domain: '', infer: inferMel, evaluate: evaluateMel },
];
