// Shape inference interleaved with constant folding. Nodes are visited in topological order;
// each gets its output types from its OpDef, and a node whose inputs are all constant (or, for
// Shape/Size, merely typed) is evaluated and removed, its outputs becoming constants. Folding
// first is what lets the Shape → Gather → Unsqueeze → Concat → Reshape chains of transformer
// exports resolve to static shapes before the Reshape needs them.
import { assert } from '../../arch/errors.js';
import type { Graph, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { shapeError, unsupportedOp } from '../onnx/errors.js';
import type { OpContext, OpDef, TensorInfo, TensorType } from '../ops/op-def.js';
import { findOp } from '../ops/registry.js';
import {
  buildGraph,
  workFromGraph,
  type WorkGraph,
  type WorkNode,
  type WorkTensor,
} from './work-graph.js';

/** Options for inferAndFold. */
export interface FoldOptions {
  /** Nodes whose outputs exceed this many elements in total are kept, not folded. */
  readonly maxFoldElements: number;
}

/** Defaults: fold anything up to 64 Mi elements (large enough for weight transposes). */
export const DEFAULT_FOLD_OPTIONS: FoldOptions = { maxFoldElements: 1 << 26 };

/** Graph → Graph: re-infers every node and folds the ones that have become constant. */
export function foldConstants(graph: Graph, options: FoldOptions = DEFAULT_FOLD_OPTIONS): Graph {
  return buildGraph(inferAndFold(workFromGraph(graph), options));
}

/** Types every node output of a name-keyed graph, folding constant nodes and bypassing aliases. */
export function inferAndFold(
  work: WorkGraph,
  options: FoldOptions = DEFAULT_FOLD_OPTIONS,
): WorkGraph {
  const tensors = new Map(work.tensors);
  const alias = new Map<string, string>();
  const graphOutputs = new Set(work.outputs);
  // Tensors some node reads: an alias node's other outputs (Dropout's mask) must be unread.
  const read = new Set(work.nodes.flatMap((n) => n.inputs.filter((i): i is string => i !== undefined)));
  const kept: WorkNode[] = [];
  for (const original of work.nodes) {
    const node = {
      ...original,
      inputs: original.inputs.map((n) => (n === undefined ? undefined : (alias.get(n) ?? n))),
    };
    const def =
      findOp(node.domain, node.op) ??
      fail(unsupportedOp(node.name, node.domain, node.op, node.opset));
    const ctx = contextOf(node, tensors);
    const types = def.infer(ctx);
    checkTypes(node, types);
    const values = shouldFold(def, ctx, types, options) ? evaluate(def, ctx, types) : undefined;
    const isInitializer = node.inputs.some(
      (n) => n !== undefined && tensors.get(n)?.isInitializer === true,
    );
    node.outputs.forEach((name, i) =>
      tensors.set(name, makeTensor(name, types[i]!, values?.[i], isInitializer)),
    );
    if (values) continue;
    if (
      def.isAlias &&
      node.outputs.slice(1).every((o) => o === '' || (!read.has(o) && !graphOutputs.has(o))) &&
      !graphOutputs.has(node.outputs[0]!) &&
      node.inputs[0] !== undefined
    ) {
      alias.set(node.outputs[0]!, node.inputs[0]);
      continue;
    }
    kept.push(node);
  }
  return { ...work, tensors, nodes: kept };
}

function fail(err: Error): never {
  throw err;
}

/** The OpContext of a node whose inputs are all typed. */
function contextOf(node: WorkNode, tensors: ReadonlyMap<string, WorkTensor>): OpContext {
  const inputs = node.inputs.map((name): TensorInfo | undefined => {
    if (name === undefined) return undefined;
    const t = tensors.get(name);
    if (!t)
      throw shapeError(
        node.name,
        node.op,
        `input "${name}" is produced by no earlier node, initializer or graph input`,
      );
    return t;
  });
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

function checkTypes(node: WorkNode, types: readonly TensorType[]): void {
  assert(
    types.length >= node.outputs.length,
    `${node.op} inferred ${types.length} outputs for node "${node.name}" with ${node.outputs.length}`,
  );
  for (const t of types) {
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw shapeError(node.name, node.op, `inferred an invalid shape [${t.shape.join(', ')}]`);
    }
  }
}

function shouldFold(
  def: OpDef,
  ctx: OpContext,
  types: readonly TensorType[],
  options: FoldOptions,
): boolean {
  if (!def.evaluate) return false;
  const isReady =
    def.foldsOnShapes || ctx.inputs.every((t) => t === undefined || t.values !== undefined);
  if (!isReady) return false;
  return types.reduce((sum, t) => sum + numElements(t.shape), 0) <= options.maxFoldElements;
}

function evaluate(
  def: OpDef,
  ctx: OpContext,
  types: readonly TensorType[],
): readonly TensorValues[] {
  const values = def.evaluate!(ctx, types);
  types.forEach((t, i) => {
    const got = (values[i] as ArrayLike<number> | undefined)?.length;
    assert(
      got === numElements(t.shape),
      `${ctx.op} evaluated ${got} elements for output ${i} of node "${ctx.node}", shape [${t.shape.join(', ')}]`,
    );
  });
  return values;
}

function makeTensor(
  name: string,
  type: TensorType,
  values: TensorValues | undefined,
  isInitializer: boolean,
): WorkTensor {
  return {
    name,
    dtype: type.dtype,
    shape: type.shape,
    isInitializer: values !== undefined && isInitializer,
    ...(values !== undefined ? { values } : {}),
  };
}
