// Test helper: imports a one-node model and returns its outputs' shapes, dtypes and values.
import type { Tensor } from '../../../compiler/graph.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { singleOp, type InitSpec, type ValueSpec } from './build-model.js';

type Options = Parameters<typeof singleOp>[2];

/** Output tensors y0..yn of a single-op model. */
export function outputsOf(
  op: string,
  inputs: readonly (ValueSpec | InitSpec | undefined)[],
  options: Options = {},
): Tensor[] {
  const g = importOnnx(singleOp(op, inputs, options));
  return g.outputs.map((id) => g.tensors[id]!);
}

/** Shape of output y0 of a single-op model. */
export function outShape(
  op: string,
  inputs: readonly (ValueSpec | InitSpec | undefined)[],
  options: Options = {},
): readonly number[] {
  return outputsOf(op, inputs, options)[0]!.shape;
}

/** Folded values of output y0 (the op must fold). */
export function outValues(
  op: string,
  inputs: readonly (ValueSpec | InitSpec | undefined)[],
  options: Options = {},
): number[] {
  const t = outputsOf(op, inputs, options)[0]!;
  if (!t.values) throw new Error(`${op} did not fold`);
  return Array.from(t.values as ArrayLike<number>);
}
