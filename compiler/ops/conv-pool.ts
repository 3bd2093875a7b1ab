// Convolutions and pooling: Conv, ConvTranspose, MaxPool, AveragePool, LpPool, Global*Pool.
import { numElements } from '../graph.js';
import { fail, fmtShape, input, intAttr, intsAttr } from './context.js';
import type { OpContext, OpDef, TensorInfo, TensorType } from './op-def.js';
import { readWindow, transposedOutput, windowOutput } from './window.js';

function spatialInput(ctx: OpContext): TensorInfo {
  const x = input(ctx, 0);
  if (x.shape.length < 3)
    fail(ctx, `input ${fmtShape(x.shape)} needs rank >= 3 (N, C, spatial...)`);
  return x;
}

function inferConv(ctx: OpContext): TensorType[] {
  const x = spatialInput(ctx);
  const w = input(ctx, 1);
  const group = intAttr(ctx, 'group', 1);
  const [n, c] = x.shape as [number, number];
  if (w.shape.length !== x.shape.length)
    fail(ctx, `weight ${fmtShape(w.shape)} and input ${fmtShape(x.shape)} differ in rank`);
  if (w.shape[1]! * group !== c) {
    fail(
      ctx,
      `weight ${fmtShape(w.shape)} with group ${group} expects ${w.shape[1]! * group} input channels, got ${c}`,
    );
  }
  const kernel = intsAttr(ctx, 'kernel_shape') ?? w.shape.slice(2);
  const spatial = windowOutput(ctx, x.shape.slice(2), readWindow(ctx, kernel));
  return [{ dtype: x.dtype, shape: [n, w.shape[0]!, ...spatial] }];
}

/** N·Cout·∏out·(Cin/group)·∏kernel. */
function convMacs(ctx: OpContext, outs: readonly TensorType[]): number {
  const w = input(ctx, 1);
  return numElements(outs[0]!.shape) * numElements(w.shape.slice(1));
}

function inferConvTranspose(ctx: OpContext): TensorType[] {
  const x = spatialInput(ctx);
  const w = input(ctx, 1);
  const group = intAttr(ctx, 'group', 1);
  if (w.shape[0] !== x.shape[1])
    fail(ctx, `weight ${fmtShape(w.shape)} does not match ${x.shape[1]} input channels`);
  const kernel = intsAttr(ctx, 'kernel_shape') ?? w.shape.slice(2);
  const spatial = transposedOutput(ctx, x.shape.slice(2), readWindow(ctx, kernel));
  return [{ dtype: x.dtype, shape: [x.shape[0]!, w.shape[1]! * group, ...spatial] }];
}

/** Every input element is scattered through (Cout/group)·∏kernel weights: N·Cin·∏in·(Cout/group)·∏k. */
function convTransposeMacs(ctx: OpContext): number {
  return numElements(input(ctx, 0).shape) * numElements(input(ctx, 1).shape.slice(1));
}

function inferPool(ctx: OpContext): TensorType[] {
  const x = spatialInput(ctx);
  const kernel = intsAttr(ctx, 'kernel_shape');
  if (!kernel) fail(ctx, 'attribute kernel_shape is required');
  const spatial = windowOutput(ctx, x.shape.slice(2), readWindow(ctx, kernel));
  const shape = [x.shape[0]!, x.shape[1]!, ...spatial];
  const outs: TensorType[] = [{ dtype: x.dtype, shape }];
  if (ctx.outputCount > 1) outs.push({ dtype: 'int64', shape }); // MaxPool Indices
  return outs;
}

function inferGlobalPool(ctx: OpContext): TensorType[] {
  const x = spatialInput(ctx);
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
}

/** Convolution and pooling ops. */
export const CONV_POOL_OPS: readonly OpDef[] = [
  { op: 'Conv', domain: '', infer: inferConv, macs: convMacs },
  { op: 'ConvTranspose', domain: '', infer: inferConvTranspose, macs: convTransposeMacs },
  { op: 'MaxPool', domain: '', infer: inferPool },
  { op: 'AveragePool', domain: '', infer: inferPool },
  { op: 'LpPool', domain: '', infer: inferPool },
  { op: 'GlobalAveragePool', domain: '', infer: inferGlobalPool },
  { op: 'GlobalMaxPool', domain: '', infer: inferGlobalPool },
  { op: 'GlobalLpPool', domain: '', infer: inferGlobalPool },
];
