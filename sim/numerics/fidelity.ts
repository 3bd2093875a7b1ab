// Math fidelity of the Tensix matrix unit (FPU).
//
// Source: tt-isa-documentation, WormholeB0/TensixTile/TensixCoprocessor/SrcASrcB.md ("Fidelity
// phases (floating-point)"), MVMUL.md and MatrixUnit.md (SrcAFidelityBits / SrcBFidelityBits).
// The multipliers consume at most 5 significant bits of SrcA and 7 of SrcB per phase:
//   SrcA, phase bit 0 clear: implicit 1 + top 4 mantissa bits      (mask 0xFFF80000)
//   SrcA, phase bit 0 set:   the next 5 mantissa bits, as a value   (x - (x & 0xFFF83FFF))
//   SrcB, phase bit 1 clear: implicit 1 + top 6 mantissa bits      (mask 0xFFFE0000)
//   SrcB, phase bit 1 set:   the next 4 mantissa bits, as a value   (x - (x & 0xFFFE1FFF))
// so phase 0 = A_hi*B_hi, 1 = A_lo*B_hi, 2 = A_hi*B_lo, 3 = A_lo*B_lo. tt-metal's MathFidelity runs
// phases 0..n-1: LoFi = {0}, HiFi2 = {0,1}, HiFi3 = {0,1,2}, HiFi4 = {0,1,2,3} (SrcASrcB.md:
// "BF16: phases 0 and 1 for reasonable precision, all four for full precision").
// For BF16 operands HiFi4 is exact; HiFi2 drops the last mantissa bit of SrcB; LoFi keeps 5 bits
// of SrcA and 7 of SrcB. For TF32 the LSB of SrcA is never consumed and HiFi4 is not exact.
//
// Operand roles: tt-metal's matmul unpacks in0 (the left matrix, rows of the activation) into
// SrcB and in1 (the right matrix) into SrcA (llk_unpack_AB_matmul: "In0 -> srcB, In1 -> srcA"),
// because MVMUL computes Dst += SrcB @ SrcA. So in C = A·B, A gets the 7-bit side.

import type { MathFidelity } from '../../arch/spec.js';
import { bitView, bitsToF32, f32ToBits, flushDenormalBits } from './bits.js';

export type FidelityPhase = 0 | 1 | 2 | 3;

/** Phases each MathFidelity setting runs, in order. */
export const FIDELITY_PHASES: Readonly<Record<MathFidelity, readonly FidelityPhase[]>> = {
  LoFi: [0],
  HiFi2: [0, 1],
  HiFi3: [0, 1, 2],
  HiFi4: [0, 1, 2, 3],
};

/**
 * What SrcA/SrcB hold: 'bf16' (bf16, bfp8, bfp4, fp8 e4m3 data, all exactly representable) or
 * 'tf32' (fp32 data: SrcASrcB.md "FP32 can be converted to TF32, though the conversion involves
 * throwing away the low 13 bits of mantissa").
 */
export type SrcFormat = 'bf16' | 'tf32';

/**
 * The binary32 bits an unpacker writes into SrcA/SrcB for a float32: denormals flush to zero
 * (MVMUL: "Denormals will be flushed to zero") and the mantissa is truncated to the Src format.
 * Assumption: narrowing FP32 -> BF16 in the unpacker truncates, like FP32 -> TF32.
 */
export function toSrcBits(bits: number, src: SrcFormat): number {
  const b = flushDenormalBits(bits);
  return (src === 'bf16' ? b & 0xffff0000 : b & 0xffffe000) >>> 0;
}

/** The part of a Src value SrcA contributes in `phase` (ISA SrcAFidelityBits). */
export function srcAFidelityBits(bits: number, phase: FidelityPhase): number {
  if ((phase & 1) === 0) return bitsToF32((bits & 0xfff80000) >>> 0);
  return bitsToF32(bits) - bitsToF32((bits & 0xfff83fff) >>> 0);
}

/** The part of a Src value SrcB contributes in `phase` (ISA SrcBFidelityBits). */
export function srcBFidelityBits(bits: number, phase: FidelityPhase): number {
  if ((phase & 2) === 0) return bitsToF32((bits & 0xfffe0000) >>> 0);
  return bitsToF32(bits) - bitsToF32((bits & 0xfffe1fff) >>> 0);
}

export interface FidelityProductOptions {
  readonly src: SrcFormat;
}

export const DEFAULT_FIDELITY_PRODUCT_OPTIONS: FidelityProductOptions = { src: 'bf16' };

/**
 * a·b as the FPU computes it at `fidelity`, with `a` in SrcB (matmul in0) and `b` in SrcA (in1):
 * the per-phase partial products (each exact in fp32) summed in fp32, as successive Dst adds.
 */
export function fidelityProduct(
  a: number,
  b: number,
  fidelity: MathFidelity,
  opts: FidelityProductOptions = DEFAULT_FIDELITY_PRODUCT_OPTIONS,
): number {
  const aBits = toSrcBits(f32ToBits(a), opts.src);
  const bBits = toSrcBits(f32ToBits(b), opts.src);
  let sum = 0;
  for (const p of FIDELITY_PHASES[fidelity]) {
    sum = Math.fround(sum + Math.fround(srcBFidelityBits(aBits, p) * srcAFidelityBits(bBits, p)));
  }
  return sum;
}

/** An operand split into the parts its two kinds of phase consume (hi + lo = the Src value). */
export interface SplitOperand {
  readonly hi: Float32Array;
  readonly lo: Float32Array;
}

/** The SrcB operand split into its phase-0 (hi, mask 0xFFFE0000) and phase-2 (lo) parts. */
export function splitSrcB(values: Float32Array, src: SrcFormat): SplitOperand {
  return splitWithMasks(values, src, 0xfffe0000, 0xfffe1fff);
}

/** The SrcA operand split into its phase-0 (hi, mask 0xFFF80000) and phase-1 (lo) parts. */
export function splitSrcA(values: Float32Array, src: SrcFormat): SplitOperand {
  return splitWithMasks(values, src, 0xfff80000, 0xfff83fff);
}

/** Array form of src*FidelityBits: hi = x & hiMask, lo = x - (x & loMask), on bit views. */
function splitWithMasks(
  values: Float32Array,
  src: SrcFormat,
  hiMask: number,
  loMask: number,
): SplitOperand {
  const n = values.length;
  const inBits = bitView(values);
  const hi = new Float32Array(n);
  const lo = new Float32Array(n);
  const x = new Float32Array(n);
  const hiBits = bitView(hi);
  const loBits = bitView(lo);
  const xBits = bitView(x);
  for (let i = 0; i < n; i++) {
    const b = toSrcBits(inBits[i] as number, src);
    xBits[i] = b;
    hiBits[i] = b & hiMask;
    loBits[i] = b & loMask;
  }
  for (let i = 0; i < n; i++) lo[i] = (x[i] as number) - (lo[i] as number); // exact: drops leading bits
  return { hi, lo };
}
