// com.microsoft contrib ops that third-party exporters and onnxruntime's transformer optimiser
// emit for BERT/GPT-style models: fused GELUs, (Skip)LayerNormalization and FusedMatMul. The
// kernels follow onnxruntime's contrib op definitions (onnxruntime/core/graph/contrib_ops).
import { numElements } from '../graph.js';
import { fail, fmtShape, input, intAttr } from './context.js';
import { matmulDims } from './matmul.js';
import {
  evaluateBiasGelu,
  evaluateFastGelu,
  evaluateFusedMatMul,
  evaluateGelu,
  evaluateQuickGelu,
  evaluateSimplifiedLayerNorm,
  evaluateSkipLayerNorm,
} from './microsoft-kernels.js';
import { evaluateLayerNorm } from './norm-kernel.js';
import { inferLayerNorm } from './normalization.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

const MS = 'com.microsoft';

const sameAsInput = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

/** SkipLayerNormalization: output, mean, inv_std_var, input_skip_bias_sum. */
function inferSkipLayerNorm(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const skip = input(ctx, 1);
  if (
    numElements(skip.shape) !== numElements(x.shape) &&
    skip.shape[skip.shape.length - 1] !== x.shape[x.shape.length - 1]
  ) {
    fail(ctx, `skip ${fmtShape(skip.shape)} does not match input ${fmtShape(x.shape)}`);
  }
  const stats: TensorType = { dtype: 'float32', shape: [...x.shape.slice(0, -1), 1] };
  const outs: TensorType[] = [
    { dtype: x.dtype, shape: x.shape },
    stats,
    stats,
    { dtype: x.dtype, shape: x.shape },
  ];
  return outs.slice(0, Math.max(1, ctx.outputCount));
}

/** Shapes of FusedMatMul's operands after the optional transposes of their last two dims. */
export function fusedOperands(ctx: OpContext): [number[], number[]] {
  if (intAttr(ctx, 'transBatchA', 0) || intAttr(ctx, 'transBatchB', 0))
    fail(ctx, 'transBatchA / transBatchB are not supported');
  const swap = (s: readonly number[], isSwap: boolean) =>
    isSwap && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : [...s];
  return [
    swap(input(ctx, 0).shape, intAttr(ctx, 'transA', 0) === 1),
    swap(input(ctx, 1).shape, intAttr(ctx, 'transB', 0) === 1),
  ];
}

const fusedMatMul: OpDef = {
  op: 'FusedMatMul',
  domain: MS,
  infer: (ctx) => [
    { dtype: input(ctx, 0).dtype, shape: matmulDims(ctx, ...fusedOperands(ctx)).shape },
  ],
  macs: (ctx) => {
    const d = matmulDims(ctx, ...fusedOperands(ctx));
    return numElements(d.batch) * d.m * d.k * d.n;
  },
  evaluate: (ctx, outs) => evaluateFusedMatMul(ctx, outs, matmulDims(ctx, ...fusedOperands(ctx))),
};

/** Contrib ops of the com.microsoft domain. */
export const MICROSOFT_OPS: readonly OpDef[] = [
  { op: 'Gelu', domain: MS, infer: sameAsInput, evaluate: evaluateGelu },
  { op: 'FastGelu', domain: MS, infer: sameAsInput, evaluate: evaluateFastGelu },
  { op: 'BiasGelu', domain: MS, infer: sameAsInput, evaluate: evaluateBiasGelu },
  { op: 'QuickGelu', domain: MS, infer: sameAsInput, evaluate: evaluateQuickGelu },
  { op: 'LayerNormalization', domain: MS, infer: inferLayerNorm, evaluate: evaluateLayerNorm },
  {
    op: 'SimplifiedLayerNormalization',
    domain: MS,
    infer: inferLayerNorm,
    evaluate: evaluateSimplifiedLayerNorm,
  },
  {
    op: 'SkipLayerNormalization',
    domain: MS,
    infer: inferSkipLayerNorm,
    evaluate: evaluateSkipLayerNorm,
  },
  {
    op: 'SkipSimplifiedLayerNormalization',
    domain: MS,
    infer: inferSkipLayerNorm,
    evaluate: evaluateSkipLayerNorm,
  },
  fusedMatMul,
];
