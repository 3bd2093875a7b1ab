// Reference kernels of the same-shape ops (elementwise-unary.ts, softmax.ts, erf.ts) on
// hand-computed cases. Expected floats come from Python's math/numpy (noted where not obvious).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { erf } from '../../../compiler/ops/erf.js';
import { f32, float, i64, int, rounded, run1, runOp, str, t } from './run-op.js';

const Erf = suite('erf');

Erf('erf(x) matches math.erf to 1e-15 across the series and continued-fraction ranges', () => {
  const want: [number, number][] = [
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [2.5, 0.999593047982555],
    [3, 0.9999779095030014],
    [-4, -0.9999999845827421],
    [5.9, 0.9999999999999999],
  ];
  for (const [x, y] of want) assert.ok(Math.abs(erf(x) - y) < 1e-15, `erf(${x}) = ${erf(x)}`);
  assert.is(erf(0), 0);
  assert.is(erf(-7), -1);
  assert.ok(Number.isNaN(erf(NaN)));
});

const Unary = suite('unary kernels');

Unary('Gelu is exact by default and uses tanh with approximate="tanh" (opset 20)', () => {
  const x = f32([4], [-1, 0, 1, 2]);
  assert.equal(rounded(run1('Gelu', [x], { opset: 20 })), [-0.158655, 0, 0.841345, 1.9545]);
  const approx = run1('Gelu', [x], { opset: 20, attrs: { approximate: str('tanh') } });
  assert.equal(rounded(approx), [-0.158808, 0, 0.841192, 1.954598]);
});

Unary('Round rounds half to even; Sign, Abs and Neg keep integer types', () => {
  assert.equal(run1('Round', [f32([6], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4])]), [0, 2, 2, -0, -2, 2]);
  assert.equal(run1('Sign', [t('int32', [3], [-5, 0, 7])]), [-1, 0, 1]);
  assert.equal(runOp('Neg', [t('int8', [2], [3, -4])])[0]!.dtype, 'int8');
});

Unary('Shrink zeroes |x| <= lambd and moves the rest toward zero by bias', () => {
  const y = run1('Shrink', [f32([5], [-2, -1, 0, 1, 2])], {
    attrs: { lambd: float(1.5), bias: float(1.5) },
  });
  assert.equal(y, [-0.5, 0, 0, 0, 0.5]);
});

Unary('trigonometric and hyperbolic ops follow Math', () => {
  const x = f32([1], [0.5]);
  for (const [op, f] of [
    ['Tan', Math.tan],
    ['Asin', Math.asin],
    ['Acos', Math.acos],
    ['Atan', Math.atan],
    ['Sinh', Math.sinh],
    ['Cosh', Math.cosh],
    ['Asinh', Math.asinh],
    ['Atanh', Math.atanh],
  ] as const)
    assert.is(run1(op, [x])[0], Math.fround(f(0.5)), op);
  assert.is(run1('Acosh', [f32([1], [2])])[0], Math.fround(Math.acosh(2)));
});

Unary('Cast wraps integers modulo 2^bits and truncates floats toward zero', () => {
  const to = (code: number) => ({ attrs: { to: int(code) } });
  assert.equal(run1('Cast', [t('int32', [3], [200, -129, 256])], to(3)), [-56, 127, 0]); // int8
  assert.equal(run1('Cast', [t('int32', [2], [-1, 300])], to(2)), [255, 44]); // uint8
  assert.equal(run1('Cast', [f32([3], [-2.7, 2.7, NaN])], to(6)), [-2, 2, 0]); // int32
  assert.equal(run1('Cast', [f32([2], [1, 65519])], to(10)), [1, 65504]); // float16 rounding
});

Unary('Clip takes attributes before opset 11 and optional inputs from 11 on', () => {
  const x = f32([4], [-3, -1, 1, 3]);
  const attrs = { min: float(-2), max: float(2) };
  assert.equal(run1('Clip', [x], { opset: 6, attrs }), [-2, -1, 1, 2]);
  assert.equal(run1('Clip', [x, undefined, f32([], [0])], { opset: 13 }), [-3, -1, 0, 0]);
});

Unary('IsInf honours detect_negative / detect_positive; IsNaN flags NaN', () => {
  const x = f32([4], [Infinity, -Infinity, NaN, 1]);
  assert.equal(run1('IsInf', [x]), [1, 1, 0, 0]);
  assert.equal(run1('IsInf', [x], { attrs: { detect_positive: int(0) } }), [0, 1, 0, 0]);
  assert.equal(run1('IsNaN', [x]), [0, 0, 1, 0]);
});

Unary('BitwiseNot complements signed and unsigned integers', () => {
  assert.equal(run1('BitwiseNot', [t('int32', [2], [0, 5])], { opset: 18 }), [-1, -6]);
  assert.equal(run1('BitwiseNot', [t('uint8', [2], [0, 5])], { opset: 18 }), [255, 250]);
});

const Axis = suite('axis kernels');
const cube = () => f32([2, 2, 2], [1, 2, 3, 4, 0, 0, 1, 5]);

Axis('Softmax normalises the last axis from opset 13', () => {
  const want = [0.268941, 0.731059, 0.268941, 0.731059, 0.5, 0.5, 0.017986, 0.982014];
  assert.equal(rounded(run1('Softmax', [cube()], { opset: 13 })), want);
});

Axis('Softmax before opset 13 coerces to 2-D at axis 1 and normalises whole rows', () => {
  // numpy: softmax(a.reshape(2, 4), axis=1)
  const want = [0.032059, 0.087144, 0.236883, 0.643914, 0.00653, 0.00653, 0.017751, 0.969188];
  assert.equal(rounded(run1('Softmax', [cube()], { opset: 11 })), want);
});

Axis('LogSoftmax is log of Softmax; Hardmax marks the first maximum only', () => {
  const want = [
    -1.313262, -0.313262, -1.313262, -0.313262, -0.693147, -0.693147, -4.01815, -0.01815,
  ];
  assert.equal(rounded(run1('LogSoftmax', [cube()], { opset: 13 })), want);
  const ties = f32([2, 3], [1, 3, 3, 2, 2, 2]);
  assert.equal(run1('Hardmax', [ties], { opset: 13 }), [0, 1, 0, 1, 0, 0]);
});

Axis('CumSum sums along the axis input, exclusive and reversed on request', () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  assert.equal(run1('CumSum', [x, i64([1], [])]), [1, 3, 6, 4, 9, 15]);
  assert.equal(run1('CumSum', [x, i64([0], [])]), [1, 2, 3, 5, 7, 9]);
  const both = { attrs: { exclusive: int(1), reverse: int(1) } };
  assert.equal(run1('CumSum', [x, i64([-1], [])], both), [5, 3, 0, 11, 6, 0]);
});

Axis('LpNormalization divides by the L1 or L2 norm of each line', () => {
  const x = f32([2, 2], [3, 4, 0, 0]);
  assert.equal(run1('LpNormalization', [x]), [0.6000000238418579, 0.800000011920929, 0, 0]);
  assert.equal(run1('LpNormalization', [x], { attrs: { p: int(1), axis: int(0) } }), [1, 1, 0, 0]);
});

Erf.run();
Unary.run();
Axis.run();
