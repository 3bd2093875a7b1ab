import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

Noc.run();
