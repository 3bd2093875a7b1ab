// Test helper: runs one op's shape inference and reference kernel on literal tensors, without
// building a model. Attribute builders mirror AttrValue: int(1), float(0.5), str('x'), ints([..]).
import type { AttrValue, DType } from '../../../compiler/graph.js';
import type { OpContext, TensorInfo } from '../../../compiler/ops/op-def.js';
import { findOp } from '../../../compiler/ops/registry.js';
import { valuesFrom } from '../../../compiler/ops/values.js';

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const float = (value: number): AttrValue => ({ kind: 'float', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
export const floats = (value: number[]): AttrValue => ({ kind: 'floats', value });

/** A tensor literal: t('float32', [2, 2], [1, 2, 3, 4]); shape [] is a scalar. */
export function t(dtype: DType, shape: number[], values: number[]): TensorInfo {
  return { dtype, shape, values: valuesFrom(dtype, values) };
}
/** A float32 tensor literal. */
export const f32 = (shape: number[], values: number[]): TensorInfo => t('float32', shape, values);
/** An int64 tensor literal (1-D by default). */
export const i64 = (values: number[], shape: number[] = [values.length]): TensorInfo =>
  t('int64', shape, values);

export interface OpRun {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: number[];
}

export interface RunOptions {
  readonly attrs?: Record<string, AttrValue>;
  readonly opset?: number;
  readonly domain?: string;
  readonly outputs?: number;
}

/** Infers and evaluates `op` on the inputs (undefined = omitted optional input). */
export function runOp(
  op: string,
  inputs: readonly (TensorInfo | undefined)[],
  options: RunOptions = {},
): OpRun[] {
  const def = findOp(options.domain ?? '', op);
  if (!def?.evaluate) throw new Error(`${op} has no reference kernel`);
  const ctx: OpContext = {
    node: 'n',
    op,
    domain: options.domain ?? '',
    opset: options.opset ?? 17,
    attrs: options.attrs ?? {},
    inputs,
    outputCount: options.outputs ?? 1,
  };
  const types = def.infer(ctx).slice(0, ctx.outputCount);
  const values = def.evaluate(ctx, types);
  return types.map((ty, k) => ({
    dtype: ty.dtype,
    shape: ty.shape,
    values: Array.from(values[k] as ArrayLike<number>),
  }));
}

/** The values of output 0. */
export function run1(
  op: string,
  inputs: readonly (TensorInfo | undefined)[],
  options: RunOptions = {},
): number[] {
  return runOp(op, inputs, options)[0]!.values;
}

/** Rounds every element to `digits` decimals, for comparing float results with literals. */
export function rounded(values: readonly number[], digits = 6): number[] {
  return values.map((v) => Number(v.toFixed(digits)));
}
