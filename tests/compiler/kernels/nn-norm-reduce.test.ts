// Reference kernels for the normalisations, reductions and ArgMax/ArgMin.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, f32, runOp } from './nn-helpers.js';

const Norms = suite('normalisations');
Norms('BatchNormalization applies (x − mean)/√(var + ε)·scale + B per channel', () => {
  const x = f32([1, 2, 1, 2], [1, 3, 2, 4]);
  const [y] = runOp(
    'BatchNormalization',
    [x, f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [2, 3]), f32([2], [1, 4])],
    { attrs: { epsilon: 0 } },
  );
  assert.equal(y!.values, [-1, 1, 0, 2]);
});
Norms('BatchNormalization with spatial=0 (opset 7) normalises per element of [C, H, W]', () => {
  const p = (values: number[]) => f32([1, 1, 2], values);
  const x = f32([1, 1, 1, 2], [1, 5]);
  const [y] = runOp('BatchNormalization', [x, p([1, 2]), p([0, 1]), p([1, 3]), p([1, 4])], {
    attrs: { epsilon: 0, spatial: 0 },
    opset: 7,
  });
  assert.equal(y!.values, [0, 3]);
});
Norms(
  'BatchNormalization in training mode normalises with batch statistics and updates the running ones',
  () => {
    const x = f32([2, 1, 1, 1], [1, 3]);
    const one = f32([1], [1]);
    const [y, mean, variance] = runOp(
      'BatchNormalization',
      [x, one, f32([1], [0]), f32([1], [0]), one],
      {
        attrs: { epsilon: 0, training_mode: 1 },
        outputCount: 3,
        opset: 15,
      },
    );
    assert.equal(y!.values, [-1, 1]);
    assertClose(mean!.values, [0.2]);
    assertClose(variance!.values, [1]);
  },
);
Norms('LayerNormalization normalises the trailing dims and returns Mean and InvStdDev', () => {
  const [y, mean, inv] = runOp(
    'LayerNormalization',
    [f32([2, 2], [1, 3, 2, 2]), f32([2], [1, 1]), f32([2], [0, 0.5])],
    { outputCount: 3 },
  );
  assertClose(y!.values, [-1, 1.5, 0, 0.5], 1e-4);
  assert.equal(mean!.shape, [2, 1]);
  assert.equal(mean!.values, [2, 2]);
  assertClose(inv!.values, [1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1e-5)]);
});
Norms('InstanceNormalization normalises each (n, c) plane', () => {
  const [y] = runOp('InstanceNormalization', [
    f32([1, 1, 1, 2], [0, 2]),
    f32([1], [3]),
    f32([1], [1]),
  ]);
  assertClose(y!.values, [-2, 4], 1e-4);
});
Norms('GroupNormalization normalises each group of channels', () => {
  const [y] = runOp(
    'GroupNormalization',
    [f32([1, 4, 1, 1], [1, 3, 5, 9]), f32([2], [1, 1]), f32([2], [0, 0])],
    { attrs: { num_groups: 2 }, opset: 18 },
  );
  assertClose(y!.values, [-1, 1, -1, 1], 1e-4);
});
Norms('MeanVarianceNormalization gives zero mean and unit variance over N, H, W', () => {
  assertClose(runOp('MeanVarianceNormalization', [f32([1, 1, 1, 2], [1, 3])])[0]!.values, [-1, 1]);
});
Norms('LRN divides by the windowed sum of squares across channels', () => {
  const [y] = runOp('LRN', [f32([1, 3, 1, 1], [1, 2, 3])], {
    attrs: { size: 3, alpha: 3, beta: 1, bias: 1 },
  });
  assertClose(y!.values, [1 / 6, 2 / 15, 3 / 14]);
});
Norms.run();

const Reduce = suite('reductions');
Reduce('ReduceLogSumExp stays finite for large inputs', () => {
  assertClose(runOp('ReduceLogSumExp', [f32([2], [1000, 1000])])[0]!.values, [1000 + Math.LN2]);
});
Reduce(
  'ReduceSum takes axes as an input from opset 13, with keepdims and noop_with_empty_axes',
  () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    const axes = { shape: [1], values: [1], dtype: 'int64' as const };
    const [y] = runOp('ReduceSum', [x, axes], { attrs: { keepdims: 0 }, opset: 13 });
    assert.equal(y!.shape, [2]);
    assert.equal(y!.values, [3, 7]);
    const empty = { shape: [0], values: [], dtype: 'int64' as const };
    assert.equal(
      runOp('ReduceSum', [x, empty], { opset: 13, attrs: { noop_with_empty_axes: 1 } })[0]!.values,
      [1, 2, 3, 4],
    );
  },
);
Reduce('ReduceMean before opset 18 takes axes as an attribute', () => {
  assert.equal(
    runOp('ReduceMean', [f32([2, 2], [1, 2, 3, 4])], { attrs: { axes: [0] }, opset: 13 })[0]!
      .values,
    [2, 3],
  );
});
Reduce('ArgMax and ArgMin pick the first extreme, or the last with select_last_index', () => {
  const x = f32([1, 4], [1, 3, 3, 0]);
  assert.equal(runOp('ArgMax', [x], { attrs: { axis: 1 } })[0]!.values, [1]);
  assert.equal(runOp('ArgMax', [x], { attrs: { axis: 1, select_last_index: 1 } })[0]!.values, [2]);
  assert.equal(
    runOp('ArgMin', [f32([3, 1], [2, 0, 0])], { attrs: { keepdims: 0, select_last_index: 1 } })[0]!
      .values,
    [2],
  );
});
Reduce.run();
