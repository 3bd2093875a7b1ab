// Normalisations: BatchNormalization, LayerNormalization, InstanceNormalization,
// GroupNormalization, MeanVarianceNormalization, LRN. Outputs have the input's shape; the
// optional statistics outputs get their reduced shapes.
import { fail, fmtShape, input, intAttr, normAxis } from './context.js';
import {
  evaluateBatchNorm,
  evaluateGroupNorm,
  evaluateInstanceNorm,
  evaluateLayerNorm,
  evaluateLrn,
  evaluateMvn,
  evaluateRmsNorm,
} from './norm-kernel.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

function inferBatchNorm(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  if (x.shape.length < 2) fail(ctx, `input ${fmtShape(x.shape)} needs a channel dim`);
  const stats: TensorType = { dtype: input(ctx, 1).dtype, shape: [x.shape[1]!] };
  // Training-mode outputs (running mean/var, and before opset 14 the saved mean/var) are [C].
  return [
    { dtype: x.dtype, shape: x.shape },
    ...Array.from({ length: ctx.outputCount - 1 }, () => stats),
  ];
}

/** LayerNormalization: Y, then Mean and InvStdDev with the normalised dims reduced to 1. */
export function inferLayerNorm(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const axis = normAxis(ctx, intAttr(ctx, 'axis', -1), x.shape.length);
  const stats: TensorType = { dtype: 'float32', shape: x.shape.map((d, i) => (i < axis ? d : 1)) };
  return [
    { dtype: x.dtype, shape: x.shape },
    ...Array.from({ length: ctx.outputCount - 1 }, () => stats),
  ];
}

function inferGroupNorm(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const groups = intAttr(ctx, 'num_groups', 0);
  if (groups <= 0 || (x.shape[1] ?? 0) % groups !== 0)
    fail(ctx, `num_groups ${groups} must divide ${x.shape[1]} channels`);
  return [{ dtype: x.dtype, shape: x.shape }];
}

const sameShape = (ctx: OpContext): TensorType[] => [
  { dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape },
];

/** Normalisation ops of the ai.onnx domain. */
export const NORMALIZATION_OPS: readonly OpDef[] = [
  { op: 'BatchNormalization', domain: '', infer: inferBatchNorm, evaluate: evaluateBatchNorm },
  { op: 'LayerNormalization', domain: '', infer: inferLayerNorm, evaluate: evaluateLayerNorm },
  {
    op: 'InstanceNormalization',
    domain: '',
    infer: sameShape,
    evaluate: evaluateInstanceNorm,
  },
  { op: 'GroupNormalization', domain: '', infer: inferGroupNorm, evaluate: evaluateGroupNorm },
  { op: 'MeanVarianceNormalization', domain: '', infer: sameShape, evaluate: evaluateMvn },
  { op: 'LRN', domain: '', infer: sameShape, evaluate: evaluateLrn },
  { op: 'RMSNormalization', domain: '', infer: sameShape, evaluate: evaluateRmsNorm },
];
