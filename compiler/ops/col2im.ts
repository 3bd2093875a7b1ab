// Col2Im (opset 18): the inverse of im2col. Each column of [N, C·∏block, L] is one block
// position; its entries are added back into the image at the positions the block covers.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intsAttr } from './context.js';
import { numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

interface Geometry {
  readonly image: readonly number[];
  readonly block: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  /** Block positions per spatial dim. */
  readonly positions: readonly number[];
}

function geometry(ctx: OpContext): Geometry {
  const image = Array.from(numbersOf(ctx, 1));
  const block = Array.from(numbersOf(ctx, 2));
  const rank = image.length;
  const ones = image.map(() => 1);
  const strides = intsAttr(ctx, 'strides') ?? ones;
  const dilations = intsAttr(ctx, 'dilations') ?? ones;
  const pads = intsAttr(ctx, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const positions = image.map(
    (d, i) =>
      Math.floor(
        (d + pads[i]! + pads[i + rank]! - dilations[i]! * (block[i]! - 1) - 1) / strides[i]!,
      ) + 1,
  );
  return { image, block, strides, dilations, padsBegin: pads.slice(0, rank), positions };
}

function inferCol2Im(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const g = geometry(ctx);
  const perBlock = numElements(g.block);
  if (
    x.shape.length !== 3 ||
    x.shape[1]! % perBlock !== 0 ||
    x.shape[2] !== numElements(g.positions)
  )
    fail(
      ctx,
      `input ${fmtShape(x.shape)} does not match blocks ${fmtShape(g.block)} over image ${fmtShape(g.image)}`,
    );
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]! / perBlock, ...g.image] }];
}

/** Row-major multi-index of `flat` within `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return out;
}

function evaluateCol2Im(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const [n, rows, cols] = input(ctx, 0).shape as [number, number, number];
  const g = geometry(ctx);
  const x = numbersOf(ctx, 0);
  const perBlock = numElements(g.block);
  const plane = numElements(g.image);
  const y = new Float64Array(numElements(outs[0]!.shape));
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(r / perBlock);
    const tap = unravel(r % perBlock, g.block);
    for (let l = 0; l < cols; l++) {
      const at = unravel(l, g.positions);
      let pos = 0;
      let isInside = true;
      for (let d = 0; d < g.image.length; d++) {
        const p = at[d]! * g.strides[d]! - g.padsBegin[d]! + tap[d]! * g.dilations[d]!;
        if (p < 0 || p >= g.image[d]!) isInside = false;
        pos = pos * g.image[d]! + p;
      }
      if (!isInside) continue;
      for (let b = 0; b < n; b++)
        y[(b * (rows / perBlock) + c) * plane + pos]! += x[(b * rows + r) * cols + l]!;
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** Col2Im. */
export const COL2IM_OPS: readonly OpDef[] = [
  { op: 'Col2Im', domain: '', infer: inferCol2Im, evaluate: evaluateCol2Im },
];
