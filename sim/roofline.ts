// The roofline lower bound of a Program on an arch: the larger of
// - compute-bound: every MAC on the matrix units of every compute-grid core, at the matrix engine's
//   peak rate for the number format and fidelity used: full 32x32x32 tile products, each taking
//   the longer of its math phases (arch.core.matmulMacsPerCyclePerPhase per phase) and its
//   operands' unpacking (arch.core.unpackBytesPerCycle; the GEMM table it was fitted to shows no
//   bf16 HiFi2 matmul faster than that). The math phases alone are reported too (mathSeconds);
// - DRAM-bound: the DRAM traffic no mapping avoids, moved once at the channels' sustained bandwidth
//   (bytesPerSecond x efficiency): tensors that live in DRAM and no task writes (model inputs and
//   weights) plus those written and never read back (model outputs).
// Reported next to the simulated latency so a mapping's distance from the bound is explicit.

import { matmulTileCycles } from '../arch/core-timing.js';
import type { ArchSpec } from '../arch/spec.js';
import type { Program } from '../compiler/program.js';

export interface Roofline {
  readonly computeSeconds: number;
  /** Every MAC at the math phases' rate alone (no unpacking bound): at most computeSeconds. */
  readonly mathSeconds: number;
  readonly dramSeconds: number;
  /** max(computeSeconds, dramSeconds). */
  readonly seconds: number;
  /** Bytes counted in dramSeconds. */
  readonly unavoidableDramBytes: number;
}

/** The roofline of `program` on `arch`. */
export function roofline(program: Program, arch: ArchSpec): Roofline {
  const cores = arch.computeGrid.columns.length * arch.computeGrid.rows.length;
  const phases = arch.core.fidelityPhases[program.fidelity];
  const mathMacsPerSecond = (cores * arch.core.matmulMacsPerCyclePerPhase * arch.clockHz) / phases;
  const t = arch.core.tileSize;
  const tileCycles = matmulTileCycles(arch, { dtype: program.dtype, fidelity: program.fidelity }, t);
  const macsPerSecond = (cores * t * t * t * arch.clockHz) / tileCycles;
  const written = new Set<number>();
  const read = new Set<number>();
  for (const t of program.tasks) {
    if (t.kind === 'dram-write' && t.writes !== undefined) written.add(t.writes.tensor);
    if (t.kind === 'dram-read') for (const r of t.reads ?? []) read.add(r.tensor);
  }
  const tileBytes = arch.core.dtypes[program.dtype]?.tileBytes ?? 0;
  let bytes = 0;
  for (const t of program.tensors) {
    if (t.home !== 'dram') continue;
    const isInput = !written.has(t.id) && read.has(t.id);
    const isOutput = written.has(t.id) && !read.has(t.id);
    // Elements, not padded tiles: a 3-channel image is not 32 channels of traffic.
    if (isInput || isOutput) bytes += (t.rows * t.cols * tileBytes) / (arch.core.tileSize * arch.core.tileSize);
  }
  const bandwidth = arch.dram.channels.reduce((s, c) => s + c.bytesPerSecond, 0) * arch.dram.efficiency;
  const computeSeconds = program.macs / macsPerSecond;
  const dramSeconds = bandwidth > 0 ? bytes / bandwidth : 0;
  return { computeSeconds, mathSeconds: program.macs / mathMacsPerSecond, dramSeconds, seconds: Math.max(computeSeconds, dramSeconds), unavoidableDramBytes: bytes };
}
