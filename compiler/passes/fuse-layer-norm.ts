// Recognises layer normalisation over the last axis written out in primitive ops, as PyTorch
// exports nn.LayerNorm before opset 17 (so do BERT and GPT exports from transformers at their
// default opsets):
//   m = ReduceMean(x), d = x - m, v = ReduceMean(d²), y = d / sqrt(v + eps) [· scale] [+ bias]
// (d² may be Pow(d, 2) or d · d; the division may be a product with Reciprocal(sqrt(...)); the
// scale and bias are constants over the last axis, on either side of their Mul and Add), or as
// TensorFlow's batch_normalization algebra writes it (Keras LayerNormalization through tf2onnx):
//   inv = scale / sqrt(v + eps), y = x · inv + (bias - m · inv),
// and puts
// one LayerNormalization node (axis -1, opset 17's op) in place of the eight to ten. The function is
// the same; what changes is the cost on the device: one row-wise op with its statistics combined
// on the matrix unit (lower/rowwise-split.ts), where the written-out form is two reductions and
// six element-wise ops, each its own op with its own pass over the tensor and its own transfers
// (BERT-base exported at opset 13 simulated 1.37x slower than at opset 17 before this pass).
// Every intermediate value must be read only inside the pattern.

import { applyRewrite, isLastAxisMean, isPerChannelConstant, patternView, scalarConstant, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

/** The graph with each written-out last-axis layer normalisation replaced by one LayerNormalization node. */
export function fuseLayerNorm(work: WorkGraph): WorkGraph {
  const { readerSet, soleReader, plain, otherOperand } = patternView(work);
  const meanOverLast = (n: WorkNode | undefined): n is WorkNode => isLastAxisMean(work, n);
  const perChannel = (t: string | undefined, width: number): boolean => isPerChannelConstant(work, t, width);

  const replaced = new Map<WorkNode, WorkNode[]>(); // last node of a pattern -> its LayerNormalization
  const dropped = new Set<WorkNode>();
  const deadTensors: string[] = [];
  const added = new Map<string, WorkTensor>();
  /** A LayerNormalization found: the pattern's nodes, its inner values, and the op's operands. */
  interface Found { readonly pattern: WorkNode[]; readonly inner: string[]; readonly last: WorkNode; readonly eps: number; readonly scale?: string; readonly bias?: string }
  /**
   * From the deviation d = x - mean: square (Pow 2 or d·d, read by nothing else when `only`),
   * ReduceMean, Add eps, Sqrt; the Sqrt's output and the nodes so far.
   */
  const varianceOf = (d: string, square: WorkNode | undefined): { nodes: WorkNode[]; inner: string[]; eps: number; s: string } | undefined => {
    if (square === undefined || !((plain(square, 'Pow', 2) && square.inputs[0] === d && scalarConstant(work, square.inputs[1]) === 2) || (plain(square, 'Mul', 2) && square.inputs[0] === d && square.inputs[1] === d))) return undefined;
    const sq = square.outputs[0]!;
    const varMean = soleReader(sq);
    if (!meanOverLast(varMean) || varMean.inputs[0] !== sq) return undefined;
    const v = varMean.outputs[0]!;
    const addEps = soleReader(v);
    if (!plain(addEps, 'Add', 2)) return undefined;
    const eps = scalarConstant(work, otherOperand(addEps, v));
    if (eps === undefined || !(eps >= 0)) return undefined;
    const ve = addEps.outputs[0]!;
    const sqrt = soleReader(ve);
    if (!plain(sqrt, 'Sqrt', 1)) return undefined;
    return { nodes: [square, varMean, addEps, sqrt], inner: [sq, v, ve], eps, s: sqrt.outputs[0]! };
  };

  /** PyTorch's form: (x - m) / sqrt(var + eps), then · scale, + bias. */
  const torchForm = (mean: WorkNode, x: string, width: number): Found | undefined => {
    const m = mean.outputs[0]!;
    const sub = soleReader(m);
    if (!plain(sub, 'Sub', 2) || sub.inputs[0] !== x || sub.inputs[1] !== m) return undefined;
    const d = sub.outputs[0]!;
    const dReaders = readerSet(d);
    if (dReaders === undefined || dReaders.length !== 2) return undefined;
    // One reader squares d, the other divides it by the deviation.
    const square = dReaders.find((n) => varianceOf(d, n) !== undefined);
    const scaleBy = dReaders.find((n) => n !== square);
    const variance = varianceOf(d, square);
    if (variance === undefined || scaleBy === undefined) return undefined;
    const { s } = variance;
    const pattern: WorkNode[] = [mean, sub, ...variance.nodes];
    const inner = [m, d, ...variance.inner, s];
    if (plain(scaleBy, 'Div', 2) && scaleBy.inputs[0] === d && scaleBy.inputs[1] === s && soleReader(s) === scaleBy) {
      // (x - m) / s
    } else {
      const recip = soleReader(s);
      if (!plain(recip, 'Reciprocal', 1) || !plain(scaleBy, 'Mul', 2)) return undefined;
      const r = recip.outputs[0]!;
      if (soleReader(r) !== scaleBy || otherOperand(scaleBy, r) !== d) return undefined;
      pattern.push(recip);
      inner.push(r);
    }
    pattern.push(scaleBy);
    let last = scaleBy;
    const n = scaleBy.outputs[0]!;
    const mul = soleReader(n);
    if (!plain(mul, 'Mul', 2) || !perChannel(otherOperand(mul, n), width)) return { pattern, inner, last, eps: variance.eps };
    const scale = otherOperand(mul, n)!;
    inner.push(n);
    pattern.push(mul);
    last = mul;
    const y = mul.outputs[0]!;
    const add = soleReader(y);
    if (!plain(add, 'Add', 2) || !perChannel(otherOperand(add, y), width)) return { pattern, inner, last, eps: variance.eps, scale };
    inner.push(y);
    pattern.push(add);
    return { pattern, inner, last: add, eps: variance.eps, scale, bias: otherOperand(add, y)! };
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
    const gammaMul = soleReader(r);
    if (!plain(gammaMul, 'Mul', 2) || !perChannel(otherOperand(gammaMul, r), width)) return undefined;
    const inv = gammaMul.outputs[0]!;
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
      pattern: [mean, sub, ...variance.nodes, recip, gammaMul, mScale, xScale, shift, add],
      inner: [m, d, ...variance.inner, variance.s, r, inv, ms, xs, off],
      last: add, eps: variance.eps, scale: otherOperand(gammaMul, r)!, bias: shift.inputs[0]!,
    };
  };

  for (const mean of work.nodes) {
    if (!meanOverLast(mean)) continue;
    const x = mean.inputs[0]!;
    const xt = work.tensors.get(x);
    const width = xt?.shape[xt.shape.length - 1];
    if (xt === undefined || width === undefined || !(width > 0) || (xt.dtype !== 'float32' && xt.dtype !== 'float16' && xt.dtype !== 'bfloat16')) continue;
    const found = torchForm(mean, x, width) ?? tfForm(mean, x, width);
    if (found === undefined || found.pattern.some((p) => dropped.has(p))) continue;
    let scale = found.scale;
    if (scale === undefined) {
      // No affine part: a scale of ones.
      scale = `${mean.name}/LayerNormalization/ones`;
      added.set(scale, { name: scale, dtype: 'float32', shape: [width], values: new Float32Array(width).fill(1), isInitializer: true });
    }
    for (const p of found.pattern) dropped.add(p);
    replaced.set(found.last, [{
      name: `${mean.name}/LayerNormalization`, op: 'LayerNormalization', domain: '', opset: 17,
      attrs: { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: found.eps } },
      inputs: found.bias !== undefined ? [x, scale, found.bias] : [x, scale], outputs: [found.last.outputs[0]!],
    }]);
    deadTensors.push(...found.inner);
  }
  return applyRewrite(work, { replaced, dropped, deadTensors, added });
}
