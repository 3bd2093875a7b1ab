import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, isTty: false });
  return { code, out, err };
}

const Noc = suite('spatialc noc');
const tmp = mkdtempSync(join(tmpdir(), 'spatialc-noc-'));

Noc('a BookSim config with command-line overrides gives the JSON keys BookSim reports', async () => {
  const cfg = join(tmp, 'mesh4.cfg');
  writeFileSync(cfg, '// small mesh\ntopology = mesh;\nk = 4;\nn = 2;\nnum_vcs = 2;\ninjection_rate = 0.3;\n');
  const r = await run('noc', '--booksim', cfg, 'injection_rate=0.1', '--json');
  assert.is(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  for (const k of ['avgPacketLatency', 'avgNetworkLatency', 'acceptedFlitsPerNodeCycle', 'saturated']) assert.ok(k in rep, k);
  assert.ok(Math.abs(rep.acceptedFlitsPerNodeCycle - 0.1) < 0.01, `accepted ${rep.acceptedFlitsPerNodeCycle}`);
  assert.is(rep.saturated, false);
});

Noc('--sweep prints the latency/load curve as CSV', async () => {
  const r = await run('noc', '--k', '4', '--sweep', '0.1:0.3:0.1');
  assert.is(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.is(lines[0], 'rate,avgPacketLatency,avgNetworkLatency,acceptedFlitsPerNodeCycle,saturated');
  assert.is(lines.length, 4);
});

Noc('bad input is one line, exit 2: rate outside (0, 1], empty buffer, unknown BookSim key', async () => {
  for (const [argv, pattern] of [
    [['noc', '--rate', '1.5'], /--rate: expected an injection rate in \(0, 1\]/],
    [['noc', '--buffer', '0'], /at least one flit/],
    [['noc', 'frobnicate=3'], /unknown BookSim key: frobnicate/],
  ] as const) {
    const r = await run(...argv);
    assert.is(r.code, 2);
    assert.is(r.err.trim().split('\n').length, 1);
    assert.match(r.err, pattern);
  }
});

Noc('--arch runs the arch\'s own NoCs (Wormhole: two one-way tori) or its BookSim-style network block', async () => {
  const wh = await run('noc', '--arch', 'wormhole_n150', '--rate', '0.05', '--packet-size', '4', '--json');
  assert.is(wh.code, 0, wh.err);
  const rep = JSON.parse(wh.out);
  assert.ok(rep.avgPacketLatency > 40 && !rep.saturated, `wormhole latency ${rep.avgPacketLatency}`);
  const preset = JSON.parse(readFileSync('arch/presets/wormhole_n150.json', 'utf8'));
  const file = join(tmp, 'mesh-net.json');
  writeFileSync(file, JSON.stringify({ ...preset, network: { topology: 'mesh', k: 8, n: 2, vcs: 2, vcBufferFlits: 8 } }));
  const viaArch = await run('noc', '--arch', file, '--rate', '0.1', '--json');
  const viaFlags = await run('noc', '--topology', 'mesh', '--k', '8', '--vcs', '2', '--buffer', '8', '--rate', '0.1', '--json');
  assert.is(viaArch.code, 0, viaArch.err);
  assert.equal(JSON.parse(viaArch.out), JSON.parse(viaFlags.out), 'an arch network block and the same BookSim flags give the same run');
});

Noc('--sweep --plot writes an SVG of the curve; 3D tori and hotspot traffic run', async () => {
  const svg = join(tmp, 'sweep.svg');
  const r = await run('noc', '--k', '4', '--sweep', '0.1:0.3:0.1', '--plot', svg);
  assert.is(r.code, 0, r.err);
  assert.ok(existsSync(svg));
  assert.match(readFileSync(svg, 'utf8'), /^<svg[^>]*xmlns/);
  const t3 = await run('noc', '--topology', 'torus', '--k', '4', '--n', '3', '--vcs', '4', '--traffic', 'hotspot', '--rate', '0.01', '--json');
  assert.is(t3.code, 0, t3.err);
  assert.ok(JSON.parse(t3.out).avgPacketLatency > 0);
});

Noc('routing that can deadlock and bad traffic are one-line errors, exit 2', async () => {
  for (const [argv, pattern] of [
    [['noc', '--topology', 'torus', '--vcs', '1'], /can deadlock: channel dependency cycle .*vc0 ->/],
    [['noc', '--routing', 'xy_yx', '--vcs', '1'], /can deadlock/],
    [['noc', '--traffic', 'zigzag'], /traffic: expected one of uniform/],
    [['noc', '--k', '6', '--traffic', 'transpose'], /power-of-two/],
    [['noc', '--arch', 'wormhole_n150', '--k', '4'], /with --arch the arch does/],
  ] as const) {
    const r = await run(...argv);
    assert.is(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.is(r.err.trim().split('\n').length, 1);
    assert.match(r.err, pattern);
  }
});

Noc.run();
