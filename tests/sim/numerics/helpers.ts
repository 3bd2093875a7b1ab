// Test helpers for the numerics: seeded normal data, tiling, a tiled FPU matmul and error metrics.

import type { DeviceDtype, MathFidelity } from '../../../arch/spec.js';
import {
  DEFAULT_QUANTIZE_OPTIONS,
  matmulTile,
  quantizeTile,
  srcFormatFor,
  type QuantizeOptions,
} from '../../../sim/numerics/index.js';

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` seeded standard-normal float32 values (Box-Muller). */
export function randomNormal(n: number, seed: number, scale = 1): Float32Array {
  const u = uniform(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = scale * r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = scale * r * Math.sin(th);
  }
  return out;
}

/** The 32x32 tile (tr, tc) of a row-major matrix with `cols` columns. */
export function tileOf(m: Float32Array, cols: number, tr: number, tc: number): Float32Array {
  const t = new Float32Array(1024);
  for (let r = 0; r < 32; r++)
    t.set(m.subarray((tr * 32 + r) * cols + tc * 32, (tr * 32 + r) * cols + tc * 32 + 32), r * 32);
  return t;
}

/** C = A (M x K) @ B (K x N) in double precision. */
export function referenceMatmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p] as number;
      for (let j = 0; j < n; j++)
        c[i * n + j] = (c[i * n + j] as number) + x * (b[p * n + j] as number);
    }
  }
  return c;
}

export interface DeviceMatmulConfig {
  readonly format: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly accumulateFp32: boolean;
  readonly quantize?: QuantizeOptions;
}

/** C = A @ B tile by tile as the device computes it: inputs stored in `format`, Dst accumulation. */
export function deviceMatmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  cfg: DeviceMatmulConfig,
): Float32Array {
  const q = cfg.quantize ?? DEFAULT_QUANTIZE_OPTIONS;
  const mt = m / 32,
    kt = k / 32,
    nt = n / 32;
  const aTiles = Array.from({ length: mt * kt }, (_, i) =>
    quantizeTile(tileOf(a, k, Math.floor(i / kt), i % kt), cfg.format, q),
  );
  const bTiles = Array.from({ length: kt * nt }, (_, i) =>
    quantizeTile(tileOf(b, n, Math.floor(i / nt), i % nt), cfg.format, q),
  );
  const c = new Float32Array(m * n);
  const opts = { accumulateFp32: cfg.accumulateFp32, src: srcFormatFor(cfg.format) };
  for (let i = 0; i < mt; i++) {
    for (let j = 0; j < nt; j++) {
      const acc = new Float32Array(1024);
      for (let p = 0; p < kt; p++)
        matmulTile(aTiles[i * kt + p]!, bTiles[p * nt + j]!, acc, cfg.fidelity, opts);
      for (let r = 0; r < 32; r++)
        c.set(acc.subarray(r * 32, r * 32 + 32), (i * 32 + r) * n + j * 32);
    }
  }
  return c;
}

/** ||x - ref||_F / ||ref||_F. */
export function relativeError(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = (x[i] as number) - (ref[i] as number);
    num += d * d;
    den += (ref[i] as number) ** 2;
  }
  return Math.sqrt(num / den);
}

/** max |x - ref| / max |ref| (the max error relative to the output's scale). */
export function maxRelativeError(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs((x[i] as number) - (ref[i] as number)));
    den = Math.max(den, Math.abs(ref[i] as number));
  }
  return num / den;
}
