// Reference kernels for quantisation, the quantised products and Resize/Upsample.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, f32, runOp, type Literal } from './nn-helpers.js';

const u8 = (shape: number[], values: number[]): Literal => ({ shape, values, dtype: 'uint8' });
const i8 = (shape: number[], values: number[]): Literal => ({ shape, values, dtype: 'int8' });

const Quant = suite('quantisation');
Quant('QuantizeLinear rounds half to even and saturates to uint8 and int8', () => {
  const x = f32([6], [0.5, 1.5, 2.5, -0.5, 300, -300]);
  const one = f32([], [1]);
  assert.equal(runOp('QuantizeLinear', [x, one, u8([], [0])])[0]!.values, [0, 2, 2, 0, 255, 0]);
  assert.equal(runOp('QuantizeLinear', [x, one, i8([], [0])])[0]!.values, [0, 2, 2, 0, 127, -128]);
});
Quant('QuantizeLinear and DequantizeLinear scale per axis', () => {
  const [q] = runOp(
    'QuantizeLinear',
    [f32([2, 2], [2, 2, 4, 4]), f32([2], [1, 2]), u8([2], [0, 1])],
    { opset: 13 },
  );
  assert.equal(q!.values, [2, 2, 4, 3]);
  const [d] = runOp(
    'DequantizeLinear',
    [i8([2, 2], [2, 3, 4, 5]), f32([2], [0.5, 2]), i8([2], [0, 1])],
    { opset: 13 },
  );
  assert.equal(d!.values, [1, 4, 2, 8]);
});
Quant('DynamicQuantizeLinear covers [min(x, 0), max(x, 0)] with uint8', () => {
  const [y, scale, zp] = runOp('DynamicQuantizeLinear', [f32([3], [0, 2, -1])], { outputCount: 3 });
  assertClose(scale!.values, [3 / 255]);
  assert.equal(zp!.values, [85]);
  assert.equal(y!.values, [85, 255, 0]);
});
Quant('ConvInteger convolves zero-point-shifted uint8 into int32', () => {
  const [y] = runOp('ConvInteger', [
    u8([1, 1, 2, 2], [1, 2, 3, 4]),
    u8([1, 1, 1, 1], [2]),
    u8([], [1]),
  ]);
  assert.equal(y!.values, [0, 2, 4, 6]);
});
Quant('QLinearConv requantises acc·sx·sw/sy + bias and adds the output zero point', () => {
  const inputs = [
    u8([1, 1, 1, 2], [10, 20]),
    f32([], [0.5]),
    u8([], [10]),
    u8([1, 1, 1, 1], [3]),
    f32([], [2]),
    u8([], [1]),
    f32([], [1]),
    u8([], [5]),
  ];
  assert.equal(runOp('QLinearConv', inputs)[0]!.values, [5, 25]);
  const bias = { shape: [1], values: [4], dtype: 'int32' as const };
  assert.equal(runOp('QLinearConv', [...inputs, bias])[0]!.values, [9, 29]);
});
Quant('QLinearMatMul multiplies dequantised operands and requantises', () => {
  const inputs = [
    u8([1, 2], [130, 132]),
    f32([], [0.5]),
    u8([], [128]),
    u8([2, 1], [1, 3]),
    f32([], [1]),
    u8([], [0]),
    f32([], [0.25]),
    u8([], [0]),
  ];
  assert.equal(runOp('QLinearMatMul', inputs)[0]!.values, [28]);
});
Quant('QLinearMatMul takes per-row scales for a and per-column scales for b together', () => {
  const inputs = [
    u8([2, 1], [2, 3]),
    f32([2], [1, 2]),
    u8([], [0]),
    u8([1, 2], [1, 1]),
    f32([2], [1, 10]),
    u8([], [0]),
    f32([], [1]),
    u8([], [0]),
  ];
  // acc = [[2, 2], [3, 3]]; scales sa[row]·sb[col] = [[1, 10], [2, 20]]
  assert.equal(runOp('QLinearMatMul', inputs)[0]!.values, [2, 20, 6, 60]);
});
Quant.run();

const Resize = suite('Resize');
const x02 = f32([1, 1, 1, 2], [0, 4]);
const i64 = (values: number[]): Literal => ({ shape: [values.length], values, dtype: 'int64' });
Resize('Resize nearest (half_pixel, round_prefer_floor) doubles each element', () => {
  const [y] = runOp('Resize', [f32([1, 1, 1, 2], [1, 2]), undefined, f32([4], [1, 1, 1, 2])], {
    attrs: { mode: 'nearest' },
    opset: 13,
  });
  assert.equal(y!.values, [1, 1, 2, 2]);
});
Resize('Resize linear interpolates with half_pixel and align_corners coordinates', () => {
  const half = runOp('Resize', [x02, undefined, f32([4], [1, 1, 1, 2])], {
    attrs: { mode: 'linear' },
    opset: 13,
  });
  assert.equal(half[0]!.values, [0, 1, 3, 4]);
  const corners = runOp(
    'Resize',
    [f32([1, 1, 1, 2], [0, 3]), undefined, undefined, i64([1, 1, 1, 4])],
    {
      attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
      opset: 13,
    },
  );
  assertClose(corners[0]!.values, [0, 1, 2, 3]);
});
Resize('Resize tf_crop_and_resize samples the roi and extrapolates outside the input', () => {
  const roi = f32([8], [0, 0, 0, 0.5, 1, 1, 1, 1.5]);
  const [y] = runOp('Resize', [x02, roi, undefined, i64([1, 1, 1, 3])], {
    attrs: {
      mode: 'linear',
      coordinate_transformation_mode: 'tf_crop_and_resize',
      extrapolation_value: 9,
    },
    opset: 13,
  });
  assert.equal(y!.values, [2, 4, 9]);
});
Resize('Upsample (opset 9) repeats elements like asymmetric floor nearest', () => {
  const [y] = runOp('Upsample', [f32([1, 1, 1, 2], [1, 2]), f32([4], [1, 1, 1, 3])], { opset: 9 });
  assert.equal(y!.values, [1, 1, 1, 2, 2, 2]);
});
Resize.run();
