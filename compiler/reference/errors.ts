// Every message of the reference interpreter and the conformance runner, written once.
import { SpatialcError } from '../../arch/errors.js';
import type { DType } from '../graph.js';

const dims = (shape: readonly number[]): string => (shape.length ? shape.join('x') : 'scalar');

/** A registered op has no reference kernel (OpDef.evaluate). */
export const missingKernel = (node: string, domain: string, op: string): SpatialcError =>
  new SpatialcError(
    'E_ONNX_UNSUPPORTED_OP',
    `node "${node}": op ${domain ? `${domain}/` : ''}${op} has no reference kernel`,
    { where: `node "${node}"` },
  );

/** An input tensor's shape differs from the shape the model was imported with. */
export const inputShapeMismatch = (
  input: string,
  expected: readonly number[],
  got: readonly number[],
): SpatialcError =>
  new SpatialcError(
    'E_ONNX_SHAPE',
    `input "${input}": expected shape ${dims(expected)}, got ${dims(got)}`,
    {
      where: `input "${input}"`,
      hint: `pass --input-shape ${input}=${got.join('x') || '1'} (or --batch) to import the model at that shape`,
    },
  );

/** An input tensor's element type differs from the model's. */
export const inputDtypeMismatch = (input: string, expected: DType, got: DType): SpatialcError =>
  new SpatialcError('E_DTYPE', `input "${input}": expected ${expected} elements, got ${got}`, {
    where: `input "${input}"`,
  });

/** A model input was given no value. */
export const missingInput = (input: string, known: readonly string[]): SpatialcError =>
  new SpatialcError(
    'E_USAGE',
    `input "${input}" has no value (the model's inputs are: ${known.join(', ')})`,
    {
      where: `input "${input}"`,
      hint: `pass --input ${input}=FILE.pb (or .npy)`,
    },
  );

/** A value was given for a name that is not a model input. */
export const unknownInput = (input: string, known: readonly string[]): SpatialcError =>
  new SpatialcError(
    'E_USAGE',
    `"${input}" is not an input of the model (its inputs are: ${known.join(', ') || 'none'})`,
    { where: `input "${input}"` },
  );

/** An input tensor's element count does not match its shape. */
export const inputSizeMismatch = (input: string, shape: readonly number[], count: number) =>
  new SpatialcError(
    'E_ONNX_SHAPE',
    `input "${input}": shape ${dims(shape)} needs ${shape.reduce((a, b) => a * b, 1)} elements, got ${count}`,
    { where: `input "${input}"` },
  );
