// Every message about tensor files (.pb, .npy, .npz), written once. Each names the file.
import { SpatialcError } from '../../arch/errors.js';

/** The tensor file does not exist or cannot be read. */
export const tensorFileUnreadable = (file: string, reason: string): SpatialcError =>
  new SpatialcError('E_FILE', `${file}: cannot read tensor file (${reason})`, { where: file });

/** The file's extension names no tensor format spatialc reads. */
export const unknownTensorFormat = (file: string): SpatialcError =>
  new SpatialcError('E_FILE', `${file}: unknown tensor file type`, {
    where: file,
    hint: 'use an ONNX TensorProto (.pb), a NumPy array (.npy) or a NumPy archive (.npz)',
  });

/** The bytes are not a valid file of the format the extension promises. */
export const badTensorFile = (file: string, format: string, problem: string): SpatialcError =>
  new SpatialcError('E_FILE', `${file}: not a valid ${format} file (${problem})`, { where: file });

/** The file holds an element type the IR cannot carry. */
export const unsupportedTensorDtype = (file: string, what: string): SpatialcError =>
  new SpatialcError('E_DTYPE', `${file}: element type ${what} is not supported`, {
    where: file,
    hint: 'supported: float16/32/64, bfloat16, int8/16/32/64, uint8/16/32/64, bool',
  });

/** A tensor cannot be written in the requested format. */
export const unwritableTensor = (name: string, problem: string): SpatialcError =>
  new SpatialcError('E_DTYPE', `tensor "${name}": ${problem}`, { where: `tensor "${name}"` });
