// One block of a row-distributed op on one core, with real data: the anchor's reference kernel
// runs on the inputs as the core holds them (elements whose tiles never arrived are NaN, so a
// block that needed them comes out NaN and the check fails), then the fused followers, rounding
// and the output tiles. Row-local ops (batched matmul, last-axis softmax and layer norm) run on
// the block's rows only.

import { SpatialcError } from '../../arch/errors.js';
import type { DType, Node, TensorValues } from '../../compiler/graph.js';
import { numElements } from '../../compiler/graph.js';
import { findOp } from '../../compiler/ops/registry.js';
import { graphNodeContext } from '../../compiler/ops/node-macs.js';
import { allocValues, isFloatDtype } from '../../compiler/ops/values.js';
import type { OpContext, TensorInfo } from '../../compiler/ops/op-def.js';
import type { ComputeTask } from '../../compiler/program.js';
import { opNodes, type FunctionalContext } from './context.js';
import { applyFollowers } from './followers.js';
import { tilesToTensor, type TileStore } from './tile-store.js';
import { blockElements, storeBlock } from './region.js';

const ROW_LOCAL = new Set(['Softmax', 'LogSoftmax', 'LayerNormalization']);

/** How much of the anchor to evaluate for a block: its rows only, its batch items only, or all. */
type EvalPlan =
  | { readonly kind: 'rows'; readonly rows: readonly [number, number]; readonly width: number }
  | { readonly kind: 'items'; readonly items: readonly [number, number]; readonly m: number; readonly k: number; readonly n: number }
  | { readonly kind: 'full' };

function planEvaluation(ctx: FunctionalContext, anchor: Node, rows: [number, number], outputIndex: number): EvalPlan {
  const shapeOf = (i: number) => (anchor.inputs[i] === undefined ? undefined : ctx.graph.tensors[anchor.inputs[i]!]!.shape);
  const outShape = ctx.graph.tensors[anchor.outputs[outputIndex]!]!.shape;
  const width = outShape.at(-1) ?? 1;
  const x = shapeOf(0);
  if (anchor.outputs.length > 1) return { kind: 'full' };
  const axisAttr = anchor.attrs['axis'];
  const axis = axisAttr !== undefined && axisAttr.kind === 'int' ? axisAttr.value : anchor.op === 'Softmax' && anchor.opset < 13 ? 1 : -1;
  const lastAxis = axis === -1 || axis === outShape.length - 1;
  if (ROW_LOCAL.has(anchor.op) && lastAxis && x !== undefined && numElements(x) === numElements(outShape)) return { kind: 'rows', rows, width };
  const b = shapeOf(1);
  if (anchor.op === 'MatMul' && x !== undefined && b !== undefined && outShape.length >= 3) {
    const batch = numElements(outShape.slice(0, -2));
    const isConst = anchor.inputs.slice(0, 2).some((i) => ctx.graph.tensors[i!]!.isConstant);
    if (!isConst && numElements(x.slice(0, -2)) === batch && numElements(b.slice(0, -2)) === batch) {
      const m = outShape.at(-2)!;
      const items: [number, number] = [Math.floor((rows[0] * width) / (m * width)), Math.ceil((rows[1] * width) / (m * width))];
      return { kind: 'items', items, m, k: x.at(-1)!, n: width };
    }
  }
  return { kind: 'full' };
}

/** The anchor's inputs as the core holds them (constants from the model). */
function gatherInputs(ctx: FunctionalContext, anchor: Node, store: TileStore): (TensorInfo | undefined)[] {
  return anchor.inputs.map((t) => {
    if (t === undefined) return undefined;
    const tensor = ctx.graph.tensors[t]!;
    if (tensor.isConstant) return tensor;
    const pt = ctx.programTensorOf(t);
    if (pt === undefined) throw new SpatialcError('E_SIM', `node "${anchor.name}": input "${tensor.name}" is in no program tensor`);
    // Integer inputs (indices) cannot be NaN: absent elements read as 0, and a block that needed
    // them still shows up as a wrong answer in the check.
    const isFloat = isFloatDtype(tensor.dtype);
    const f32 = tilesToTensor(pt, store, isFloat ? NaN : 0);
    const values = isFloat ? f32 : copyAs(tensor.dtype, f32);
    return { dtype: tensor.dtype, shape: tensor.shape, values };
  });
}

function copyAs(dtype: DType, src: Float32Array): TensorValues {
  const out = allocValues(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}

/** Evaluates the anchor as planned; returns values by output flat index. */
function evaluateAnchor(ctx: FunctionalContext, anchor: Node, inputs: (TensorInfo | undefined)[], plan: EvalPlan, outputIndex: number): (flat: number) => number {
  const def = findOp(anchor.domain, anchor.op);
  if (def?.evaluate === undefined) throw new SpatialcError('E_SIM', `node "${anchor.name}": op ${anchor.op} has no reference kernel`);
  const base: OpContext = { ...graphNodeContext(ctx.graph, anchor), inputs };
  const outT = ctx.graph.tensors[anchor.outputs[outputIndex]!]!;
  if (plan.kind === 'rows') {
    const [r0, r1] = plan.rows;
    const x = inputs[0]!;
    const sub = inputs.map((inp, i) => (i === 0 ? { ...x, shape: [r1 - r0, plan.width], values: (x.values as Float32Array).subarray(r0 * plan.width, r1 * plan.width) } : inp));
    const res = def.evaluate({ ...base, inputs: sub, attrs: { ...anchor.attrs, axis: { kind: 'int', value: -1 } } }, [{ ...outT, shape: [r1 - r0, plan.width] }])[0]!;
    return (f) => res[f - r0 * plan.width] as number;
  }
  if (plan.kind === 'items') {
    const { items: [i0, i1], m, k, n } = plan;
    const [a, b] = [inputs[0]!, inputs[1]!];
    const sub = [
      { ...a, shape: [i1 - i0, m, k], values: (a.values as Float32Array).subarray(i0 * m * k, i1 * m * k) },
      { ...b, shape: [i1 - i0, k, n], values: (b.values as Float32Array).subarray(i0 * k * n, i1 * k * n) },
    ];
    const res = def.evaluate({ ...base, inputs: sub }, [{ ...outT, shape: [i1 - i0, m, n] }])[0]!;
    return (f) => res[f - i0 * m * n] as number;
  }
  const res = def.evaluate(base, anchor.outputs.map((o) => ctx.graph.tensors[o]!))[outputIndex]!;
  return (f) => res[f] as number;
}

/** Executes one compute task of a row-distributed op on its core. */
export function runMapStep(ctx: FunctionalContext, task: ComputeTask): void {
  const region = task.region!;
  const nodes = opNodes(ctx, task.op);
  const anchor = nodes[0]!;
  const store = ctx.cores[task.core]!;
  const out = ctx.program.tensors[region.tensor]!;
  const block = blockElements(out, region);
  const { flats } = block;
  if (flats.length === 0) return;
  const outputIndex = ctx.program.ops[task.op]!.outputIndex;
  const width = ctx.graph.tensors[anchor.outputs[outputIndex]!]!.shape.at(-1) ?? 1;
  let lo = Infinity;
  let hi = -1;
  for (const f of flats) {
    if (f < lo) lo = f;
    if (f > hi) hi = f;
  }
  const rows: [number, number] = [Math.floor(lo / width), Math.floor(hi / width) + 1];
  const plan = planEvaluation(ctx, anchor, rows, outputIndex);
  const at = evaluateAnchor(ctx, anchor, gatherInputs(ctx, anchor, store), plan, outputIndex);
  const values = Float32Array.from(flats, (f) => at(f));
  const result = applyFollowers(ctx, nodes.slice(1), anchor.outputs[outputIndex]!, values, flats, store);
  const last = nodes.length > 1 ? nodes[nodes.length - 1]!.outputs[0]! : anchor.outputs[outputIndex]!;
  const isFloat = isFloatDtype(ctx.graph.tensors[last]!.dtype);
  storeBlock(store, out, region, block, result, isFloat ? ctx.model.store : (t) => t);
}
