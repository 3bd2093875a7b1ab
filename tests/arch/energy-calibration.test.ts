// Recomputes the energy calibration written in each preset's sources["energy"], so the preset's
// numbers and the stated whole-chip figures cannot drift apart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/index.js';

interface Load {
  readonly macPerCycle: number;
  readonly macPj: number;
  readonly sramReadBytes: number;
  readonly sramWriteBytes: number;
  readonly nocBytes: number;
  readonly hops: number;
  readonly dramFraction: number;
}

/** Chip power (W) and throughput (ops/s) with every usable tensix running `load` each cycle. */
function chipPower(arch: ArchSpec, load: Load): { watts: number; nocWatts: number; opsPerSecond: number } {
  const e = arch.energy;
  const coreCyclesPerSecond = arch.tensix.length * arch.clockHz;
  const perCorePj =
    load.macPerCycle * load.macPj + load.sramReadBytes * e.sramReadPjPerByte +
    load.sramWriteBytes * e.sramWritePjPerByte + load.nocBytes * load.hops * e.nocPjPerByteHop;
  const dramBytesPerSecond = load.dramFraction * arch.dram.channels.reduce((s, c) => s + c.bytesPerSecond, 0);
  const nocWatts = coreCyclesPerSecond * load.nocBytes * load.hops * e.nocPjPerByteHop * 1e-12;
  const watts = coreCyclesPerSecond * perCorePj * 1e-12 + dramBytesPerSecond * e.dramPjPerByte * 1e-12 + e.staticWatts;
  return { watts, nocWatts, opsPerSecond: 2 * load.macPerCycle * coreCyclesPerSecond };
}

const full = (arch: ArchSpec, macPerCycle: number, macPj: number): Load => ({
  macPerCycle, macPj, sramReadBytes: 128, sramWriteBytes: 16, nocBytes: 16, hops: 5, dramFraction: 0.5,
});
const typical = (arch: ArchSpec): Load => ({
  macPerCycle: 512, macPj: 2 * (arch.energy.macPj.bf16 ?? 0), // HiFi2: two phases
  sramReadBytes: 64, sramWriteBytes: 24, nocBytes: 24, hops: 5, dramFraction: 0.5,
});

const Calibration = suite('energy calibration');
Calibration('wormhole_n150 at full int8 LoFi load is about 3 TOPS/W (the published efficiency claim)', () => {
  const a = loadArch('wormhole_n150');
  const p = chipPower(a, full(a, 2048, a.energy.macPj.int8 ?? 0));
  const topsPerWatt = p.opsPerSecond / 1e12 / p.watts;
  assert.ok(topsPerWatt > 2.85 && topsPerWatt < 3.15, `${topsPerWatt} TOPS/W`);
  assert.match(a.sources['energy'] ?? '', `= ${topsPerWatt.toFixed(2)} TOPS/W`);
});
Calibration('wormhole_n150 at full bf16 HiFi2 load stays well under the 160 W board power', () => {
  const a = loadArch('wormhole_n150');
  const p = chipPower(a, full(a, 1024, 2 * (a.energy.macPj.bf16 ?? 0))); // HiFi2: two phases
  assert.ok(p.watts < 0.75 * a.boardWatts, `${p.watts} W`);
  assert.match(a.sources['energy'] ?? '', `total ${p.watts.toFixed(2)} W for ${(p.opsPerSecond / 1e12).toFixed(2)} TFLOPS`);
});
Calibration('under the typical load the NoC draws about a quarter of wormhole_n150 power', () => {
  const a = loadArch('wormhole_n150');
  const p = chipPower(a, typical(a));
  const share = p.nocWatts / p.watts;
  assert.ok(share > 0.2 && share < 0.3, `NoC share ${share}`);
});
Calibration('blackhole_p150 and wormhole_n300 stay under their board power at full load', () => {
  for (const name of ['blackhole_p150', 'wormhole_n300']) {
    const a = loadArch(name);
    const p = chipPower(a, full(a, 2048, a.energy.macPj.int8 ?? 0));
    assert.ok(p.watts < a.boardWatts, `${name}: ${p.watts} W`);
    assert.match(a.sources['energy'] ?? '', `total ${p.watts.toFixed(2)} W`);
  }
});
Calibration.run();
