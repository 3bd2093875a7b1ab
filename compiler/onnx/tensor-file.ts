// Tensor files: ONNX TensorProto (.pb, as in the ONNX backend test suites), NumPy .npy and .npz.
// Reading goes through onnx-proto and tensor-data.ts, so element decoding lives in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DType } from '../graph.js';
import { codeOfDtype, dtypeOfCode } from './dtypes.js';
import { encodeNpy, parseNpy, parseNpz, writeElements, type NamedTensor } from './npy.js';
import { onnx } from './proto.js';
import { decodeTensor } from './tensor-data.js';
import {
  badTensorFile,
  tensorFileUnreadable,
  unknownTensorFormat,
  unsupportedTensorDtype,
  unwritableTensor,
} from './tensor-file-errors.js';

export type { NamedTensor } from './npy.js';
export { encodeNpy, parseNpy, parseNpz } from './npy.js';

/** Decodes one serialised TensorProto. `file` labels messages; an unnamed tensor gets `fallbackName`. */
export function decodeTensorProto(bytes: Uint8Array, file: string, fallbackName = ''): NamedTensor {
  let proto;
  try {
    proto = onnx.TensorProto.decode(bytes);
  } catch (err) {
    throw badTensorFile(file, 'TensorProto', (err as Error).message);
  }
  const code = proto.dataType ?? 0;
  const dtype = dtypeOfCode(code);
  if (!dtype || dtype === 'string') throw unsupportedTensorDtype(file, `${dtype ?? code}`);
  const ctx = {
    file,
    readExternal: () => {
      throw badTensorFile(file, 'TensorProto', 'external data is not supported in tensor files');
    },
    mayRealignInPlace: false,
  };
  const t = decodeTensor(proto, ctx, fallbackName);
  return { name: t.name, dtype: t.dtype, shape: t.shape, values: t.values };
}

const RAW_BYTES: Readonly<Record<Exclude<DType, 'string'>, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
};

/** Serialises a tensor as a TensorProto with raw_data (little-endian, as ONNX stores it). */
export function encodeTensorProto(t: NamedTensor): Uint8Array {
  if (t.dtype === 'string') throw unwritableTensor(t.name, 'string tensors cannot be written');
  const values = t.values as ArrayLike<number>;
  const raw = new Uint8Array(values.length * RAW_BYTES[t.dtype]);
  writeElements(new DataView(raw.buffer), 0, t.dtype, values);
  const proto = onnx.TensorProto.create({
    name: t.name,
    dataType: codeOfDtype(t.dtype),
    dims: [...t.shape],
    rawData: raw,
  });
  return onnx.TensorProto.encode(proto).finish();
}

/** The tensor formats a file name implies. */
export type TensorFileFormat = 'pb' | 'npy' | 'npz';

/** The format of a tensor file from its extension (.pb / .tensorproto, .npy, .npz). */
export function tensorFileFormat(file: string): TensorFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.pb' || ext === '.tensorproto') return 'pb';
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  throw unknownTensorFormat(file);
}

/**
 * Parses tensor-file bytes: one tensor for .pb / .npy (named by the proto, else after the file),
 * one per array for .npz (named after the archive entries).
 */
export function parseTensorFile(bytes: Uint8Array, file: string): NamedTensor[] {
  const stem = path.basename(file).replace(/\.[^.]*$/, '');
  switch (tensorFileFormat(file)) {
    case 'pb': {
      const t = decodeTensorProto(bytes, file, stem);
      return [t.name === '' ? { ...t, name: stem } : t];
    }
    case 'npy':
      return [parseNpy(bytes, file, stem)];
    case 'npz':
      return parseNpz(bytes, file);
  }
}

/** Reads a tensor file from disk (see parseTensorFile). */
export function readTensorFile(file: string): NamedTensor[] {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw tensorFileUnreadable(
      file,
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code),
    );
  }
  return parseTensorFile(bytes, file);
}

/** Encodes a tensor in the format `file`'s extension names (.pb or .npy). */
export function encodeTensorFile(t: NamedTensor, file: string): Uint8Array {
  const format = tensorFileFormat(file);
  if (format === 'npz') throw unwritableTensor(t.name, 'writing .npz archives is not supported');
  return format === 'pb' ? encodeTensorProto(t) : encodeNpy(t);
}
