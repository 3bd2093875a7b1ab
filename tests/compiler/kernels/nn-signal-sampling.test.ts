// Reference kernels for DFT, STFT, MelWeightMatrix, GridSample, RoiAlign, MaxUnpool and
// NonMaxSuppression.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, f32, runOp, type Literal } from './nn-helpers.js';

const i64 = (shape: number[], values: number[]): Literal => ({ shape, values, dtype: 'int64' });

const Signal = suite('signal');
Signal('DFT of a real signal gives its complex spectrum, onesided keeps N/2 + 1 bins', () => {
  const x = f32([1, 4, 1], [1, 2, 3, 4]);
  const [y] = runOp('DFT', [x], { attrs: { axis: 1 } });
  assert.equal(y!.shape, [1, 4, 2]);
  assertClose(y!.values, [10, 0, -2, 2, -2, 0, -2, -2], 1e-12);
  const [half] = runOp('DFT', [x], { attrs: { axis: 1, onesided: 1 } });
  assert.equal(half!.shape, [1, 3, 2]);
});
Signal('DFT with inverse undoes the forward transform', () => {
  const spectrum = f32([1, 4, 2], [10, 0, -2, 2, -2, 0, -2, -2]);
  const [y] = runOp('DFT', [spectrum], { attrs: { axis: 1, inverse: 1 } });
  assertClose(y!.values, [1, 0, 2, 0, 3, 0, 4, 0], 1e-12);
});
Signal('STFT transforms each frame of frame_length every frame_step samples', () => {
  const [y] = runOp('STFT', [f32([1, 4, 1], [1, 2, 3, 4]), i64([], [2]), undefined, i64([], [2])]);
  assert.equal(y!.shape, [1, 2, 2, 2]);
  assertClose(y!.values, [3, 0, -1, 0, 7, 0, -1, 0], 1e-12);
});
Signal('MelWeightMatrix builds triangular filters over the spectrogram bins', () => {
  const args = [
    { shape: [], values: [8], dtype: 'int32' },
    { shape: [], values: [16], dtype: 'int32' },
    { shape: [], values: [8192], dtype: 'int32' },
    f32([], [0]),
    f32([], [4096]),
  ] as const;
  const [y] = runOp('MelWeightMatrix', [...args]);
  assert.equal(y!.shape, [9, 8]);
  assert.equal(y!.values.slice(0, 16), [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
});
Signal.run();

const Sampling = suite('sampling');
const X22 = f32([1, 1, 2, 2], [1, 2, 3, 4]);
Sampling('GridSample reads corners and interpolates bilinearly with align_corners', () => {
  const grid = f32([1, 1, 3, 2], [-1, -1, 1, 1, 0, 0]);
  assertClose(
    runOp('GridSample', [X22, grid], { attrs: { align_corners: 1 }, opset: 16 })[0]!.values,
    [1, 4, 2.5],
  );
});
Sampling('GridSample pads with zeros or clamps to the border outside the image', () => {
  const grid = f32([1, 1, 1, 2], [-3, 0]);
  assertClose(
    runOp('GridSample', [X22, grid], { attrs: { align_corners: 1 }, opset: 16 })[0]!.values,
    [0],
  );
  assertClose(
    runOp('GridSample', [X22, grid], {
      attrs: { align_corners: 1, padding_mode: 'border' },
      opset: 16,
    })[0]!.values,
    [2],
  );
});
Sampling(
  'RoiAlign averages bilinear samples of each bin, half_pixel shifting the roi by half a pixel',
  () => {
    const rois = f32([1, 4], [0, 0, 1, 1]);
    const batch = i64([1], [0]);
    const attrs = { output_height: 1, output_width: 1, sampling_ratio: 1 };
    assertClose(runOp('RoiAlign', [X22, rois, batch], { attrs, opset: 16 })[0]!.values, [1]);
    const legacy = { ...attrs, coordinate_transformation_mode: 'output_half_pixel' };
    assertClose(
      runOp('RoiAlign', [X22, rois, batch], { attrs: legacy, opset: 16 })[0]!.values,
      [2.5],
    );
  },
);
Sampling('MaxUnpool puts each value back at its MaxPool index and zero elsewhere', () => {
  const [y] = runOp('MaxUnpool', [f32([1, 1, 1, 2], [5, 6]), i64([1, 1, 1, 2], [1, 2])], {
    attrs: { kernel_shape: [1, 2], strides: [1, 2] },
    opset: 11,
  });
  assert.equal(y!.shape, [1, 1, 1, 4]);
  assert.equal(y!.values, [0, 5, 6, 0]);
});
Sampling('NonMaxSuppression keeps the best box and drops the ones overlapping it', () => {
  const boxes = f32([1, 3, 4], [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 2, 1, 3]);
  const scores = f32([1, 1, 3], [0.9, 0.8, 0.7]);
  const [y] = runOp('NonMaxSuppression', [boxes, scores, i64([1], [3]), f32([1], [0.5])], {
    opset: 11,
  });
  assert.equal(y!.shape, [2, 3]);
  assert.equal(y!.values, [0, 0, 0, 0, 0, 2]);
});
Sampling.run();
