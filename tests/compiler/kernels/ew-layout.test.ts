// Reference kernels of the data-movement and generator ops (layout.ts, reshape.ts, slice-pad.ts,
// generators.ts, det.ts) on hand-computed cases.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { f32, float, i64, int, ints, rounded, run1, runOp, str, t } from './run-op.js';

const Layout = suite('layout kernels');

Layout('Transpose, Expand, Tile and Concat move elements as numpy does', () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.equal(run1('Transpose', [x], { attrs: { perm: ints([1, 0]) } }), [1, 4, 2, 5, 3, 6]);
  assert.equal(run1('Expand', [f32([2, 1], [1, 2]), i64([2, 3])]), [1, 1, 1, 2, 2, 2]);
  assert.equal(run1('Tile', [f32([2], [1, 2]), i64([3])]), [1, 2, 1, 2, 1, 2]);
  const y = runOp('Concat', [x, f32([2, 1], [7, 8])], { attrs: { axis: int(-1) } })[0]!;
  assert.equal(y.shape, [2, 4]);
  assert.equal(y.values, [1, 2, 3, 7, 4, 5, 6, 8]);
});

Layout('Split by sizes, evenly, and by num_outputs (opset 18: last part smaller)', () => {
  const x = f32([7], [0, 1, 2, 3, 4, 5, 6]);
  const sized = runOp('Split', [x, i64([2, 5])], { outputs: 2, opset: 13 });
  assert.equal(
    sized.map((r) => r.values),
    [
      [0, 1],
      [2, 3, 4, 5, 6],
    ],
  );
  const parts = runOp('Split', [x], { outputs: 3, opset: 18, attrs: { num_outputs: int(3) } });
  assert.equal(
    parts.map((r) => r.shape),
    [[3], [3], [1]],
  );
});

Layout('DepthToSpace in DCR and CRD order, and SpaceToDepth inverting DCR', () => {
  const x = f32([1, 8, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]);
  const dcr = runOp('DepthToSpace', [x], { attrs: { blocksize: int(2) } })[0]!;
  assert.equal(dcr.shape, [1, 2, 2, 2]);
  assert.equal(dcr.values, [0, 2, 4, 6, 1, 3, 5, 7]);
  const crd = run1('DepthToSpace', [x], { attrs: { blocksize: int(2), mode: str('CRD') } });
  assert.equal(crd, [0, 1, 2, 3, 4, 5, 6, 7]);
  const back = run1('SpaceToDepth', [f32([1, 2, 2, 2], dcr.values)], {
    attrs: { blocksize: int(2) },
  });
  assert.equal(back, [0, 1, 2, 3, 4, 5, 6, 7]);
});

Layout(
  'opset-1 forms: Concat axis 1 by default, Split sizes as an input, Tile by tiles/axis',
  () => {
    const x = f32([2, 1], [1, 2]);
    assert.equal(runOp('Concat', [x, x], { opset: 1 })[0]!.shape, [2, 2]);
    const parts = runOp('Split', [f32([3], [1, 2, 3]), i64([1, 2])], { opset: 1, outputs: 2 });
    assert.equal(
      parts.map((r) => r.values),
      [[1], [2, 3]],
    );
    assert.equal(run1('Tile', [x, i64([2], []), i64([1], [])], { opset: 1 }), [1, 1, 2, 2]);
    assert.equal(
      run1('Cast', [f32([2], [1.7, -1.7])], { opset: 1, attrs: { to: str('INT32') } }),
      [1, -1],
    );
    const padded = run1('Pad', [f32([1], [5])], { opset: 1, attrs: { paddings: ints([1, 1]) } });
    assert.equal(padded, [0, 5, 0]);
  },
);

const Window = suite('slice and pad kernels');

Window('Slice with negative steps and clamped bounds', () => {
  const x = f32([10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(run1('Slice', [x, i64([8]), i64([1]), i64([0]), i64([-2])]), [8, 6, 4, 2]);
  assert.equal(run1('Slice', [x, i64([-1]), i64([-1000]), i64([0]), i64([-3])]), [9, 6, 3, 0]);
  assert.equal(run1('Slice', [x, i64([7]), i64([1e9])]), [7, 8, 9]);
});

Window('Pad in constant, reflect and edge modes, and on selected axes (opset 18)', () => {
  const x = f32([3], [1, 2, 3]);
  const pads = i64([2, 2]);
  assert.equal(run1('Pad', [x, pads, f32([], [9])], { opset: 13 }), [9, 9, 1, 2, 3, 9, 9]);
  const reflect = { opset: 13, attrs: { mode: str('reflect') } };
  assert.equal(run1('Pad', [x, pads], reflect), [3, 2, 1, 2, 3, 2, 1]);
  assert.equal(
    run1('Pad', [x, pads], { opset: 13, attrs: { mode: str('edge') } }),
    [1, 1, 1, 2, 3, 3, 3],
  );
  const m = f32([2, 2], [1, 2, 3, 4]);
  assert.equal(
    run1('Pad', [m, i64([1, 1]), undefined, i64([1])], { opset: 18 }),
    [0, 1, 2, 0, 0, 3, 4, 0],
  );
  assert.equal(
    run1('Pad', [x], { opset: 2, attrs: { pads: ints([1, 0]), value: float(-1) } }),
    [-1, 1, 2, 3],
  );
});

Window('Trilu keeps the upper or lower triangle from diagonal k', () => {
  const x = f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(run1('Trilu', [x, i64([1], [])]), [0, 2, 3, 0, 0, 6, 0, 0, 0]);
  assert.equal(
    run1('Trilu', [x, i64([-1], [])], { attrs: { upper: int(0) } }),
    [0, 0, 0, 4, 0, 0, 7, 8, 0],
  );
});

const Generators = suite('generator kernels');

Generators('EyeLike puts ones on diagonal k in the requested dtype', () => {
  const y = runOp('EyeLike', [f32([3, 3], new Array(9).fill(5))], {
    attrs: { k: int(1), dtype: int(6) },
  })[0]!;
  assert.is(y.dtype, 'int32');
  assert.equal(y.values, [0, 1, 0, 0, 0, 1, 0, 0, 0]);
});

Generators("Range counts from start by delta below limit, in the inputs' type", () => {
  assert.equal(run1('Range', [i64([1], []), i64([7], []), i64([2], [])]), [1, 3, 5]);
  assert.equal(run1('Range', [f32([], [1]), f32([], [0]), f32([], [-0.25])]), [1, 0.75, 0.5, 0.25]);
});

Generators('Hann, Hamming and Blackman windows, periodic and symmetric', () => {
  const four = i64([4], []);
  assert.equal(rounded(run1('HannWindow', [four])), [0, 0.5, 1, 0.5]);
  assert.equal(
    rounded(run1('HannWindow', [four], { attrs: { periodic: int(0) } })),
    [0, 0.75, 0.75, 0],
  );
  assert.equal(rounded(run1('HammingWindow', [four])), [0.086957, 0.543478, 1, 0.543478]);
  assert.equal(rounded(run1('BlackmanWindow', [four])), [0, 0.34, 1, 0.34]);
});

Generators('Det of each matrix in a batch', () => {
  const x = f32([2, 2, 2], [1, 2, 3, 4, 0, 1, 1, 0]);
  assert.equal(run1('Det', [x]), [-2, -1]);
  assert.equal(run1('Det', [f32([3, 3], [2, 0, 0, 0, 3, 0, 1, 1, 4])]), [24]);
  assert.equal(runOp('Det', [t('float64', [2, 2], [1, 1, 1, 1])])[0]!.values, [0]);
});

Layout.run();
Window.run();
Generators.run();
