// Matrix views of tensors: how a tensor is laid out as rows x columns of 32x32 tiles on the
// device. NCW, NCHW and NCDHW feature maps of convolutional layers are stored channels-last (rows =
// N x spatial positions, columns = C), as Tenstorrent's conv kernels store them; every other
// tensor keeps its last dimension as columns.

import type { Graph, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import type { MatrixView } from './layout.js';
import { classifyNode, isConvFamily } from './classify.js';

/** Marks rank-3 to rank-5 tensors that are conv feature maps (produced or consumed by conv-family ops). */
export function findFeatureMaps(g: Graph): ReadonlySet<TensorId> {
  const maps = new Set<TensorId>();
  for (const n of g.nodes) {
    if (!isConvFamily(n.op)) continue;
    for (const t of [...n.inputs, ...n.outputs]) {
      if (t !== undefined && isSpatial(g.tensors[t]!.shape) && !g.tensors[t]!.isConstant) maps.add(t);
    }
  }
  // Element-wise ops keep the layout of their feature-map inputs.
  for (const n of g.nodes) {
    const cls = classifyNode(g, n);
    if (cls.kind !== 'eltwise') continue;
    if (!cls.inputs.some((i) => maps.has(i))) continue;
    for (const o of n.outputs) if (isSpatial(g.tensors[o]!.shape)) maps.add(o);
  }
  return maps;
}

/** The matrix view of a tensor shape. */
export function matrixView(shape: readonly number[], isFeatureMap: boolean, tile = 32): MatrixView {
  const total = numElements(shape);
  let cols: number;
  if (isFeatureMap && isSpatial(shape)) cols = shape[1] ?? 1;
  else cols = shape.length === 0 ? 1 : shape[shape.length - 1] ?? 1;
  cols = Math.max(1, cols);
  const rows = Math.max(1, Math.round(total / cols));
  return { rows, cols, tileRows: Math.ceil(rows / tile), tileCols: Math.ceil(cols / tile) };
}

/** NCW, NCHW or NCDHW: the shapes stored as feature maps (rows: images x spatial positions, columns: channels). */
function isSpatial(shape: readonly number[]): boolean {
  return shape.length >= 3 && shape.length <= 5;
}
