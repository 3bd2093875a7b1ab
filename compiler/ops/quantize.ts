// Quantisation ops, shape and dtype only: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear.
import { dtypeOfCode } from '../onnx/dtypes.js';
import { dtypeAttr, input, optionalInput } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

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

/** Quantisation ops. */
export const QUANTIZE_OPS: readonly OpDef[] = [
  { op: 'QuantizeLinear', domain: '', infer: inferQuantize },
  { op: 'DequantizeLinear', domain: '', infer: inferDequantize },
  { op: 'DynamicQuantizeLinear', domain: '', infer: inferDynamicQuantize },
];
