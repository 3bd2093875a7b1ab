// Element-wise math on a tile: binary add/sub/mul on the FPU, unary functions on the SFPU.
//
// FPU (ELWADD.md, ELWMUL.md): inputs are stored in the tile's format, unpacked to Src (in0 ->
// SrcA, in1 -> SrcB; assumption from llk_unpack_AB), combined, written to Dst (fp32 or bf16 with
// round to nearest even, as in matmul.ts), then packed to the output format with the packer's
// rounding. ELWADD/ELWSUB ignore fidelity (they run once); ELWMUL runs one pass per fidelity phase
// and accumulates the partial products in Dst, exactly like MVMUL.
//
// SFPU: the function is computed in fp32 from the Dst value (the stored input, exactly) and the
// result packed to the output format. The hardware's polynomial / LUT approximations are not
// modelled: results are the correctly rounded fp32 function (gelu uses erf to ~1e-7), which is at
// least as accurate as the hardware's. Assumption: the result reaches the packer unrounded (as
// with an fp32 Dst).

import { unreachable } from '../../arch/errors.js';
import type { DeviceDtype, MathFidelity } from '../../arch/spec.js';
import { roundBf16 } from './bf16.js';
import { bitsToF32, f32ToBits } from './bits.js';
import { FIDELITY_PHASES, splitSrcA, splitSrcB, toSrcBits } from './fidelity.js';
import {
  DEFAULT_QUANTIZE_OPTIONS,
  quantizeTile,
  quantizeTileInPlace,
  type QuantizeOptions,
} from './quantize.js';
import { srcFormatFor } from './src-format.js';
import type { Int8Params, RoundingSite } from './types.js';

export type EltwiseOp = 'add' | 'sub' | 'mul';
export const SFPU_FUNCTIONS = [
  'exp',
  'gelu',
  'sigmoid',
  'tanh',
  'reciprocal',
  'sqrt',
  'log',
  'relu',
] as const;
export type SfpuFunction = (typeof SFPU_FUNCTIONS)[number];

export interface EltwiseOptions {
  /** Fidelity of ELWMUL (add/sub ignore it). */
  readonly fidelity: MathFidelity;
  /** true: Dst holds fp32; false: bf16. */
  readonly accumulateFp32: boolean;
  /** How the inputs were stored (their rounding site, fp8 variant, int8 params). */
  readonly inputs: QuantizeOptions;
  /** Rounding of the result as it is packed ('packer' for results a kernel writes). */
  readonly outputSite: RoundingSite;
  /** int8 params of the result; undefined picks a symmetric scale from the result. */
  readonly outputInt8?: Int8Params;
}

export const DEFAULT_ELTWISE_OPTIONS: EltwiseOptions = {
  fidelity: 'HiFi4',
  accumulateFp32: false,
  inputs: DEFAULT_QUANTIZE_OPTIONS,
  outputSite: 'packer',
};

function packOutput(dst: Float32Array, format: DeviceDtype, opts: EltwiseOptions): Float32Array {
  const q: QuantizeOptions = { ...opts.inputs, site: opts.outputSite, int8: opts.outputInt8 };
  return quantizeTileInPlace(dst, format, q);
}

function dstRound(x: number, isFp32: boolean): number {
  return isFp32 ? Math.fround(x) : roundBf16(x);
}

/** a (op) b element-wise on the FPU, inputs and output in `format`; returns a new tile. */
export function eltwiseTile(
  op: EltwiseOp,
  a: Float32Array,
  b: Float32Array,
  format: DeviceDtype,
  opts: EltwiseOptions = DEFAULT_ELTWISE_OPTIONS,
): Float32Array {
  const qa = quantizeTile(a, format, opts.inputs);
  const qb = quantizeTile(b, format, opts.inputs);
  const src = srcFormatFor(format);
  const dst = new Float32Array(qa.length);
  if (op === 'mul') {
    const sa = splitSrcA(qa, src);
    const sb = splitSrcB(qb, src);
    for (const p of FIDELITY_PHASES[opts.fidelity]) {
      const av = p & 1 ? sa.lo : sa.hi;
      const bv = p & 2 ? sb.lo : sb.hi;
      for (let i = 0; i < dst.length; i++) {
        dst[i] = dstRound(
          (dst[i] as number) + Math.fround((av[i] as number) * (bv[i] as number)),
          opts.accumulateFp32,
        );
      }
    }
    return packOutput(dst, format, opts);
  }
  const sign = op === 'add' ? 1 : op === 'sub' ? -1 : unreachable(op);
  for (let i = 0; i < dst.length; i++) {
    const x = bitsToF32(toSrcBits(f32ToBits(qa[i] as number), src));
    const y = bitsToF32(toSrcBits(f32ToBits(qb[i] as number), src));
    dst[i] = dstRound(x + sign * y, opts.accumulateFp32);
  }
  return packOutput(dst, format, opts);
}

/** erf(x) by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const r = 1 - poly * Math.exp(-x * x);
  return x < 0 ? -r : r;
}

/** The exact (double) value of an SFPU function. */
export function sfpuFunction(fn: SfpuFunction, x: number): number {
  switch (fn) {
    case 'exp':
      return Math.exp(x);
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    case 'reciprocal':
      return 1 / x;
    case 'sqrt':
      return Math.sqrt(x);
    case 'log':
      return Math.log(x);
    case 'relu':
      return x > 0 ? x : 0;
    default:
      return unreachable(fn);
  }
}

/** fn(a) element-wise on the SFPU, input and output in `format`; returns a new tile. */
export function sfpuTile(
  fn: SfpuFunction,
  a: Float32Array,
  format: DeviceDtype,
  opts: EltwiseOptions = DEFAULT_ELTWISE_OPTIONS,
): Float32Array {
  const x = quantizeTile(a, format, opts.inputs);
  for (let i = 0; i < x.length; i++) x[i] = sfpuFunction(fn, x[i] as number);
  return packOutput(x, format, opts);
}
