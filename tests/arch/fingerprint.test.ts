import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, canonicalJson, loadArch } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/index.js';

const ArchFingerprint = suite('archFingerprint');
ArchFingerprint('archFingerprint(arch) is 16 hex digits, the same on every load', () => {
  const f = archFingerprint(loadArch('wormhole_n150'));
  assert.match(f, /^[0-9a-f]{16}$/);
  assert.is(archFingerprint(loadArch('wormhole')), f);
});
ArchFingerprint('archFingerprint ignores key order and the prose fields (description, sources)', () => {
  const a = loadArch('wormhole_n150');
  const reordered = Object.fromEntries(Object.entries(structuredClone(a)).reverse()) as unknown as ArchSpec;
  const reworded = { ...structuredClone(a), description: 'other words', sources: {} };
  assert.is(archFingerprint(reordered), archFingerprint(a));
  assert.is(archFingerprint(reworded), archFingerprint(a));
});
ArchFingerprint('archFingerprint changes when any machine parameter changes, and differs between presets', () => {
  const a = loadArch('wormhole_n150');
  const faster = { ...structuredClone(a), noc: { ...a.noc, hopLatencyCycles: 8 } };
  assert.is.not(archFingerprint(faster), archFingerprint(a));
  const all = ['wormhole_n150', 'wormhole_n300', 'blackhole_p150'].map((n) => archFingerprint(loadArch(n)));
  assert.is(new Set(all).size, 3);
});
ArchFingerprint.run();

const CanonicalJson = suite('canonicalJson');
CanonicalJson('canonicalJson sorts object keys at every level and keeps array order', () => {
  assert.is(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 0] }), '{"a":[{"c":3,"d":2},0],"b":1}');
});
CanonicalJson.run();
