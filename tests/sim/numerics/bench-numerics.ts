// Measures the numerics: relative error of a 256x1024x256 random-normal matmul per (format,
// fidelity, Dst mode), and the speed of quantizeTile and matmulTile.
// Run: npx tsc -p tsconfig.json && node dist/tests/sim/numerics/bench-numerics.js [M K N]

import { MATH_FIDELITIES, type DeviceDtype } from '../../../arch/spec.js';
import { matmulTile, quantizeTile } from '../../../sim/numerics/index.js';
import {
  deviceMatmul,
  maxRelativeError,
  randomNormal,
  referenceMatmul,
  relativeError,
} from './helpers.js';

const [m, k, n] = (
  process.argv.slice(2).length === 3 ? process.argv.slice(2).map(Number) : [256, 1024, 256]
) as [number, number, number];
const FORMATS: readonly DeviceDtype[] = ['fp32', 'bf16', 'bfp8', 'bfp4', 'fp8', 'int8'];

function errorTable(): void {
  const a = randomNormal(m * k, 1);
  const b = randomNormal(k * n, 2);
  const ref = referenceMatmul(a, b, m, k, n);
  console.log(
    `relative error ||C - C_f64||_F / ||C_f64||_F (max-abs error / max |C| in brackets), ${m}x${k}x${n}, inputs N(0,1)`,
  );
  console.log(['format', 'Dst', ...MATH_FIDELITIES].map((s) => s.padEnd(20)).join(''));
  for (const format of FORMATS) {
    for (const accumulateFp32 of [true, false]) {
      const cells = MATH_FIDELITIES.map((fidelity) => {
        const c = deviceMatmul(a, b, m, k, n, { format, fidelity, accumulateFp32 });
        return `${relativeError(c, ref).toExponential(2)} [${maxRelativeError(c, ref).toExponential(1)}]`;
      });
      console.log(
        [format, accumulateFp32 ? 'fp32' : 'bf16', ...cells].map((s) => s.padEnd(20)).join(''),
      );
    }
  }
}

function timeIt(label: string, reps: number, f: () => void): void {
  f();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(40)} ${(reps / s).toFixed(0).padStart(9)} tiles/s`);
}

function speed(): void {
  const t = randomNormal(1024, 3);
  for (const format of FORMATS)
    timeIt(`quantizeTile ${format}`, 20000, () => void quantizeTile(t, format));
  const a = quantizeTile(randomNormal(1024, 4), 'bf16');
  const b = quantizeTile(randomNormal(1024, 5), 'bf16');
  const acc = new Float32Array(1024);
  for (const fidelity of MATH_FIDELITIES) {
    for (const accumulateFp32 of [true, false]) {
      timeIt(
        `matmulTile bf16 ${fidelity} Dst ${accumulateFp32 ? 'fp32' : 'bf16'}`,
        2000,
        () => void matmulTile(a, b, acc.fill(0), fidelity, { accumulateFp32, src: 'bf16' }),
      );
    }
  }
}

errorTable();
speed();
