// Fast paths for broadcasting elementwise kernels. Most binary ops in real models combine equal
// shapes, a tensor with a scalar, or a tensor with a bias over its trailing dims; those run as flat
// loops, and only the general case walks the broadcast odometer (broadcast.ts).
import type { TensorValues } from '../graph.js';
import { forEachBroadcast, mapBroadcast } from './broadcast.js';
import type { MutableValues } from './values.js';

/** An operand of an elementwise kernel. */
export interface Operand {
  readonly shape: readonly number[];
  readonly values: TensorValues;
}

type Binary = (a: number, b: number) => number;

const count = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * The period with which `shape`'s elements repeat across `outShape` in row-major order, when
 * `shape` (after leading 1s) equals outShape's trailing dims: element i reads i % period.
 */
function trailingPeriod(shape: readonly number[], outShape: readonly number[]): number | undefined {
  let s = 0;
  while (s < shape.length && shape[s] === 1) s++;
  const tail = shape.slice(s);
  const off = outShape.length - tail.length;
  if (off < 0 || tail.some((d, i) => d !== outShape[off + i])) return undefined;
  return count(tail);
}

/** out[i] = f(a[ia], b[ib]) over the broadcast of a and b (= outShape). */
export function mapBinary(
  out: MutableValues,
  outShape: readonly number[],
  a: Operand,
  b: Operand,
  f: Binary,
): MutableValues {
  const av = a.values as ArrayLike<number>;
  const bv = b.values as ArrayLike<number>;
  const n = out.length;
  const pa = trailingPeriod(a.shape, outShape);
  const pb = trailingPeriod(b.shape, outShape);
  if (pa === n && pb === n) {
    for (let i = 0; i < n; i++) out[i] = f(av[i]!, bv[i]!);
  } else if (pa === n && pb !== undefined) {
    for (let i = 0; i < n; i++) out[i] = f(av[i]!, bv[i % pb]!);
  } else if (pb === n && pa !== undefined) {
    for (let i = 0; i < n; i++) out[i] = f(av[i % pa]!, bv[i]!);
  } else {
    forEachBroadcast(outShape, [a.shape, b.shape], (o, pos) => {
      out[o] = f(av[pos[0]!]!, bv[pos[1]!]!);
    });
  }
  return out;
}

/** out[i] = f(...operands at i) over the broadcast of any number of operands. */
export function mapOperands(
  out: MutableValues,
  outShape: readonly number[],
  ins: readonly Operand[],
  f: (...xs: number[]) => number,
): MutableValues {
  if (ins.length === 2) return mapBinary(out, outShape, ins[0]!, ins[1]!, f);
  if (ins.length === 1) return mapBinary(out, outShape, ins[0]!, ins[0]!, (x) => f(x));
  return mapBroadcast(out, outShape, ins, f);
}
