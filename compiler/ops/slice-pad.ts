// Index-window ops: Slice (negative, clamped, stepped), Pad, Trilu, DepthToSpace, SpaceToDepth.
import { numElements } from '../graph.js';
import { forEachIndex, gatherStrided, stridesOf } from './broadcast.js';
import {
  constInts,
  constValues,
  fail,
  floatAttr,
  fmtShape,
  input,
  intAttr,
  intsAttr,
  normAxis,
  optionalConstInts,
  optionalInput,
  stringAttr,
} from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

interface SliceWindow {
  readonly starts: readonly number[];
  readonly steps: readonly number[];
  readonly shape: readonly number[];
}

/** Per-dim start, step and output size of a Slice, with ONNX clamping rules. */
function sliceWindow(ctx: OpContext): SliceWindow {
  const x = input(ctx, 0);
  const rank = x.shape.length;
  const isAttrForm = ctx.opset < 10;
  const starts = isAttrForm ? (intsAttr(ctx, 'starts') ?? []) : constInts(ctx, 1, 'starts');
  const ends = isAttrForm ? (intsAttr(ctx, 'ends') ?? []) : constInts(ctx, 2, 'ends');
  const axes =
    (isAttrForm ? intsAttr(ctx, 'axes') : optionalConstInts(ctx, 3, 'axes')) ??
    starts.map((_, i) => i);
  const steps =
    (isAttrForm ? undefined : optionalConstInts(ctx, 4, 'steps')) ?? starts.map(() => 1);
  if (
    ends.length !== starts.length ||
    axes.length !== starts.length ||
    steps.length !== starts.length
  ) {
    fail(ctx, 'starts, ends, axes and steps must have the same length');
  }
  const win = { starts: x.shape.map(() => 0), steps: x.shape.map(() => 1), shape: [...x.shape] };
  axes.forEach((rawAxis, i) => {
    const axis = normAxis(ctx, rawAxis, rank);
    const d = x.shape[axis]!;
    const step = steps[i]!;
    if (step === 0) fail(ctx, 'slice step cannot be 0');
    const norm = (v: number) => (v < 0 ? v + d : v);
    const [lo, hi] = step > 0 ? [0, d] : [-1, d - 1];
    const start = Math.min(Math.max(norm(starts[i]!), 0), step > 0 ? d : d - 1);
    const end = Math.min(Math.max(norm(ends[i]!), lo), hi);
    win.starts[axis] = start;
    win.steps[axis] = step;
    win.shape[axis] = Math.max(0, Math.ceil((end - start) / step));
  });
  return win;
}

const slice: OpDef = {
  op: 'Slice',
  domain: '',
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: sliceWindow(ctx).shape }],
  evaluate: (ctx, outs) => {
    const w = sliceWindow(ctx);
    const strides = stridesOf(input(ctx, 0).shape);
    const base = w.starts.reduce((acc, s, d) => acc + s * strides[d]!, 0);
    const o = outs[0]!;
    const out = allocValues(o.dtype, numElements(o.shape));
    if (out.length === 0) return [out];
    return [
      gatherStrided(
        out,
        constValues(ctx, 0, 'data'),
        o.shape,
        strides.map((s, d) => s * w.steps[d]!),
        base,
      ),
    ];
  },
};

/** [begin..., end...] pads over all dims (opset 18 may restrict them to `axes`). */
function padsOf(ctx: OpContext, rank: number): readonly number[] {
  const raw =
    ctx.opset < 11
      ? (intsAttr(ctx, 'pads') ??
        intsAttr(ctx, 'paddings') ??
        fail(ctx, 'attribute pads is required'))
      : constInts(ctx, 1, 'pads');
  const axes = ctx.opset >= 18 ? optionalConstInts(ctx, 3, 'axes') : undefined;
  if (!axes) {
    if (raw.length !== 2 * rank) fail(ctx, `pads has ${raw.length} values for rank ${rank}`);
    return raw;
  }
  const pads = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const axis = normAxis(ctx, a, rank);
    pads[axis] = raw[i]!;
    pads[axis + rank] = raw[i + axes.length]!;
  });
  return pads;
}

function padValue(ctx: OpContext): number {
  if (ctx.opset < 11) return floatAttr(ctx, 'value', 0);
  return optionalInput(ctx, 2)
    ? ((constValues(ctx, 2, 'constant_value') as ArrayLike<number>)[0] ?? 0)
    : 0;
}

const pad: OpDef = {
  op: 'Pad',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    const r = x.shape.length;
    const pads = padsOf(ctx, r);
    const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
    if (shape.some((d) => d < 0))
      fail(ctx, `pads [${pads.join(', ')}] crop ${fmtShape(x.shape)} below zero`);
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (ctx, outs) => {
    const x = input(ctx, 0);
    const r = x.shape.length;
    const pads = padsOf(ctx, r);
    const source = sourceIndex(stringAttr(ctx, 'mode', 'constant'));
    const src = constValues(ctx, 0, 'data') as ArrayLike<number>;
    const strides = stridesOf(x.shape);
    const o = outs[0]!;
    const out = allocValues(o.dtype, numElements(o.shape)).fill(padValue(ctx));
    forEachIndex(o.shape, (idx, flat) => {
      let pos = 0;
      for (let d = 0; d < r; d++) {
        const k = source(idx[d]! - pads[d]!, x.shape[d]!);
        if (k === undefined) return;
        pos += k * strides[d]!;
      }
      out[flat] = src[pos]!;
    });
    return [out];
  },
};

/** Where an output coordinate reads from in a dim of `size`: undefined = the constant value. */
function sourceIndex(mode: string): (k: number, size: number) => number | undefined {
  switch (mode) {
    case 'edge':
      return (k, size) => Math.min(Math.max(k, 0), size - 1);
    case 'reflect':
      return (k, size) => {
        const period = 2 * (size - 1) || 1;
        const m = ((k % period) + period) % period;
        return m < size ? m : period - m;
      };
    case 'wrap':
      return (k, size) => ((k % size) + size) % size;
    default:
      return (k, size) => (k < 0 || k >= size ? undefined : k);
  }
}

const trilu: OpDef = {
  op: 'Trilu',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    if (x.shape.length < 2) fail(ctx, `input ${fmtShape(x.shape)} needs rank >= 2`);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate: (ctx, outs) => {
    const x = input(ctx, 0);
    const k = optionalInput(ctx, 1) ? constInts(ctx, 1, 'k')[0]! : 0;
    const isUpper = intAttr(ctx, 'upper', 1) === 1;
    const src = constValues(ctx, 0, 'input') as ArrayLike<number>;
    const out = allocValues(outs[0]!.dtype, src.length);
    const r = x.shape.length;
    forEachIndex(x.shape, (idx, flat) => {
      const diff = idx[r - 1]! - idx[r - 2]!;
      out[flat] = (isUpper ? diff >= k : diff <= k) ? src[flat]! : 0;
    });
    return [out];
  },
};

function blockInfer(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const b = intAttr(ctx, 'blocksize', 0);
  if (x.shape.length !== 4 || b <= 0)
    fail(ctx, `needs a 4-D input and blocksize > 0, got ${fmtShape(x.shape)} and ${b}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (ctx.op === 'DepthToSpace') {
    if (c % (b * b) !== 0) fail(ctx, `channels ${c} are not divisible by blocksize² ${b * b}`);
    return [{ dtype: x.dtype, shape: [n, c / (b * b), h * b, w * b] }];
  }
  if (h % b !== 0 || w % b !== 0)
    fail(ctx, `spatial dims ${h}x${w} are not divisible by blocksize ${b}`);
  return [{ dtype: x.dtype, shape: [n, c * b * b, h / b, w / b] }];
}

/**
 * DepthToSpace / SpaceToDepth as a 6-D reshape plus transpose (the ONNX definitions):
 *   DepthToSpace DCR: [N, b, b, C', H, W] perm [0, 3, 4, 1, 5, 2]
 *   DepthToSpace CRD: [N, C', b, b, H, W] perm [0, 1, 4, 2, 5, 3]
 *   SpaceToDepth:     [N, C, H', b, W', b] perm [0, 3, 5, 1, 2, 4]
 */
function blockEvaluate(ctx: OpContext, outs: readonly TensorType[]) {
  const [n, c, h, w] = input(ctx, 0).shape as [number, number, number, number];
  const b = intAttr(ctx, 'blocksize', 0);
  let view: number[];
  let perm: number[];
  if (ctx.op === 'SpaceToDepth') {
    view = [n, c, h / b, b, w / b, b];
    perm = [0, 3, 5, 1, 2, 4];
  } else if (stringAttr(ctx, 'mode', 'DCR') === 'CRD') {
    view = [n, c / (b * b), b, b, h, w];
    perm = [0, 1, 4, 2, 5, 3];
  } else {
    view = [n, b, b, c / (b * b), h, w];
    perm = [0, 3, 4, 1, 5, 2];
  }
  const strides = stridesOf(view);
  const o = outs[0]!;
  const out = allocValues(o.dtype, numElements(o.shape));
  const src = constValues(ctx, 0, 'input');
  return [
    gatherStrided(
      out,
      src,
      perm.map((p) => view[p]!),
      perm.map((p) => strides[p]!),
    ),
  ];
}

/** Index-window ops. */
export const SLICE_PAD_OPS: readonly OpDef[] = [
  slice,
  pad,
  trilu,
  { op: 'DepthToSpace', domain: '', infer: blockInfer, evaluate: blockEvaluate },
  { op: 'SpaceToDepth', domain: '', infer: blockInfer, evaluate: blockEvaluate },
];
