// Fused element-wise followers (activations, residual adds, bias/scale constants) applied to the
// values of an output block, with each follower's reference kernel run on the block's elements
// only. Extra activation inputs are read from the core's own tiles: a missing tile is an error.

import type { Node, TensorId } from '../../compiler/graph.js';
import { isViewNode, numElements } from '../../compiler/graph.js';
import { findOp } from '../../compiler/ops/registry.js';
import { graphNodeContext } from '../../compiler/ops/node-macs.js';
import { allocValues } from '../../compiler/ops/values.js';
import type { TensorInfo } from '../../compiler/ops/op-def.js';
import { broadcastSource, positionOf, TILE } from '../../compiler/tensor-layout.js';
import { SpatialcError } from '../../arch/errors.js';
import type { FunctionalContext } from './context.js';
import type { TileStore } from './tile-store.js';

/** The non-view tensor a tensor's data comes from. */
function throughViews(ctx: FunctionalContext, t: TensorId): TensorId {
  let id = t;
  for (let guard = 0; guard < 64; guard++) {
    const p = ctx.graph.tensors[id]!.producer;
    const n = p === undefined ? undefined : ctx.graph.nodes[p];
    if (n === undefined || !isViewNode(ctx.graph, n) || n.inputs[0] === undefined) return id;
    id = n.inputs[0];
  }
  return id;
}

/** Values of one follower input at the block's elements (flat indices of the follower output). */
function inputAt(ctx: FunctionalContext, node: Node, t: TensorId, flats: Int32Array, store: TileStore): TensorInfo {
  const tensor = ctx.graph.tensors[t]!;
  const outShape = ctx.graph.tensors[node.outputs[0]!]!.shape;
  if (tensor.isConstant && numElements(tensor.shape) === 1) return tensor;
  const src = numElements(tensor.shape) === numElements(outShape) ? (e: number) => e : broadcastSource(outShape, tensor.shape);
  const values = allocValues(tensor.isConstant ? tensor.dtype : 'float32', flats.length);
  if (tensor.isConstant) {
    const v = tensor.values!;
    for (let i = 0; i < flats.length; i++) values[i] = v[src(flats[i]!)] as number;
    return { dtype: tensor.dtype, shape: [flats.length], values };
  }
  const pt = ctx.programTensorOf(t);
  if (pt === undefined) throw new SpatialcError('E_SIM', `node "${node.name}": input "${tensor.name}" is in no program tensor`);
  const pos = positionOf(pt.layout, pt.shape);
  const p = new Int32Array(2);
  for (let i = 0; i < flats.length; i++) {
    pos(src(flats[i]!), p);
    const tile = store.need(pt, Math.floor(p[0]! / TILE), Math.floor(p[1]! / TILE), `node "${node.name}"`);
    values[i] = tile[(p[0]! % TILE) * TILE + (p[1]! % TILE)]!;
  }
  return { dtype: 'float32', shape: [flats.length], values };
}

/**
 * Runs the followers over the block: `chain` holds the anchor's values at `flats`. A follower's
 * input made inside the group (the anchor's output or an earlier follower's, as in a fused GELU
 * that reads x twice) comes from the block's own values, not from SRAM.
 */
export function applyFollowers(ctx: FunctionalContext, followers: readonly Node[], chainFrom: TensorId, chain: Float32Array, flats: Int32Array, store: TileStore): Float32Array {
  let values = chain;
  const made = new Map<TensorId, Float32Array>([[throughViews(ctx, chainFrom), chain]]);
  for (const f of followers) {
    const def = findOp(f.domain, f.op);
    if (def?.evaluate === undefined) throw new SpatialcError('E_SIM', `node "${f.name}": op ${f.op} has no reference kernel`);
    const base = graphNodeContext(ctx.graph, f);
    const inputs = f.inputs.map((t): TensorInfo | undefined => {
      if (t === undefined) return undefined;
      const own = made.get(throughViews(ctx, t));
      if (own !== undefined) return { dtype: 'float32', shape: [flats.length], values: own };
      return inputAt(ctx, f, t, flats, store);
    });
    const out = { dtype: 'float32' as const, shape: [flats.length] };
    const res = def.evaluate({ ...base, inputs }, [out])[0]!;
    values = res instanceof Float32Array ? res : Float32Array.from(res as ArrayLike<number>);
    made.set(f.outputs[0]!, values);
  }
  return values;
}
