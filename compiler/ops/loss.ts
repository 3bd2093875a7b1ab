// Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 12+), reductions none,
// sum and mean (weighted mean divides by the gathered weights), ignore_index.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intAttr, stringAttr } from './context.js';
import { dimsProduct, numbersOf, optionalNumbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

function reductionOf(ctx: OpContext): 'none' | 'sum' | 'mean' {
  const r = stringAttr(ctx, 'reduction', 'mean');
  if (r !== 'none' && r !== 'sum' && r !== 'mean')
    fail(ctx, `reduction "${r}" is not one of none, sum, mean`);
  return r;
}

function inferLoss(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const target = input(ctx, 1).shape;
  if (x.shape.length < 2 || target.length !== x.shape.length - 1)
    fail(
      ctx,
      `input ${fmtShape(x.shape)} needs [N, C, ...] and target [N, ...], got ${fmtShape(target)}`,
    );
  const loss: TensorType = { dtype: x.dtype, shape: reductionOf(ctx) === 'none' ? target : [] };
  return ctx.outputCount > 1 ? [loss, { dtype: x.dtype, shape: x.shape }] : [loss];
}

/** log-softmax over axis 1 of an [N, C, D] tensor. */
function logSoftmax(x: ArrayLike<number>, n: number, c: number, d: number): Float64Array {
  const out = new Float64Array(n * c * d);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < d; i++) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, x[(b * c + k) * d + i]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(x[(b * c + k) * d + i]! - max);
      const lse = max + Math.log(sum);
      for (let k = 0; k < c; k++) out[(b * c + k) * d + i] = x[(b * c + k) * d + i]! - lse;
    }
  }
  return out;
}

/** −logp[n, target, d]·weight[target], reduced; ignored targets weigh 0. */
function nll(ctx: OpContext, logp: ArrayLike<number>, outs: readonly TensorType[]): TensorValues {
  const shape = input(ctx, 0).shape;
  const [n, c] = [shape[0]!, shape[1]!];
  const d = dimsProduct(shape, 2);
  const target = numbersOf(ctx, 1);
  const weight = optionalNumbersOf(ctx, 2);
  const ignore = ctx.attrs['ignore_index'] ? intAttr(ctx, 'ignore_index', 0) : undefined;
  const loss = new Float64Array(n * d);
  let weightSum = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < d; i++) {
      const t = target[b * d + i]!;
      if (t === ignore) continue;
      if (t < 0 || t >= c) fail(ctx, `target ${t} is outside [0, ${c})`);
      const w = weight ? weight[t]! : 1;
      loss[b * d + i] = -logp[(b * c + t) * d + i]! * w;
      weightSum += w;
    }
  }
  const r = reductionOf(ctx);
  if (r === 'none') return storeAs(outs[0]!.dtype, loss);
  let sum = 0;
  for (let i = 0; i < loss.length; i++) sum += loss[i]!;
  return storeAs(outs[0]!.dtype, Float64Array.of(r === 'sum' ? sum : sum / weightSum));
}

function evaluateNll(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  return [nll(ctx, numbersOf(ctx, 0), outs)];
}

function evaluateSce(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const logp = logSoftmax(numbersOf(ctx, 0), shape[0]!, shape[1]!, dimsProduct(shape, 2));
  const loss = nll(ctx, logp, outs);
  if (outs.length < 2) return [loss];
  if (logp.length !== numElements(outs[1]!.shape)) fail(ctx, 'log_prob shape mismatch');
  return [loss, storeAs(outs[1]!.dtype, logp)];
}

/** Loss ops. */
export const LOSS_OPS: readonly OpDef[] = [
  { op: 'NegativeLogLikelihoodLoss', domain: '', infer: inferLoss, evaluate: evaluateNll },
  { op: 'SoftmaxCrossEntropyLoss', domain: '', infer: inferLoss, evaluate: evaluateSce },
];
