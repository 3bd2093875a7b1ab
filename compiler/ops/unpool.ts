// MaxUnpool (opsets 9, 11): scatters pooled values back to the positions MaxPool's Indices name;
// everything else is zero.
import { numElements, type TensorValues } from '../graph.js';
import { fail, fmtShape, input, intsAttr } from './context.js';
import { numbersOf, optionalNumbersOf, scratchFor, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

/** output_shape when given, else the default shape. */
function inferMaxUnpool(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  const given = optionalNumbersOf(ctx, 2);
  return [{ dtype: x.dtype, shape: given ? Array.from(given) : defaultShape(ctx) }];
}

/** (in − 1)·stride + kernel − pads per spatial dim: the shape MaxPool's Indices refer to. */
function defaultShape(ctx: OpContext): number[] {
  const x = input(ctx, 0);
  const kernel = intsAttr(ctx, 'kernel_shape') ?? fail(ctx, 'attribute kernel_shape is required');
  const rank = kernel.length;
  const strides = intsAttr(ctx, 'strides') ?? kernel.map(() => 1);
  const pads = intsAttr(ctx, 'pads') ?? new Array<number>(2 * rank).fill(0);
  if (x.shape.length !== rank + 2)
    fail(ctx, `input ${fmtShape(x.shape)} does not match kernel_shape`);
  const spatial = x.shape
    .slice(2)
    .map((d, i) => (d - 1) * strides[i]! + kernel[i]! - pads[i]! - pads[i + rank]!);
  return [x.shape[0]!, x.shape[1]!, ...spatial];
}

function evaluateMaxUnpool(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const x = numbersOf(ctx, 0);
  const indices = numbersOf(ctx, 1);
  const shape = outs[0]!.shape;
  const y = scratchFor(outs[0]!.dtype, numElements(shape));
  // Indices address the default shape; a larger output_shape keeps their coordinates.
  const from = defaultShape(ctx);
  for (let i = 0; i < x.length; i++) {
    let rest = indices[i]!;
    let at = 0;
    let stride = 1;
    for (let d = from.length - 1; d >= 0; d--) {
      const coord = rest % from[d]!;
      rest = Math.floor(rest / from[d]!);
      if (coord >= shape[d]!) fail(ctx, `index ${indices[i]} falls outside the output`);
      at += coord * stride;
      stride *= shape[d]!;
    }
    y[at] = x[i]!;
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** MaxUnpool. */
export const UNPOOL_OPS: readonly OpDef[] = [
  { op: 'MaxUnpool', domain: '', infer: inferMaxUnpool, evaluate: evaluateMaxUnpool },
];
