// Tile aliases: data-movement nodes (Slice, Reshape, Transpose, ...) whose output, traced element
// by element back through a chain of such nodes, is whole tiles of an earlier tensor under new tile
// coordinates. Splitting BERT's fused QKV projection into heads (Slice -> Reshape -> Transpose:
// [128, 2304] -> [12, 128, 64]) is one: head h's tile (s, d) is the projection's tile (s, 2h + d).
// Such an output is never copied: its readers fetch the source's tiles where they are. An output
// whose tiles are the source's tiles transposed (the keys in Q.K^T) is an alias only for matmuls
// that read it as their second operand, whose unpacker transposes tiles as it reads them
// (tt-metal's in1_transpose_tile). Chain nodes whose outputs nobody else reads are dropped.

import type { Graph, Node, NodeId, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import { positionOf, TILE } from '../tensor-layout.js';
import type { OpClass } from './classify.js';
import { traceSource } from './footprint.js';
import { matrixView } from './views.js';

export interface TileAlias {
  /** The root tensor holding the data (an op's output). */
  readonly source: TensorId;
  /** Per tile of the alias (row-major over its matrix view): the source tile, row * source tileCols + col. */
  readonly tiles: Int32Array;
  /** Each tile is its source tile transposed. */
  readonly transposed: boolean;
}

/** Nodes that only select and reorder elements (traced; their steering inputs must be constants). */
const REORDERING = new Set(['Transpose', 'Slice', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/** Most elements traced per node (the trace is an Int32Array of the output's size). */
const MAX_TRACED_ELEMENTS = 1 << 24;

interface Trace {
  readonly source: TensorId;
  /** Source element (flat) of each output element. */
  readonly map: Int32Array;
  /** What the map depends on (the chain's nodes, attributes and shapes): repeated layers share maps. */
  readonly key: string;
}

/** Per call of findTileAliases: element maps and tile maps by trace key (a transformer's layers repeat them). */
interface Caches {
  readonly maps: Map<string, Int32Array | undefined>;
  readonly tiles: Map<string, Int32Array | undefined>;
}

/**
 * Finds every tile alias of graph `g` and the nodes lowering can drop (alias outputs, and chain
 * intermediates only other dropped nodes read).
 */
export function findTileAliases(
  g: Graph, classify: (n: Node) => OpClass, root: readonly TensorId[], featureMaps: ReadonlySet<TensorId>,
): { aliases: Map<TensorId, TileAlias>; dropped: Set<NodeId> } {
  const readers = readersOf(g, root, classify);
  const caches: Caches = { maps: new Map(), tiles: new Map() };
  const traces = new Map<TensorId, Trace>();
  const traced: Node[] = [];
  for (const n of g.nodes) {
    const t = traceOf(g, n, classify(n), root, traces, caches);
    if (t === undefined) continue;
    traces.set(n.outputs[0]!, t);
    traced.push(n);
  }
  // A graph output (or a view of one) must be written where the host reads it: never an alias.
  const outputs = new Set(g.outputs.map((o) => root[o] ?? o));
  const aliases = new Map<TensorId, TileAlias>();
  for (const n of traced) {
    const out = n.outputs[0]!;
    if (outputs.has(out)) continue;
    const t = traces.get(out)!;
    const fm = (x: TensorId) => featureMaps.has(x);
    const cachedTileMap = (transposed: boolean) => {
      const key = `${t.key}|${fm(out)}|${fm(t.source)}|${transposed}`;
      if (!caches.tiles.has(key)) caches.tiles.set(key, tileMap(g, out, fm(out), t, fm(t.source), transposed));
      return caches.tiles.get(key);
    };
    const plain = cachedTileMap(false);
    if (plain !== undefined) {
      aliases.set(out, { source: t.source, tiles: plain, transposed: false });
      continue;
    }
    const onlyMatmulB = (readers.get(out) ?? []).every((r) => r.op === 'MatMul' && (root[r.inputs[1]!] ?? r.inputs[1]) === out && (root[r.inputs[0]!] ?? r.inputs[0]) !== out);
    const swapped = onlyMatmulB ? cachedTileMap(true) : undefined;
    if (swapped !== undefined) aliases.set(out, { source: t.source, tiles: swapped, transposed: true });
  }
  // A traced node is kept when its output is no alias and a reader needs it: a graph output, any
  // other kind of node, or a kept traced node (which reads it as a tensor). Readers come later.
  const dropped = new Set<NodeId>();
  const tracedIds = new Set(traced.map((n) => n.id));
  for (let k = traced.length - 1; k >= 0; k--) {
    const n = traced[k]!;
    const out = n.outputs[0]!;
    const needed = !aliases.has(out) && (outputs.has(out) || (readers.get(out) ?? []).some((r) => !tracedIds.has(r.id) || !dropped.has(r.id)));
    if (!needed) dropped.add(n.id);
  }
  return { aliases, dropped };
}

/** The non-view nodes reading each root tensor, in graph order. */
export function readersOf(g: Graph, root: readonly TensorId[], classify: (n: Node) => OpClass): Map<TensorId, Node[]> {
  const readers = new Map<TensorId, Node[]>();
  for (const n of g.nodes) {
    if (classify(n).kind === 'view') continue;
    for (const i of n.inputs) {
      if (i === undefined) continue;
      const list = readers.get(root[i] ?? i);
      if (list === undefined) readers.set(root[i] ?? i, [n]);
      else list.push(n);
    }
  }
  return readers;
}

/** The element trace of a reordering node's output back to a materialised tensor, if it has one. */
function traceOf(g: Graph, n: Node, cls: OpClass, root: readonly TensorId[], traces: ReadonlyMap<TensorId, Trace>, caches: Caches): Trace | undefined {
  if (cls.kind !== 'data' || !REORDERING.has(n.op) || n.outputs.length !== 1 || cls.inputs.length !== 1) return undefined;
  const x = cls.inputs[0]!;
  if (!n.inputs.every((i) => i === undefined || i === x || g.tensors[i]!.isConstant)) return undefined;
  const count = numElements(g.tensors[n.outputs[0]!]!.shape);
  if (count > MAX_TRACED_ELEMENTS) return undefined;
  const rx = root[x] ?? x;
  const prev = traces.get(rx);
  const src = g.tensors[prev?.source ?? rx]!;
  // The source must be an op's output (graph inputs and constants are laid out by the host).
  if (src.isConstant || src.producer === undefined) return undefined;
  const source = prev?.source ?? rx;
  const key = `${prev?.key ?? JSON.stringify(src.shape)}|${nodeKey(g, n, x)}`;
  if (!caches.maps.has(key)) caches.maps.set(key, composedMap(g, n, x, count, prev?.map));
  const map = caches.maps.get(key);
  return map === undefined ? undefined : { source, map, key };
}

/** The node's element map (output element -> input element) composed with the input's own trace. */
function composedMap(g: Graph, n: Node, x: TensorId, count: number, prev: Int32Array | undefined): Int32Array | undefined {
  const f = traceSource(g, n, x);
  if (f === undefined) return undefined;
  const map = new Int32Array(count);
  for (let e = 0; e < count; e++) {
    const s = f(e);
    if (s < 0) return undefined;
    map[e] = prev === undefined ? s : prev[s]!;
  }
  return map;
}

/** What a node's element map depends on: its op, attributes, and its inputs' shapes and constant values. */
function nodeKey(g: Graph, n: Node, x: TensorId): string {
  const inputs = n.inputs.map((i) => {
    if (i === undefined) return null;
    const t = g.tensors[i]!;
    return i === x ? t.shape : [t.shape, t.values === undefined ? null : Array.from(t.values as ArrayLike<number | bigint>, String)];
  });
  return JSON.stringify([n.op, n.opset, n.attrs, inputs, g.tensors[n.outputs[0]!]!.shape]);
}

/**
 * Per tile of `out`, the tile of the trace's source holding exactly its elements at the same
 * places (or transposed); undefined unless every tile is one whole source tile.
 */
function tileMap(g: Graph, out: TensorId, outFm: boolean, t: Trace, srcFm: boolean, transposed: boolean): Int32Array | undefined {
  const oShape = g.tensors[out]!.shape;
  const sShape = g.tensors[t.source]!.shape;
  const ov = matrixView(oShape, outFm);
  const sv = matrixView(sShape, srcFm);
  const oPos = positionOf(outFm && oShape.length === 4 ? 'feature-map' : 'rows', oShape);
  const sPos = positionOf(srcFm && sShape.length === 4 ? 'feature-map' : 'rows', sShape);
  const tiles = new Int32Array(ov.tileRows * ov.tileCols).fill(-1);
  const counts = new Int32Array(tiles.length);
  const p = new Int32Array(2);
  const q = new Int32Array(2);
  for (let e = 0; e < t.map.length; e++) {
    oPos(e, p);
    sPos(t.map[e]!, q);
    const i = p[0]! % TILE, j = p[1]! % TILE;
    const r0 = transposed ? q[0]! - j : q[0]! - i;
    const c0 = transposed ? q[1]! - i : q[1]! - j;
    if (r0 % TILE !== 0 || c0 % TILE !== 0) return undefined;
    const k = Math.floor(p[0]! / TILE) * ov.tileCols + Math.floor(p[1]! / TILE);
    const s = (r0 / TILE) * sv.tileCols + c0 / TILE;
    if (tiles[k] === -1) tiles[k] = s;
    else if (tiles[k] !== s) return undefined;
    counts[k]!++;
  }
  // Every source tile's real elements are all there: its padding is the alias tile's padding.
  for (let k = 0; k < tiles.length; k++) {
    const s = tiles[k]!;
    if (s < 0) return undefined;
    const sr = Math.floor(s / sv.tileCols), sc = s % sv.tileCols;
    if (counts[k] !== Math.min(TILE, sv.rows - sr * TILE) * Math.min(TILE, sv.cols - sc * TILE)) return undefined;
  }
  return tiles;
}
