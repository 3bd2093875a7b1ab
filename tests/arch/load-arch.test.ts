import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadArch, resolvePresetName, SpatialcError } from '../../arch/index.js';

const presetText = (name: string) =>
  readFileSync(new URL(`../../../arch/presets/${name}.json`, import.meta.url), 'utf8');

/** A fresh directory holding `files`, removed after `fn`. */
function withDir(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'spatialc-arch-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function thrown(fn: () => unknown): SpatialcError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpatialcError) return e;
    throw e;
  }
  throw new Error('expected a SpatialcError');
}

const LoadArch = suite('loadArch');
LoadArch('loadArch(preset name) loads arch/presets/<name>.json from any cwd', () => {
  withDir({}, (dir) => assert.is(loadArch('wormhole_n150', { cwd: dir }).name, 'wormhole_n150'));
});
LoadArch('loadArch(alias) resolves wormhole, n150, n300, blackhole and p150, in any case', () => {
  const cases: [string, string][] = [
    ['wormhole', 'wormhole_n150'], ['n150', 'wormhole_n150'], ['N300', 'wormhole_n300'],
    ['blackhole', 'blackhole_p150'], ['p150', 'blackhole_p150'], ['Wormhole_N150', 'wormhole_n150'],
  ];
  for (const [name, preset] of cases) assert.is(loadArch(name).name, preset, name);
});
LoadArch('loadArch("x.json") that is not a file falls back to the preset or alias named by its basename', () => {
  withDir({}, (dir) => {
    assert.is(loadArch('wormhole.json', { cwd: dir }).name, 'wormhole_n150');
    assert.is(loadArch('wormhole_n300.json', { cwd: dir }).name, 'wormhole_n300');
    assert.is(loadArch('somewhere/arch/presets/blackhole_p150.json', { cwd: dir }).name, 'blackhole_p150');
  });
});
LoadArch('loadArch(path) loads an existing file relative to cwd, ahead of a preset of the same name', () => {
  const custom = presetText('wormhole_n150').replace('"name": "wormhole_n150"', '"name": "my_wormhole"');
  withDir({ 'wormhole.json': custom, 'archs/mine.json': custom }, (dir) => {
    assert.is(loadArch('wormhole.json', { cwd: dir }).name, 'my_wormhole');
    assert.is(loadArch('archs/mine.json', { cwd: dir }).name, 'my_wormhole');
    assert.is(loadArch(path.join(dir, 'archs/mine.json')).name, 'my_wormhole');
  });
});
LoadArch('loadArch(unknown) throws E_ARCH_UNKNOWN naming the presets', () => {
  const e = thrown(() => loadArch('foo'));
  assert.is(e.code, 'E_ARCH_UNKNOWN');
  assert.is(e.message, 'unknown arch "foo": not a file, and not a preset (presets: blackhole_p150, wormhole_n150, wormhole_n300)');
  withDir({}, (dir) => {
    const f = thrown(() => loadArch('./typo.json', { cwd: dir }));
    assert.is(f.message, 'unknown arch "./typo.json": not a file, and not a preset (presets: blackhole_p150, wormhole_n150, wormhole_n300)');
  });
});
LoadArch('loadArch(file) reports a JSON syntax error as E_ARCH_SYNTAX with file:line:col', () => {
  withDir({ 'bad.json': '{\n  "name": "x",\n}\n' }, (dir) => {
    const e = thrown(() => loadArch('bad.json', { cwd: dir }));
    assert.is(e.code, 'E_ARCH_SYNTAX');
    assert.is(e.message, "bad.json:3:1: invalid JSON: trailing comma before '}'");
  });
});
LoadArch('loadArch(file) accepts a "$schema" key for editors and a UTF-8 byte order mark', () => {
  const text = '\uFEFF' + presetText('wormhole_n150').replace('"../schema.json"', '"./node_modules/spatialc/arch/schema.json"');
  withDir({ 'a.json': text }, (dir) => assert.is(loadArch('a.json', { cwd: dir }).name, 'wormhole_n150'));
});
LoadArch.run();

const ResolvePresetName = suite('resolvePresetName');
ResolvePresetName('resolvePresetName(name) maps aliases and .json names to presets, and unknowns to undefined', () => {
  assert.is(resolvePresetName('wormhole'), 'wormhole_n150');
  assert.is(resolvePresetName('BLACKHOLE.json'), 'blackhole_p150');
  assert.is(resolvePresetName('wormhole_n300'), 'wormhole_n300');
  assert.is(resolvePresetName('grayskull'), undefined);
});
ResolvePresetName.run();
