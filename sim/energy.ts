// Energy after the run: integer event counts x the arch's energy table (pJ per event), once, at
// the end. Each part is rounded to whole picojoules and the total is the sum of the rounded parts
// (in the order of ENERGY_PARTS), so the parts always add up to the total exactly.

import type { ArchSpec, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import type { Counters } from './counters.js';

/** Energy of a run by component, in joules. */
export interface EnergyJoules {
  readonly compute: number;
  readonly sram: number;
  readonly noc: number;
  readonly dram: number;
  readonly static: number;
  readonly total: number;
}

/** The components summed into EnergyJoules.total, in summation order. */
export const ENERGY_PARTS = ['compute', 'sram', 'noc', 'dram', 'static'] as const;

const PJ_PER_J = 1e12;

/** Energy of a run from its counters and the arch's energy table. */
export function computeEnergy(counters: Counters, arch: ArchSpec, fidelity: MathFidelity): EnergyJoules {
  const e = arch.energy;
  // The matrix unit makes one pass per fidelity phase, so a MAC's energy scales with the phases.
  const phases = arch.core.fidelityPhases[fidelity];
  let computePj = counters.vectorOps * e.vectorOpPj;
  for (const [dtype, macs] of Object.entries(counters.macsByDtype)) {
    if (macs === 0) continue;
    const pj = e.macPj[dtype as DeviceDtype];
    if (pj === undefined) {
      throw new SpatialcError('E_ARCH_INVALID', `arch "${arch.name}" has no energy.macPj for ${dtype}`, {
        where: `energy.macPj.${dtype}`,
        hint: 'add the energy of one multiply-accumulate in this number format to the arch file',
      });
    }
    computePj += macs * pj * phases;
  }
  const seconds = counters.cycles / arch.clockHz;
  const parts = {
    compute: toJoules(computePj),
    sram: toJoules(counters.sramReadBytes * e.sramReadPjPerByte + counters.sramWriteBytes * e.sramWritePjPerByte),
    noc: toJoules(counters.nocByteHops * e.nocPjPerByteHop),
    dram: toJoules((counters.dramReadBytes + counters.dramWriteBytes) * e.dramPjPerByte),
    static: toJoules(e.staticWatts * seconds * PJ_PER_J),
  };
  return { ...parts, total: sumEnergyParts(parts) };
}

/** The total of the parts, summed in ENERGY_PARTS order (the identity tests check). */
export function sumEnergyParts(parts: Omit<EnergyJoules, 'total'>): number {
  let total = 0;
  for (const p of ENERGY_PARTS) total += parts[p];
  return total;
}

function toJoules(pj: number): number {
  return Math.round(pj) / PJ_PER_J;
}
