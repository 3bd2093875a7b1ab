import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { archSchemaPath, isAssumption, listPresets, loadArch, uncoveredConstants } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/index.js';

const ListPresets = suite('listPresets');
ListPresets('listPresets() names every bundled preset, sorted', () => {
  assert.equal(listPresets(), ['blackhole_p150', 'wormhole_n150', 'wormhole_n300']);
});
ListPresets.run();

const Presets = suite('presets');
Presets('every preset loads, validates and comes back frozen without the editor-only $schema key', () => {
  for (const name of listPresets()) {
    const arch = loadArch(name);
    assert.is(arch.name, name);
    assert.ok(Object.isFrozen(arch) && Object.isFrozen(arch.core.dtypes), `${name} is frozen`);
    assert.not.ok('$schema' in arch, `${name} has no $schema`);
  }
});
Presets('every preset file points editors at arch/schema.json through "$schema"', () => {
  const dir = path.join(path.dirname(archSchemaPath()), 'presets');
  for (const name of listPresets()) {
    const raw = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { $schema?: string };
    assert.is(path.resolve(dir, raw.$schema ?? ''), archSchemaPath(), name);
    assert.ok(existsSync(archSchemaPath()));
  }
});
Presets('wormhole_n150 has 72 usable tensix, an 8x8 compute grid and 12 DRAM channels of 24 GB/s', () => {
  const a = loadArch('wormhole_n150');
  assert.equal([a.grid.cols, a.grid.rows, a.tensix.length, a.clockHz], [10, 12, 72, 1e9]);
  assert.equal(a.harvestedRows, [11]);
  assert.equal([a.computeGrid.columns.length, a.computeGrid.rows.length], [8, 8]);
  assert.is(totalDramBytesPerSecond(a), 288e9);
  assert.equal(a.ethernet.length, 16);
  assert.equal(a.defaults, { dtype: 'bf16', fidelity: 'HiFi2' });
});
Presets('wormhole_n150 lists each DRAM channel with its tt-metal worker-preferred endpoint first', () => {
  const preferred = loadArch('wormhole_n150').dram.channels.map((c) => `${c.endpoints[0]?.x}-${c.endpoints[0]?.y}`);
  assert.equal(preferred, ['0-11', '0-1', '0-5', '0-7', '5-1', '5-11', '5-2', '5-9', '5-8', '5-3', '5-5', '5-7']);
});
Presets('wormhole_n300 models one chip: 64 usable tensix, an 8x7 compute grid, 12 DRAM channels, 300 W board', () => {
  const a = loadArch('wormhole_n300');
  assert.equal([a.tensix.length, a.computeGrid.columns.length, a.computeGrid.rows.length], [64, 8, 7]);
  assert.equal([a.dram.channels.length, a.boardWatts], [12, 300]);
  assert.match(a.description, /second chip/);
});
Presets('blackhole_p150 has 140 tensix, a 13x10 compute grid, 8 DRAM channels (512 GB/s) and 64 B flits', () => {
  const a = loadArch('blackhole_p150');
  assert.equal([a.grid.cols, a.grid.rows, a.tensix.length, a.clockHz], [17, 12, 140, 1.35e9]);
  assert.equal([a.computeGrid.columns.length, a.computeGrid.rows.length], [13, 10]);
  assert.equal([a.dram.channels.length, totalDramBytesPerSecond(a)], [8, 512e9]);
  assert.equal([a.noc.flitBytes, a.noc.linkBytesPerCycle, a.core.sramBytes], [64, 64, 1572864]);
});
Presets.run();

const UncoveredConstants = suite('uncoveredConstants');
UncoveredConstants('every numeric constant of every preset has a sources entry', () => {
  for (const name of listPresets()) assert.equal(uncoveredConstants(loadArch(name)), [], name);
});
UncoveredConstants('uncoveredConstants(arch) names a constant whose source was removed', () => {
  const a = structuredClone(loadArch('wormhole_n150')) as { sources: Record<string, string> } & ArchSpec;
  delete a.sources['noc.hopLatencyCycles'];
  delete a.sources['dram.channels[*].bytesPerSecond'];
  const missing = uncoveredConstants(a);
  assert.ok(missing.includes('noc.hopLatencyCycles'));
  assert.ok(missing.includes('dram.channels[0].bytesPerSecond') && missing.includes('dram.channels[11].bytesPerSecond'));
  assert.is(missing.length, 13);
});
UncoveredConstants('one entry for an array covers every number inside it (coordinate lists)', () => {
  const a = structuredClone(loadArch('wormhole_n150')) as { sources: Record<string, string> } & ArchSpec;
  delete a.sources['tensix'];
  assert.is(uncoveredConstants(a).length, 2 * 72);
  assert.is(uncoveredConstants(a)[0], 'tensix[0].x');
});
UncoveredConstants('every source text is non-empty, and assumptions say so', () => {
  for (const name of listPresets()) {
    const a = loadArch(name);
    for (const [k, v] of Object.entries(a.sources)) assert.ok(v.trim().length > 10, `${name} ${k}`);
    assert.ok(isAssumption(a.sources['energy.staticWatts'] ?? ''), `${name} staticWatts is an assumption`);
  }
  assert.ok(isAssumption(loadArch('wormhole_n150').sources['harvestedRows'] ?? ''));
  assert.not.ok(isAssumption(loadArch('wormhole_n150').sources['noc.hopLatencyCycles'] ?? ''));
});
UncoveredConstants.run();

function totalDramBytesPerSecond(a: ArchSpec): number {
  return a.dram.channels.reduce((s, c) => s + c.bytesPerSecond, 0);
}
