// The reference interpreter: runs an imported (static-shaped, constant-folded) Graph on given
// input values with the op registry's float32 reference kernels (OpDef.evaluate). It is the
// definition of what a model computes; the compiled program and the functional simulation are
// checked against it. Slow and obvious on purpose: one kernel call per node, in topological order.
import { assert } from '../../arch/errors.js';
import type { DType, Graph, Node, TensorId, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import type { OpContext, TensorInfo, TensorType } from '../ops/op-def.js';
import { findOp } from '../ops/registry.js';
import {
  inputDtypeMismatch,
  inputShapeMismatch,
  inputSizeMismatch,
  missingInput,
  missingKernel,
  unknownInput,
} from './errors.js';

/** A tensor value: element type, shape and row-major elements (storage per ops/values.ts). */
export interface TensorData {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: TensorValues;
}

/** Options for runReference. */
export interface ReferenceOptions {
  /**
   * Called after each node (progress, profiling) with the number of non-constant values alive
   * at that point: inputs, outputs and intermediates not yet past their last reader.
   */
  readonly onNode?: (node: Node, index: number, liveValues: number) => void;
}

/** Checks the given inputs against the graph's inputs; returns them by tensor id. */
export function bindInputs(
  graph: Graph,
  inputs: Readonly<Record<string, TensorData>>,
): Map<TensorId, TensorValues> {
  const names = graph.inputs.map((id) => graph.tensors[id]!.name);
  for (const name of Object.keys(inputs))
    if (!names.includes(name)) throw unknownInput(name, names);
  const bound = new Map<TensorId, TensorValues>();
  for (const id of graph.inputs) {
    const t = graph.tensors[id]!;
    const given = inputs[t.name];
    if (!given) throw missingInput(t.name, names);
    const isSameShape =
      given.shape.length === t.shape.length && given.shape.every((d, i) => d === t.shape[i]);
    if (!isSameShape) throw inputShapeMismatch(t.name, t.shape, given.shape);
    if (given.dtype !== t.dtype) throw inputDtypeMismatch(t.name, t.dtype, given.dtype);
    const count = (given.values as ArrayLike<number>).length;
    if (count !== numElements(t.shape)) throw inputSizeMismatch(t.name, t.shape, count);
    bound.set(id, given.values);
  }
  return bound;
}

/** For each tensor, the index of the last node that reads it (-1: never read by a node). */
function lastUses(graph: Graph): Int32Array {
  const last = new Int32Array(graph.tensors.length).fill(-1);
  graph.nodes.forEach((n, i) => {
    for (const id of n.inputs) if (id !== undefined) last[id] = i;
  });
  return last;
}

/**
 * Runs `graph` on `inputs` (by graph input name) and returns every graph output by name.
 * Intermediate values are dropped after their last reader, so peak memory is the live set.
 */
export function runReference(
  graph: Graph,
  inputs: Readonly<Record<string, TensorData>>,
  options: ReferenceOptions = {},
): Record<string, TensorData> {
  const live = bindInputs(graph, inputs);
  const valueOf = (id: TensorId): TensorValues | undefined =>
    live.get(id) ?? graph.tensors[id]!.values;
  const last = lastUses(graph);
  const keep = new Set<TensorId>(graph.outputs);
  graph.nodes.forEach((node, index) => {
    const results = runNode(graph, node, valueOf);
    node.outputs.forEach((id, k) => live.set(id, results[k]!));
    for (const id of node.inputs)
      if (id !== undefined && last[id] === index && !keep.has(id)) live.delete(id);
    for (const id of node.outputs) if (last[id] === -1 && !keep.has(id)) live.delete(id);
    options.onNode?.(node, index, live.size);
  });
  const outputs: Record<string, TensorData> = {};
  for (const id of graph.outputs) {
    const t = graph.tensors[id]!;
    const values = valueOf(id);
    assert(values !== undefined, `graph output "${t.name}" was never computed`);
    outputs[t.name] = { dtype: t.dtype, shape: t.shape, values };
  }
  return outputs;
}

/** Evaluates one node with its OpDef's reference kernel. */
function runNode(
  graph: Graph,
  node: Node,
  valueOf: (id: TensorId) => TensorValues | undefined,
): readonly TensorValues[] {
  const def = findOp(node.domain, node.op);
  if (!def?.evaluate) throw missingKernel(node.name, node.domain, node.op);
  const inputs = node.inputs.map((id): TensorInfo | undefined => {
    if (id === undefined) return undefined;
    const t = graph.tensors[id]!;
    const values = valueOf(id);
    assert(values !== undefined, `node "${node.name}" reads "${t.name}" before it is computed`);
    return { dtype: t.dtype, shape: t.shape, values };
  });
  const ctx: OpContext = {
    node: node.name,
    op: node.op,
    domain: node.domain,
    opset: node.opset,
    attrs: node.attrs,
    inputs,
    outputCount: node.outputs.length,
  };
  const types: TensorType[] = node.outputs.map((id) => {
    const t = graph.tensors[id]!;
    return { dtype: t.dtype, shape: t.shape };
  });
  const results = def.evaluate(ctx, types);
  types.forEach((t, k) => {
    const got = (results[k] as ArrayLike<number> | undefined)?.length;
    assert(
      got === numElements(t.shape),
      `${node.op} kernel gave ${got} elements for output ${k} of node "${node.name}", shape [${t.shape.join(', ')}]`,
    );
  });
  return results;
}
