import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  dequantizeInt8,
  int8Params,
  quantizeInt8,
  roundHalfToEven,
} from '../../../sim/numerics/index.js';
import { randomNormal } from './helpers.js';

const Quantize = suite('quantizeInt8 / dequantizeInt8');

Quantize('rounds half to even and saturates to [-128, 127]', () => {
  const p = { scale: 1, zeroPoint: 0 };
  const q = quantizeInt8(
    new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, 126.5, 200, -200, -128.4, NaN]),
    p,
  );
  assert.equal(Array.from(q), [0, 2, 2, 0, -2, 126, 127, -128, -128, 0]);
  assert.equal([2.5, 3.5, -2.5, 0.49].map(roundHalfToEven), [2, 4, -2, 0]);
});

Quantize('applies the zero point before saturating (ONNX QuantizeLinear)', () => {
  const p = { scale: 0.5, zeroPoint: -10 };
  assert.equal(
    Array.from(quantizeInt8(new Float32Array([0, 1, -60, 70]), p)),
    [-10, -8, -128, 127],
  );
  assert.equal(
    Array.from(dequantizeInt8(new Int8Array([-10, -8, -128, 127]), p)),
    [0, 1, -59, 68.5],
  );
});

Quantize('round trip is exact for values on the grid and within scale/2 elsewhere', () => {
  const p = { scale: 0.25, zeroPoint: 3 };
  const grid = new Float32Array([-32.75, -1, 0, 0.25, 31]);
  assert.equal(Array.from(dequantizeInt8(quantizeInt8(grid, p), p)), Array.from(grid));
  const v = randomNormal(1024, 7);
  const sym = int8Params(v);
  const back = dequantizeInt8(quantizeInt8(v, sym), sym);
  for (let i = 0; i < v.length; i++)
    assert.ok(Math.abs((back[i] as number) - (v[i] as number)) <= sym.scale / 2 + 1e-7);
});
Quantize.run();

const Params = suite('int8Params');

Params(
  'symmetric params map max |x| to 127 with zero point 0; asymmetric params cover [min, max] with 0 exact',
  () => {
    const v = new Float32Array([-2, 0.5, 4]);
    const sym = int8Params(v);
    assert.is(sym.zeroPoint, 0);
    assert.is(sym.scale, Math.fround(4 / 127));
    const asym = int8Params(new Float32Array([1, 3, 5.1]), { symmetric: false });
    const q = quantizeInt8(new Float32Array([0, 5.1]), asym);
    assert.is(q[0], asym.zeroPoint);
    assert.is(q[1], 127);
    assert.is(asym.zeroPoint, -128); // the range starts at 0
    assert.equal(int8Params(new Float32Array(4)), { scale: 1, zeroPoint: 0 });
  },
);
Params.run();
