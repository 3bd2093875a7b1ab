import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MATH_FIDELITIES, type DeviceDtype, type MathFidelity } from '../../../arch/spec.js';
import {
  f32ToBits,
  matmulTile,
  quantizeTile,
  srcBFidelityBits,
} from '../../../sim/numerics/index.js';
import { deviceMatmul, randomNormal, referenceMatmul, relativeError } from './helpers.js';

const FP32_DST = { accumulateFp32: true, src: 'bf16' } as const;
const BF16_DST = { accumulateFp32: false, src: 'bf16' } as const;

function identity(): Float32Array {
  const t = new Float32Array(1024);
  for (let i = 0; i < 32; i++) t[i * 32 + i] = 1;
  return t;
}

const Tile = suite('matmulTile');

Tile(
  'a @ I at HiFi4 returns bf16 a exactly; at LoFi it keeps the 7 bits SrcB (in0) gets in phase 0',
  () => {
    const a = quantizeTile(randomNormal(1024, 1), 'bf16');
    assert.equal(
      Array.from(matmulTile(a, identity(), new Float32Array(1024), 'HiFi4', FP32_DST)),
      Array.from(a),
    );
    const lofi = matmulTile(a, identity(), new Float32Array(1024), 'LoFi', FP32_DST);
    assert.equal(
      Array.from(lofi),
      Array.from(a, (x) => srcBFidelityBits(f32ToBits(x), 0)),
    );
  },
);

Tile('accumulates into acc, and a matrix of fewer than 32 rows gives the matching rows', () => {
  const a = quantizeTile(randomNormal(1024, 2), 'bf16');
  const b = quantizeTile(randomNormal(1024, 3), 'bf16');
  const full = matmulTile(a, b, new Float32Array(1024), 'HiFi2', FP32_DST);
  const eight = matmulTile(a.slice(0, 256), b, new Float32Array(256), 'HiFi2', FP32_DST);
  assert.equal(Array.from(eight), Array.from(full.subarray(0, 256)));
  // Small integers: every product and partial sum is exact, so acc + a @ b is exact too.
  const ia = Float32Array.from(randomNormal(1024, 8), (x) => Math.round(4 * x));
  const ib = Float32Array.from(randomNormal(1024, 9), (x) => Math.round(4 * x));
  const init = Float32Array.from({ length: 1024 }, (_, i) => i - 500);
  const got = matmulTile(ia, ib, new Float32Array(init), 'HiFi4', FP32_DST);
  const want = referenceMatmul(ia, ib, 32, 32, 32);
  got.forEach((x, i) => assert.is(x, init[i]! + want[i]!));
});

Tile('with a bf16 Dst every stored partial sum is a bf16 value', () => {
  const acc = matmulTile(
    quantizeTile(randomNormal(1024, 4), 'bf16'),
    quantizeTile(randomNormal(1024, 5), 'bf16'),
    new Float32Array(1024),
    'HiFi4',
    BF16_DST,
  );
  assert.ok(acc.every((x) => (f32ToBits(x) & 0xffff) === 0));
});

Tile('bfp4 inputs need one phase: LoFi and HiFi4 give identical results', () => {
  const a = quantizeTile(randomNormal(1024, 6), 'bfp4');
  const b = quantizeTile(randomNormal(1024, 7), 'bfp4');
  assert.equal(
    Array.from(matmulTile(a, b, new Float32Array(1024), 'LoFi', FP32_DST)),
    Array.from(matmulTile(a, b, new Float32Array(1024), 'HiFi4', FP32_DST)),
  );
});
Tile.run();

const Errors = suite('matmulTile error magnitudes (64x1024x64, N(0,1) inputs)');
const [M, K, N] = [64, 1024, 64];
const A = randomNormal(M * K, 11);
const B = randomNormal(K * N, 12);
const REF = referenceMatmul(A, B, M, K, N);
const FORMATS: readonly DeviceDtype[] = ['bf16', 'bfp8', 'bfp4', 'fp8'];

function err(format: DeviceDtype, fidelity: MathFidelity, accumulateFp32: boolean): number {
  return relativeError(deviceMatmul(A, B, M, K, N, { format, fidelity, accumulateFp32 }), REF);
}

Errors(
  'prints relative Frobenius errors per format, fidelity and Dst mode; LoFi >= HiFi2 >= HiFi4',
  () => {
    console.log(`  ${'format/Dst'.padEnd(12)}${MATH_FIDELITIES.map((f) => f.padEnd(10)).join('')}`);
    for (const format of FORMATS) {
      for (const acc of [true, false]) {
        const e = MATH_FIDELITIES.map((f) => err(format, f, acc));
        console.log(
          `  ${`${format}/${acc ? 'fp32' : 'bf16'}`.padEnd(12)}${e.map((x) => x.toExponential(2).padEnd(10)).join('')}`,
        );
        assert.ok(e[0]! >= e[1]! && e[1]! >= e[3]!, `${format} ${acc}: ${e.join(', ')}`);
      }
    }
  },
);

Errors(
  'bf16 HiFi2 is about 1e-2 or better; LoFi is clearly worse; bfp4 is far worse than bfp8',
  () => {
    assert.ok(err('bf16', 'HiFi2', true) < 1e-2);
    assert.ok(err('bf16', 'HiFi2', false) < 2e-2);
    assert.ok(err('bf16', 'LoFi', true) > 2 * err('bf16', 'HiFi2', true));
    assert.ok(err('bfp4', 'LoFi', true) > 5 * err('bfp8', 'LoFi', true));
  },
);

Errors(
  'bf16 HiFi4 with an fp32 Dst is bf16-exact: it matches the f64 product of the bf16 inputs to fp32 rounding',
  () => {
    const qa = quantizeTile(A, 'bf16'); // bf16 is element-wise, so quantizing the whole matrix is the same
    const qb = quantizeTile(B, 'bf16');
    const exact = referenceMatmul(qa, qb, M, K, N);
    const dev = deviceMatmul(A, B, M, K, N, {
      format: 'bf16',
      fidelity: 'HiFi4',
      accumulateFp32: true,
    });
    assert.ok(relativeError(dev, exact) < 1e-6, `${relativeError(dev, exact)}`);
  },
);
Errors.run();
