// Ops that make tensors from attributes or shapes: Constant, ConstantOfShape, Shape, Size, Range,
// EyeLike, and the signal windows (Hann, Hamming, Blackman). Shape and Size fold even on computed
// inputs, because every shape here is static.
import type { AttrValue, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { dtypeOfCode } from '../onnx/dtypes.js';
import { constInts, constValues, dtypeAttr, fail, input, intAttr } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues, valuesFrom } from './values.js';

interface ConstValue extends TensorType {
  readonly values: TensorValues;
}

/** The value of a Constant node, from whichever value* attribute it carries. */
function constantValue(ctx: OpContext): ConstValue {
  const entries = Object.entries(ctx.attrs) as [string, AttrValue][];
  const [name, a] =
    entries.find(([k]) => k.startsWith('value')) ?? fail(ctx, 'has no value attribute');
  switch (a.kind) {
    case 'tensor':
      return a.value;
    case 'float':
      return { dtype: 'float32', shape: [], values: valuesFrom('float32', [a.value]) };
    case 'floats':
      return { dtype: 'float32', shape: [a.value.length], values: valuesFrom('float32', a.value) };
    case 'int':
      return { dtype: 'int64', shape: [], values: valuesFrom('int64', [a.value]) };
    case 'ints':
      return { dtype: 'int64', shape: [a.value.length], values: valuesFrom('int64', a.value) };
    default:
      return fail(ctx, `attribute ${name} of kind ${a.kind} is not supported`);
  }
}

const constant: OpDef = {
  op: 'Constant',
  domain: '',
  infer: (ctx) => {
    const v = constantValue(ctx);
    return [{ dtype: v.dtype, shape: v.shape }];
  },
  evaluate: (ctx) => [constantValue(ctx).values],
};

/** ConstantOfShape's fill value: a one-element tensor attribute, default float32 0. */
function fillValue(ctx: OpContext): ConstValue {
  const a = ctx.attrs['value'];
  if (a?.kind === 'tensor') return a.value;
  return { dtype: 'float32', shape: [1], values: new Float32Array(1) };
}

const constantOfShape: OpDef = {
  op: 'ConstantOfShape',
  domain: '',
  infer: (ctx) => [{ dtype: fillValue(ctx).dtype, shape: constInts(ctx, 0, 'shape') }],
  evaluate: (_ctx, outs) => {
    const fill = (fillValue(_ctx).values as ArrayLike<number>)[0] ?? 0;
    return [allocValues(outs[0]!.dtype, numElements(outs[0]!.shape)).fill(fill)];
  },
};

/** Shape's start/end (opset 15) select a clamped sub-range of the dims. */
function shapeSlice(ctx: OpContext): number[] {
  const s = input(ctx, 0).shape;
  const r = s.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  return s.slice(clamp(intAttr(ctx, 'start', 0)), clamp(intAttr(ctx, 'end', r)));
}

const shape: OpDef = {
  op: 'Shape',
  domain: '',
  foldsOnShapes: true,
  infer: (ctx) => [{ dtype: 'int64', shape: [shapeSlice(ctx).length] }],
  evaluate: (ctx) => [valuesFrom('int64', shapeSlice(ctx))],
};

const size: OpDef = {
  op: 'Size',
  domain: '',
  foldsOnShapes: true,
  infer: () => [{ dtype: 'int64', shape: [] }],
  evaluate: (ctx) => [valuesFrom('int64', [numElements(input(ctx, 0).shape)])],
};

function rangeParams(ctx: OpContext): { start: number; delta: number; count: number } {
  const [start, limit, delta] = [0, 1, 2].map(
    (i) => (constValues(ctx, i, ['start', 'limit', 'delta'][i]!) as ArrayLike<number>)[0]!,
  ) as [number, number, number];
  if (delta === 0) fail(ctx, 'delta cannot be 0');
  return { start, delta, count: Math.max(0, Math.ceil((limit - start) / delta)) };
}

const range: OpDef = {
  op: 'Range',
  domain: '',
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: [rangeParams(ctx).count] }],
  evaluate: (ctx, outs) => {
    const { start, delta, count } = rangeParams(ctx);
    return [
      valuesFrom(
        outs[0]!.dtype,
        Array.from({ length: count }, (_, i) => start + i * delta),
      ),
    ];
  },
};

const eyeLike: OpDef = {
  op: 'EyeLike',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    if (x.shape.length !== 2) fail(ctx, 'input must be 2-D');
    return [{ dtype: dtypeAttr(ctx, 'dtype', x.dtype, dtypeOfCode), shape: x.shape }];
  },
  /** Ones on the k-th diagonal (k > 0 above the main one). */
  evaluate: (ctx, outs) => {
    const [rows, cols] = outs[0]!.shape as [number, number];
    const k = intAttr(ctx, 'k', 0);
    const out = allocValues(outs[0]!.dtype, rows * cols);
    for (let r = 0; r < rows; r++) if (r + k >= 0 && r + k < cols) out[r * cols + r + k] = 1;
    return [out];
  },
};

/** Window coefficients a0 − a1·cos(2πn/N) + a2·cos(4πn/N) (ONNX opset 17 definitions). */
const WINDOW_COEFFS: Readonly<Record<string, readonly [number, number, number]>> = {
  HannWindow: [0.5, 0.5, 0],
  HammingWindow: [25 / 46, 1 - 25 / 46, 0],
  BlackmanWindow: [0.42, 0.5, 0.08],
};

function windowSize(ctx: OpContext): number {
  const size = constInts(ctx, 0, 'size')[0]!;
  if (!(size >= 0)) fail(ctx, `size ${size} must not be negative`);
  return size;
}

/** A window op: size from input 0; N = size when periodic (default), size − 1 when symmetric. */
function windowOp(op: string): OpDef {
  const [a0, a1, a2] = WINDOW_COEFFS[op]!;
  return {
    op,
    domain: '',
    infer: (ctx) => [
      {
        dtype: dtypeAttr(ctx, 'output_datatype', 'float32', dtypeOfCode),
        shape: [windowSize(ctx)],
      },
    ],
    evaluate: (ctx, outs) => {
      const size = windowSize(ctx);
      const n = intAttr(ctx, 'periodic', 1) === 1 ? size : size - 1;
      const w = Array.from({ length: size }, (_, i) => {
        const t = (2 * Math.PI * i) / n;
        return a0 - a1 * Math.cos(t) + a2 * Math.cos(2 * t);
      });
      return [valuesFrom(outs[0]!.dtype, w)];
    },
  };
}

/** Tensor-making ops. */
export const GENERATOR_OPS: readonly OpDef[] = [
  constant,
  constantOfShape,
  shape,
  size,
  range,
  eyeLike,
  windowOp('HannWindow'),
  windowOp('HammingWindow'),
  windowOp('BlackmanWindow'),
];
