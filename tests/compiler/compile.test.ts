import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import type { Graph } from '../../compiler/graph.js';
import { simulate, buildReport } from '../../sim/index.js';
import { matmulGraph, smallResidualCnn } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const compile = (g: Graph, dtype: 'bf16' | 'fp32' = 'bf16') =>
  compileGraph(g, arch, { dtype, fidelity: 'HiFi2', model: g.name, batch: 1, archFingerprint: archFingerprint(arch) });

const CompileGraph = suite('compileGraph');

CompileGraph('a matmul compiles to a program the verifier accepts, covering every output tile once', () => {
  const p = compile(matmulGraph(256, 512, 384));
  assert.equal(verifyProgram(p, arch), []);
  assert.is(p.macs, 256 * 512 * 384);
  const computed = p.tasks.reduce((s, t) => s + (t.kind === 'compute' ? t.macs : 0), 0);
  assert.is(computed, p.macs);
});

CompileGraph('a residual CNN compiles, verifies and simulates; the report is consistent', () => {
  const p = compile(smallResidualCnn(2, 64, 28));
  assert.equal(verifyProgram(p, arch), []);
  const r = buildReport(p, arch, simulate(p, arch, { fingerprint: archFingerprint(arch) }));
  assert.ok(r.cycles > 0);
  assert.ok(r.utilization.coresMean <= 1 && r.utilization.linksMax <= 1);
});

CompileGraph.run();
