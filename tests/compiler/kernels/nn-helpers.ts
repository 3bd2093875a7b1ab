// Test helper: runs one op's shape inference and reference kernel on literal inputs.
import type { AttrValue, DType } from '../../../compiler/graph.js';
import type { OpContext } from '../../../compiler/ops/op-def.js';
import { findOp } from '../../../compiler/ops/registry.js';
import { valuesFrom } from '../../../compiler/ops/values.js';

/** A literal input: dtype defaults to float32. */
export interface Literal {
  readonly shape: readonly number[];
  readonly values: readonly number[];
  readonly dtype?: DType;
}

/** Attribute literals: integers → int, other numbers → float, arrays of integers → ints. */
export type AttrLiteral =
  | number
  | string
  | readonly number[]
  | readonly string[]
  | { float: number }
  | { floats: readonly number[] };

/** Options of runOp. */
export interface RunOptions {
  readonly attrs?: Readonly<Record<string, AttrLiteral>>;
  readonly opset?: number;
  readonly outputCount?: number;
  readonly domain?: string;
}

function toAttr(v: AttrLiteral): AttrValue {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number')
    return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
  if ('float' in v) return { kind: 'float', value: v.float };
  if ('floats' in v) return { kind: 'floats', value: v.floats };
  if (v.length > 0 && typeof v[0] === 'string')
    return { kind: 'strings', value: v as readonly string[] };
  const nums = v as readonly number[];
  return nums.every(Number.isInteger)
    ? { kind: 'ints', value: nums }
    : { kind: 'floats', value: nums };
}

/** One output: its shape and values as plain numbers. */
export interface Result {
  readonly shape: readonly number[];
  readonly values: number[];
}

/** Infers and evaluates `op` on the inputs (undefined = omitted optional input). */
export function runOp(
  op: string,
  inputs: readonly (Literal | undefined)[],
  options: RunOptions = {},
): Result[] {
  const def = findOp(options.domain ?? '', op);
  if (!def?.evaluate) throw new Error(`${op} has no reference kernel`);
  const attrs = Object.fromEntries(
    Object.entries(options.attrs ?? {}).map(([k, v]) => [k, toAttr(v)]),
  );
  const ctx: OpContext = {
    node: `test_${op}`,
    op,
    domain: options.domain ?? '',
    opset: options.opset ?? 17,
    attrs,
    inputs: inputs.map((t) =>
      t
        ? {
            dtype: t.dtype ?? 'float32',
            shape: t.shape,
            values: valuesFrom(t.dtype ?? 'float32', t.values),
          }
        : undefined,
    ),
    outputCount: options.outputCount ?? 1,
  };
  const types = def.infer(ctx);
  const values = def.evaluate(ctx, types);
  return types.map((t, i) => ({
    shape: t.shape,
    values: Array.from(values[i] as ArrayLike<number>),
  }));
}

/** Shorthand for a float32 literal. */
export const f32 = (shape: readonly number[], values: readonly number[]): Literal => ({
  shape,
  values,
});

/** A deterministic pseudo-random literal (values in [-1, 1)). */
export function seeded(shape: readonly number[], seed: number, dtype: DType = 'float32'): Literal {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 31 - 1);
  });
  return { shape, values, dtype };
}

/** Asserts two arrays agree within rtol/atol, naming the first mismatch. */
export function assertClose(got: readonly number[], want: readonly number[], tol = 1e-5): void {
  if (got.length !== want.length) throw new Error(`length ${got.length}, want ${want.length}`);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (!(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w))))
      throw new Error(
        `element ${i}: got ${g}, want ${w}\n  got  ${got.join(', ')}\n  want ${want.join(', ')}`,
      );
  });
}
