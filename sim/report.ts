// The Report: what a run means, as plain JSON with sorted keys. Built after the run from the
// Program, the ArchSpec and the run's counters (energy from sim/energy.ts, distances from the
// floorplan). Identical inputs give a byte-identical reportToJson() text.

import type { ArchSpec } from '../arch/spec.js';
import type { Program } from '../compiler/program.js';
import type { SimResult } from './engine.js';
import { computeEnergy, type EnergyJoules } from './energy.js';
import { buildDataMovement, type DataMovement } from './data-movement-report.js';
import { assertFinite, sortKeysDeep } from './report-json.js';
import { roofline, type Roofline } from './roofline.js';
import { fractionBusy, summarizeLinks, type LinkSummary, type LinkUtilization } from './utilization.js';

/** Utilisation summary of a run (fractions in [0, 1]). */
export interface UtilizationReport {
  /** Compute-engine busy cycles / run cycles over Program.cores. */
  readonly coresMean: number;
  readonly coresMin: number;
  readonly coresMax: number;
  /** Over every existing router-to-router link and the inject/eject links of the tiles used. */
  readonly linksMean: number;
  readonly linksMax: number;
  /** DRAM bytes / (seconds x the sum of every channel's bytesPerSecond). */
  readonly dramBandwidth: number;
  readonly dramBytesPerSecond: number;
}

/** One operation's row. */
export interface OpReport {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly startCycle: number;
  readonly endCycle: number;
  /** Last end - first start of the op's tasks. */
  readonly cycles: number;
  readonly macs: number;
  /** Compute busy cycles / (its compute cores x its cycles). */
  readonly utilization: number;
  readonly cores: number;
  readonly nocByteHops: number;
  readonly dramBytes: number;
}

/** One Program core's row. */
export interface CoreReport {
  readonly core: string;
  readonly x: number;
  readonly y: number;
  readonly utilization: number;
  readonly sramPeakBytes: number;
}

/** Event totals of the run. */
export interface CounterTotals {
  readonly macs: number;
  readonly vectorOps: number;
  readonly sramReadBytes: number;
  readonly sramWriteBytes: number;
  readonly nocByteHops: number;
  readonly nocPackets: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
}

/** The result of simulating one Program on one arch. */
export interface Report {
  readonly format: 'spatialc-report/1';
  readonly model: string;
  readonly arch: string;
  readonly strategy: string;
  readonly dtype: string;
  readonly mathFidelity: string;
  readonly batch: number;
  readonly coresUsed: number;
  readonly cycles: number;
  readonly predictedCycles: number;
  /** NoC model of the run: 'flit' (router network, the default) or 'packet' (link reservations). */
  readonly nocModel: 'flit' | 'packet' | 'deterministic';
  readonly latencySeconds: number;
  /** The roofline lower bound (sim/roofline.ts) and latencySeconds / its seconds. */
  readonly roofline: Roofline & { readonly latencyRatio: number };
  /** batch / latencySeconds. */
  readonly throughputPerSecond: number;
  readonly macs: number;
  /** 2 x macs / latencySeconds / 1e12. */
  readonly tops: number;
  /** 2 x macs / energyJoules.total / 1e12, i.e. ops per pJ. */
  readonly topsPerWatt: number;
  readonly energyJoules: EnergyJoules;
  readonly averagePowerWatts: number;
  readonly utilization: UtilizationReport;
  /** Byte-millimetres moved per operation (2 x MAC): dataMovement.byteMm.total / (2 x macs). */
  readonly dataMovementMmPerOp: number;
  readonly dataMovement: DataMovement;
  readonly sramPeakBytes: { readonly max: number; readonly mean: number; readonly core: string };
  readonly counters: CounterTotals;
  readonly ops: readonly OpReport[];
  readonly cores: readonly CoreReport[];
  /** Links with non-zero traffic. */
  readonly links: readonly LinkUtilization[];
}

/** a / b, or 0 when b is 0 (an empty run). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

/** Builds the Report of a run; every number is finite and every utilisation in [0, 1]. */
export function buildReport(program: Program, arch: ArchSpec, result: SimResult): Report {
  const c = result.counters;
  const seconds = result.cycles / arch.clockHz;
  const energy = computeEnergy(c, arch, program.fidelity);
  const ops2 = 2 * c.macs;
  const dataMovement = buildDataMovement(program, arch, c);
  const links = summarizeLinks(arch, program.cores, c);
  const bound = roofline(program, arch);
  const report: Report = {
    format: 'spatialc-report/1',
    model: program.model,
    arch: arch.name,
    strategy: program.strategy,
    dtype: program.dtype,
    mathFidelity: program.fidelity,
    batch: program.batch,
    coresUsed: program.cores.length,
    cycles: result.cycles,
    predictedCycles: program.predictedCycles,
    nocModel: result.nocModel,
    latencySeconds: seconds,
    roofline: { ...bound, latencyRatio: ratio(seconds, bound.seconds) },
    throughputPerSecond: ratio(program.batch, seconds),
    macs: c.macs,
    tops: ratio(ops2, seconds) / 1e12,
    topsPerWatt: ratio(ops2, energy.total) / 1e12,
    energyJoules: energy,
    averagePowerWatts: ratio(energy.total, seconds),
    utilization: buildUtilization(arch, result, links),
    dataMovementMmPerOp: ratio(dataMovement.byteMm.total, ops2),
    dataMovement,
    sramPeakBytes: sramPeak(program, c.coreSramPeakBytes),
    counters: totals(result),
    ops: buildOps(program, result),
    cores: buildCores(program, result),
    links: links.busy,
  };
  assertFinite(report, 'report');
  return sortKeysDeep(report);
}

function buildUtilization(arch: ArchSpec, result: SimResult, links: LinkSummary): UtilizationReport {
  const c = result.counters;
  const cores = c.coreBusyCycles.map((b, i) => fractionBusy(b, result.cycles, `core #${i}`));
  const seconds = result.cycles / arch.clockHz;
  const dramBytes = c.dramReadBytes + c.dramWriteBytes;
  const peak = arch.dram.channels.reduce((s, ch) => s + ch.bytesPerSecond, 0);
  const dramBandwidth = ratio(dramBytes, seconds * peak);
  return {
    coresMean: ratio(cores.reduce((s, u) => s + u, 0), cores.length),
    coresMin: cores.length > 0 ? Math.min(...cores) : 0,
    coresMax: cores.length > 0 ? Math.max(...cores) : 0,
    linksMean: links.mean,
    linksMax: links.max,
    dramBandwidth: fractionBusy(dramBandwidth, 1, 'DRAM bandwidth'),
    dramBytesPerSecond: ratio(dramBytes, seconds),
  };
}

function sramPeak(program: Program, peaks: readonly number[]): Report['sramPeakBytes'] {
  let at = 0;
  peaks.forEach((p, i) => {
    if (p > (peaks[at] ?? 0)) at = i;
  });
  const c = program.cores[at];
  return {
    max: peaks[at] ?? 0,
    mean: ratio(peaks.reduce((s, p) => s + p, 0), peaks.length),
    core: c === undefined ? 'none' : `core(${c.x},${c.y})`,
  };
}

function totals(result: SimResult): CounterTotals {
  const c = result.counters;
  return {
    macs: c.macs,
    vectorOps: c.vectorOps,
    sramReadBytes: c.sramReadBytes,
    sramWriteBytes: c.sramWriteBytes,
    nocByteHops: c.nocByteHops,
    nocPackets: c.nocPackets,
    dramReadBytes: c.dramReadBytes,
    dramWriteBytes: c.dramWriteBytes,
  };
}

function buildOps(program: Program, result: SimResult): OpReport[] {
  return program.ops.map((op, i) => {
    const k = result.counters.ops[i]!;
    const cycles = k.lastEndCycle - k.firstStartCycle;
    return {
      index: op.index,
      name: op.name,
      op: op.op,
      startCycle: k.firstStartCycle,
      endCycle: k.lastEndCycle,
      cycles,
      macs: k.macs,
      utilization: fractionBusy(k.computeBusyCycles, k.computeCores * cycles, `op "${op.name}"`),
      cores: k.computeCores,
      nocByteHops: k.nocByteHops,
      dramBytes: k.dramBytes,
    };
  });
}

function buildCores(program: Program, result: SimResult): CoreReport[] {
  const c = result.counters;
  return program.cores.map((core, i) => ({
    core: `core(${core.x},${core.y})`,
    x: core.x,
    y: core.y,
    utilization: fractionBusy(c.coreBusyCycles[i] ?? 0, result.cycles, `core(${core.x},${core.y})`),
    sramPeakBytes: c.coreSramPeakBytes[i] ?? 0,
  }));
}
