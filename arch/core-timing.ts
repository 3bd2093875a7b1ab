// Core compute timing from the arch's Tensix facts. Shared by the compiler's cost model and the
// simulator's core model so both agree on what a unit of work costs.

import type { ArchSpec, DeviceDtype, MathFidelity } from './spec.js';
import { SpatialcError } from './errors.js';

/** Work for a core's math engines (mirrors compiler/program.ts WorkItem). */
export type CoreWork =
  | { readonly unit: 'matmul'; readonly tiles: number; readonly rows: number }
  | { readonly unit: 'eltwise'; readonly tiles: number }
  | { readonly unit: 'sfpu'; readonly fn: string; readonly tiles: number };

export interface NumberFormat {
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
}

/**
 * Cycles of one 32x32x32 tile product with `rows` useful rows (narrow inputs still cost a full
 * pass): the math phases of the fidelity, or the unpackers' time to feed a tile of operands when
 * that is longer (core.unpackBytesPerCycle).
 */
export function matmulTileCycles(arch: ArchSpec, fmt: NumberFormat, rows: number): number {
  const t = arch.core.tileSize;
  const passRows = arch.core.matmulMinRows;
  const usedRows = Math.min(t, Math.ceil(Math.max(rows, 1) / passRows) * passRows);
  const perPhase = (usedRows * t * t) / arch.core.matmulMacsPerCyclePerPhase;
  const math = perPhase * arch.core.fidelityPhases[fmt.fidelity];
  const unpack = arch.core.unpackBytesPerCycle;
  return unpack === undefined ? math : Math.max(math, dtypeSpec(arch, fmt.dtype).tileBytes / unpack);
}

/** Cycles of a list of work items, plus the fixed per-block overhead. */
export function computeCycles(arch: ArchSpec, fmt: NumberFormat, work: readonly CoreWork[]): number {
  if (work.length === 0) return 0; // a pure synchronisation point (e.g. releasing buffers) is free
  let cycles = arch.core.blockOverheadCycles;
  for (const w of work) {
    switch (w.unit) {
      case 'matmul':
        cycles += w.tiles * matmulTileCycles(arch, fmt, w.rows);
        break;
      case 'eltwise':
        cycles += w.tiles * dtypeSpec(arch, fmt.dtype).eltwiseCyclesPerTile;
        break;
      case 'sfpu':
        cycles += w.tiles * (arch.core.sfpuCyclesPerTile[w.fn] ?? arch.core.sfpuCyclesPerTile['default'] ?? 64);
        break;
    }
  }
  return Math.ceil(cycles);
}

/** The arch's description of a number format; a clear error when the arch lacks it. */
export function dtypeSpec(arch: ArchSpec, dtype: DeviceDtype) {
  const spec = arch.core.dtypes[dtype];
  if (spec === undefined) {
    const have = Object.keys(arch.core.dtypes).join(', ');
    throw new SpatialcError('E_DTYPE', `arch "${arch.name}" has no number format ${dtype} (it has: ${have})`);
  }
  return spec;
}

/** Bytes of one 32x32 tile in `dtype`. */
export function tileBytes(arch: ArchSpec, dtype: DeviceDtype): number {
  return dtypeSpec(arch, dtype).tileBytes;
}
