// Helpers OpDefs use to read attributes and inputs, and to report shape errors uniformly.
import type { AttrValue, DType, TensorValues } from '../graph.js';
import { shapeError } from '../onnx/errors.js';
import type { OpContext, TensorInfo } from './op-def.js';
import { toNumbers } from './values.js';

/** Throws E_ONNX_SHAPE for this node. */
export function fail(ctx: OpContext, problem: string): never {
  throw shapeError(ctx.node, ctx.op, problem);
}

function attr(ctx: OpContext, name: string): AttrValue | undefined {
  return ctx.attrs[name];
}

/** An int attribute, or `fallback` when absent. */
export function intAttr(ctx: OpContext, name: string, fallback: number): number {
  const a = attr(ctx, name);
  return a?.kind === 'int' ? a.value : fallback;
}

/** A float attribute, or `fallback` when absent. */
export function floatAttr(ctx: OpContext, name: string, fallback: number): number {
  const a = attr(ctx, name);
  return a?.kind === 'float' ? a.value : a?.kind === 'int' ? a.value : fallback;
}

/** A string attribute, or `fallback` when absent. */
export function stringAttr(ctx: OpContext, name: string, fallback: string): string {
  const a = attr(ctx, name);
  return a?.kind === 'string' ? a.value : fallback;
}

/** An ints attribute, or undefined when absent. */
export function intsAttr(ctx: OpContext, name: string): readonly number[] | undefined {
  const a = attr(ctx, name);
  return a?.kind === 'ints' ? a.value : a?.kind === 'int' ? [a.value] : undefined;
}

/** A floats attribute, or undefined when absent. */
export function floatsAttr(ctx: OpContext, name: string): readonly number[] | undefined {
  const a = attr(ctx, name);
  return a?.kind === 'floats' ? a.value : undefined;
}

/** Input `i`, which must be present. */
export function input(ctx: OpContext, i: number): TensorInfo {
  const t = ctx.inputs[i];
  if (!t) fail(ctx, `input ${i} is required but missing`);
  return t;
}

/** Input `i` when present. */
export function optionalInput(ctx: OpContext, i: number): TensorInfo | undefined {
  return ctx.inputs[i];
}

/** The elements of input `i` as numbers; the input must be a constant (or folded to one). */
export function constInts(ctx: OpContext, i: number, what: string): number[] {
  return toNumbers(constValues(ctx, i, what));
}

/** The elements of constant input `i`, or undefined when the input is omitted. */
export function optionalConstInts(ctx: OpContext, i: number, what: string): number[] | undefined {
  return ctx.inputs[i] ? constInts(ctx, i, what) : undefined;
}

/** The raw elements of constant input `i`. */
export function constValues(ctx: OpContext, i: number, what: string): TensorValues {
  const t = input(ctx, i);
  if (!t.values) fail(ctx, `input ${i} (${what}) must be a constant to infer static shapes`);
  return t.values;
}

/** Values of every input, for evaluators (the folder only calls them when all are constant). */
export function inputValues(ctx: OpContext, i: number): TensorValues {
  const t = input(ctx, i);
  if (!t.values) fail(ctx, `input ${i} has no constant value`);
  return t.values;
}

/** Normalises a possibly negative axis against `rank`, checking its range. */
export function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(ctx, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The output dtype stored in a 'to' / 'dtype' attribute (ONNX code). */
export function dtypeAttr(
  ctx: OpContext,
  name: string,
  fallback: DType,
  ofCode: (c: number) => DType | undefined,
): DType {
  const a = attr(ctx, name);
  if (a?.kind !== 'int') return fallback;
  const d = ofCode(a.value);
  if (!d) fail(ctx, `attribute ${name}=${a.value} is not a supported data type`);
  return d;
}

/** Formats a shape as [a, b, c] for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
