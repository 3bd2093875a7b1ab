// NumPy .npy arrays (format versions 1-3) and .npz archives (a zip of .npy files), read into the
// IR's value storage (ops/values.ts) and written back from it. Spec:
// numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import type { DType, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { allocValues, halfToNumber } from '../ops/values.js';
import { badTensorFile, unsupportedTensorDtype, unwritableTensor } from './tensor-file-errors.js';
import { readZipEntries } from './zip.js';

/** One named tensor read from (or to be written to) a tensor file. */
export interface NamedTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: TensorValues;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy type characters + item size → IR dtype. */
const DTYPE_OF_DESCR: Readonly<Record<string, DType>> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

type Reader = (v: DataView, byteOffset: number, isLittle: boolean) => number;

const READERS: Readonly<Record<string, Reader>> = {
  f2: (v, o, le) => halfToNumber(v.getUint16(o, le)),
  f4: (v, o, le) => v.getFloat32(o, le),
  f8: (v, o, le) => v.getFloat64(o, le),
  i1: (v, o) => v.getInt8(o),
  i2: (v, o, le) => v.getInt16(o, le),
  i4: (v, o, le) => v.getInt32(o, le),
  i8: (v, o, le) => Number(v.getBigInt64(o, le)),
  u1: (v, o) => v.getUint8(o),
  u2: (v, o, le) => v.getUint16(o, le),
  u4: (v, o, le) => v.getUint32(o, le),
  u8: (v, o, le) => Number(v.getBigUint64(o, le)),
  b1: (v, o) => (v.getUint8(o) ? 1 : 0),
};

interface NpyHeader {
  readonly descr: string;
  readonly isFortran: boolean;
  readonly shape: number[];
  readonly dataOffset: number;
}

function parseHeader(bytes: Uint8Array, file: string): NpyHeader {
  const bad = (p: string) => badTensorFile(file, '.npy', p);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('no \\x93NUMPY magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const isLong = major >= 2;
  const headerLen = isLong ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = isLong ? 12 : 10;
  if (start + headerLen > bytes.length) throw bad('the header runs past the end of the file');
  const text = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined)
    throw bad(`unreadable header ${text.trim()}`);
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`invalid shape (${shape})`);
  return { descr, isFortran: fortran === 'True', shape: dims, dataOffset: start + headerLen };
}

/** Parses the bytes of one .npy file. `name` labels the tensor (the file or archive entry name). */
export function parseNpy(bytes: Uint8Array, file: string, name: string): NamedTensor {
  const h = parseHeader(bytes, file);
  const order = h.descr[0]!;
  const code = h.descr.slice(1).replace(/^\?1$/, 'b1');
  const dtype = DTYPE_OF_DESCR[code];
  const read = READERS[code];
  if (!'<>|='.includes(order) || !dtype || !read)
    throw unsupportedTensorDtype(file, `'${h.descr}'`);
  const itemBytes = Number(code.slice(1));
  const count = numElements(h.shape);
  if (h.dataOffset + count * itemBytes > bytes.length)
    throw badTensorFile(file, '.npy', `${count} elements need more bytes than the file holds`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, count * itemBytes);
  const isLittle = order !== '>';
  const values = allocValues(dtype, count);
  for (let i = 0; i < count; i++) values[i] = read(view, i * itemBytes, isLittle);
  return {
    name,
    dtype,
    shape: h.shape,
    values: h.isFortran ? fromFortranOrder(values, dtype, h.shape) : values,
  };
}

/** Column-major → row-major: element (i0..in) sits at sum(ik * prod(d0..dk-1)) in the file. */
function fromFortranOrder(
  src: ArrayLike<number>,
  dtype: DType,
  shape: readonly number[],
): TensorValues {
  const out = allocValues(dtype, src.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < src.length; flat++) {
    let pos = 0;
    for (let d = shape.length - 1; d >= 0; d--) pos = pos * shape[d]! + idx[d]!;
    out[flat] = src[pos]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Parses a .npz archive: one tensor per `NAME.npy` entry, named NAME. */
export function parseNpz(bytes: Uint8Array, file: string): NamedTensor[] {
  return readZipEntries(bytes, file)
    .filter((e) => e.name.endsWith('.npy'))
    .map((e) => parseNpy(e.data, `${file}:${e.name}`, e.name.slice(0, -'.npy'.length)));
}

const DESCR_OF_DTYPE: Partial<Record<DType, string>> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};

/** Encodes a tensor as a version-1 .npy file (bfloat16 is widened to float32: NumPy lacks it). */
export function encodeNpy(t: NamedTensor): Uint8Array {
  const dtype = t.dtype === 'bfloat16' ? 'float32' : t.dtype;
  const descr = DESCR_OF_DTYPE[dtype];
  if (!descr) throw unwritableTensor(t.name, `${t.dtype} has no .npy encoding`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n'; // total header: multiple of 64
  const itemBytes = Number(descr.slice(2));
  const values = t.values as ArrayLike<number>;
  const out = new Uint8Array(10 + header.length + values.length * itemBytes);
  out.set(MAGIC);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  writeElements(view, 10 + header.length, dtype, values);
  return out;
}

/** Writes elements little-endian in the on-disk width of `dtype` (shared with the .pb writer). */
export function writeElements(
  view: DataView,
  offset: number,
  dtype: DType,
  values: ArrayLike<number>,
): void {
  const n = values.length;
  const at = (i: number, size: number) => offset + i * size;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (dtype) {
      case 'float32':
        view.setFloat32(at(i, 4), v, true);
        break;
      case 'float64':
        view.setFloat64(at(i, 8), v, true);
        break;
      case 'float16':
        view.setUint16(at(i, 2), halfBits(v), true);
        break;
      case 'bfloat16':
        view.setUint16(at(i, 2), bfloat16Bits(v), true);
        break;
      case 'int8':
        view.setInt8(at(i, 1), v);
        break;
      case 'uint8':
      case 'bool':
        view.setUint8(at(i, 1), v);
        break;
      case 'int16':
        view.setInt16(at(i, 2), v, true);
        break;
      case 'uint16':
        view.setUint16(at(i, 2), v, true);
        break;
      case 'int32':
        view.setInt32(at(i, 4), v, true);
        break;
      case 'uint32':
        view.setUint32(at(i, 4), v, true);
        break;
      case 'int64':
        view.setBigInt64(at(i, 8), BigInt(Math.trunc(v)), true);
        break;
      case 'uint64':
        view.setBigUint64(at(i, 8), BigInt(Math.trunc(v)), true);
        break;
      case 'string':
        throw unwritableTensor('', 'string tensors cannot be written');
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** bfloat16 bit pattern of a value that is already a bfloat16 (the top half of its float32). */
function bfloat16Bits(x: number): number {
  f32[0] = x;
  return u32[0]! >>> 16;
}

/** IEEE half bit pattern of `x`, rounded to nearest even. */
export function halfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++; // may carry into the exponent: correct
  return sign | r;
}
