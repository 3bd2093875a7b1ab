// Fusion: groups graph nodes into device ops. Each group has one anchor (the node that sets how
// the op is distributed) and a chain of element-wise followers fused onto its output tiles, as
// Tenstorrent's stack fuses activations and residual adds into the producing matmul or conv.
// View nodes (reshape-like) become aliases: their output is the same data as their input.

import type { Graph, Node, NodeId, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import { classifyNode, type OpClass, type TileWork } from './classify.js';
import { findTileAliases, readersOf, type TileAlias } from './tile-alias.js';
import { findFeatureMaps, matrixView } from './views.js';

export interface OpGroup {
  readonly index: number;
  readonly anchor: Node;
  /** Which of the anchor's outputs this op computes (several for Split, TopK). */
  readonly outputIndex: number;
  readonly cls: OpClass;
  /** Every node of the group, anchor first. */
  readonly nodes: readonly Node[];
  /** Activation inputs of fused followers that come from outside the chain (e.g. residuals). */
  readonly extraInputs: readonly TensorId[];
  /** Constant inputs of every node in the group (weights, biases, scales). */
  readonly constInputs: readonly TensorId[];
  /** Per-output-tile work of the fused followers. */
  readonly fusedWork: TileWork;
  /** The group's output (the last fused node's output, as a root tensor). */
  readonly output: TensorId;
}

export interface Grouping {
  readonly groups: readonly OpGroup[];
  /** Root tensor of every tensor: views resolve to the tensor holding the data. */
  readonly rootOf: readonly TensorId[];
  /** Root tensors that are whole tiles of another (tile-alias.ts): no op computes them. */
  readonly aliases: ReadonlyMap<TensorId, TileAlias>;
}

interface MutableGroup {
  index: number;
  anchor: Node;
  outputIndex: number;
  cls: OpClass;
  nodes: Node[];
  extraInputs: TensorId[];
  constInputs: TensorId[];
  eltwise: number;
  sfpu: { fn: string; passes: number }[];
  output: TensorId;
}

/** Root tensors: the output of a view node aliases its source. */
function resolveViews(g: Graph, classify: (n: Node) => OpClass): TensorId[] {
  const root = g.tensors.map((t) => t.id);
  for (const n of g.nodes) {
    const cls = classify(n);
    const out = n.outputs[0];
    if (cls.kind === 'view' && out !== undefined && cls.src !== undefined) root[out] = root[cls.src] ?? cls.src;
  }
  return root;
}

/** Number of consuming non-view nodes (and graph outputs) of every root tensor. */
function countConsumers(g: Graph, root: readonly TensorId[], classify: (n: Node) => OpClass): number[] {
  const count = new Array<number>(g.tensors.length).fill(0);
  for (const n of g.nodes) {
    if (classify(n).kind === 'view') continue;
    for (const i of n.inputs) if (i !== undefined) count[root[i] ?? i]! += 1;
  }
  for (const o of g.outputs) count[root[o] ?? o]! += 1;
  return count;
}

/**
 * Classifies nodes for the device: a reshape-like view is free only when its tensor keeps the
 * same matrix (rows x columns); otherwise the tiles must be re-laid out, a data-movement op.
 */
function deviceClassifier(g: Graph, featureMaps: ReadonlySet<TensorId>): (n: Node) => OpClass {
  const cache = new Map<number, OpClass>();
  return (n) => {
    let cls = cache.get(n.id);
    if (cls !== undefined) return cls;
    cls = classifyNode(g, n);
    const out = n.outputs[0];
    if (cls.kind === 'view' && out !== undefined) {
      const a = matrixView(g.tensors[cls.src]!.shape, featureMaps.has(cls.src));
      const b = matrixView(g.tensors[out]!.shape, featureMaps.has(out));
      if (a.rows !== b.rows || a.cols !== b.cols) cls = { kind: 'data', inputs: [cls.src] };
    }
    cache.set(n.id, cls);
    return cls;
  };
}

/** Groups the graph's nodes into device ops, fusing element-wise followers into producers. */
export function groupNodes(g: Graph, opts: { readonly tileAliases?: boolean } = {}): Grouping {
  const featureMaps = findFeatureMaps(g);
  const classify = deviceClassifier(g, featureMaps);
  const root = resolveViews(g, classify);
  // The pipeline lowers ops by rows of micro-batches, which an alias's tile map scrambles: it keeps them as data ops.
  const { aliases, dropped } = opts.tileAliases === false ? { aliases: new Map<TensorId, TileAlias>(), dropped: new Set<NodeId>() } : findTileAliases(g, classify, root, featureMaps);
  const consumers = countConsumers(g, root, classify);
  const groups: MutableGroup[] = [];
  const groupOfOutput = new Map<TensorId, MutableGroup>();
  const regions = closedRegions(g, root, classify);
  for (const n of g.nodes) {
    const cls = classify(n);
    if (cls.kind === 'view' || dropped.has(n.id)) continue;
    const outs = n.outputs.filter((o) => !g.tensors[o]?.isConstant);
    if (outs.length === 0) continue;
    const consts = n.inputs.filter((i): i is TensorId => i !== undefined && g.tensors[i]?.isConstant === true);
    const out = outs[0]!;
    const region = regions.get(n.id);
    // The region's group is the one whose output it starts from (found at its first node).
    if (region !== undefined) region.host ??= groupOfOutput.get(region.from);
    if (region?.host !== undefined && cls.kind === 'eltwise') {
      // Inside a closed region every input is a constant or a value the group computed.
      appendFollower(region.host, n, cls.work, consts, out, groupOfOutput);
      continue;
    }
    const host = cls.kind === 'eltwise' && outs.length === 1 ? fusionHost(g, n, cls.inputs, root, consumers, groupOfOutput) : undefined;
    if (host !== undefined && cls.kind === 'eltwise') {
      for (const i of cls.inputs) if ((root[i] ?? i) !== host.output) host.extraInputs.push(root[i] ?? i);
      appendFollower(host, n, cls.work, consts, out, groupOfOutput);
      continue;
    }
    // A node with several outputs (Split, TopK) becomes one op per output, each computing its own.
    for (const o of outs) {
      const grp: MutableGroup = { index: groups.length, anchor: n, outputIndex: n.outputs.indexOf(o), cls, nodes: [n], extraInputs: [], constInputs: consts, eltwise: 0, sfpu: [], output: o };
      groups.push(grp);
      groupOfOutput.set(o, grp);
    }
    void out;
  }
  for (const m of groups) {
    packerRelu(g, m);
    dstPreload(g, m, root);
  }
  return {
    rootOf: root,
    aliases,
    groups: groups.map((m, index) => ({
      index,
      anchor: m.anchor,
      outputIndex: m.outputIndex,
      cls: m.cls,
      nodes: m.nodes,
      extraInputs: m.extraInputs,
      constInputs: m.constInputs,
      fusedWork: { eltwise: m.eltwise, sfpu: m.sfpu },
      output: m.output,
    })),
  };
}

/** Appends element-wise node `n` to `host`'s followers: its work, its constants, and its output as the group's. */
function appendFollower(host: MutableGroup, n: Node, work: TileWork, consts: readonly TensorId[], out: TensorId, groupOfOutput: Map<TensorId, MutableGroup>): void {
  host.nodes.push(n);
  host.constInputs.push(...consts);
  host.eltwise += work.eltwise;
  host.sfpu.push(...work.sfpu);
  groupOfOutput.delete(host.output);
  host.output = out;
  groupOfOutput.set(out, host);
}

/**
 * A Relu, or a Clip to [0, t], that ends a fused chain costs nothing: the packer clamps as it
 * writes the output tiles (tt-metal's PACK_RELU define in its matmul and binary element-wise
 * kernels, llk_pack_relu_config; tt-isa-documentation WormholeB0 Packers/ReLU.md: ZERO_RELU
 * clamps negatives to 0, MAX_THRESHOLD_RELU clamps to [0, threshold], so ReLU6 is one). An
 * activation inside the chain, or any other, still runs on the SFPU.
 */
function packerRelu(g: Graph, m: MutableGroup): void {
  const last = m.nodes[m.nodes.length - 1]!;
  if (m.nodes.length < 2 || !(last.op === 'Relu' || (last.op === 'Clip' && isPackerClamp(g, last)))) return;
  const i = m.sfpu.length - 1;
  if (m.sfpu[i]?.fn === 'relu' && m.sfpu[i]!.passes === 1) m.sfpu.splice(i, 1);
}

/** A Clip the packer's ReLU stage can do: lower bound 0, upper bound positive (or none). */
function isPackerClamp(g: Graph, n: Node): boolean {
  const bound = (i: number, name: string): number | undefined => {
    const a = n.attrs[name];
    if (a !== undefined) return a.kind === 'float' ? a.value : a.kind === 'int' ? a.value : undefined;
    const t = n.inputs[i];
    if (t === undefined) return name === 'min' ? -Infinity : Infinity;
    const v = g.tensors[t]?.values;
    return g.tensors[t]?.isConstant === true && v !== undefined && v.length === 1 ? Number(v[0]) : undefined;
  };
  const lo = bound(1, 'min');
  const hi = bound(2, 'max');
  return lo === 0 && hi !== undefined && hi > 0;
}

/**
 * An Add right after a matmul or convolution costs a tile copy instead of an element-wise pass:
 * its other operand (a residual of the output's shape, or a constant bias row or scalar) is
 * copied into the destination registers first, and the tile products accumulate onto it (as
 * tt-metal's matmul reloads partial sums with copy_tile before the next K-block; ELWMUL/MVMUL
 * add into Dst, tt-isa-documentation WormholeB0 MatrixUnit). Priced as a tile copy
 * (core.sfpuCyclesPerTile.copy). One operand only: a second Add stays a pass.
 */
function dstPreload(g: Graph, m: MutableGroup, root: readonly TensorId[]): void {
  const add = m.nodes[1];
  if ((m.cls.kind !== 'matmul' && m.cls.kind !== 'conv') || add === undefined || add.op !== 'Add' || m.eltwise < 1) return;
  const made = root[m.anchor.outputs[m.outputIndex]!] ?? m.anchor.outputs[m.outputIndex]!;
  const ins = add.inputs.filter((i): i is TensorId => i !== undefined);
  if (ins.length !== 2) return;
  const k = ins.findIndex((i) => (root[i] ?? i) === made);
  if (k < 0 || (root[ins[1 - k]!] ?? ins[1 - k]!) === made) return;
  const other = g.tensors[ins[1 - k]!]!;
  const outShape = g.tensors[add.outputs[0]!]!.shape;
  const elems = numElements(outShape);
  const rowLength = outShape[outShape.length - 1] ?? 1;
  const n = numElements(other.shape);
  const fits = n === elems || (other.isConstant && (n === 1 || (n === rowLength && other.shape.every((d, i) => d === 1 || i === other.shape.length - 1))));
  if (!fits || numElements(g.tensors[made]!.shape) !== elems) return;
  m.eltwise -= 1;
  m.sfpu.push({ fn: 'copy', passes: 1 });
}

/** Nodes of one closed region (closedRegions): the tensor it starts from and, once known, its group. */
interface Region {
  readonly from: TensorId;
  host?: MutableGroup;
}

/** Most nodes a closed region may span (an assumption: GELU's erf form takes five, SiLU two). */
const MAX_REGION_NODES = 8;

/**
 * Element-wise regions that close on one tensor: a tensor read by several element-wise nodes
 * (GELU's x * 0.5 * (1 + erf(x / sqrt 2)), SiLU's x * sigmoid(x)) whose values all end, within a
 * few nodes, in one output that is the only value read outside. Such a region fuses whole into
 * the group that makes the tensor: no value inside it is needed elsewhere. Inputs from outside
 * must be constants. Returns the region of each of its nodes.
 */
function closedRegions(g: Graph, root: readonly TensorId[], classify: (n: Node) => OpClass): Map<NodeId, Region> {
  const readers = readersOf(g, root, classify);
  const out = new Map<NodeId, Region>();
  for (const p of g.nodes) {
    const t = p.outputs[0];
    if (t === undefined || p.outputs.length !== 1 || classify(p).kind === 'view' || (readers.get(t)?.length ?? 0) < 2 || g.outputs.includes(t)) continue;
    const elems = numElements(g.tensors[t]!.shape);
    const inside = new Set<TensorId>([t]);
    const nodes = new Set<NodeId>();
    for (let id = p.id + 1; id < g.nodes.length && nodes.size < MAX_REGION_NODES; id++) {
      const m = g.nodes[id]!;
      const ins = m.inputs.filter((i): i is TensorId => i !== undefined).map((i) => root[i] ?? i);
      if (!ins.some((i) => inside.has(i))) continue;
      const ok = classify(m).kind === 'eltwise' && m.outputs.length === 1 && numElements(g.tensors[m.outputs[0]!]!.shape) === elems
        && ins.every((i) => inside.has(i) || g.tensors[i]!.isConstant);
      if (!ok || out.has(m.id)) break;
      nodes.add(m.id);
      const last = root[m.outputs[0]!] ?? m.outputs[0]!;
      inside.add(last);
      const open = [...inside].filter((v) => g.outputs.includes(v) || (readers.get(v) ?? []).some((r) => !nodes.has(r.id)));
      if (open.length === 1 && open[0] === last) {
        const region: Region = { from: t };
        for (const n of nodes) out.set(n, region);
        break;
      }
    }
  }
  return out;
}

/** The group an element-wise node can fuse into: the single-consumer producer of one of its inputs. */
function fusionHost(
  g: Graph,
  n: Node,
  inputs: readonly TensorId[],
  root: readonly TensorId[],
  consumers: readonly number[],
  groupOfOutput: ReadonlyMap<TensorId, MutableGroup>,
): MutableGroup | undefined {
  const outElems = numElements(g.tensors[n.outputs[0]!]!.shape);
  // The host must come after the producers of every other input (they are lowered earlier), so
  // try the latest-created candidate first.
  const candidates: MutableGroup[] = [];
  for (const i of inputs) {
    const r = root[i] ?? i;
    const grp = groupOfOutput.get(r);
    if (grp === undefined || grp.output !== r || consumers[r] !== 1) continue;
    if (numElements(g.tensors[r]!.shape) !== outElems) continue;
    if (g.outputs.includes(r)) continue;
    candidates.push(grp);
  }
  candidates.sort((a, b) => b.index - a.index);
  for (const grp of candidates) {
    const others = inputs.filter((o) => (root[o] ?? o) !== grp.output).map((o) => groupOfOutput.get(root[o] ?? o));
    // Another input made by the same group (a second Split output) is not ready inside it.
    if (others.some((og) => og !== undefined && og.index >= grp.index)) continue;
    return grp;
  }
  return undefined;
}

/** Ids of the nodes in a group (for messages and the program's op table). */
export function groupNodeIds(grp: OpGroup): NodeId[] {
  return grp.nodes.map((n) => n.id);
}
