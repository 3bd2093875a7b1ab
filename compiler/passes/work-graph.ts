// WorkGraph: the name-keyed form the importer and constant folder work on, and buildGraph, which
// turns it into the dense-id Graph (dead nodes dropped, unused constants dropped, ids in
// first-use order so the numbering is deterministic).
import { assert } from '../../arch/errors.js';
import { numElements } from '../graph.js';
import type {
  AttrValue,
  DType,
  Graph,
  Node,
  NodeId,
  Tensor,
  TensorId,
  TensorValues,
} from '../graph.js';

/** A tensor known by name; `values` present for constants. */
export interface WorkTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values?: TensorValues;
  readonly isInitializer: boolean;
}

/** A node referring to tensors by name. */
export interface WorkNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly opset: number;
  /** undefined marks an omitted optional input. */
  readonly inputs: readonly (string | undefined)[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface WorkGraph {
  readonly name: string;
  readonly opsets: Readonly<Record<string, number>>;
  /** Every tensor with a known type: graph inputs, initializers, and (after inference) node outputs. */
  readonly tensors: ReadonlyMap<string, WorkTensor>;
  /** Topologically sorted. */
  readonly nodes: readonly WorkNode[];
  /** Non-constant graph inputs. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** Drops nodes none of whose outputs reach a graph output. */
function liveNodes(work: WorkGraph): WorkNode[] {
  const used = new Set(work.outputs);
  const keep: WorkNode[] = [];
  for (let i = work.nodes.length - 1; i >= 0; i--) {
    const n = work.nodes[i]!;
    if (!n.outputs.some((o) => used.has(o))) continue;
    keep.push(n);
    for (const name of n.inputs) if (name !== undefined) used.add(name);
  }
  return keep.reverse();
}

/** Converts a fully typed WorkGraph into the Graph IR. */
export function buildGraph(work: WorkGraph): Graph {
  const nodes = liveNodes(work);
  const ids = new Map<string, TensorId>();
  const tensors: Tensor[] = [];
  const producers = new Map<string, NodeId>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producers.set(o, i as NodeId)));
  const idOf = (name: string): TensorId => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    const t = work.tensors.get(name);
    assert(t !== undefined, `buildGraph: tensor "${name}" has no type`);
    const id = tensors.length as TensorId;
    ids.set(name, id);
    tensors.push(toTensor(t, id, producers.get(name)));
    return id;
  };
  const inputs = work.inputs.map(idOf);
  const graphNodes: Node[] = nodes.map((n, i) => ({
    id: i as NodeId,
    name: n.name,
    op: n.op,
    domain: n.domain,
    opset: n.opset,
    inputs: n.inputs.map((name) => (name === undefined ? undefined : idOf(name))),
    outputs: n.outputs.map(idOf),
    attrs: n.attrs,
  }));
  const outputs = work.outputs.map(idOf);
  return { name: work.name, opsets: work.opsets, tensors, nodes: graphNodes, inputs, outputs };
}

function toTensor(t: WorkTensor, id: TensorId, producer: NodeId | undefined): Tensor {
  return {
    id,
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    ...(producer !== undefined ? { producer } : {}),
    isConstant: t.values !== undefined,
    ...(t.values !== undefined ? { values: t.values } : {}),
    ...(t.isInitializer ? { isInitializer: true } : {}),
  };
}

/** The name-keyed form of a Graph (for passes that rewrite it). */
export function workFromGraph(graph: Graph): WorkGraph {
  const name = (id: TensorId): string => graph.tensors[id]!.name;
  const tensors = new Map<string, WorkTensor>();
  for (const t of graph.tensors) {
    if (t.producer !== undefined) continue; // re-inferred by the walk
    tensors.set(t.name, {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      isInitializer: t.isInitializer === true,
      ...(t.values !== undefined ? { values: t.values } : {}),
    });
  }
  const nodes = graph.nodes.map((n): WorkNode => ({
    name: n.name,
    op: n.op,
    domain: n.domain,
    opset: n.opset,
    attrs: n.attrs,
    inputs: n.inputs.map((i) => (i === undefined ? undefined : name(i))),
    outputs: n.outputs.map(name),
  }));
  return {
    name: graph.name,
    opsets: graph.opsets,
    tensors,
    nodes,
    inputs: graph.inputs.map(name),
    outputs: graph.outputs.map(name),
  };
}

/** Each tensor's producing node (rewrite passes). */
export function producersOf(work: WorkGraph): Map<string, WorkNode> {
  const out = new Map<string, WorkNode>();
  for (const n of work.nodes) for (const o of n.outputs) out.set(o, n);
  return out;
}

/** Each tensor's reading nodes, in graph order, once per input slot (rewrite passes). */
export function readersOf(work: WorkGraph): Map<string, WorkNode[]> {
  const out = new Map<string, WorkNode[]>();
  for (const n of work.nodes) {
    for (const i of n.inputs) {
      if (i === undefined) continue;
      const list = out.get(i);
      if (list === undefined) out.set(i, [n]);
      else list.push(n);
    }
  }
  return out;
}

/** Lookups a pattern matcher needs over one graph (fuse-norms.ts). */
export interface PatternView {
  /** The distinct readers of `t`, when `t` is no graph output. */
  readonly readerSet: (t: string) => WorkNode[] | undefined;
  /** The only reader of `t` (it may read it twice), when `t` is no graph output. */
  readonly soleReader: (t: string) => WorkNode | undefined;
  /** A standard-domain `op` node with `arity` inputs, all present. */
  readonly plain: (n: WorkNode | undefined, op: string, arity: number) => n is WorkNode;
  /** For a binary node with `t` as one operand: the other. */
  readonly otherOperand: (n: WorkNode, t: string) => string | undefined;
}

export function patternView(work: WorkGraph): PatternView {
  const readers = readersOf(work);
  const outputs = new Set(work.outputs);
  const readerSet = (t: string): WorkNode[] | undefined => (outputs.has(t) ? undefined : [...new Set(readers.get(t) ?? [])]);
  return {
    readerSet,
    soleReader: (t) => {
      const r = readerSet(t);
      return r !== undefined && r.length === 1 ? r[0] : undefined;
    },
    plain: (n, op, arity): n is WorkNode => n !== undefined && n.op === op && n.domain === '' && n.inputs.length === arity && n.inputs.every((i) => i !== undefined),
    otherOperand: (n, t) => (n.inputs[0] === t ? n.inputs[1] : n.inputs[1] === t ? n.inputs[0] : undefined),
  };
}

/** A ReduceMean over the last axis of its input, keeping dims (axes as attribute, or from opset 18 an input). */
export function isLastAxisMean(work: WorkGraph, n: WorkNode | undefined): n is WorkNode {
  if (n === undefined || n.op !== 'ReduceMean' || n.domain !== '' || n.inputs[0] === undefined) return false;
  const rank = work.tensors.get(n.inputs[0])?.shape.length;
  const keep = n.attrs['keepdims'];
  if (rank === undefined || rank < 1 || (keep !== undefined && keep.kind === 'int' && keep.value === 0)) return false;
  const a = n.attrs['axes'];
  const c = n.inputs[1] === undefined ? undefined : work.tensors.get(n.inputs[1]);
  const axes = a !== undefined && a.kind === 'ints' ? [...a.value] : c?.values !== undefined ? Array.from(c.values as ArrayLike<number>, (v) => Number(v)) : undefined;
  return axes !== undefined && axes.length === 1 && (axes[0] === -1 || axes[0] === rank - 1);
}

/** True for a constant with one value per element of the last axis (`width` of them). */
export function isPerChannelConstant(work: WorkGraph, t: string | undefined, width: number): boolean {
  const c = t === undefined ? undefined : work.tensors.get(t);
  return c?.values !== undefined && numElements(c.shape) === width && c.shape[c.shape.length - 1] === width;
}

/** The value of a one-element constant tensor (a scalar of any rank), else undefined. */
export function scalarConstant(work: WorkGraph, t: string | undefined): number | undefined {
  const w = t === undefined ? undefined : work.tensors.get(t);
  return w?.values !== undefined && numElements(w.shape) === 1 ? Number(w.values[0]) : undefined;
}

/** What a rewrite pass changes: nodes put in place of others, nodes dropped, tensors gone or new. */
export interface Rewrite {
  /** Node -> the nodes that take its place (in the same position). */
  readonly replaced: ReadonlyMap<WorkNode, readonly WorkNode[]>;
  readonly dropped: ReadonlySet<WorkNode>;
  /** Values no node makes any more (a fused pattern's inner values). */
  readonly deadTensors?: readonly string[];
  /** New constants and values. */
  readonly added?: ReadonlyMap<string, WorkTensor>;
}

/** `work` with a rewrite applied (`work` itself when it changes nothing). */
export function applyRewrite(work: WorkGraph, r: Rewrite): WorkGraph {
  if (r.replaced.size === 0) return work;
  const nodes: WorkNode[] = [];
  for (const n of work.nodes) {
    const instead = r.replaced.get(n);
    if (instead !== undefined) nodes.push(...instead);
    else if (!r.dropped.has(n)) nodes.push(n);
  }
  const tensors = new Map<string, WorkTensor>(work.tensors);
  for (const t of r.deadTensors ?? []) tensors.delete(t);
  for (const [k, t] of r.added ?? []) tensors.set(k, t);
  return { ...work, tensors, nodes };
}
