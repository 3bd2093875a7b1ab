// Recognises RMS normalisation over the last axis written out in primitive ops, as LLaMA-style
// models export it (transformers' LlamaRMSNorm, T5's layer norm):
//   y = w · (x · 1/sqrt(mean(x²) + eps))   (x² as Pow(x, 2) or x · x; 1/sqrt as Reciprocal(Sqrt)
//   or Div(1, Sqrt); or x / sqrt(...) directly; the weight, a constant over the last axis, optional)
// and puts one RMSNormalization (axis -1; ONNX's op from opset 23, onnxruntime's
// SimplifiedLayerNormalization) in its place. The function is the same; on the device it becomes
// one row-wise op, split across a grid row like a layer norm (lower/rowwise-split.ts), instead of
// a reduction and four element-wise ops each with its own pass and transfers. Every intermediate
// value must be read only inside the pattern.

import { applyRewrite, isLastAxisMean, isPerChannelConstant, patternView, scalarConstant, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

/** The graph with each written-out last-axis RMS normalisation replaced by one RMSNormalization node. */
export function fuseRmsNorm(work: WorkGraph): WorkGraph {
  const { soleReader, plain, otherOperand } = patternView(work);
  const perChannel = (t: string | undefined, width: number): boolean => isPerChannelConstant(work, t, width);

  const replaced = new Map<WorkNode, WorkNode[]>();
  const dropped = new Set<WorkNode>();
  const deadTensors: string[] = [];
  const added = new Map<string, WorkTensor>();
  for (const square of work.nodes) {
    const x = square.inputs[0];
    if (x === undefined) continue;
    const isSquare = (plain(square, 'Pow', 2) && scalarConstant(work, square.inputs[1]) === 2) || (plain(square, 'Mul', 2) && square.inputs[1] === x);
    if (!isSquare) continue;
    const xt = work.tensors.get(x);
    const width = xt?.shape[xt.shape.length - 1];
    if (xt === undefined || width === undefined || !(width > 0) || xt.dtype !== 'float32') continue;
    const sq = square.outputs[0]!;
    const mean = soleReader(sq);
    if (!isLastAxisMean(work, mean) || mean.inputs[0] !== sq) continue;
    const v = mean.outputs[0]!;
    const addEps = soleReader(v);
    if (!plain(addEps, 'Add', 2)) continue;
    const eps = scalarConstant(work, otherOperand(addEps, v));
    if (eps === undefined || !(eps >= 0)) continue;
    const ve = addEps.outputs[0]!;
    const sqrt = soleReader(ve);
    if (!plain(sqrt, 'Sqrt', 1)) continue;
    const s = sqrt.outputs[0]!;
    const pattern: WorkNode[] = [square, mean, addEps, sqrt];
    const inner = [sq, v, ve, s];
    const next = soleReader(s);
    if (next === undefined) continue;
    const isDiv = next.op === 'Div' && next.domain === '' && next.inputs.length === 2;
    const isRecip = next.op === 'Reciprocal' && next.domain === '' && next.inputs.length === 1;
    let normalised: WorkNode | undefined;
    if (isDiv && next.inputs[0] === x && next.inputs[1] === s) {
      normalised = next;
    } else if (isRecip || (isDiv && next.inputs[1] === s && scalarConstant(work, next.inputs[0]) === 1)) {
      const r = next.outputs[0]!;
      const mul = soleReader(r);
      if (!plain(mul, 'Mul', 2) || otherOperand(mul, r) !== x) continue;
      pattern.push(next);
      inner.push(r);
      normalised = mul;
    }
    if (normalised === undefined) continue;
    pattern.push(normalised);
    let last = normalised;
    let weight: string | undefined;
    const n = normalised.outputs[0]!;
    const scale = soleReader(n);
    if (plain(scale, 'Mul', 2) && perChannel(otherOperand(scale, n), width)) {
      weight = otherOperand(scale, n)!;
      inner.push(n);
      pattern.push(scale);
      last = scale;
    }
    if (pattern.some((p) => dropped.has(p))) continue;
    if (weight === undefined) {
      weight = `${mean.name}/RMSNormalization/ones`;
      added.set(weight, { name: weight, dtype: 'float32', shape: [width], values: new Float32Array(width).fill(1), isInitializer: true });
    }
    for (const p of pattern) dropped.add(p);
    replaced.set(last, [{
      name: `${mean.name}/RMSNormalization`, op: 'RMSNormalization', domain: '', opset: 23,
      attrs: { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: eps } },
      inputs: [x, weight], outputs: [last.outputs[0]!],
    }]);
    deadTensors.push(...inner);
  }
  return applyRewrite(work, { replaced, dropped, deadTensors, added });
}
