// Merges MatMuls that read the same activation with constant weights into one (horizontal
// fusion): Y_i = X · W_i (+ b_i) for i = 1..n becomes Y = X · [W_1 ... W_n] (+ [b_1 ... b_n])
// followed by a Slice per Y_i along the last axis. transformers' BERT and ViT exports compute the
// query, key and value projections as three such MatMuls where torch's nn.MultiheadAttention uses
// one in_proj weight; onnxruntime's attention fusion merges them the same way.
//
// What it buys on the device: one op instead of n, so the activation is gathered into the cores
// once instead of n times and the n ops' per-op latency is paid once; the column Slices start on
// tile boundaries (every N_i is a multiple of the tile width), so the lowering reads them as
// views of the merged output's tiles (lower/tile-alias.ts), with no copy. The values are the same:
// each output element is the same dot product.
//
// Conditions: float32 MatMuls (domain '') whose first input is the same non-constant tensor, within
// MAX_SPAN nodes of each other, and whose second input is a 2D float32 constant [K, N_i] with N_i a
// multiple of 32; a bias is an Add of a float32 constant [N_i] that is the MatMul output's only
// reader (when some have one, the others get zeros). Outputs that are graph outputs keep their
// names through the Slices.

import { applyRewrite, patternView, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

/** Tile width: merged weights split only on tile boundaries, so the Slices are free views. */
const TILE = 32;
/**
 * Most nodes (in topological order) between the first and the last MatMul of a merged set. An
 * assumption: a layer's query, key and value projections sit within a few nodes of each other
 * (transformers' BERT: 4 apart), a later layer's are dozens of nodes on.
 */
const MAX_SPAN = 16;

interface Member {
  readonly matmul: WorkNode;
  readonly weight: WorkTensor;
  readonly bias: { readonly add: WorkNode; readonly values: WorkTensor } | undefined;
  /** The tensor the rest of the graph reads: the Add's output, or the MatMul's. */
  readonly result: string;
}

/** The graph with each set of MatMuls sharing an input and constant weights merged into one. */
export function fuseSharedMatmuls(work: WorkGraph): WorkGraph {
  const { soleReader, plain, otherOperand } = patternView(work);
  const constant = (t: string | undefined): WorkTensor | undefined => {
    const c = t === undefined ? undefined : work.tensors.get(t);
    return c?.values !== undefined ? c : undefined;
  };
  const bySource = new Map<string, Member[]>();
  for (const n of work.nodes) {
    if (n.op !== 'MatMul' || n.domain !== '' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs;
    if (a === undefined || constant(a) !== undefined) continue;
    const at = work.tensors.get(a);
    const w = constant(b);
    if (at === undefined || at.dtype !== 'float32' || at.shape.length < 2 || w === undefined || w.dtype !== 'float32' || w.shape.length !== 2) continue;
    const [k, cols] = w.shape as [number, number];
    if (k !== at.shape[at.shape.length - 1] || cols % TILE !== 0 || cols === 0) continue;
    const y = n.outputs[0]!;
    const add = soleReader(y);
    let bias: Member['bias'];
    if (plain(add, 'Add', 2)) {
      const c = constant(otherOperand(add, y));
      if (c !== undefined && c.dtype === 'float32' && c.shape.length === 1 && c.shape[0] === cols) bias = { add, values: c };
    }
    const list = bySource.get(a) ?? [];
    list.push({ matmul: n, weight: w, bias, result: bias !== undefined ? bias.add.outputs[0]! : y });
    bySource.set(a, list);
  }

  // Only MatMuls near each other in the graph merge: a projection read much later (a decoder's
  // cross-attention keys in every layer, all from the encoder's output) would be computed early
  // and held meanwhile. Sets are runs of members within MAX_SPAN nodes of the run's first.
  const position = new Map(work.nodes.map((n, k) => [n, k]));
  const sets: [string, Member[]][] = [];
  for (const [a, members] of bySource) {
    let run: Member[] = [];
    for (const m of members) {
      if (run.length > 0 && position.get(m.matmul)! - position.get(run[0]!.matmul)! > MAX_SPAN) {
        sets.push([a, run]);
        run = [];
      }
      run.push(m);
    }
    sets.push([a, run]);
  }

  const replaced = new Map<WorkNode, WorkNode[]>(); // first MatMul of a set -> the merged nodes
  const dropped = new Set<WorkNode>();
  const added = new Map<string, WorkTensor>();
  const deadTensors: string[] = [];
  for (const [a, members] of sets) {
    // Members share K (the same activation's last axis); a set needs two or more.
    if (members.length < 2) continue;
    const at = work.tensors.get(a)!;
    const k = members[0]!.weight.shape[0]!;
    const widths = members.map((m) => m.weight.shape[1]!);
    // Each member's first column in the merged weight, and the merged width.
    const col0s = widths.map((_, i) => widths.slice(0, i).reduce((s, x) => s + x, 0));
    const total = col0s[members.length - 1]! + widths[members.length - 1]!;
    const name = `${members[0]!.matmul.name}/merged`;
    // [K, total]: row r is the members' row r side by side.
    const w = new Float32Array(k * total);
    members.forEach((m, i) => {
      const src = m.weight.values as ArrayLike<number>;
      for (let r = 0; r < k; r++) for (let c = 0; c < widths[i]!; c++) w[r * total + col0s[i]! + c] = Number(src[r * widths[i]! + c]);
    });
    const lead = at.shape.slice(0, -1);
    const merged: WorkNode[] = [];
    added.set(`${name}/weight`, { name: `${name}/weight`, dtype: 'float32', shape: [k, total], values: w, isInitializer: true });
    added.set(`${name}/product`, { name: `${name}/product`, dtype: 'float32', shape: [...lead, total], isInitializer: false });
    merged.push({ name, op: 'MatMul', domain: '', opset: members[0]!.matmul.opset, attrs: {}, inputs: [a, `${name}/weight`], outputs: [`${name}/product`] });
    let full = `${name}/product`;
    if (members.some((m) => m.bias !== undefined)) {
      const b = new Float32Array(total);
      members.forEach((m, i) => {
        const src = m.bias?.values.values as ArrayLike<number> | undefined;
        if (src !== undefined) for (let c = 0; c < widths[i]!; c++) b[col0s[i]! + c] = Number(src[c]);
      });
      added.set(`${name}/bias`, { name: `${name}/bias`, dtype: 'float32', shape: [total], values: b, isInitializer: true });
      added.set(`${name}/sum`, { name: `${name}/sum`, dtype: 'float32', shape: [...lead, total], isInitializer: false });
      merged.push({ name: `${name}/Add`, op: 'Add', domain: '', opset: members[0]!.matmul.opset, attrs: {}, inputs: [full, `${name}/bias`], outputs: [`${name}/sum`] });
      full = `${name}/sum`;
    }
    const int64 = (t: string, v: number): string => {
      added.set(t, { name: t, dtype: 'int64', shape: [1], values: Float64Array.from([v]), isInitializer: true });
      return t;
    };
    const axis = int64(`${name}/axis`, -1);
    members.forEach((m, i) => {
      const starts = int64(`${name}/start${i}`, col0s[i]!);
      const ends = int64(`${name}/end${i}`, col0s[i]! + widths[i]!);
      merged.push({ name: `${name}/Slice${i}`, op: 'Slice', domain: '', opset: Math.max(10, members[0]!.matmul.opset), attrs: {}, inputs: [full, starts, ends, axis], outputs: [m.result] });
      dropped.add(m.matmul);
      if (m.bias !== undefined) {
        dropped.add(m.bias.add);
        deadTensors.push(m.matmul.outputs[0]!);
      }
    });
    replaced.set(members[0]!.matmul, merged);
  }
  return applyRewrite(work, { replaced, dropped, deadTensors, added });
}
