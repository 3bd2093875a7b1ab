// Tile matmul on the FPU: acc (M x 32) += a (M x 32) @ b (32 x 32), with operand truncation per
// fidelity phase and Dst accumulation in fp32 or bf16.
//
// Model (MVMUL.md functional model; Dst.md):
// - Each MVMUL multiplies 8 rows of SrcB (a) by a 16x16 block of SrcA (b): a 16-term dot product
//   per output, then one add into Dst. A 32-wide K is two MVMULs per output row.
// - Phases are the outer loop (Dst.md: "the fidelity loop should be the outer loop"); within a
//   phase K chunks go in ascending order (assumption: the LLK's order within a phase).
// - The 16-term sum ("Multiplied") is formed exactly (products of <= 11-bit significands, summed in
//   double) and rounded once to fp32. Assumption: the ISA calls its float sum "a rough guide" and
//   says precision may be higher; a wide adder tree is the closest documented reading.
// - Dst add: fp32 mode rounds to fp32 (IEEE, round to nearest even); 16-bit mode rounds to bf16,
//   round to nearest even (assumption: MatrixUnit.md only says "real hardware rounds").
// - Denormal operands flush to zero when entering Src.

import { assert } from '../../arch/errors.js';
import type { MathFidelity } from '../../arch/spec.js';
import { roundBf16 } from './bf16.js';
import { FIDELITY_PHASES, splitSrcA, splitSrcB, type SrcFormat } from './fidelity.js';

export interface MatmulOptions {
  /** true: Dst holds fp32 (fp32_dest_acc_en); false: Dst holds bf16. */
  readonly accumulateFp32: boolean;
  /** What the unpackers put in SrcA/SrcB (see srcFormatFor). */
  readonly src: SrcFormat;
}

export const DEFAULT_MATMUL_OPTIONS: MatmulOptions = { accumulateFp32: true, src: 'bf16' };

const TILE = 32;
const MVMUL_K = 16;

function isAllZero(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

/** acc += a @ b for one 32-wide K step, as the FPU computes it; returns `acc` (changed in place). */
export function matmulTile(
  a: Float32Array,
  b: Float32Array,
  acc: Float32Array,
  fidelity: MathFidelity,
  opts: MatmulOptions = DEFAULT_MATMUL_OPTIONS,
): Float32Array {
  const rows = a.length / TILE;
  assert(
    Number.isInteger(rows) && rows > 0,
    `matmulTile: a must be M x 32, got ${a.length} values`,
  );
  assert(b.length === TILE * TILE, `matmulTile: b must be 32 x 32, got ${b.length} values`);
  assert(acc.length === a.length, `matmulTile: acc must be ${rows} x 32, got ${acc.length} values`);
  const sa = splitSrcB(a, opts.src); // in0 -> SrcB
  const sb = splitSrcA(b, opts.src); // in1 -> SrcA
  const bHiT = transpose(sb.hi);
  const bLoT = transpose(sb.lo);
  for (const p of FIDELITY_PHASES[fidelity]) {
    const av = p & 2 ? sa.lo : sa.hi;
    const bt = p & 1 ? bLoT : bHiT;
    // A phase whose operand part is all zero adds exact zeros to Dst: skipping it changes nothing.
    if ((p !== 0 && isAllZero(av)) || isAllZero(bt)) continue;
    for (let k0 = 0; k0 < TILE; k0 += MVMUL_K) mvmul(av, bt, acc, rows, k0, opts.accumulateFp32);
  }
  return acc;
}

/** b^T of a 32x32 tile, so that each output's 16-term dot product reads contiguous memory. */
function transpose(b: Float32Array): Float32Array {
  const t = new Float32Array(TILE * TILE);
  for (let k = 0; k < TILE; k++)
    for (let j = 0; j < TILE; j++) t[j * TILE + k] = b[k * TILE + j] as number;
  return t;
}

/**
 * One MVMUL pass over all rows for K chunk [k0, k0+16): each output's 16-term dot product is summed
 * left to right in double (exact unless the terms span ~30+ binades), rounded to fp32, then added
 * into Dst. The 16 terms are unrolled by hand: this loop is the simulator's hot spot.
 */
function mvmul(
  a: Float32Array,
  bt: Float32Array,
  acc: Float32Array,
  rows: number,
  k0: number,
  isFp32: boolean,
): void {
  const at = (arr: Float32Array, i: number): number => arr[i] as number;
  for (let i = 0; i < rows; i++) {
    const o = i * TILE + k0;
    // prettier-ignore
    const a0 = at(a, o), a1 = at(a, o + 1), a2 = at(a, o + 2), a3 = at(a, o + 3),
      a4 = at(a, o + 4), a5 = at(a, o + 5), a6 = at(a, o + 6), a7 = at(a, o + 7),
      a8 = at(a, o + 8), a9 = at(a, o + 9), a10 = at(a, o + 10), a11 = at(a, o + 11),
      a12 = at(a, o + 12), a13 = at(a, o + 13), a14 = at(a, o + 14), a15 = at(a, o + 15);
    for (let j = 0; j < TILE; j++) {
      const q = j * TILE + k0;
      // prettier-ignore
      const s =
        a0 * at(bt, q) + a1 * at(bt, q + 1) + a2 * at(bt, q + 2) + a3 * at(bt, q + 3) +
        a4 * at(bt, q + 4) + a5 * at(bt, q + 5) + a6 * at(bt, q + 6) + a7 * at(bt, q + 7) +
        a8 * at(bt, q + 8) + a9 * at(bt, q + 9) + a10 * at(bt, q + 10) + a11 * at(bt, q + 11) +
        a12 * at(bt, q + 12) + a13 * at(bt, q + 13) + a14 * at(bt, q + 14) + a15 * at(bt, q + 15);
      const d = i * TILE + j;
      // fp32 add via double then store: correctly rounded (53 >= 2*24 + 2).
      const sum = (acc[d] as number) + Math.fround(s);
      acc[d] = isFp32 ? sum : roundBf16(sum);
    }
  }
}
