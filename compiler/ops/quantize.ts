// Quantisation ops: QuantizeLinear, DequantizeLinear (per tensor, per axis from opset 13, blocked
// from opset 21) and DynamicQuantizeLinear. Quantising rounds half to even and saturates to the
// integer type's range, as the spec requires.
import type { DType, TensorValues } from '../graph.js';
import { dtypeOfCode } from '../onnx/dtypes.js';
import { dtypeAttr, input, intAttr, normAxis, optionalInput } from './context.js';
import { dimsProduct, numbersOf, optionalNumbersOf } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

/** The quantised dtype: output_dtype (opset 21), else the zero point's dtype, else uint8. */
function inferQuantize(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const zp = optionalInput(ctx, 2);
  return [
    { dtype: dtypeAttr(ctx, 'output_dtype', zp?.dtype ?? 'uint8', dtypeOfCode), shape: x.shape },
  ];
}

function inferDequantize(ctx: OpContext): TensorType[] {
  return [{ dtype: input(ctx, 1).dtype, shape: input(ctx, 0).shape }];
}

function inferDynamicQuantize(ctx: OpContext): TensorType[] {
  return [
    { dtype: 'uint8', shape: input(ctx, 0).shape },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ];
}

/** Rounds to the nearest integer, ties to even (numpy.rint). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const RANGES: Partial<Record<DType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** Clamps to the range of an integer dtype. */
export function saturate(v: number, dtype: DType): number {
  const r = RANGES[dtype];
  return r ? Math.min(r[1], Math.max(r[0], v)) : v;
}

/**
 * For each element of `shape`, the index of its scale / zero point: 0 per tensor; its coordinate
 * along `axis` per axis; that coordinate divided by block_size when blocked.
 */
function paramIndexer(
  ctx: OpContext,
  shape: readonly number[],
  paramCount: number,
): (i: number) => number {
  if (paramCount <= 1) return () => 0;
  const axis = normAxis(ctx, intAttr(ctx, 'axis', 1), shape.length);
  const block = intAttr(ctx, 'block_size', 0);
  const len = shape[axis]!;
  const inner = dimsProduct(shape, axis + 1);
  if (block <= 0) return (i) => Math.floor(i / inner) % len;
  const blocks = Math.ceil(len / block);
  return (i) => {
    const outer = Math.floor(i / (len * inner));
    const k = Math.floor(i / inner) % len;
    return (outer * blocks + Math.floor(k / block)) * inner + (i % inner);
  };
}

function evaluateQuantize(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const x = numbersOf(ctx, 0);
  const scale = numbersOf(ctx, 1);
  const zp = optionalNumbersOf(ctx, 2);
  const dtype = outs[0]!.dtype;
  const at = paramIndexer(ctx, shape, scale.length);
  const out = allocValues(dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const p = at(i);
    // x / scale is rounded to float32 first, as the float32 kernels of the spec compute it.
    const q = roundHalfEven(Math.fround(x[i]! / scale[p]!)) + (zp ? zp[p]! : 0);
    out[i] = saturate(q, dtype);
  }
  return [out];
}

function evaluateDequantize(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const x = numbersOf(ctx, 0);
  const scale = numbersOf(ctx, 1);
  const zp = optionalNumbersOf(ctx, 2);
  const at = paramIndexer(ctx, shape, scale.length);
  const out = allocValues(outs[0]!.dtype, x.length);
  for (let i = 0; i < x.length; i++) {
    const p = at(i);
    out[i] = (x[i]! - (zp ? zp[p]! : 0)) * scale[p]!;
  }
  return [out];
}

/** DynamicQuantizeLinear: uint8 with a scale and zero point that cover [min(x, 0), max(x, 0)]. */
function evaluateDynamicQuantize(): (ctx: OpContext) => TensorValues[] {
  return (ctx) => {
    const x = numbersOf(ctx, 0);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < x.length; i++) {
      lo = Math.min(lo, x[i]!);
      hi = Math.max(hi, x[i]!);
    }
    const scale = Math.fround((hi - lo) / 255);
    const zp = scale === 0 ? 0 : saturate(roundHalfEven(Math.fround(-lo / scale)), 'uint8');
    const y = new Uint8Array(x.length);
    if (scale !== 0) {
      for (let i = 0; i < x.length; i++)
        y[i] = saturate(roundHalfEven(Math.fround(x[i]! / scale)) + zp, 'uint8');
    }
    return [y, Float32Array.of(scale), Uint8Array.of(zp)];
  };
}

/** Quantisation ops. */
export const QUANTIZE_OPS: readonly OpDef[] = [
  { op: 'QuantizeLinear', domain: '', infer: inferQuantize, evaluate: evaluateQuantize },
  { op: 'DequantizeLinear', domain: '', infer: inferDequantize, evaluate: evaluateDequantize },
  {
    op: 'DynamicQuantizeLinear',
    domain: '',
    infer: inferDynamicQuantize,
    evaluate: evaluateDynamicQuantize(),
  },
];
