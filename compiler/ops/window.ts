// Sliding-window geometry shared by Conv, ConvTranspose and the pools: kernel, strides,
// dilations, explicit pads or auto_pad, and ceil_mode, per the ONNX operator spec.
import { fail, intAttr, intsAttr, stringAttr } from './context.js';
import type { OpContext } from './op-def.js';

/** Resolved window attributes for `rank` spatial dims. */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  /** 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID' */
  readonly autoPad: string;
  readonly isCeilMode: boolean;
}

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** Reads window attributes; `kernel` comes from the weight shape or kernel_shape. */
export function readWindow(ctx: OpContext, kernel: readonly number[]): Window {
  const rank = kernel.length;
  const ones = new Array<number>(rank).fill(1);
  const pads = intsAttr(ctx, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const autoPad = stringAttr(ctx, 'auto_pad', 'NOTSET') || 'NOTSET';
  if (!AUTO_PADS.includes(autoPad))
    fail(ctx, `auto_pad "${autoPad}" is not one of ${AUTO_PADS.join(', ')}`);
  const w: Window = {
    kernel,
    strides: intsAttr(ctx, 'strides') ?? ones,
    dilations: intsAttr(ctx, 'dilations') ?? ones,
    padsBegin: pads.slice(0, rank),
    padsEnd: pads.slice(rank, 2 * rank),
    autoPad,
    isCeilMode: intAttr(ctx, 'ceil_mode', 0) === 1,
  };
  for (const [name, v] of [
    ['strides', w.strides],
    ['dilations', w.dilations],
    ['pads', pads],
  ] as const) {
    const want = name === 'pads' ? 2 * rank : rank;
    if (v.length !== want) fail(ctx, `${name} has ${v.length} values but ${want} are needed`);
  }
  return w;
}

/** Output spatial sizes of a forward window op (Conv, pools) for the given input sizes. */
export function windowOutput(ctx: OpContext, inSizes: readonly number[], w: Window): number[] {
  return inSizes.map((size, i) => {
    const s = w.strides[i]!;
    const span = w.dilations[i]! * (w.kernel[i]! - 1) + 1;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(size / s);
    const padded = w.autoPad === 'VALID' ? size : size + w.padsBegin[i]! + w.padsEnd[i]!;
    if (padded < span)
      fail(ctx, `window of ${span} does not fit in input of ${padded} along spatial dim ${i}`);
    if (!w.isCeilMode) return Math.floor((padded - span) / s) + 1;
    let out = Math.ceil((padded - span) / s) + 1;
    // The last window must start inside the input or the begin padding.
    const begin = w.autoPad === 'VALID' ? 0 : w.padsBegin[i]!;
    if ((out - 1) * s >= size + begin) out--;
    return out;
  });
}

/** Output spatial sizes of ConvTranspose (output_shape, or the stride/pad formula). */
export function transposedOutput(ctx: OpContext, inSizes: readonly number[], w: Window): number[] {
  const rank = inSizes.length;
  const outputShape = intsAttr(ctx, 'output_shape');
  if (outputShape) return outputShape.slice(outputShape.length - rank);
  const outPad = intsAttr(ctx, 'output_padding') ?? new Array<number>(rank).fill(0);
  return inSizes.map((size, i) => {
    const s = w.strides[i]!;
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return size * s;
    const span = w.dilations[i]! * (w.kernel[i]! - 1) + 1;
    const pads = w.autoPad === 'VALID' ? 0 : w.padsBegin[i]! + w.padsEnd[i]!;
    return s * (size - 1) + outPad[i]! + span - pads;
  });
}

/** Begin/end padding per spatial dim of a forward window op, with auto_pad resolved. */
export function resolvePads(
  w: Window,
  inSizes: readonly number[],
  outSizes: readonly number[],
): { readonly begin: number[]; readonly end: number[] } {
  if (w.autoPad === 'VALID') return { begin: inSizes.map(() => 0), end: inSizes.map(() => 0) };
  if (w.autoPad === 'NOTSET') return { begin: [...w.padsBegin], end: [...w.padsEnd] };
  const total = inSizes.map((size, i) => {
    const span = w.dilations[i]! * (w.kernel[i]! - 1) + 1;
    return Math.max(0, (outSizes[i]! - 1) * w.strides[i]! + span - size);
  });
  // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
  const small = total.map((t) => Math.floor(t / 2));
  const isUpper = w.autoPad === 'SAME_UPPER';
  return {
    begin: total.map((t, i) => (isUpper ? small[i]! : t - small[i]!)),
    end: total.map((t, i) => (isUpper ? t - small[i]! : small[i]!)),
  };
}

/** Begin padding per spatial dim of ConvTranspose (spec: derived from output_shape when given). */
export function transposedPadsBegin(
  ctx: OpContext,
  w: Window,
  inSizes: readonly number[],
  outSizes: readonly number[],
): number[] {
  const hasOutputShape = intsAttr(ctx, 'output_shape') !== undefined;
  const isAuto = w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER';
  if (!hasOutputShape && !isAuto)
    return w.autoPad === 'VALID' ? inSizes.map(() => 0) : [...w.padsBegin];
  const outPad = intsAttr(ctx, 'output_padding') ?? inSizes.map(() => 0);
  return inSizes.map((size, i) => {
    const span = w.dilations[i]! * (w.kernel[i]! - 1) + 1;
    const total = w.strides[i]! * (size - 1) + outPad[i]! + span - outSizes[i]!;
    const half = Math.floor(total / 2);
    return w.autoPad === 'SAME_UPPER' ? half : total - half;
  });
}
