// Weights stored near their readers (compiler/lower/dram-placement.ts, CompileOptions.weightLayout
// 'near-readers', the default; 'interleaved' is the alternative): every weight tile is read from one channel, each channel holds its bandwidth's
// share of the tensor, readers are served by nearer channels than interleaving gives them, and the
// program computes the same values.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph, type CompileOptions } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { scheduleDeterministic } from '../../compiler/schedule/deterministic.js';
import type { Program } from '../../compiler/program.js';
import { buildTopology } from '../../noc/topology.js';
import { dramHops } from '../../noc/dram-endpoint.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { matmulGraph } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const topo = buildTopology(arch);
const g = matmulGraph(256, 768, 2048);
const compile = (weightLayout: CompileOptions['weightLayout'], strategy: CompileOptions['strategy'] = 'matmul2d'): Program =>
  compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: g.name, batch: 1, archFingerprint: fp, strategy, weightLayout });

/** The weight's DRAM reads: bytes per channel in all, and the byte-weighted mean hops from channel to reader. */
function weightReads(p: Program): { perChannel: number[]; meanHops: number; channelsPerRead: number[] } {
  const weight = p.tensors.findIndex((t) => t.name === 'w');
  assert.ok(weight >= 0, 'the weight tensor is in the program');
  const perChannel = arch.dram.channels.map(() => 0);
  const channelsPerRead: number[] = [];
  let hopBytes = 0;
  for (const t of p.tasks) {
    if (t.kind !== 'dram-read' || !(t.reads ?? []).some((r) => r.tensor === weight)) continue;
    const core = p.cores[t.core]!;
    channelsPerRead.push(t.channelBytes.filter((b) => b > 0).length);
    t.channelBytes.forEach((b, ch) => {
      perChannel[ch]! += b;
      hopBytes += b * Math.min(...[0, 1].map((n) => dramHops(topo, arch, ch, n, core, 'read') ?? Infinity));
    });
  }
  const total = perChannel.reduce((a, b) => a + b, 0);
  return { perChannel, meanHops: hopBytes / total, channelsPerRead };
}

const Layout = suite('weights near their readers');

Layout('each channel holds an equal share; reads come from fewer, nearer channels; values unchanged', () => {
  const near = compile('near-readers');
  const inter = compile('interleaved');
  assert.equal(verifyProgram(near, arch), []);
  const a = weightReads(near);
  const b = weightReads(inter);
  // Same bytes moved in all; every wormhole channel has the same bandwidth, so equal shares (to a tile).
  assert.equal(a.perChannel.reduce((x, y) => x + y, 0), b.perChannel.reduce((x, y) => x + y, 0));
  const share = a.perChannel.reduce((x, y) => x + y, 0) / a.perChannel.length;
  for (const bytes of a.perChannel) assert.ok(Math.abs(bytes - share) <= 2048 * 2, `channel bytes ${a.perChannel.join()} vs share ${share}`);
  assert.ok(a.meanHops < 0.75 * b.meanHops, `mean hops near ${a.meanHops.toFixed(2)} vs interleaved ${b.meanHops.toFixed(2)}`);
  assert.ok(Math.max(...a.channelsPerRead) <= 3, `channels per read ${Math.max(...a.channelsPerRead)}`);
  assert.ok(b.channelsPerRead.some((n) => n === arch.dram.channels.length));
  // Where a tile is stored changes timing, not values: the same error against the reference as interleaved (bf16).
  const error = (p: Program) => checkProgram(p, g, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(g, 5)).maxRelError;
  const e = error(near);
  assert.ok(e < 0.05, `rel error ${e}`);
  assert.equal(e, error(inter));
});

Layout('the default stores weights near their readers; opbyop runs do too', () => {
  assert.equal(JSON.stringify(compile(undefined)), JSON.stringify(compile('near-readers')));
  const p = compile('near-readers', 'opbyop');
  assert.equal(verifyProgram(p, arch), []);
  assert.ok(weightReads(p).meanHops < weightReads(compile('interleaved', 'opbyop')).meanHops);
});

Layout('a deterministic schedule of weights near their readers runs to its predicted cycle', () => {
  const p = scheduleDeterministic(compile('near-readers'), arch);
  assert.equal(verifyProgram(p, arch), []);
  assert.is(simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }).cycles, p.predictedCycles);
});

Layout.run();
