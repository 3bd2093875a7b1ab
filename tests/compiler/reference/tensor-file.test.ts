// Tensor files: TensorProto .pb round trips for every dtype, NumPy .npy / .npz fixtures written by
// numpy (tests/fixtures/tensors/make_tensors.py), and the messages for bad files.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { DType } from '../../../compiler/graph.js';
import {
  decodeTensorProto,
  encodeNpy,
  encodeTensorProto,
  parseTensorFile,
  readTensorFile,
  type NamedTensor,
} from '../../../compiler/onnx/tensor-file.js';
import { valuesFrom } from '../../../compiler/ops/values.js';
import { ROOT } from '../onnx/fixtures.js';
import { thrown } from '../onnx/thrown.js';

const tensors = (f: string) => path.join(ROOT, 'tests', 'fixtures', 'tensors', f);
const values = (t: NamedTensor) => Array.from(t.values as ArrayLike<number>);
const tensor = (dtype: DType, shape: number[], v: number[]): NamedTensor => ({
  name: `t_${dtype}`,
  dtype,
  shape,
  values: valuesFrom(dtype, v),
});

const Pb = suite('encodeTensorProto / decodeTensorProto');

const SAMPLES: [DType, number[]][] = [
  ['float32', [1.5, -0.25, 3e38, -0]],
  ['float64', [Math.PI, -1e-300, 2 ** 60, 0]],
  ['float16', [0.5, -2, 65504, 2 ** -24]],
  ['bfloat16', [1, -3.5, 2 ** 100, 0.0078125]],
  ['int8', [-128, 127, 0, -1]],
  ['uint8', [0, 255, 7, 128]],
  ['int16', [-32768, 32767, 1, -2]],
  ['uint16', [0, 65535, 300, 1]],
  ['int32', [-(2 ** 31), 2 ** 31 - 1, 5, -6]],
  ['uint32', [0, 2 ** 32 - 1, 9, 10]],
  ['int64', [-(2 ** 53) + 1, 2 ** 40, -1, 0]],
  ['uint64', [0, 2 ** 53 - 1, 1, 2]],
  ['bool', [1, 0, 0, 1]],
];

for (const [dtype, v] of SAMPLES) {
  Pb(`a ${dtype} tensor survives encode then decode, with its name and shape`, () => {
    const t = tensor(dtype, [2, 2], v);
    const back = decodeTensorProto(encodeTensorProto(t), 'mem.pb');
    assert.is(back.name, t.name);
    assert.is(back.dtype, dtype);
    assert.equal(back.shape, [2, 2]);
    assert.equal(values(back), values(t));
  });
}

Pb('a scalar keeps rank 0; an unnamed .pb takes the file stem as its name', () => {
  const bytes = encodeTensorProto({ ...tensor('float32', [], [7]), name: '' });
  const [t] = parseTensorFile(bytes, 'dir/input_0.pb');
  assert.is(t!.name, 'input_0');
  assert.equal(t!.shape, []);
  assert.equal(values(t!), [7]);
});

Pb('string tensors are refused with the file named', () => {
  assert.match(thrown(() => encodeTensorProto(tensor('string', [1], [0]))).message, /string/);
});

const Npy = suite('parseNpy / parseNpz');

Npy('float32 C-order, big-endian int64, float16, bool and a uint16 scalar', () => {
  const [f4] = readTensorFile(tensors('f4_2x3.npy'));
  assert.equal([f4!.name, f4!.dtype, f4!.shape], ['f4_2x3', 'float32', [2, 3]]);
  assert.equal(values(f4!), [0, 0.25, 0.5, 0.75, 1, 1.25]);
  const [i8] = readTensorFile(tensors('i8_big_endian.npy'));
  assert.equal([i8!.dtype, values(i8!)], ['int64', [-3, 2 ** 40, 7]]);
  const [f2] = readTensorFile(tensors('f2.npy'));
  assert.equal([f2!.dtype, values(f2!)], ['float16', [0.5, -2, 65504, 2 ** -23]]);
  const [b] = readTensorFile(tensors('bool.npy'));
  assert.equal([b!.dtype, values(b!)], ['bool', [1, 0, 0, 1]]);
  const [u2] = readTensorFile(tensors('u2_scalar.npy'));
  assert.equal([u2!.dtype, u2!.shape, values(u2!)], ['uint16', [], [65535]]);
});

Npy('Fortran-order arrays come back in row-major order', () => {
  const [t] = readTensorFile(tensors('f8_fortran.npy'));
  assert.equal([t!.dtype, t!.shape, values(t!)], ['float64', [2, 3], [0, 1, 2, 3, 4, 5]]);
});

Npy('.npz archives, stored (zip64 headers) or deflated, give one tensor per array', () => {
  for (const f of ['arrays.npz', 'arrays_compressed.npz']) {
    const ts = readTensorFile(tensors(f));
    assert.equal(ts.map((t) => t.name).sort(), ['ids', 'x'], f);
    const x = ts.find((t) => t.name === 'x')!;
    assert.equal([x.dtype, x.shape, values(x)], ['float32', [2, 2], [0, 1, 2, 3]], f);
    assert.equal(values(ts.find((t) => t.name === 'ids')!), [1, 2, 3], f);
  }
});

Npy('encodeNpy writes what parseNpy reads (bfloat16 widened to float32)', () => {
  for (const [dtype, v] of SAMPLES.filter(([d]) => d !== 'string')) {
    const t = tensor(dtype, [4], v);
    const [back] = parseTensorFile(encodeNpy(t), `${dtype}.npy`);
    assert.is(back!.dtype, dtype === 'bfloat16' ? 'float32' : dtype);
    assert.equal(values(back!), values(t), dtype);
  }
});

const Bad = suite('bad tensor files');
const dir = mkdtempSync(path.join(tmpdir(), 'spatialc-tensors-'));

Bad(
  'a missing file, an unknown extension and a non-npy file each get one line naming the file',
  () => {
    assert.match(
      thrown(() => readTensorFile(path.join(dir, 'nope.pb'))).message,
      /nope\.pb: cannot read tensor file \(no such file\)/,
    );
    writeFileSync(path.join(dir, 'x.txt'), 'hello');
    assert.match(
      thrown(() => readTensorFile(path.join(dir, 'x.txt'))).message,
      /x\.txt: unknown tensor file type/,
    );
    writeFileSync(path.join(dir, 'x.npy'), 'hello');
    assert.match(
      thrown(() => readTensorFile(path.join(dir, 'x.npy'))).message,
      /x\.npy: not a valid \.npy file/,
    );
    writeFileSync(path.join(dir, 'x.npz'), 'hello');
    assert.match(
      thrown(() => readTensorFile(path.join(dir, 'x.npz'))).message,
      /x\.npz: not a valid \.npz file/,
    );
  },
);

Bad('complex .npy dtypes are refused as unsupported element types', () => {
  const header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
  const padded = header + ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const bytes = new Uint8Array(10 + padded.length + 8);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]);
  bytes.set(new TextEncoder().encode(padded), 10);
  const err = thrown(() => parseTensorFile(bytes, 'c.npy'));
  assert.is(err.code, 'E_DTYPE');
  assert.match(err.message, /c\.npy: element type '<c8' is not supported/);
});

Pb.run();
Npy.run();
Bad.run();
