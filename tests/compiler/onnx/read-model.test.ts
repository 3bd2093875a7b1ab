import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { readOnnxModel } from '../../../compiler/onnx/read-model.js';
import { buildModel, graphAttr, i, s, tensorAttr, x } from './build-model.js';
import { fixture } from './fixtures.js';
import { thrown } from './thrown.js';

const ReadOnnxModel = suite('readOnnxModel');

ReadOnnxModel('decodes initializers from every typed field, widening fp16/bf16/int8', () => {
  const m = readOnnxModel(fixture('typed_fields.onnx'));
  const init = Object.fromEntries(m.initializers.map((t) => [t.name, t]));
  assert.equal(Array.from(init['w']!.values), [1, 2, 3, 4, 5, 6]);
  assert.instance(init['w']!.values, Float32Array);
  assert.equal(Array.from(init['h']!.values), [1, 2, -0.5]);
  assert.is(init['h']!.dtype, 'float16');
  assert.equal(Array.from(init['bf']!.values), [1, -2]);
  assert.equal(Array.from(init['shape']!.values), [3, 2]);
  assert.equal(Array.from(init['d']!.values), [0.25]);
  assert.equal(Array.from(init['i8']!.values), [-1, 2, -3]);
  assert.equal(Array.from(init['u64']!.values), [5, 7]);
});

ReadOnnxModel('reads opsets, producer, inputs, outputs and value_info', () => {
  const m = readOnnxModel(fixture('typed_fields.onnx'));
  assert.equal(m.opsets, { '': 17 });
  assert.is(m.producer, 'make_fixtures');
  assert.equal(
    m.inputs.map((v) => v.name),
    ['x', 'w'],
  );
  assert.equal(m.outputs[0], { name: 'y', dtype: 'float32', dims: [3, 2] });
  assert.equal(m.valueInfo, [{ name: 'a', dtype: 'float32', dims: [2, 3] }]);
  const dyn = readOnnxModel(fixture('dynamic_seq.onnx'));
  assert.equal(dyn.inputs[0]!.dims, ['batch', 'sequence']);
});

ReadOnnxModel('views float raw_data without copying and matches the torch export', () => {
  const m = readOnnxModel(fixture('tiny_cnn.onnx'));
  const fc = m.initializers.find((t) => t.name === 'fc.weight')!;
  assert.equal(fc.shape, [10, 16]);
  assert.instance(fc.values, Float32Array);
  assert.ok(Array.from(fc.values).every((v) => Number.isFinite(v) && Math.abs(v) < 2));
});

ReadOnnxModel('decodes attributes of every supported kind and flags graph attributes', () => {
  const bytes = buildModel({
    inputs: [x('x', 2)],
    outputs: ['y'],
    nodes: [
      {
        op: 'Foo',
        name: 'n',
        inputs: ['x'],
        outputs: ['y'],
        attrs: { a: i(3), b: s('hi'), t: tensorAttr('int64', [2], [4, 5]), body: graphAttr() },
      },
    ],
  });
  const n = readOnnxModel(bytes).nodes[0]!;
  assert.equal(n.attrs['a'], { kind: 'int', value: 3 });
  assert.equal(n.attrs['b'], { kind: 'string', value: 'hi' });
  const t = n.attrs['t'];
  assert.ok(t?.kind === 'tensor' && Array.from(t.value.values).join() === '4,5');
  assert.equal(n.unsupportedAttrs, { body: 'graph' });
});

ReadOnnxModel('reads external data from a file beside the model', () => {
  const m = readOnnxModel(fixture('external', 'model.onnx'));
  const w = m.initializers.find((t) => t.name === 'W')!;
  const b = m.initializers.find((t) => t.name === 'b')!;
  assert.equal(w.shape, [8, 16]);
  assert.is(w.values[127], 127);
  assert.equal(Array.from(b.values), new Array(16).fill(0.5));
});

ReadOnnxModel('external data given as bytes needs modelPath', () => {
  const bytes = readFileSync(fixture('external', 'model.onnx'));
  const err = thrown(() => readOnnxModel(bytes));
  assert.is(err.code, 'E_ONNX_EXTERNAL_DATA');
  const ok = readOnnxModel(bytes, { modelPath: fixture('external', 'model.onnx') });
  assert.is(ok.initializers.length, 2);
});

ReadOnnxModel('refuses external data outside the model folder, naming tensor and path', () => {
  const err = thrown(() => readOnnxModel(fixture('broken', 'escape', 'model.onnx')));
  assert.is(err.code, 'E_ONNX_EXTERNAL_DATA');
  assert.match(
    err.message,
    /tensor "W" has external data at "\.\.\/tiny_cnn\.onnx", which is outside the model's folder/,
  );
  assert.not.match(err.message, /\n/);
});

ReadOnnxModel('a missing external data file is a clear error', () => {
  const err = thrown(() => readOnnxModel(fixture('broken', 'missing_external', 'model.onnx')));
  assert.is(err.code, 'E_ONNX_EXTERNAL_DATA');
  assert.match(err.message, /tensor "W" external data file ".*nope\.bin" does not exist/);
});

ReadOnnxModel('a truncated file is E_ONNX_DECODE naming the file', () => {
  const file = fixture('broken', 'truncated.onnx');
  const err = thrown(() => readOnnxModel(file));
  assert.is(err.code, 'E_ONNX_DECODE');
  assert.ok(err.message.startsWith(`${file}: not a valid ONNX model (`));
  assert.not.match(err.message, /\n/);
});

ReadOnnxModel('bytes that are not ONNX at all are E_ONNX_DECODE', () => {
  const err = thrown(() =>
    readOnnxModel(Buffer.from('hello, this is not a model'), { modelPath: 'junk.onnx' }),
  );
  assert.is(err.code, 'E_ONNX_DECODE');
  assert.match(err.message, /^junk\.onnx: not a valid ONNX model/);
});

ReadOnnxModel('a missing file is E_FILE', () => {
  const err = thrown(() => readOnnxModel('/nonexistent/model.onnx'));
  assert.is(err.code, 'E_FILE');
  assert.is(err.message, '/nonexistent/model.onnx: cannot read ONNX model (no such file)');
});

ReadOnnxModel.run();
