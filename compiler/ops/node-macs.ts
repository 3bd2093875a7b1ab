// MAC count of a Graph node, via its OpDef (0 for ops without a `macs` rule).
import type { Graph, Node } from '../graph.js';
import type { OpContext, TensorInfo } from './op-def.js';
import { findOp } from './registry.js';

/** The OpContext of a node of a built Graph (constant inputs carry their values). */
export function graphNodeContext(graph: Graph, node: Node): OpContext {
  const inputs = node.inputs.map((id): TensorInfo | undefined =>
    id === undefined ? undefined : graph.tensors[id],
  );
  return {
    node: node.name,
    op: node.op,
    domain: node.domain,
    opset: node.opset,
    attrs: node.attrs,
    inputs,
    outputCount: node.outputs.length,
  };
}

/** Multiply-accumulates one execution of `node` performs. */
export function nodeMacs(graph: Graph, node: Node): number {
  const def = findOp(node.domain, node.op);
  if (!def?.macs) return 0;
  const outputs = node.outputs.map((id) => graph.tensors[id]!);
  return def.macs(graphNodeContext(graph, node), outputs);
}
