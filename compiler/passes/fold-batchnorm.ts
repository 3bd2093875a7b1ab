// Folds an inference BatchNormalization into the Conv it follows: with s = scale / sqrt(var + eps),
//   BN(Conv(x, W, b)) = Conv(x, W · s, (b - mean) · s + B)   (per output channel),
// as onnxruntime's ConvBNFusion and every deployment flow (tt-metal's model preprocessing too) do.
// Exports that keep BatchNormalization nodes (the ONNX model zoo's ResNets, torch with
// TrainingMode.PRESERVE) otherwise pay two element-wise passes per output tile for it on the
// device: ResNet-50 at batch 1 simulated 552,882 cycles with them and 429,843 folded (packet NoC).
//
// Conditions: a Conv (domain '') with constant float32 weights (and bias, if any); a
// BatchNormalization with one output (inference), constant float32 parameters with one value per
// output channel, reading the Conv's output as its only reader; that output is no graph output.

import { numElements } from '../graph.js';
import { applyRewrite, patternView, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

/** The graph with each BatchNormalization that follows a Conv folded into the Conv's weights and bias. */
export function foldBatchNorm(work: WorkGraph): WorkGraph {
  const { soleReader } = patternView(work);
  const floats = (t: string | undefined, n?: number): ArrayLike<number> | undefined => {
    const c = t === undefined ? undefined : work.tensors.get(t);
    if (c?.values === undefined || c.dtype !== 'float32' || (n !== undefined && numElements(c.shape) !== n)) return undefined;
    return c.values as ArrayLike<number>;
  };
  const replaced = new Map<WorkNode, WorkNode[]>(); // Conv -> folded Conv
  const dropped = new Set<WorkNode>();
  const added = new Map<string, WorkTensor>();
  const deadTensors: string[] = [];
  for (const conv of work.nodes) {
    if (conv.op !== 'Conv' || conv.domain !== '' || conv.outputs.length !== 1) continue;
    const wName = conv.inputs[1];
    const wt = wName === undefined ? undefined : work.tensors.get(wName);
    const w = floats(wName);
    if (wt === undefined || w === undefined || wt.shape.length < 3) continue;
    const cout = wt.shape[0]!;
    const hasBias = conv.inputs[2] !== undefined && conv.inputs[2] !== '';
    const b = hasBias ? floats(conv.inputs[2], cout) : undefined;
    if (hasBias && b === undefined) continue;
    const y = conv.outputs[0]!;
    const bn = soleReader(y);
    if (bn === undefined || bn.op !== 'BatchNormalization' || bn.domain !== '' || bn.inputs[0] !== y || bn.outputs.filter((o) => o !== '').length !== 1) continue;
    const mode = bn.attrs['training_mode'];
    if (mode !== undefined && mode.kind === 'int' && mode.value !== 0) continue;
    const [scale, shift, mean, variance] = [1, 2, 3, 4].map((k) => floats(bn.inputs[k], cout));
    if (scale === undefined || shift === undefined || mean === undefined || variance === undefined) continue;
    const epsAttr = bn.attrs['epsilon'];
    const eps = epsAttr !== undefined && epsAttr.kind === 'float' ? epsAttr.value : 1e-5;
    const perOut = numElements(wt.shape) / cout;
    const folded = new Float32Array(numElements(wt.shape));
    const bias = new Float32Array(cout);
    for (let o = 0; o < cout; o++) {
      const s = scale[o]! / Math.sqrt(variance[o]! + eps);
      for (let k = 0; k < perOut; k++) folded[o * perOut + k] = w[o * perOut + k]! * s;
      bias[o] = ((b?.[o] ?? 0) - mean[o]!) * s + shift[o]!;
    }
    const wNew = `${conv.name}/bn_folded_weight`;
    const bNew = `${conv.name}/bn_folded_bias`;
    added.set(wNew, { name: wNew, dtype: 'float32', shape: wt.shape, values: folded, isInitializer: true });
    added.set(bNew, { name: bNew, dtype: 'float32', shape: [cout], values: bias, isInitializer: true });
    deadTensors.push(y);
    replaced.set(conv, [{ ...conv, inputs: [conv.inputs[0], wNew, bNew], outputs: [bn.outputs[0]!] }]);
    dropped.add(bn);
  }
  return applyRewrite(work, { replaced, dropped, deadTensors, added });
}
