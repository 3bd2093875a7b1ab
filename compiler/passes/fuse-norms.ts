// Recognises normalisations over the last axis written out in primitive ops and puts one op in
// place of each. The function is the same; what changes is the cost on the device: one row-wise
// op with its statistics combined on the matrix unit, split across a grid row
// (lower/rowwise-split.ts), where the written-out form is one or two reductions and four to ten
// element-wise ops, each its own op with its own pass over the tensor and its own transfers.
// Every intermediate value must be read only inside the pattern.
//
// fuseLayerNorm: layer normalisation as PyTorch exports nn.LayerNorm before opset 17 (so do BERT
// and GPT exports from transformers at their default opsets):
//   m = ReduceMean(x), d = x - m, v = ReduceMean(d²), y = d / sqrt(v + eps) [· scale] [+ bias]
// (d² may be Pow(d, 2) or d · d; the division may be a product with Reciprocal(sqrt(...)); the
// scale and bias are constants over the last axis, on either side of their Mul and Add), or as
// TensorFlow's batch_normalization algebra writes it (Keras LayerNormalization through tf2onnx):
//   inv = scale / sqrt(v + eps), y = x · inv + (bias - m · inv),
// becomes one LayerNormalization (axis -1, opset 17's op). BERT-base exported at opset 13
// simulated 1.37x slower than at opset 17 before this pass.
//
// fuseRmsNorm: RMS normalisation as LLaMA-style models export it (transformers' LlamaRMSNorm,
// T5's layer norm):
//   y = w · (x · 1/sqrt(mean(x²) + eps))   (x² as Pow(x, 2) or x · x; 1/sqrt as Reciprocal(Sqrt)
//   or Div(1, Sqrt); or x / sqrt(...) directly; the weight, a constant over the last axis, optional)
// becomes one RMSNormalization (axis -1; ONNX's op from opset 23, onnxruntime's
// SimplifiedLayerNormalization). It runs after fuseLayerNorm: a layer norm's variance of x - m
// would also read as an RMS norm of x - m.

import { applyRewrite, isLastAxisMean, isPerChannelConstant, patternView, scalarConstant, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

/** The graph with each written-out last-axis layer normalisation replaced by one LayerNormalization node. */
export function fuseLayerNorm(work: WorkGraph): WorkGraph {
  const k = normRewrite(work);
  const { readerSet, soleReader, plain, otherOperand, varianceOf, divideBy, perChannelMul } = k;
  const perChannel = (t: string | undefined, width: number): boolean => isPerChannelConstant(work, t, width);

  /** PyTorch's form: (x - m) / sqrt(var + eps), then · scale, + bias. */
  const torchForm = (mean: WorkNode, x: string, width: number): Found | undefined => {
    const m = mean.outputs[0]!;
    const sub = soleReader(m);
    if (!plain(sub, 'Sub', 2) || sub.inputs[0] !== x || sub.inputs[1] !== m) return undefined;
    const d = sub.outputs[0]!;
    const dReaders = readerSet(d);
    if (dReaders === undefined || dReaders.length !== 2) return undefined;
    // One reader squares d, the other divides it by the deviation.
    let variance: Variance | undefined;
    let square: WorkNode | undefined;
    for (const n of dReaders) {
      variance = varianceOf(d, n);
      if (variance !== undefined) {
        square = n;
        break;
      }
    }
    const scaleBy = dReaders.find((n) => n !== square);
    if (variance === undefined || scaleBy === undefined) return undefined;
    const div = divideBy(d, variance.s, false);
    if (div === undefined || div.out !== scaleBy) return undefined;
    const pattern: WorkNode[] = [mean, sub, ...variance.nodes, ...div.nodes];
    const inner = [m, d, ...variance.inner, ...div.inner];
    const n = scaleBy.outputs[0]!;
    const mul = perChannelMul(n, width);
    if (mul === undefined) return { pattern, inner, last: scaleBy, eps: variance.eps };
    inner.push(n);
    pattern.push(mul.node);
    const y = mul.node.outputs[0]!;
    const add = soleReader(y);
    if (!plain(add, 'Add', 2) || !perChannel(otherOperand(add, y), width)) return { pattern, inner, last: mul.node, eps: variance.eps, scale: mul.constant };
    inner.push(y);
    pattern.push(add);
    return { pattern, inner, last: add, eps: variance.eps, scale: mul.constant, bias: otherOperand(add, y)! };
  };

  /**
   * TensorFlow's form (Keras LayerNormalization through tf2onnx, batch_normalization's algebra):
   * inv = scale / sqrt(var + eps), y = x · inv + (bias - m · inv).
   */
  const tfForm = (mean: WorkNode, x: string, width: number): Found | undefined => {
    const m = mean.outputs[0]!;
    const mReaders = readerSet(m);
    if (mReaders === undefined || mReaders.length !== 2) return undefined;
    const sub = mReaders.find((n) => plain(n, 'Sub', 2) && n.inputs[0] === x && n.inputs[1] === m);
    const mScale = mReaders.find((n) => n !== sub);
    if (sub === undefined || !plain(mScale, 'Mul', 2)) return undefined;
    const d = sub.outputs[0]!;
    const variance = varianceOf(d, soleReader(d));
    if (variance === undefined) return undefined;
    const recip = soleReader(variance.s);
    if (!plain(recip, 'Reciprocal', 1)) return undefined;
    const r = recip.outputs[0]!;
    const gammaMul = perChannelMul(r, width);
    if (gammaMul === undefined) return undefined;
    const inv = gammaMul.node.outputs[0]!;
    const invReaders = readerSet(inv);
    if (invReaders === undefined || invReaders.length !== 2 || !invReaders.includes(mScale) || otherOperand(mScale, inv) !== m) return undefined;
    const xScale = invReaders.find((n) => n !== mScale);
    if (!plain(xScale, 'Mul', 2) || otherOperand(xScale, inv) !== x) return undefined;
    const ms = mScale.outputs[0]!;
    const shift = soleReader(ms);
    if (!plain(shift, 'Sub', 2) || shift.inputs[1] !== ms || !perChannel(shift.inputs[0], width)) return undefined;
    const xs = xScale.outputs[0]!;
    const off = shift.outputs[0]!;
    const add = soleReader(xs);
    if (!plain(add, 'Add', 2) || soleReader(off) !== add || otherOperand(add, xs) !== off) return undefined;
    return {
      pattern: [mean, sub, ...variance.nodes, recip, gammaMul.node, mScale, xScale, shift, add],
      inner: [m, d, ...variance.inner, r, inv, ms, xs, off],
      last: add, eps: variance.eps, scale: gammaMul.constant, bias: shift.inputs[0]!,
    };
  };

  for (const mean of work.nodes) {
    if (!isLastAxisMean(work, mean)) continue;
    const x = mean.inputs[0]!;
    const xt = work.tensors.get(x);
    const width = xt?.shape[xt.shape.length - 1];
    if (xt === undefined || width === undefined || !(width > 0) || (xt.dtype !== 'float32' && xt.dtype !== 'float16' && xt.dtype !== 'bfloat16')) continue;
    const found = torchForm(mean, x, width) ?? tfForm(mean, x, width);
    if (found !== undefined) k.emit('LayerNormalization', 17, mean.name, x, width, found);
  }
  return k.done();
}

/** The graph with each written-out last-axis RMS normalisation replaced by one RMSNormalization node. */
export function fuseRmsNorm(work: WorkGraph): WorkGraph {
  const k = normRewrite(work);
  for (const square of work.nodes) {
    const x = square.inputs[0];
    if (x === undefined) continue;
    const xt = work.tensors.get(x);
    const width = xt?.shape[xt.shape.length - 1];
    if (xt === undefined || width === undefined || !(width > 0) || xt.dtype !== 'float32') continue;
    const variance = k.varianceOf(x, square);
    if (variance === undefined) continue;
    const div = k.divideBy(x, variance.s, true);
    if (div === undefined) continue;
    const pattern: WorkNode[] = [...variance.nodes, ...div.nodes];
    const inner = [...variance.inner, ...div.inner];
    const n = div.out.outputs[0]!;
    const mul = k.perChannelMul(n, width);
    if (mul !== undefined) {
      inner.push(n);
      pattern.push(mul.node);
    }
    const mean = variance.nodes[1]!;
    k.emit('RMSNormalization', 23, mean.name, x, width, { pattern, inner, last: mul?.node ?? div.out, eps: variance.eps, ...(mul !== undefined ? { scale: mul.constant } : {}) });
  }
  return k.done();
}

/** A normalisation found: the pattern's nodes, its inner values, its last node and the op's operands. */
interface Found {
  readonly pattern: readonly WorkNode[];
  readonly inner: readonly string[];
  readonly last: WorkNode;
  readonly eps: number;
  readonly scale?: string;
  readonly bias?: string;
}

/** The variance chain of a deviation d: its nodes, its inner values (the Sqrt's output `s` included), its epsilon. */
interface Variance {
  readonly nodes: readonly WorkNode[];
  readonly inner: readonly string[];
  readonly eps: number;
  readonly s: string;
}

/** The matchers both passes share over one graph, and the rewrite they build. */
function normRewrite(work: WorkGraph) {
  const view = patternView(work);
  const { soleReader, plain, otherOperand } = view;
  const replaced = new Map<WorkNode, WorkNode[]>(); // last node of a pattern -> its normalisation
  const dropped = new Set<WorkNode>();
  const deadTensors: string[] = [];
  const added = new Map<string, WorkTensor>();
  return {
    ...view,
    /** From a deviation d and the node squaring it (Pow 2 or d·d): ReduceMean over the last axis, Add eps, Sqrt. */
    varianceOf: (d: string, square: WorkNode | undefined): Variance | undefined => {
      if (square === undefined || !((plain(square, 'Pow', 2) && square.inputs[0] === d && scalarConstant(work, square.inputs[1]) === 2) || (plain(square, 'Mul', 2) && square.inputs[0] === d && square.inputs[1] === d))) return undefined;
      const sq = square.outputs[0]!;
      const varMean = soleReader(sq);
      if (!isLastAxisMean(work, varMean) || varMean.inputs[0] !== sq) return undefined;
      const v = varMean.outputs[0]!;
      const addEps = soleReader(v);
      if (!plain(addEps, 'Add', 2)) return undefined;
      const eps = scalarConstant(work, otherOperand(addEps, v));
      if (eps === undefined || !(eps >= 0)) return undefined;
      const ve = addEps.outputs[0]!;
      const sqrt = soleReader(ve);
      if (!plain(sqrt, 'Sqrt', 1)) return undefined;
      const s = sqrt.outputs[0]!;
      return { nodes: [square, varMean, addEps, sqrt], inner: [sq, v, ve, s], eps, s };
    },
    /**
     * d divided by s, the Sqrt's only reader: Div(d, s), or d times Reciprocal(s) (or, with
     * `divOne`, Div(1, s)). Its nodes, inner values and last node.
     */
    divideBy: (d: string, s: string, divOne: boolean): { nodes: WorkNode[]; inner: string[]; out: WorkNode } | undefined => {
      const next = soleReader(s);
      if (plain(next, 'Div', 2) && next.inputs[0] === d && next.inputs[1] === s) return { nodes: [next], inner: [], out: next };
      if (next === undefined) return undefined;
      const oneOver = divOne && next.op === 'Div' && next.domain === '' && next.inputs.length === 2 && next.inputs[1] === s && scalarConstant(work, next.inputs[0]) === 1;
      const inverts = oneOver || plain(next, 'Reciprocal', 1);
      if (!inverts) return undefined;
      const r = next.outputs[0]!;
      const mul = soleReader(r);
      if (!plain(mul, 'Mul', 2) || otherOperand(mul, r) !== d) return undefined;
      return { nodes: [next, mul], inner: [r], out: mul };
    },
    /** The only reader of t when it multiplies it by a constant over the last axis, and that constant. */
    perChannelMul: (t: string, width: number): { node: WorkNode; constant: string } | undefined => {
      const mul = soleReader(t);
      if (!plain(mul, 'Mul', 2)) return undefined;
      const c = otherOperand(mul, t);
      return isPerChannelConstant(work, c, width) ? { node: mul, constant: c! } : undefined;
    },
    /** Puts `op` on x in place of a pattern (a scale of ones when it has none), unless a node of it is taken already. */
    emit: (op: 'LayerNormalization' | 'RMSNormalization', opset: number, name: string, x: string, width: number, f: Found): void => {
      if (f.pattern.some((p) => dropped.has(p))) return;
      let scale = f.scale;
      if (scale === undefined) {
        scale = `${name}/${op}/ones`;
        added.set(scale, { name: scale, dtype: 'float32', shape: [width], values: new Float32Array(width).fill(1), isInitializer: true });
      }
      for (const p of f.pattern) dropped.add(p);
      replaced.set(f.last, [{
        name: `${name}/${op}`, op, domain: '', opset,
        attrs: { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: f.eps } },
        inputs: f.bias !== undefined ? [x, scale, f.bias] : [x, scale], outputs: [f.last.outputs[0]!],
      }]);
      deadTensors.push(...f.inner);
    },
    done: (): WorkGraph => applyRewrite(work, { replaced, dropped, deadTensors, added }),
  };
}
