// Convolutions and pooling: Conv, ConvTranspose, MaxPool, AveragePool, LpPool, Global*Pool.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intAttr, intsAttr } from './context.js';
import {
  addChannelBias,
  convolve,
  convolveTransposed,
  convSpec,
  type ConvSpec,
} from './conv-kernel.js';
import { numbersOf, optionalNumbersOf, scratchFor, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorInfo, TensorType } from './op-def.js';
import { POOL_KERNELS } from './pool-kernel.js';
import {
  readWindow,
  resolvePads,
  transposedOutput,
  transposedPadsBegin,
  windowOutput,
} from './window.js';

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

/** The geometry of a Conv-like node (Conv, ConvInteger, QLinearConv) with inputs x at `xi`, w at `xi + wOffset`. */
export function forwardConvSpec(
  ctx: OpContext,
  outShape: readonly number[],
  xi = 0,
  wi = 1,
): ConvSpec {
  const x = input(ctx, xi).shape;
  const w = input(ctx, wi).shape;
  const win = readWindow(ctx, intsAttr(ctx, 'kernel_shape') ?? w.slice(2));
  const inSizes = x.slice(2);
  const outSizes = outShape.slice(2);
  const group = intAttr(ctx, 'group', 1);
  return convSpec(
    ctx,
    { batch: x[0]!, inChannels: x[1]!, outChannels: w[0]!, group },
    { ...win, inSizes, outSizes, padsBegin: resolvePads(win, inSizes, outSizes).begin },
  );
}

function evaluateConv(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const t = outs[0]!;
  const s = forwardConvSpec(ctx, t.shape);
  const out = scratchFor(t.dtype, numElements(t.shape));
  convolve(s, numbersOf(ctx, 0), numbersOf(ctx, 1), out);
  const bias = optionalNumbersOf(ctx, 2);
  if (bias) addChannelBias(out, bias, s.batch, s.outChannels);
  return [storeAs(t.dtype, out)];
}

function evaluateConvTranspose(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const t = outs[0]!;
  const x = input(ctx, 0).shape;
  const w = input(ctx, 1).shape;
  const win = readWindow(ctx, intsAttr(ctx, 'kernel_shape') ?? w.slice(2));
  const inSizes = x.slice(2);
  const outSizes = t.shape.slice(2);
  const group = intAttr(ctx, 'group', 1);
  const s = convSpec(
    ctx,
    { batch: x[0]!, inChannels: x[1]!, outChannels: t.shape[1]!, group },
    { ...win, inSizes, outSizes, padsBegin: transposedPadsBegin(ctx, win, inSizes, outSizes) },
  );
  const out = scratchFor(t.dtype, numElements(t.shape));
  convolveTransposed(s, numbersOf(ctx, 0), numbersOf(ctx, 1), out);
  const bias = optionalNumbersOf(ctx, 2);
  if (bias) addChannelBias(out, bias, s.batch, s.outChannels);
  return [storeAs(t.dtype, out)];
}

/** Convolution and pooling ops. */
export const CONV_POOL_OPS: readonly OpDef[] = [
  { op: 'Conv', domain: '', infer: inferConv, macs: convMacs, evaluate: evaluateConv },
  {
    op: 'ConvTranspose',
    domain: '',
    infer: inferConvTranspose,
    macs: convTransposeMacs,
    evaluate: evaluateConvTranspose,
  },
  { op: 'MaxPool', domain: '', infer: inferPool, evaluate: POOL_KERNELS.MaxPool },
  { op: 'AveragePool', domain: '', infer: inferPool, evaluate: POOL_KERNELS.AveragePool },
  { op: 'LpPool', domain: '', infer: inferPool, evaluate: POOL_KERNELS.LpPool },
  {
    op: 'GlobalAveragePool',
    domain: '',
    infer: inferGlobalPool,
    evaluate: POOL_KERNELS.GlobalAveragePool,
  },
  { op: 'GlobalMaxPool', domain: '', infer: inferGlobalPool, evaluate: POOL_KERNELS.GlobalMaxPool },
  { op: 'GlobalLpPool', domain: '', infer: inferGlobalPool, evaluate: POOL_KERNELS.GlobalLpPool },
];
