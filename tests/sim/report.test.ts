import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildReport, ENERGY_PARTS, formatReport, reportToJson, simulate, sumEnergyParts } from '../../sim/index.js';
import type { Report } from '../../sim/index.js';
import { tinyArch } from './helpers/arch.js';
import { syntheticProgram } from './helpers/synthetic.js';
import { programBuilder, tileMacs } from './helpers/program.js';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { roofline } from '../../sim/roofline.js';
import { matmulGraph } from '../compiler/helpers/graphs.js';

// These tests pin the packet-level NoC model's formulas (the flit-level model has its own tests).
const PACKET = { nocModel: 'packet' } as const;
const arch = tinyArch();
const CORES = arch.tensix;
const mixed = () =>
  syntheticProgram({ arch, cores: CORES, layers: 12, seed: 7, weightBytes: 6000, activationBytes: 3000, matmulTiles: 6 });

function run(program = mixed()): Report {
  return buildReport(program, arch, simulate(program, arch, PACKET));
}

const BuildReport = suite('buildReport');

BuildReport('energy parts add up exactly to the total', () => {
  const r = run();
  const e = r.energyJoules;
  assert.is(e.total, e.compute + e.sram + e.noc + e.dram + e.static);
  assert.is(e.total, sumEnergyParts(e));
  assert.equal([...ENERGY_PARTS], ['compute', 'sram', 'noc', 'dram', 'static']);
  for (const p of ENERGY_PARTS) assert.ok(e[p] > 0, `${p} energy is positive`);
});

BuildReport('topsPerWatt equals ops per picojoule, and tops and throughput follow the latency', () => {
  const r = run();
  const ops = 2 * r.macs;
  const pj = r.energyJoules.total * 1e12;
  assert.ok(Math.abs(r.topsPerWatt - ops / pj) <= 1e-12 * r.topsPerWatt, `${r.topsPerWatt} vs ${ops / pj}`);
  assert.is(r.tops, ops / r.latencySeconds / 1e12);
  assert.is(r.throughputPerSecond, r.batch / r.latencySeconds);
  assert.is(r.latencySeconds, r.cycles / arch.clockHz);
});

BuildReport('energy parts are counters x the energy table', () => {
  const b = programBuilder({ cores: CORES });
  b.compute(0, { work: [{ unit: 'matmul', tiles: 2, rows: 32 }], macs: tileMacs(2), sramReadBytes: 1000, sramWriteBytes: 500 });
  const r = run(b.build());
  assert.is(r.energyJoules.compute, Math.round(tileMacs(2) * 0.5) / 1e12);
  assert.is(r.energyJoules.sram, Math.round(1000 * 0.2 + 500 * 0.3) / 1e12);
  assert.is(r.energyJoules.static, Math.round(1 * (42 / 1e9) * 1e12) / 1e12); // 2 x 16 + 10 cycles at 1 W
  assert.is(r.energyJoules.noc, 0);
});

BuildReport('two runs give byte-identical JSON and text', () => {
  const a = run();
  const b = run();
  assert.is(reportToJson(a), reportToJson(b));
  assert.is(formatReport(a), formatReport(b));
});

BuildReport('every utilisation lies in [0, 1] and every number is finite', () => {
  const r = run();
  const u = r.utilization;
  for (const f of [u.coresMean, u.coresMin, u.coresMax, u.linksMean, u.linksMax, u.dramBandwidth]) {
    assert.ok(f >= 0 && f <= 1, `${f}`);
  }
  for (const o of r.ops) assert.ok(o.utilization >= 0 && o.utilization <= 1, `${o.name} ${o.utilization}`);
  for (const l of r.links) assert.ok(l.utilization > 0 && l.utilization <= 1, l.name);
  assert.ok(u.coresMin <= u.coresMean && u.coresMean <= u.coresMax);
  assert.ok(u.linksMax > 0 && u.linksMean <= u.linksMax);
  assert.not.match(reportToJson(r), /null|NaN|Infinity/);
});

BuildReport('keys are sorted and the required fields are present', () => {
  const r = run();
  const keys = Object.keys(r);
  assert.equal(keys, [...keys].sort());
  for (const k of ['cycles', 'latencySeconds', 'throughputPerSecond', 'tops', 'topsPerWatt', 'energyJoules',
    'averagePowerWatts', 'utilization', 'dataMovementMmPerOp', 'dataMovement', 'macs', 'dtype', 'mathFidelity',
    'coresUsed', 'batch', 'predictedCycles', 'sramPeakBytes', 'model', 'arch', 'strategy', 'ops']) {
    assert.ok(k in r, k);
  }
  assert.equal(Object.keys(r.dataMovement.byteMm), ['core', 'dram', 'noc', 'total']);
});

BuildReport('data movement is byte-mm by level; a send adds hops x pitch', () => {
  const b = programBuilder({ cores: [{ x: 1, y: 0 }, { x: 2, y: 1 }] });
  b.compute(0, { work: [{ unit: 'matmul', tiles: 1, rows: 32 }], macs: tileMacs(1), sramReadBytes: 4096, sramWriteBytes: 2048 });
  b.send(0, { dsts: [1], bytes: 1000 }); // 1 x hop (1 mm) + 1 y hop (1.5 mm)
  const r = run(b.build());
  const dm = r.dataMovement;
  assert.is(dm.byteMm.core, 6144 * 0.5);
  assert.is(dm.byteMm.noc, 1000 * 2.5);
  assert.is(dm.byteMm.dram, 0);
  assert.is(dm.byteMm.total, 6144 * 0.5 + 2500);
  assert.is(r.dataMovementMmPerOp, dm.byteMm.total / (2 * tileMacs(1)));
  assert.is(dm.perOp[0]?.bytesMoved, 6144 + 1000);
});

BuildReport('formatReport prints the summary and one row per op', () => {
  const text = formatReport(run());
  assert.match(text, 'spatialc report: model "test-model" on arch "tiny"');
  assert.match(text, /TOPS\/W\s+\d/);
  assert.match(text, /layer11\s+Add/);
});

BuildReport.run();

const EmptyReport = suite('buildReport: empty program');

EmptyReport('an empty program reports zeros, never NaN or Infinity', () => {
  const r = run(programBuilder({ cores: CORES }).build());
  assert.is(r.cycles, 0);
  assert.is(r.tops, 0);
  assert.is(r.topsPerWatt, 0);
  assert.is(r.energyJoules.total, 0);
  assert.not.match(reportToJson(r), /null|NaN|Infinity/);
});

EmptyReport.run();

const Roof = suite('report: roofline');
Roof('a matmul\'s roofline: MACs on every core at the matrix engine\'s peak for the format and fidelity, and inputs, weights and output moved once', () => {
  const n150 = loadArch('wormhole_n150');
  const p = compileGraph(matmulGraph(256, 512, 384), n150, { dtype: 'bf16', fidelity: 'HiFi2', model: 'mm', batch: 1, archFingerprint: archFingerprint(n150) });
  const r = roofline(p, n150);
  const cores = n150.computeGrid.columns.length * n150.computeGrid.rows.length;
  const macsPerSecond = (cores * n150.core.matmulMacsPerCyclePerPhase * n150.clockHz) / n150.core.fidelityPhases.HiFi2;
  assert.ok(Math.abs(r.mathSeconds - (256 * 512 * 384) / macsPerSecond) < 1e-15);
  // bf16 HiFi2: the preset's unpack bound (2048 B / 44 B per cycle = 46.5 cycles per tile product)
  // is above the 32 math cycles, so the engine peaks at 32768 / 46.5 MAC per cycle.
  const tileCycles = n150.core.dtypes.bf16!.tileBytes / n150.core.unpackBytesPerCycle!;
  assert.ok(tileCycles > 32);
  assert.ok(Math.abs(r.computeSeconds - (256 * 512 * 384 * tileCycles) / (cores * 32768 * n150.clockHz)) < 1e-15);
  // At LoFi bfp4, math and unpacking are both quicker; the larger one bounds.
  const lofi = roofline({ ...p, dtype: 'bfp4', fidelity: 'LoFi' }, n150);
  assert.ok(lofi.computeSeconds >= lofi.mathSeconds && lofi.computeSeconds < r.computeSeconds);
  const tiles = 8 * 16 + 16 * 12 + 8 * 12; // a, w, out in 32x32 tiles
  assert.is(r.unavoidableDramBytes, tiles * n150.core.dtypes.bf16!.tileBytes);
  const bw = n150.dram.channels.reduce((s, c) => s + c.bytesPerSecond, 0) * n150.dram.efficiency;
  assert.ok(Math.abs(r.dramSeconds - r.unavoidableDramBytes / bw) < 1e-15);
  assert.is(r.seconds, Math.max(r.computeSeconds, r.dramSeconds));
  const rep = buildReport(p, n150, simulate(p, n150, { nocModel: 'packet' }));
  assert.ok(rep.roofline.latencyRatio >= 1, `a run cannot beat its roofline (${rep.roofline.latencyRatio})`);
});
Roof.run();
