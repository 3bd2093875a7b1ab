// Data-movement ops with shape arithmetic: Transpose, Expand, Tile, Concat, Split.
import { numElements } from '../graph.js';
import {
  broadcastShapes,
  broadcastStrides,
  copyAlongAxis,
  forEachIndex,
  gatherStrided,
  stridesOf,
} from './broadcast.js';
import {
  constInts,
  constValues,
  fail,
  fmtShape,
  input,
  intAttr,
  intsAttr,
  normAxis,
  optionalConstInts,
} from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { allocValues } from './values.js';

function permOf(ctx: OpContext, rank: number): readonly number[] {
  const perm = intsAttr(ctx, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i))
    fail(ctx, `perm [${perm.join(', ')}] is not a permutation of rank ${rank}`);
  return perm;
}

const transpose: OpDef = {
  op: 'Transpose',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    return [{ dtype: x.dtype, shape: permOf(ctx, x.shape.length).map((p) => x.shape[p]!) }];
  },
  evaluate: (ctx, outs) => {
    const x = input(ctx, 0);
    const strides = stridesOf(x.shape);
    const o = outs[0]!;
    const srcStrides = permOf(ctx, x.shape.length).map((p) => strides[p]!);
    return [
      gatherStrided(
        allocValues(o.dtype, numElements(o.shape)),
        constValues(ctx, 0, 'data'),
        o.shape,
        srcStrides,
      ),
    ];
  },
};

const expand: OpDef = {
  op: 'Expand',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    const target = constInts(ctx, 1, 'shape');
    const shape = broadcastShapes([x.shape, target]);
    if (!shape) fail(ctx, `cannot expand ${fmtShape(x.shape)} to ${fmtShape(target)}`);
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (ctx, outs) => {
    const o = outs[0]!;
    const strides = broadcastStrides(input(ctx, 0).shape, o.shape);
    return [
      gatherStrided(
        allocValues(o.dtype, numElements(o.shape)),
        constValues(ctx, 0, 'input'),
        o.shape,
        strides,
      ),
    ];
  },
};

/** Repeats per dim; Tile-1 instead took scalar inputs `tiles` and `axis` (one dim repeated). */
function tileRepeats(ctx: OpContext): number[] {
  const rank = input(ctx, 0).shape.length;
  if (ctx.opset >= 6) return constInts(ctx, 1, 'repeats');
  const reps = new Array<number>(rank).fill(1);
  reps[normAxis(ctx, constInts(ctx, 2, 'axis')[0]!, rank)] = constInts(ctx, 1, 'tiles')[0]!;
  return reps;
}

const tile: OpDef = {
  op: 'Tile',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    const reps = tileRepeats(ctx);
    if (reps.length !== x.shape.length)
      fail(ctx, `repeats has ${reps.length} values for rank ${x.shape.length}`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * reps[i]!) }];
  },
  evaluate: (ctx, outs) => {
    const x = input(ctx, 0);
    const src = constValues(ctx, 0, 'input') as ArrayLike<number>;
    const strides = stridesOf(x.shape);
    const o = outs[0]!;
    const out = allocValues(o.dtype, numElements(o.shape));
    forEachIndex(o.shape, (idx, flat) => {
      let pos = 0;
      for (let d = 0; d < idx.length; d++) pos += (idx[d]! % x.shape[d]!) * strides[d]!;
      out[flat] = src[pos]!;
    });
    return [out];
  },
};

/** Concat's axis; Concat-1 made it optional with default 1. */
function concatAxis(ctx: OpContext): number {
  return normAxis(ctx, intAttr(ctx, 'axis', ctx.opset < 4 ? 1 : 0), input(ctx, 0).shape.length);
}

const concat: OpDef = {
  op: 'Concat',
  domain: '',
  infer: (ctx) => {
    const first = input(ctx, 0);
    const axis = concatAxis(ctx);
    const shape = [...first.shape];
    shape[axis] = 0;
    ctx.inputs.forEach((_, i) => {
      const s = input(ctx, i).shape;
      const isSame =
        s.length === shape.length && s.every((d, k) => k === axis || d === first.shape[k]);
      if (!isSame)
        fail(
          ctx,
          `input ${i} ${fmtShape(s)} does not match ${fmtShape(first.shape)} outside axis ${axis}`,
        );
      shape[axis]! += s[axis]!;
    });
    return [{ dtype: first.dtype, shape }];
  },
  evaluate: (ctx, outs) => {
    const o = outs[0]!;
    const axis = concatAxis(ctx);
    const out = allocValues(o.dtype, numElements(o.shape));
    let offset = 0;
    ctx.inputs.forEach((_, i) => {
      const s = input(ctx, i).shape;
      copyAlongAxis(out, o.shape, constValues(ctx, i, `input ${i}`), s, axis, offset);
      offset += s[axis]!;
    });
    return [out];
  },
};

/** Split sizes from the attribute (< 13), input (>= 13), num_outputs (>= 18) or an even split. */
function splitSizes(ctx: OpContext, dim: number): number[] {
  const isInputForm = ctx.opset >= 13 || (ctx.opset < 2 && ctx.inputs[1] !== undefined); // Split-1 too
  const given = isInputForm ? optionalConstInts(ctx, 1, 'split') : intsAttr(ctx, 'split');
  if (given) {
    if (given.reduce((a, b) => a + b, 0) !== dim)
      fail(ctx, `split [${given.join(', ')}] does not sum to ${dim}`);
    return [...given];
  }
  const parts = intAttr(ctx, 'num_outputs', ctx.outputCount);
  const chunk = Math.ceil(dim / parts);
  if (ctx.opset < 18 && dim % parts !== 0)
    fail(ctx, `cannot split ${dim} evenly into ${parts} outputs`);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

const split: OpDef = {
  op: 'Split',
  domain: '',
  infer: (ctx) => {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
    return splitSizes(ctx, x.shape[axis]!).map((size) => ({
      dtype: x.dtype,
      shape: x.shape.map((d, i) => (i === axis ? size : d)),
    }));
  },
  evaluate: (ctx, outs) => {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, intAttr(ctx, 'axis', 0), x.shape.length);
    const src = constValues(ctx, 0, 'input');
    let offset = 0;
    return outs.map((o) => {
      const strides = stridesOf(x.shape);
      const out = gatherStrided(
        allocValues(o.dtype, numElements(o.shape)),
        src,
        o.shape,
        strides,
        offset * strides[axis]!,
      );
      offset += o.shape[axis]!;
      return out;
    });
  },
};

/** Layout ops. */
export const LAYOUT_OPS: readonly OpDef[] = [transpose, expand, tile, concat, split];
