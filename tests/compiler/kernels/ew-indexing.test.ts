// Reference kernels of the index-driven ops (indexing.ts, scatter.ts, select.ts, unique.ts) on
// hand-computed cases, several taken from the examples in the ONNX operator documentation.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SpatialcError } from '../../../arch/errors.js';
import { f32, i64, int, run1, runOp, str, t } from './run-op.js';

const Gather = suite('gather kernels');

Gather('GatherElements picks along the axis per element (negative indices count back)', () => {
  const data = f32([2, 2], [1, 2, 3, 4]);
  assert.equal(
    run1('GatherElements', [data, i64([0, 0, 1, -2], [2, 2])], { attrs: { axis: int(1) } }),
    [1, 1, 4, 3],
  );
});

Gather('GatherND reads index tuples, within each batch when batch_dims = 1', () => {
  const data = f32([2, 2], [0, 1, 2, 3]);
  assert.equal(run1('GatherND', [data, i64([0, 0, 1, 1], [2, 2])]), [0, 3]);
  const cube = f32([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  const y = runOp('GatherND', [cube, i64([1, 0], [2, 1])], { attrs: { batch_dims: int(1) } })[0]!;
  assert.equal(y.shape, [2, 2]);
  assert.equal(y.values, [2, 3, 4, 5]);
});

Gather('Gather rejects an out-of-range index naming the node', () => {
  const err = (() => {
    try {
      run1('Gather', [f32([2], [1, 2]), i64([2])]);
    } catch (e) {
      return e as SpatialcError;
    }
    return undefined;
  })();
  assert.match(
    err?.message ?? '',
    /node "n" \(Gather\): index 2 is out of range for a dim of size 2/,
  );
});

const Scatter = suite('scatter kernels');

Scatter('ScatterND replaces or reduces (add) whole slices', () => {
  const data = f32([8], [1, 2, 3, 4, 5, 6, 7, 8]);
  const idx = i64([4, 3, 1, 7], [4, 1]);
  const upd = f32([4], [9, 10, 11, 12]);
  assert.equal(run1('ScatterND', [data, idx, upd]), [1, 11, 3, 10, 9, 6, 7, 12]);
  assert.equal(
    run1('ScatterND', [data, idx, upd], { opset: 16, attrs: { reduction: str('add') } }),
    [1, 13, 3, 14, 14, 6, 7, 20],
  );
});

Scatter(
  'ScatterElements writes along the axis; reduction=mul multiplies; Scatter-9 is the same',
  () => {
    const data = f32([1, 5], [1, 2, 3, 4, 5]);
    const idx = i64([1, -2], [1, 2]);
    const upd = f32([1, 2], [1.5, 2]);
    const attrs = { axis: int(1) };
    assert.equal(run1('ScatterElements', [data, idx, upd], { attrs }), [1, 1.5, 3, 2, 5]);
    assert.equal(run1('Scatter', [data, idx, upd], { opset: 9, attrs }), [1, 1.5, 3, 2, 5]);
    const mul = { opset: 16, attrs: { ...attrs, reduction: str('mul') } };
    assert.equal(run1('ScatterElements', [data, idx, upd], mul), [1, 3, 3, 8, 5]);
  },
);

const Select = suite('selection kernels');

Select('OneHot: negative indices wrap, out-of-range ones give an all-off row', () => {
  const values = f32([2], [0, 1]);
  const y = runOp('OneHot', [i64([0, -1, 3]), i64([3], []), values])[0]!;
  assert.equal(y.shape, [3, 3]);
  assert.equal(y.values, [1, 0, 0, 0, 0, 1, 0, 0, 0]);
  const axis0 = run1('OneHot', [i64([0, -1, 3]), f32([], [3]), values], {
    attrs: { axis: int(0) },
  });
  assert.equal(axis0, [1, 0, 0, 0, 0, 0, 0, 1, 0]);
});

Select('TopK returns sorted values and indices; ties go to the lower index', () => {
  const x = f32([4], [3, 1, 3, 2]);
  const [v, i] = runOp('TopK', [x, i64([2])], { outputs: 2 });
  assert.equal(v!.values, [3, 3]);
  assert.equal(i!.values, [0, 2]);
  assert.is(i!.dtype, 'int64');
  const small = runOp('TopK', [x, i64([2])], { outputs: 2, attrs: { largest: int(0) } });
  assert.equal(small[0]!.values, [1, 2]);
  assert.equal(small[1]!.values, [1, 3]);
  const cols = runOp('TopK', [f32([2, 2], [1, 4, 3, 2]), i64([1])], {
    outputs: 2,
    attrs: { axis: int(0) },
  });
  assert.equal(cols[0]!.values, [3, 4]);
  assert.equal(cols[1]!.values, [1, 0]);
});

Select('NonZero lists the coordinates of non-zero elements, one row per dim', () => {
  const y = runOp('NonZero', [f32([2, 2], [1, 0, 1, 1])])[0]!;
  assert.equal(y.shape, [2, 3]);
  assert.equal(y.values, [0, 1, 1, 0, 0, 1]);
});

Select('Unique: sorted or first-seen order, with indices, inverse indices and counts', () => {
  const x = f32([6], [2, 1, 1, 3, 4, 3]);
  const sorted = runOp('Unique', [x], { outputs: 4 }).map((r) => r.values);
  assert.equal(sorted, [
    [1, 2, 3, 4],
    [1, 0, 3, 4],
    [1, 0, 0, 2, 3, 2],
    [2, 1, 2, 1],
  ]);
  const seen = runOp('Unique', [x], { outputs: 4, attrs: { sorted: int(0) } }).map((r) => r.values);
  assert.equal(seen, [
    [2, 1, 3, 4],
    [0, 1, 3, 4],
    [0, 1, 1, 2, 3, 2],
    [1, 2, 2, 1],
  ]);
  const rows = runOp('Unique', [f32([3, 2], [1, 0, 0, 1, 1, 0])], { attrs: { axis: int(0) } })[0]!;
  assert.equal(rows.shape, [2, 2]);
  assert.equal(rows.values, [0, 1, 1, 0]);
});

Select('Compress keeps the slices (or flattened elements) whose condition is true', () => {
  const x = f32([3, 2], [1, 2, 3, 4, 5, 6]);
  const cond = t('bool', [3], [0, 1, 1]);
  assert.equal(run1('Compress', [x, cond], { attrs: { axis: int(0) } }), [3, 4, 5, 6]);
  assert.equal(run1('Compress', [x, t('bool', [5], [0, 1, 0, 0, 1])]), [2, 5]);
});

Select('ReverseSequence reverses the first sequence_lens[b] time steps of each batch', () => {
  const x = f32([4, 4], [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]);
  const y = run1('ReverseSequence', [x, i64([4, 3, 2, 1])], {
    attrs: { batch_axis: int(1), time_axis: int(0) },
  });
  assert.equal(y, [3, 6, 9, 12, 2, 5, 8, 13, 1, 4, 10, 14, 0, 7, 11, 15]);
});

Gather.run();
Scatter.run();
Select.run();
