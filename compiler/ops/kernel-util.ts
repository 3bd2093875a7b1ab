// Small helpers the reference kernels share: reading inputs as numbers, storing results in an
// output dtype's storage class with the rounding a real kernel of that dtype would apply.
import type { DType } from '../graph.js';
import { inputValues } from './context.js';
import type { OpContext } from './op-def.js';
import { allocValues, converterTo, type MutableValues } from './values.js';

/** Input i's elements as an indexable number array (the input must carry values). */
export function numbersOf(ctx: OpContext, i: number): ArrayLike<number> {
  return inputValues(ctx, i) as ArrayLike<number>;
}

/** Input i's elements when the input is present, else undefined. */
export function optionalNumbersOf(ctx: OpContext, i: number): ArrayLike<number> | undefined {
  return ctx.inputs[i] ? numbersOf(ctx, i) : undefined;
}

/** True when writing into allocValues(dtype) needs no extra rounding (no half types, no ints). */
function isPlainStorage(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Storage for `count` results of `dtype` that kernels may write doubles into directly. */
export function scratchFor(dtype: DType, count: number): MutableValues {
  return isPlainStorage(dtype) ? allocValues(dtype, count) : new Float64Array(count);
}

/** `data` as the storage of `dtype`, rounded like a Cast into it (returned as is when it already fits). */
export function storeAs(dtype: DType, data: MutableValues): MutableValues {
  if (dtype === 'float32' && data instanceof Float32Array) return data;
  if (dtype === 'float64' && data instanceof Float64Array) return data;
  const out = allocValues(dtype, data.length);
  const conv = converterTo(dtype);
  for (let i = 0; i < data.length; i++) out[i] = conv(data[i]!);
  return out;
}

/** Product of the dims of `shape` from `from` (inclusive) to `to` (exclusive). */
export function dimsProduct(shape: readonly number[], from = 0, to = shape.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i]!;
  return p;
}
