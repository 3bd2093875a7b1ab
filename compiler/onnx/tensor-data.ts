// Decodes a TensorProto's elements: from raw_data (little-endian bytes, viewed without copying when
// aligned), from the typed repeated fields, or from an external data file.
import { assert } from '../../arch/errors.js';
import type { DType, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { allocValues, bfloat16ToNumber, halfToNumber } from '../ops/values.js';
import { dtypeOfCode } from './dtypes.js';
import { badTensorData } from './errors.js';
import type { ExternalReader } from './external-data.js';
import type { OnnxTensor } from './onnx-model.js';
import { int64ToNumber, type Int64, type TensorProto } from './proto.js';

const DATA_LOCATION_EXTERNAL = 1;

/** Context for decoding tensors of one model. */
export interface TensorDecodeContext {
  readonly file: string;
  readonly readExternal: ExternalReader;
  /**
   * True when the model bytes belong to the reader (read from a path), so misaligned raw_data may
   * be shifted in place instead of copied. The copy costs more than the decode on big models,
   * mostly in page faults, so BERT-base would import twice as slowly without it.
   */
  readonly mayRealignInPlace: boolean;
}

/** Decodes one TensorProto (initializer or tensor attribute) into an OnnxTensor. */
export function decodeTensor(
  t: TensorProto,
  ctx: TensorDecodeContext,
  fallbackName = '',
): OnnxTensor {
  const name = t.name || fallbackName;
  const dtype = dtypeOfCode(t.dataType ?? 0);
  if (!dtype || dtype === 'string') {
    throw badTensorData(ctx.file, name, `data type ${t.dataType ?? 0} is not supported`);
  }
  const shape = (t.dims ?? []).map((d) => int64ToNumber(d as Int64));
  if (shape.some((d) => d < 0 || !Number.isInteger(d))) {
    throw badTensorData(ctx.file, name, `has an invalid shape [${shape.join(', ')}]`);
  }
  const count = numElements(shape);
  const raw = rawBytes(t, name, ctx);
  const isShiftable = ctx.mayRealignInPlace && t.dataLocation !== DATA_LOCATION_EXTERNAL;
  const values = raw
    ? fromRaw(dtype, raw, count, { name, file: ctx.file, isShiftable })
    : fromFields(t, dtype, count, name, ctx.file);
  return { name, dtype, shape, values };
}

function rawBytes(t: TensorProto, name: string, ctx: TensorDecodeContext): Uint8Array | undefined {
  if (t.dataLocation === DATA_LOCATION_EXTERNAL) {
    const entry = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = entry.get('location');
    if (!location) throw badTensorData(ctx.file, name, 'external data has no "location" entry');
    const length = entry.get('length');
    return ctx.readExternal({
      tensor: name,
      location,
      offsetBytes: Number(entry.get('offset') ?? 0),
      ...(length !== undefined ? { lengthBytes: Number(length) } : {}),
    });
  }
  return t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
}

const RAW_BYTES: Readonly<Record<DType, number>> = {
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
  string: 0,
};

interface RawSource {
  readonly name: string;
  readonly file: string;
  /** The bytes sit in a protobuf raw_data field of a buffer we own (see mayRealignInPlace). */
  readonly isShiftable: boolean;
}

/** Interprets little-endian raw bytes. Float32/Int32/Float64 become views, realigned when needed. */
function fromRaw(dtype: DType, raw: Uint8Array, count: number, src: RawSource): TensorValues {
  const need = count * RAW_BYTES[dtype];
  if (raw.length < need) {
    throw badTensorData(
      src.file,
      src.name,
      `has ${raw.length} bytes of data but its shape needs ${need}`,
    );
  }
  const bytes = raw.subarray(0, need);
  switch (dtype) {
    case 'float32':
      return new Float32Array(...alignedView(raw, bytes, 4, src.isShiftable), count);
    case 'float64':
      return new Float64Array(...alignedView(raw, bytes, 8, src.isShiftable), count);
    case 'int32':
      return new Int32Array(...alignedView(raw, bytes, 4, src.isShiftable), count);
    case 'uint8':
    case 'bool':
      return bytes;
    default:
      return widenRaw(dtype, new DataView(bytes.buffer, bytes.byteOffset, need), count);
  }
}

/**
 * (buffer, byteOffset) of `bytes` at an `align`-aligned offset. A misaligned raw_data field of an
 * owned buffer is moved back over its own tag and length bytes (1 + varint length >= the shift),
 * which nothing reads after decoding; otherwise the bytes are copied.
 */
function alignedView(
  raw: Uint8Array,
  bytes: Uint8Array,
  align: number,
  isShiftable: boolean,
): [ArrayBufferLike, number] {
  const shift = bytes.byteOffset % align;
  if (shift === 0) return [bytes.buffer, bytes.byteOffset];
  const headerBytes = 1 + Math.max(1, Math.ceil(Math.log2(raw.length + 1) / 7));
  if (isShiftable && shift <= headerBytes && raw.byteOffset >= shift) {
    new Uint8Array(raw.buffer, raw.byteOffset - shift, bytes.length + shift).copyWithin(0, shift);
    return [bytes.buffer, bytes.byteOffset - shift];
  }
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return [copy.buffer, 0];
}

/** Element readers for the dtypes stored wider than on disk (see ops/values.ts). */
const RAW_READERS: Partial<Record<DType, (v: DataView, i: number) => number>> = {
  int8: (v, i) => v.getInt8(i),
  int16: (v, i) => v.getInt16(i * 2, true),
  uint16: (v, i) => v.getUint16(i * 2, true),
  uint32: (v, i) => v.getUint32(i * 4, true),
  float16: (v, i) => halfToNumber(v.getUint16(i * 2, true)),
  int64: (v, i) => v.getInt32(i * 8 + 4, true) * 4294967296 + v.getUint32(i * 8, true),
  uint64: (v, i) => v.getUint32(i * 8 + 4, true) * 4294967296 + v.getUint32(i * 8, true),
};

function widenRaw(dtype: DType, view: DataView, count: number): TensorValues {
  const out = allocValues(dtype, count);
  if (dtype === 'bfloat16') {
    const scratch = new Float32Array(1);
    for (let i = 0; i < count; i++) out[i] = bfloat16ToNumber(view.getUint16(i * 2, true), scratch);
    return out;
  }
  const read = RAW_READERS[dtype];
  assert(read !== undefined, `no raw reader for ${dtype}`);
  for (let i = 0; i < count; i++) out[i] = read(view, i);
  return out;
}

/** The typed repeated field that holds each dtype when raw_data is absent (onnx.proto comments). */
function fromFields(
  t: TensorProto,
  dtype: DType,
  count: number,
  name: string,
  file: string,
): TensorValues {
  const field = typedField(t, dtype);
  if (field.length !== count) {
    throw badTensorData(file, name, `has ${field.length} values but its shape needs ${count}`);
  }
  const out = allocValues(dtype, count);
  const scratch = new Float32Array(1);
  for (let i = 0; i < count; i++) {
    const v = int64ToNumber(field[i] as Int64);
    out[i] =
      dtype === 'float16'
        ? halfToNumber(v)
        : dtype === 'bfloat16'
          ? bfloat16ToNumber(v, scratch)
          : v;
  }
  return out;
}

function typedField(t: TensorProto, dtype: DType): ArrayLike<number | Int64> {
  switch (dtype) {
    case 'float32':
      return t.floatData ?? [];
    case 'float64':
      return t.doubleData ?? [];
    case 'int64':
      return (t.int64Data ?? []) as ArrayLike<Int64>;
    case 'uint32':
    case 'uint64':
      return (t.uint64Data ?? []) as ArrayLike<Int64>;
    default:
      return t.int32Data ?? []; // int8/16/32, uint8/16, bool, float16/bfloat16 bit patterns
  }
}
