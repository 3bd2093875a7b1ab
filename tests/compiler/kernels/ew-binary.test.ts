// Reference kernels of the broadcasting elementwise ops (elementwise-binary.ts) on
// hand-computed cases: integer semantics, broadcasting (numpy and pre-opset-7), logic, variadics.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { f32, i64, int, run1, runOp, str, t } from './run-op.js';

const Arith = suite('arithmetic kernels');

Arith('integer Div truncates toward zero; float Div is exact', () => {
  const a = t('int32', [4], [7, -7, 7, -7]);
  const b = t('int32', [4], [2, 2, -2, -2]);
  assert.equal(run1('Div', [a, b]), [3, -3, -3, 3]);
  assert.equal(run1('Div', [f32([1], [-7]), f32([1], [2])]), [-3.5]);
});

Arith('Mod takes the divisor sign (fmod=0) or the dividend sign (fmod=1)', () => {
  const a = t('int32', [4], [-7, 7, -7, 7]);
  const b = t('int32', [4], [3, -3, -3, 3]);
  assert.equal(run1('Mod', [a, b]), [2, -2, -1, 1]);
  assert.equal(run1('Mod', [a, b], { attrs: { fmod: int(1) } }), [-1, 1, -1, 1]);
  const y = run1('Mod', [f32([2], [-4.5, 5.5]), f32([2], [2, -2])], { attrs: { fmod: int(1) } });
  assert.equal(y, [-0.5, 1.5]);
});

Arith('Pow keeps the base type: integer bases give integer results', () => {
  const y = runOp('Pow', [t('int32', [3], [2, 3, -2]), f32([3], [3, 2, 3])])[0]!;
  assert.is(y.dtype, 'int32');
  assert.equal(y.values, [8, 9, -8]);
  assert.equal(run1('Pow', [f32([2], [4, 2]), f32([1], [0.5])]), [2, 1.4142135381698608]);
});

Arith('integer results wrap like C (int32 Add, uint8 Sub)', () => {
  const big = t('int32', [1], [2147483647]);
  assert.equal(run1('Add', [big, t('int32', [1], [1])]), [-2147483648]);
  assert.equal(run1('Sub', [t('uint8', [1], [1]), t('uint8', [1], [2])]), [255]);
});

Arith('BitShift shifts unsigned values, dropping bits past the type width', () => {
  const x = t('uint8', [3], [16, 4, 1]);
  const n = t('uint8', [3], [1, 2, 7]);
  assert.equal(run1('BitShift', [x, n], { attrs: { direction: str('RIGHT') } }), [8, 1, 0]);
  assert.equal(run1('BitShift', [x, n], { attrs: { direction: str('LEFT') } }), [32, 16, 128]);
  const wide = t('uint64', [1], [1]);
  assert.equal(
    run1('BitShift', [wide, t('uint64', [1], [40])], { attrs: { direction: str('LEFT') } }),
    [2 ** 40],
  );
});

Arith("bitwise ops work on two's complement integers", () => {
  const a = t('int32', [2], [12, -1]);
  const b = t('int32', [2], [10, 5]);
  assert.equal(run1('BitwiseAnd', [a, b], { opset: 18 }), [8, 5]);
  assert.equal(run1('BitwiseOr', [a, b], { opset: 18 }), [14, -1]);
  assert.equal(run1('BitwiseXor', [a, b], { opset: 18 }), [6, -6]);
});

const Broadcast = suite('broadcasting');

Broadcast('numpy broadcasting: scalars, trailing biases and general shapes', () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.equal(run1('Add', [x, f32([], [10])]), [11, 12, 13, 14, 15, 16]);
  assert.equal(run1('Add', [x, f32([3], [1, 2, 3])]), [2, 4, 6, 5, 7, 9]);
  assert.equal(run1('Mul', [x, f32([2, 1], [1, -1])]), [1, 2, 3, -4, -5, -6]);
  assert.equal(run1('Sub', [f32([2, 1], [1, 2]), f32([1, 3], [1, 2, 3])]), [0, -1, -2, 1, 0, -1]);
});

Broadcast('before opset 7, broadcast=1 aligns B with A at `axis`', () => {
  const a = f32([2, 3, 2], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  const b = f32([3], [1, 2, 3]);
  const y = run1('Add', [a, b], { opset: 6, attrs: { broadcast: int(1), axis: int(1) } });
  assert.equal(y, [1, 1, 2, 2, 3, 3, 2, 2, 3, 3, 4, 4]);
});

Broadcast('PRelu-6 applies a 1-D slope per channel; PRelu-16 broadcasts numpy-style', () => {
  const x = f32([1, 2, 2], [-1, 2, -3, 4]);
  assert.equal(run1('PRelu', [x, f32([2], [0.5, 0.25])], { opset: 6 }), [-0.5, 2, -0.75, 4]);
  assert.equal(run1('PRelu', [x, f32([2], [0.5, 0.25])], { opset: 16 }), [-0.5, 2, -1.5, 4]);
});

const Logic = suite('comparison and logic kernels');

Logic('comparisons give bool; And/Or/Xor/Not follow truth tables', () => {
  const a = f32([3], [1, 2, 3]);
  const b = f32([3], [2, 2, 2]);
  const eq = runOp('Equal', [a, b])[0]!;
  assert.is(eq.dtype, 'bool');
  assert.equal(eq.values, [0, 1, 0]);
  assert.equal(run1('Less', [a, b]), [1, 0, 0]);
  assert.equal(run1('GreaterOrEqual', [a, b]), [0, 1, 1]);
  const p = t('bool', [4], [0, 0, 1, 1]);
  const q = t('bool', [4], [0, 1, 0, 1]);
  assert.equal(run1('And', [p, q]), [0, 0, 0, 1]);
  assert.equal(run1('Or', [p, q]), [0, 1, 1, 1]);
  assert.equal(run1('Xor', [p, q]), [0, 1, 1, 0]);
  assert.equal(run1('Not', [p]), [1, 1, 0, 0]);
});

Logic('Where picks X where the condition holds, with broadcasting', () => {
  const c = t('bool', [2, 1], [1, 0]);
  const y = run1('Where', [c, f32([2], [1, 2]), f32([], [9])]);
  assert.equal(y, [1, 2, 9, 9]);
});

Logic('variadic Sum, Mean, Max and Min broadcast all their inputs', () => {
  const a = f32([2], [1, 5]);
  const b = f32([1], [3]);
  const c = f32([2, 1], [0, 10]);
  assert.equal(run1('Sum', [a, b, c]), [4, 8, 14, 18]);
  assert.equal(run1('Mean', [a, b]), [2, 4]);
  assert.equal(run1('Max', [a, b, c]), [3, 5, 10, 10]);
  assert.equal(run1('Min', [a]), [1, 5]);
  assert.ok(Number.isNaN(run1('Max', [f32([1], [NaN]), f32([1], [1])])[0]!));
});

Logic('int64 Equal compares exactly', () => {
  assert.equal(run1('Equal', [i64([2 ** 40, 3]), i64([2 ** 40, 4])]), [1, 0]);
});

Arith.run();
Broadcast.run();
Logic.run();
