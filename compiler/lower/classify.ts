// Classifies every graph node by how it runs on a Tensix-like core: matrix-unit work (matmul,
// conv), sliding-window work (pooling, depthwise conv), element-wise work (fusable into the
// producer), row-wise work (softmax, normalisation, reductions), pure data movement, or a view
// (reshape-like: no data moves).

import type { Graph, Node, Tensor, TensorId } from '../graph.js';
import { isViewNode, numElements } from '../graph.js';
import { assert } from '../../arch/errors.js';
import type { VolumeGeometry, WindowGeometry } from './footprint.js';

/** Per-output-tile work of element-wise and row-wise ops. */
export interface TileWork {
  /** Passes through the FPU element-wise path per tile. */
  readonly eltwise: number;
  /** Vector-unit functions, each with passes per tile. */
  readonly sfpu: readonly { readonly fn: string; readonly passes: number }[];
}

export type OpClass =
  | { readonly kind: 'view'; readonly src: TensorId }
  | {
      readonly kind: 'matmul';
      readonly a: TensorId;
      readonly b: TensorId;
      /** Independent matrix products (batched matmul with two activations, or per-head). */
      readonly batch: number;
      readonly m: number;
      readonly k: number;
      readonly n: number;
      readonly bIsConst: boolean;
      /** Gemm's C when it is an activation (added after the product), else undefined. */
      readonly c?: TensorId;
      /** Gemm with transA: in0 is stored transposed. */
      readonly transA: boolean;
    }
  | {
      readonly kind: 'conv';
      readonly x: TensorId;
      readonly w: TensorId;
      readonly batch: number;
      readonly cin: number;
      readonly cout: number;
      readonly hw: number;
      readonly outHw: number;
      readonly taps: number;
      /** 2D convolutions over NCHW: the window along H (undefined for 1D/3D). */
      readonly geometry?: WindowGeometry;
      /** 3D convolutions over NCDHW: the window along D and H (row-distributed footprints). */
      readonly volume?: VolumeGeometry;
      /** One group (not grouped): runs as a 2D-sharded implicit-im2col matmul. */
      readonly isDense: boolean;
    }
  | { readonly kind: 'window'; readonly x: TensorId; readonly taps: number; readonly hasWeights: boolean; readonly geometry?: WindowGeometry; readonly volume?: VolumeGeometry }
  | { readonly kind: 'eltwise'; readonly inputs: readonly TensorId[]; readonly work: TileWork }
  | { readonly kind: 'rowwise'; readonly x: TensorId; readonly work: TileWork }
  | { readonly kind: 'data'; readonly inputs: readonly TensorId[] };

const CONV_FAMILY = new Set([
  'Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool',
  'BatchNormalization', 'InstanceNormalization', 'Resize', 'Upsample', 'LpPool', 'QLinearConv', 'ConvInteger',
]);
const SFPU_OF: Readonly<Record<string, string>> = {
  Relu: 'relu', LeakyRelu: 'relu', PRelu: 'relu', Elu: 'exp', Selu: 'exp', Celu: 'exp',
  Sigmoid: 'sigmoid', HardSigmoid: 'relu', HardSwish: 'relu', Tanh: 'tanh', Exp: 'exp',
  Log: 'log', Sqrt: 'sqrt', Reciprocal: 'reciprocal', Erf: 'gelu', Gelu: 'gelu', FastGelu: 'gelu',
  Softplus: 'exp', Mish: 'tanh', Clip: 'relu', Abs: 'relu', Neg: 'copy', Floor: 'copy',
  Ceil: 'copy', Round: 'copy', Sign: 'copy', Not: 'copy', Sin: 'exp', Cos: 'exp', Pow: 'exp',
  IsNaN: 'copy', IsInf: 'copy', Softsign: 'reciprocal', ThresholdedRelu: 'relu', Shrink: 'relu',
};
const BINARY_OPS = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Mean', 'Sum', 'Equal', 'Less', 'Greater', 'LessOrEqual',
  'GreaterOrEqual', 'And', 'Or', 'Xor', 'Where', 'Mod', 'BitShift', 'Cast', 'CastLike',
  'QuantizeLinear', 'DequantizeLinear',
]);
// Per-tile work of row-wise ops. A pass at 1/32 runs once per tile row, on the tile holding the
// row's reduced statistic. The normalisations take one rsqrt of (variance + epsilon) per tile row,
// as tt-metal's layernorm and groupnorm compute kernels do (rsqrt_tile), not a sqrt and then a
// reciprocal.
const ROWWISE_WORK: Readonly<Record<string, TileWork>> = {
  Softmax: { eltwise: 3, sfpu: [{ fn: 'exp', passes: 1 }, { fn: 'reciprocal', passes: 1 / 32 }] },
  LogSoftmax: { eltwise: 3, sfpu: [{ fn: 'exp', passes: 1 }, { fn: 'log', passes: 1 / 32 }] },
  LayerNormalization: { eltwise: 6, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  SkipLayerNormalization: { eltwise: 7, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  // RMS norm: LayerNormalization's passes less the mean's subtraction and the shift (square,
  // reduce, scale by the rsqrt, times the weight); the skip form adds the residual first.
  RMSNormalization: { eltwise: 4, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  SimplifiedLayerNormalization: { eltwise: 4, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  SkipSimplifiedLayerNormalization: { eltwise: 5, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  InstanceNormalization: { eltwise: 6, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  GroupNormalization: { eltwise: 6, sfpu: [{ fn: 'rsqrt', passes: 1 / 32 }] },
  LpNormalization: { eltwise: 3, sfpu: [{ fn: 'sqrt', passes: 1 / 32 }] },
  BatchNormalization: { eltwise: 2, sfpu: [] },
  ReduceMean: { eltwise: 1, sfpu: [] }, ReduceSum: { eltwise: 1, sfpu: [] }, ReduceMax: { eltwise: 1, sfpu: [] },
  ReduceMin: { eltwise: 1, sfpu: [] }, ReduceProd: { eltwise: 1, sfpu: [] }, ReduceL2: { eltwise: 2, sfpu: [{ fn: 'sqrt', passes: 1 / 32 }] },
  ReduceL1: { eltwise: 2, sfpu: [] }, ReduceSumSquare: { eltwise: 2, sfpu: [] },
  ReduceLogSumExp: { eltwise: 2, sfpu: [{ fn: 'exp', passes: 1 }] },
  ArgMax: { eltwise: 1, sfpu: [] }, ArgMin: { eltwise: 1, sfpu: [] }, TopK: { eltwise: 4, sfpu: [] },
  CumSum: { eltwise: 2, sfpu: [] }, Hardmax: { eltwise: 2, sfpu: [] },
  GlobalAveragePool: { eltwise: 1, sfpu: [] }, GlobalMaxPool: { eltwise: 1, sfpu: [] },
};

/** Context for classification: tensor lookup and whether a tensor is constant. */
export interface ClassifyContext {
  readonly graph: Graph;
}

function tensor(g: Graph, id: TensorId | undefined): Tensor {
  assert(id !== undefined, 'missing tensor');
  const t = g.tensors[id];
  assert(t !== undefined, `no tensor ${id}`);
  return t;
}

/** Activation (non-constant) inputs of a node. */
export function activationInputs(g: Graph, n: Node): TensorId[] {
  return n.inputs.filter((i): i is TensorId => i !== undefined && !tensor(g, i).isConstant);
}

function intAttr(n: Node, name: string, dflt: number): number {
  const a = n.attrs[name];
  return a !== undefined && a.kind === 'int' ? a.value : dflt;
}

function classifyMatmul(g: Graph, n: Node): OpClass {
  const a = tensor(g, n.inputs[0]);
  const b = tensor(g, n.inputs[1]);
  const out = tensor(g, n.outputs[0]);
  const transA = n.op === 'Gemm' && intAttr(n, 'transA', 0) === 1;
  const transB = n.op === 'Gemm' && intAttr(n, 'transB', 0) === 1;
  const k = transA ? a.shape[0] ?? 1 : a.shape[a.shape.length - 1] ?? 1;
  const nDim = transB ? b.shape[0] ?? 1 : b.shape[b.shape.length - 1] ?? 1;
  // Weights shared by every row (2D b): all leading dims of a fold into M. Otherwise a batch of products.
  const bIs2d = n.op === 'Gemm' || numElements(b.shape.slice(0, -2)) === 1;
  const mRows = out.shape.length >= 2 ? out.shape[out.shape.length - 2] ?? 1 : 1;
  const batch = bIs2d ? 1 : Math.max(1, numElements(out.shape) / Math.max(1, mRows * nDim));
  const m = numElements(out.shape) / Math.max(1, nDim * batch);
  const cIn = n.op === 'Gemm' && n.inputs[2] !== undefined && !tensor(g, n.inputs[2]).isConstant ? n.inputs[2] : undefined;
  return { kind: 'matmul', a: a.id, b: b.id, batch, m, k, n: nDim, bIsConst: b.isConstant, transA, ...(cIn !== undefined ? { c: cIn } : {}) };
}

function classifyConv(g: Graph, n: Node): OpClass {
  const x = tensor(g, n.inputs[0]);
  const w = tensor(g, n.inputs[1]);
  const out = tensor(g, n.outputs[0]);
  const group = intAttr(n, 'group', 1);
  const cin = x.shape[1] ?? 1;
  const cout = out.shape[1] ?? 1;
  const taps = numElements(w.shape.slice(2));
  const batch = x.shape[0] ?? 1;
  const hw = numElements(x.shape.slice(2));
  const outHw = numElements(out.shape.slice(2));
  const geometry = windowGeometry(n, x.shape, out.shape, w.shape.slice(2));
  const volume = n.op === 'Conv' ? volumeGeometry(n, x.shape, out.shape, w.shape.slice(2)) : undefined;
  const geo = { ...(geometry === undefined ? {} : { geometry }), ...(volume === undefined ? {} : { volume }) };
  if (group > 1 && group === cin) return { kind: 'window', x: x.id, taps, hasWeights: true, ...geo };
  return { kind: 'conv', x: x.id, w: w.id, batch, cin: cin / group, cout, hw, outHw, taps, isDense: group === 1, ...geo };
}

function intsOf(n: Node, name: string): readonly number[] | undefined {
  const a = n.attrs[name];
  return a !== undefined && a.kind === 'ints' ? a.value : undefined;
}

/** The H-direction window of a 2D NCHW conv or pool (pads resolved, auto_pad included). */
function windowGeometry(n: Node, inShape: readonly number[], outShape: readonly number[], kernel: readonly number[]): WindowGeometry | undefined {
  // A 1D op over NCW is a 2D one over NC(W)1: its window runs along rows of width 1.
  const oneD = inShape.length === 3 && outShape.length === 3 && kernel.length === 1;
  if (!oneD && (inShape.length !== 4 || outShape.length !== 4 || kernel.length !== 2)) return undefined;
  const inH = inShape[2]!, inW = oneD ? 1 : inShape[3]!, outH = outShape[2]!, outW = oneD ? 1 : outShape[3]!;
  const strideH = intsOf(n, 'strides')?.[0] ?? 1;
  const dilationH = intsOf(n, 'dilations')?.[0] ?? 1;
  const kernelH = kernel[0]!;
  return { inH, inW, outH, outW, kernelH, strideH, dilationH, padTop: padBefore(n, 0, inH, outH, kernel) };
}

/**
 * The padding before spatial axis `axis` of a conv or pool: its `pads` entry, 0 for VALID, and
 * for SAME_UPPER / SAME_LOWER the total padding split as ONNX does (the odd one after / before).
 */
function padBefore(n: Node, axis: number, inSize: number, outSize: number, kernel: readonly number[]): number {
  const autoPad = n.attrs['auto_pad'];
  const mode = autoPad !== undefined && autoPad.kind === 'string' ? autoPad.value : 'NOTSET';
  if (mode === 'VALID') return 0;
  if (mode !== 'SAME_UPPER' && mode !== 'SAME_LOWER') return intsOf(n, 'pads')?.[axis] ?? 0;
  const stride = intsOf(n, 'strides')?.[axis] ?? 1;
  const dilation = intsOf(n, 'dilations')?.[axis] ?? 1;
  const total = Math.max(0, (outSize - 1) * stride + (kernel[axis]! - 1) * dilation + 1 - inSize);
  return mode === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
}

/** The D and H window of a 3D op over NCDHW (undefined for other ranks). */
function volumeGeometry(n: Node, inShape: readonly number[], outShape: readonly number[], kernel: readonly number[]): VolumeGeometry | undefined {
  if (inShape.length !== 5 || outShape.length !== 5 || kernel.length !== 3) return undefined;
  const [inD, inH, inW] = inShape.slice(2) as [number, number, number];
  const [outD, outH, outW] = outShape.slice(2) as [number, number, number];
  const strides = intsOf(n, 'strides') ?? [1, 1, 1];
  const dilations = intsOf(n, 'dilations') ?? [1, 1, 1];
  return {
    inD, inH, inW, outD, outH, outW,
    kernelD: kernel[0]!, kernelH: kernel[1]!, strideD: strides[0] ?? 1, strideH: strides[1] ?? 1,
    dilationD: dilations[0] ?? 1, dilationH: dilations[1] ?? 1, padFront: padBefore(n, 0, inD, outD, kernel), padTop: padBefore(n, 1, inH, outH, kernel),
  };
}

/** Classifies one node. */
export function classifyNode(g: Graph, n: Node): OpClass {
  const acts = activationInputs(g, n);
  const first = acts[0] ?? (n.inputs[0] as TensorId);
  // Dropout with its mask output computes the mask: not a view.
  if (isViewNode(g, n)) return { kind: 'view', src: first };
  // Integer and quantized matmuls/convs run row-distributed on their whole inputs (priced by MACs).
  if (n.op === 'MatMulInteger' || n.op === 'QLinearMatMul' || n.op === 'ConvInteger' || n.op === 'QLinearConv') return { kind: 'data', inputs: acts };
  if (n.op === 'MatMul' || n.op === 'Gemm') return classifyMatmul(g, n);
  if (n.op === 'Conv' || n.op === 'ConvTranspose') return classifyConv(g, n);
  if (n.op === 'MaxPool' || n.op === 'AveragePool' || n.op === 'LpPool') {
    const ks = n.attrs['kernel_shape'];
    const taps = ks !== undefined && ks.kind === 'ints' ? numElements(ks.value) : 1;
    const geometry = ks !== undefined && ks.kind === 'ints' ? windowGeometry(n, tensor(g, first).shape, tensor(g, n.outputs[0]).shape, ks.value) : undefined;
    const volume = ks !== undefined && ks.kind === 'ints' ? volumeGeometry(n, tensor(g, first).shape, tensor(g, n.outputs[0]).shape, ks.value) : undefined;
    return { kind: 'window', x: first, taps, hasWeights: false, ...(geometry ? { geometry } : {}), ...(volume ? { volume } : {}) };
  }
  const rw = ROWWISE_WORK[n.op];
  if (rw !== undefined) return { kind: 'rowwise', x: first, work: rw };
  const fn = SFPU_OF[n.op];
  if (fn !== undefined) return { kind: 'eltwise', inputs: acts, work: { eltwise: fn === 'copy' ? 1 : 0, sfpu: fn === 'copy' ? [] : [{ fn, passes: 1 }] } };
  if (BINARY_OPS.has(n.op)) {
    const passes = 1;
    const sfpu = n.op === 'Div' && acts.length > 1 ? [{ fn: 'reciprocal', passes: 1 }] : [];
    return { kind: 'eltwise', inputs: acts, work: { eltwise: passes, sfpu } };
  }
  return { kind: 'data', inputs: acts };
}

/** True for ops whose rank-4 tensors are NCHW feature maps (channels are the matrix columns). */
export function isConvFamily(op: string): boolean {
  return CONV_FAMILY.has(op);
}
