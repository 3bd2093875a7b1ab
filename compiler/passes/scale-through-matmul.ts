// Moves a scalar scale from a MatMul's input to its output: Y = X / s (or X * s) read only by
// Z = MatMul(Y, B) becomes Z' = MatMul(X, B), Z = Z' / s. The product is linear in each operand, so
// the result is the same up to rounding (exact when s is a power of two, as attention's 1/sqrt(64)
// is). What it buys: the scale stops being an op of its own, whose whole input crosses the NoC to
// be multiplied and crosses again to the MatMul, and fuses into the MatMul's output tiles like any
// element-wise follower (lower/group.ts). Transformer exports scale the queries this way before
// Q·Kᵀ (BERT, ViT, GPT-2); onnxruntime's MatMulScaleFusion folds the same pattern into FusedMatMul.
//
// Conditions: a float MatMul; the scale node is a Mul (either operand) or a Div (divisor) by a
// one-element constant; its other operand has the scale's output shape (no broadcast widens it);
// the MatMul is its only reader and it is no graph output.

import type { DType } from '../graph.js';
import { producersOf, readersOf, scalarConstant, type WorkGraph, type WorkNode, type WorkTensor } from './work-graph.js';

const FLOAT: ReadonlySet<DType> = new Set<DType>(['float32', 'float16', 'bfloat16', 'float64']);

/** The graph with every scalar scale of a MatMul input moved to its output. */
export function scaleThroughMatmul(work: WorkGraph): WorkGraph {
  const readers = readersOf(work);
  const producer = producersOf(work);
  const outputs = new Set(work.outputs);
  const plans = new Map<WorkNode, { scale: WorkNode; operand: number; source: string }>();
  const moved = new Set<WorkNode>();
  for (const n of work.nodes) {
    const scaled = n.op === 'MatMul' && n.domain === '' ? scaledInput(work, n, producer, readers, outputs, moved) : undefined;
    if (scaled === undefined) continue;
    plans.set(n, scaled);
    moved.add(scaled.scale);
  }
  if (plans.size === 0) return work;
  const tensors = new Map(work.tensors);
  const nodes: WorkNode[] = [];
  for (const n of work.nodes) {
    if (moved.has(n)) continue;
    const plan = plans.get(n);
    if (plan === undefined) {
      nodes.push(n);
      continue;
    }
    const { scale, operand, source } = plan;
    const z = n.outputs[0]!;
    const unscaled = uniqueName(tensors, `${z}::unscaled`);
    tensors.set(unscaled, { ...(tensors.get(z) as WorkTensor), name: unscaled });
    nodes.push({ ...n, inputs: n.inputs.map((i, k) => (k === operand ? source : i)), outputs: [unscaled] });
    nodes.push({ ...scale, inputs: scale.inputs.map((i) => (i === source ? unscaled : i)), outputs: [z] });
  }
  // A moved scale node was dropped where it stood and re-emitted after its MatMul; its old output
  // (the MatMul's former input) has no producer or reader now.
  for (const s of moved) tensors.delete(s.outputs[0]!);
  return { ...work, tensors, nodes };
}

/** The scale node feeding one of `mm`'s operands, the operand's position, and the scale's other input. */
function scaledInput(
  work: WorkGraph, mm: WorkNode, producer: ReadonlyMap<string, WorkNode>, readers: ReadonlyMap<string, readonly WorkNode[]>,
  outputs: ReadonlySet<string>, moved: ReadonlySet<WorkNode>,
): { scale: WorkNode; operand: number; source: string } | undefined {
  const z = work.tensors.get(mm.outputs[0]!);
  if (z === undefined || !FLOAT.has(z.dtype)) return undefined;
  for (let operand = 0; operand < 2; operand++) {
    const y = mm.inputs[operand];
    if (y === undefined || outputs.has(y) || readers.get(y)?.length !== 1) continue;
    const scale = producer.get(y);
    if (scale === undefined || moved.has(scale) || scale.domain !== '' || scale.outputs.length !== 1) continue;
    const source = scalarSource(work, scale);
    if (source === undefined) continue;
    const yt = work.tensors.get(y);
    const xt = work.tensors.get(source);
    if (yt === undefined || xt === undefined || !sameShape(xt.shape, yt.shape) || xt.dtype !== yt.dtype) continue;
    return { scale, operand, source };
  }
  return undefined;
}

/** For X * s, s * X or X / s with s a one-element constant: X (an activation). */
function scalarSource(work: WorkGraph, n: WorkNode): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  const [a, b] = n.inputs;
  if (a === undefined || b === undefined) return undefined;
  const isScalar = (t: string) => scalarConstant(work, t) !== undefined;
  const isActivation = (t: string) => work.tensors.get(t)?.values === undefined;
  if (n.op === 'Div') return isScalar(b) && isActivation(a) ? a : undefined;
  if (n.op === 'Mul') return isScalar(b) && isActivation(a) ? a : isScalar(a) && isActivation(b) ? b : undefined;
  return undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function uniqueName(tensors: ReadonlyMap<string, unknown>, base: string): string {
  let name = base;
  for (let k = 1; tensors.has(name); k++) name = `${base}${k}`;
  return name;
}
