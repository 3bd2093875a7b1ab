import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { SpatialcError } from '../../arch/errors.js';
import { parseBooksimConfig } from '../../noc/flit/booksim-config.js';
import { configFromBooksim } from '../../noc/flit/config.js';
import { simulateFlitNetwork } from '../../noc/flit/measure.js';

const REF = '/work/shared/reference/booksim';
const CFG_TEXT = `// comment
topology = mesh;  // trailing comment
k = 4;
num_vcs = 2; packet_size = 4;
traffic = transpose;
injection_rate = 0.02;
`;

/** A BookSim setup from `key=value` overrides of BookSim's defaults (8x8 mesh, 2 VCs x 8 flits). */
const bs = (...kv: string[]) => configFromBooksim(parseBooksimConfig('', kv));

const cfg = suite('flit network: BookSim config');
cfg('parses comments, statements and command-line overrides', () => {
  const c = parseBooksimConfig(CFG_TEXT, ['injection_rate=0.3', 'seed=4']);
  assert.is(c['topology'], 'mesh');
  assert.is(c['k'], 4);
  assert.is(c['packet_size'], 4);
  assert.is(c['traffic'], 'transpose');
  assert.is(c['injection_rate'], 0.3);
  assert.is(c['seed'], 4);
  assert.is(c['vc_buf_size'], 8);
});
cfg('unknown keys are an error that lists them', () => {
  try {
    parseBooksimConfig('k = 4; frobnicate = 1;', ['wibble=2']);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, SpatialcError);
    const msg = (e as Error).message;
    assert.match(msg, 'frobnicate');
    assert.match(msg, 'wibble');
  }
});
cfg('unsupported values are an error', () => {
  assert.throws(() => parseBooksimConfig('router = event;'), /router/);
});
cfg('every reference config parses', () => {
  for (const name of ['mesh8x8_uniform_ps1_vc2', 'torus8x8_uniform_ps4_vc8', 'mesh4x4_uniform_ps1_vc2']) {
    const c = configFromBooksim(parseBooksimConfig(readFileSync(`${REF}/configs/${name}.cfg`, 'utf8')));
    assert.ok(c.geometry.dims[0]! > 0);
  }
});
cfg.run();

const zl = suite('flit network: zero-load latency');
zl('mesh 5H + 6 + L and torus 6H + 6 + L for single packets', () => {
  const pairs: [number, number][] = [[0, 63], [0, 0], [0, 1], [9, 27], [63, 0], [7, 56]];
  for (const topology of ['mesh', 'torus'] as const) {
    for (const L of [1, 4]) {
      for (const [s, d] of pairs) {
        const sx = s % 8, sy = s >> 3, dx = d % 8, dy = d >> 3;
        const dist = (a: number, b: number): number => topology === 'mesh' ? Math.abs(a - b) : Math.min((a - b + 8) % 8, (b - a + 8) % 8);
        const H = dist(sx, dx) + dist(sy, dy);
        const r = simulateFlitNetwork(bs(`topology=${topology}`, `packet_size=${L}`), { singlePackets: [{ src: s, dst: d, cycle: 3 }] });
        assert.is(r.avgPacketLatency, (topology === 'mesh' ? 5 : 6) * H + 6 + L, `${topology} ${s}->${d} L=${L}`);
      }
    }
  }
});
zl.run();

function refRow(config: string, rate: number): number {
  const lines = readFileSync(`${REF}/results.csv`, 'utf8').trim().split(/\r?\n/);
  for (const l of lines) {
    const f = l.split(',');
    if (f[0] === config && Math.abs(Number(f[6]) - rate) < 1e-9) return Number(f[7]);
  }
  throw new Error(`no reference row ${config} ${rate}`);
}

const low = suite('flit network: low-load latency against BookSim');
for (const [name, rates] of [['mesh8x8_uniform_ps1_vc2', [0.04, 0.14]], ['mesh4x4_uniform_ps1_vc2', [0.1, 0.3]]] as const) {
  low(`${name} within 5% of results.csv`, () => {
    const text = readFileSync(`${REF}/configs/${name}.cfg`, 'utf8');
    for (const rate of rates) {
      const c = configFromBooksim(parseBooksimConfig(text, [`injection_rate=${rate}`]));
      const r = simulateFlitNetwork(c);
      const ref = refRow(name, rate);
      assert.ok(!r.saturated);
      assert.ok(Math.abs(r.avgPacketLatency - ref) / ref <= 0.05, `${name}@${rate}: ours ${r.avgPacketLatency} vs ${ref}`);
    }
  });
}
low('every reference config at 0.02 and near half its saturation rate, within 5%', () => {
  const rows = readFileSync(`${REF}/results.csv`, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const names = [...new Set(rows.map((f) => f[0]!))];
  for (const name of names) {
    const mine = rows.filter((f) => f[0] === name);
    const sat = Number(mine.find((f) => f[10] === '1')?.[6] ?? mine[mine.length - 1]![6]);
    const half = mine.filter((f) => Number(f[6]) <= 0.5 * sat + 1e-9).pop()!;
    const text = readFileSync(`${REF}/configs/${name}.cfg`, 'utf8');
    for (const rate of new Set([0.02, Number(half[6])])) {
      const r = simulateFlitNetwork(configFromBooksim(parseBooksimConfig(text, [`injection_rate=${rate}`])));
      const ref = refRow(name, rate);
      assert.ok(Math.abs(r.avgPacketLatency - ref) / ref <= 0.05, `${name}@${rate}: ours ${r.avgPacketLatency} vs ${ref}`);
    }
  }
});
low.run();

const prop = suite('flit network: conservation');
prop('every injected flit is delivered exactly once', () => {
  fc.assert(fc.property(
    fc.record({
      k: fc.integer({ min: 2, max: 4 }), torus: fc.boolean(), vcs: fc.constantFrom(2, 4), L: fc.integer({ min: 1, max: 5 }),
      pkts: fc.array(fc.record({ src: fc.nat(15), dst: fc.nat(15), cycle: fc.nat(30) }), { minLength: 1, maxLength: 60 }),
    }),
    ({ k, torus, vcs, L, pkts }) => {
      const n = k * k;
      const sp = pkts.map((p) => ({ src: p.src % n, dst: p.dst % n, cycle: p.cycle }));
      const got = sp.map(() => [] as number[]);
      let wrongNode = 0;
      const r = simulateFlitNetwork(bs(`k=${k}`, `topology=${torus ? 'torus' : 'mesh'}`, `num_vcs=${vcs}`, `packet_size=${L}`), {
        singlePackets: sp,
        onFlit: (seq, idx, node) => { got[seq]!.push(idx); if (node !== sp[seq]!.dst) wrongNode++; },
      });
      if (r.injected !== sp.length * L || wrongNode > 0 || r.packetsMeasured !== sp.length) return false;
      // Exactly once and in order: each packet's flits arrive as 0, 1, ..., L-1.
      return got.every((g) => g.length === L && g.every((idx, i) => idx === i));
    },
  ), { numRuns: 25, seed: 7 });
});
prop('same seed, same result; another seed, another sample', () => {
  const c = bs('k=4', 'injection_rate=0.3');
  const a = simulateFlitNetwork(c), b = simulateFlitNetwork(c), d = simulateFlitNetwork({ ...c, seed: 1 });
  assert.equal([a.avgPacketLatency, a.cycles, a.acceptedFlitsPerNodeCycle], [b.avgPacketLatency, b.cycles, b.acceptedFlitsPerNodeCycle]);
  assert.is.not(a.avgPacketLatency, d.avgPacketLatency);
});
prop.run();
