// Reference kernels of the com.microsoft contrib ops (definitions: onnxruntime
// core/graph/contrib_ops/bert_defs.cc and contrib_defs.cc). Work is done in doubles and rounded
// once into the output dtype.
import type { TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { floatAttr, input, intAttr, normAxis } from './context.js';
import { geluErf, geluTanh } from './elementwise-unary.js';
import { dimsProduct, numbersOf, optionalNumbersOf, storeAs } from './kernel-util.js';
import { evaluateMatMul, type ProductDims } from './matmul-kernel.js';
import { rmsNormRows } from './norm-kernel.js';
import type { OpContext, TensorInfo, TensorType } from './op-def.js';

/** onnxruntime's default epsilon of the Skip*LayerNormalization ops (kDefaultSkipLayerNormEpsilon). */
const SKIP_LAYER_NORM_EPSILON = 1e-12;
const QUICK_GELU_ALPHA = 1.702;

/** Applies f to x + bias, where bias (optional input 1) repeats along the last dims. */
function mapWithBias(ctx: OpContext, outs: readonly TensorType[], f: (x: number) => number) {
  const x = numbersOf(ctx, 0);
  const bias = optionalNumbersOf(ctx, 1);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]! + (bias ? bias[i % bias.length]! : 0));
  return [storeAs(outs[0]!.dtype, y)];
}

/** Gelu: x·Φ(x) with the exact erf. */
export const evaluateGelu = (ctx: OpContext, outs: readonly TensorType[]): TensorValues[] =>
  mapWithBias({ ...ctx, inputs: ctx.inputs.slice(0, 1) }, outs, geluErf);

/** FastGelu: the tanh approximation of GELU on x (+ optional bias). */
export const evaluateFastGelu = (ctx: OpContext, outs: readonly TensorType[]): TensorValues[] =>
  mapWithBias(ctx, outs, geluTanh);

/** BiasGelu: exact GELU of A + B, B a bias along the last dim. */
export const evaluateBiasGelu = (ctx: OpContext, outs: readonly TensorType[]): TensorValues[] =>
  mapWithBias(ctx, outs, geluErf);

/** QuickGelu: x·sigmoid(alpha·x). */
export function evaluateQuickGelu(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const alpha = floatAttr(ctx, 'alpha', QUICK_GELU_ALPHA);
  return mapWithBias(
    { ...ctx, inputs: ctx.inputs.slice(0, 1) },
    outs,
    (x) => x / (1 + Math.exp(-alpha * x)),
  );
}

/** Per-row statistics outputs [..., 1] in float32. */
function statsArray(rows: number): Float32Array {
  return new Float32Array(rows);
}

/** SimplifiedLayerNormalization (RMSNorm): Y = X / sqrt(mean(X²) + eps) · scale; inv_std_var. */
export function evaluateSimplifiedLayerNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const { y, invStd } = rmsNormRows(ctx);
  return [storeAs(outs[0]!.dtype, y), Float32Array.from(invStd)].slice(0, outs.length);
}

/**
 * Skip(Simplified)LayerNormalization: s = input + skip (+ bias), normalised over the last dim
 * (RMS only for the simplified form), times gamma (+ beta). Outputs: output, mean, inv_std_var,
 * input_skip_bias_sum. Inputs: input, skip, gamma, then beta, bias (plain) or bias (simplified).
 */
export function evaluateSkipLayerNorm(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const isSimplified = ctx.op === 'SkipSimplifiedLayerNormalization';
  const shape = input(ctx, 0).shape;
  const hidden = shape[shape.length - 1] ?? 1;
  const rows = numElements(shape) / hidden;
  const eps = floatAttr(ctx, 'epsilon', SKIP_LAYER_NORM_EPSILON);
  const x = numbersOf(ctx, 0);
  const skip = numbersOf(ctx, 1);
  const gamma = numbersOf(ctx, 2);
  const beta = isSimplified ? undefined : optionalNumbersOf(ctx, 3);
  const bias = optionalNumbersOf(ctx, isSimplified ? 3 : 4);
  const sum = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++)
    sum[i] = x[i]! + skip[i % skip.length]! + (bias ? bias[i % hidden]! : 0);
  const y = new Float64Array(x.length);
  const mean = statsArray(rows);
  const invStd = statsArray(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * hidden;
    let m = 0;
    if (!isSimplified) {
      for (let i = 0; i < hidden; i++) m += sum[base + i]!;
      m /= hidden;
    }
    let sq = 0;
    for (let i = 0; i < hidden; i++) sq += (sum[base + i]! - m) ** 2;
    const inv = 1 / Math.sqrt(sq / hidden + eps);
    mean[r] = m;
    invStd[r] = inv;
    for (let i = 0; i < hidden; i++)
      y[base + i] = (sum[base + i]! - m) * inv * gamma[i]! + (beta ? beta[i]! : 0);
  }
  const dtype = outs[0]!.dtype;
  return [storeAs(dtype, y), mean, invStd, storeAs(dtype, sum)].slice(0, outs.length);
}

/** The last two dims of a tensor swapped (every matrix of the batch transposed). */
function swapLastTwo(t: TensorInfo, values: ArrayLike<number>): TensorInfo {
  const r = t.shape.length;
  if (r < 2) return { ...t, values: values as TensorValues };
  const rows = t.shape[r - 2]!;
  const cols = t.shape[r - 1]!;
  const out = new Float64Array(values.length);
  for (let off = 0; off < values.length; off += rows * cols)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) out[off + j * rows + i] = values[off + i * cols + j]!;
  return { dtype: t.dtype, shape: [...t.shape.slice(0, -2), cols, rows], values: out };
}

/** FusedMatMul: alpha · op(A) · op(B), op = transpose of the last two dims under transA/transB. */
export function evaluateFusedMatMul(
  ctx: OpContext,
  outs: readonly TensorType[],
  d: ProductDims,
): TensorValues[] {
  const operand = (i: number, attr: string): TensorInfo => {
    const t = input(ctx, i);
    return intAttr(ctx, attr, 0) ? swapLastTwo(t, numbersOf(ctx, i)) : t;
  };
  const inner: OpContext = { ...ctx, inputs: [operand(0, 'transA'), operand(1, 'transB')] };
  const alpha = floatAttr(ctx, 'alpha', 1);
  const [y] = evaluateMatMul(inner, [{ dtype: 'float64', shape: outs[0]!.shape }], d);
  const scaled = Float64Array.from(y as ArrayLike<number>, (v) => v * alpha);
  return [storeAs(outs[0]!.dtype, scaled)];
}
