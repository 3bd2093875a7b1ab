// The layer-pipelined strategy (`--strategy pipeline`): stages of consecutive ops on disjoint bands
// of grid rows, every op lowered once per micro-batch, tiles streaming from region to region,
// weights kept in SRAM across micro-batches, tensor parts freed once their readers moved on.
// Checked: the planner's stages cover the graph and the grid exactly; ops stay in their region;
// the program verifies (dependencies, coverage, SRAM over time) and computes the reference's
// values; kept weights are read from DRAM once however many micro-batches; a consumer whose window
// reaches into its producer's next micro-batch waits for it; auto keeps the faster of the per-op
// search and the pipeline; the deterministic schedule still lands on its predicted cycle.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadArch, archFingerprint } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/spec.js';
import { compileGraph, type CompileOptions } from '../../compiler/compile.js';
import type { Graph } from '../../compiler/graph.js';
import type { Program } from '../../compiler/program.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { groupNodes } from '../../compiler/lower/group.js';
import { createSession } from '../../compiler/lower/session.js';
import { planStages } from '../../compiler/partition/pipeline-plan.js';
import { scheduleDeterministic } from '../../compiler/schedule/deterministic.js';
import { tileBytes } from '../../arch/core-timing.js';
import { computeCores } from '../../compiler/compile.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder, matmulGraph, smallResidualCnn } from './helpers/graphs.js';
import { withMesh } from '../helpers/oracle.js';

const arch = loadArch('wormhole_n150');
const fp = (a: ArchSpec) => archFingerprint(a);
const compile = (g: Graph, o: Partial<CompileOptions> = {}, a: ArchSpec = arch): Program =>
  compileGraph(g, a, { dtype: 'bf16', fidelity: 'HiFi4', model: g.name, batch: g.tensors[g.inputs[0]!]!.shape[0] ?? 1, archFingerprint: fp(a), ...o });

function plan(g: Graph, a: ArchSpec, maxMicroBatches: number, force = {}) {
  const grouping = groupNodes(g);
  const s = createSession(g, grouping, { arch: a, dtype: 'bf16', fidelity: 'HiFi4', cores: computeCores(a), tileBytes: tileBytes(a, 'bf16'), residentIo: false });
  return { groups: grouping.groups.length, plan: planStages(s.ctx, grouping.groups, maxMicroBatches, force) };
}

const Plan = suite('pipeline planner');
Plan('stages are consecutive groups on disjoint bands of grid rows that cover the grid (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 16 }),
    (cols, rows, batch, stages, mbs) => {
      if (cols * rows < 2) return;
      const a = withMesh(arch, cols, rows);
      const { groups, plan: p } = plan(smallResidualCnn(batch, 32, 16), a, mbs, stages > 0 ? { stages } : {});
      assert.ok(p.stages.length >= 1 && p.stages.length <= rows);
      if (stages > 0) assert.is(p.stages.length, Math.min(stages, rows, groups));
      let nextGroup = 0;
      let nextRow = 0;
      for (const st of p.stages) {
        assert.is(st.first, nextGroup);
        assert.ok(st.last >= st.first);
        assert.is(st.area.row0, nextRow);
        assert.ok(st.area.rows >= 1 && st.area.cols === cols && st.area.col0 === 0 && st.area.stride === cols);
        nextGroup = st.last + 1;
        nextRow += st.area.rows;
      }
      assert.is(nextGroup, groups);
      assert.is(nextRow, rows);
      assert.ok(p.microBatches >= 1 && p.microBatches <= Math.max(1, mbs));
    }), { numRuns: 120, seed: 11 });
});
Plan.run();

const Lower = suite('pipelined programs');
Lower('ops run inside their stage\'s band of rows; the program verifies and computes the reference\'s values', () => {
  const g = smallResidualCnn(4, 32, 16);
  const p = compile(g, { strategy: 'pipeline', pipeline: { stages: 3, microBatches: 4 } });
  assert.match(p.strategy, /^pipeline, 3 stage\(s\) x 4 micro-batch\(es\)$/);
  assert.equal(verifyProgram(p, arch), []);
  const cols = arch.computeGrid.columns.length;
  for (const o of p.ops) {
    const m = /^stage (\d+) rows (\d+)-(\d+), 4 micro-batches: /.exec(o.strategy);
    assert.ok(m !== null, o.strategy);
    const [lo, hi] = [Number(m![2]), Number(m![3])];
    for (const t of p.tasks) {
      if (t.op !== o.index || t.kind !== 'compute' || t.work.length === 0) continue;
      const row = Math.floor(t.core / cols);
      assert.ok(row >= lo && row <= hi, `op ${o.name} computes on core ${t.core} (row ${row}) outside rows ${lo}-${hi}`);
    }
  }
  const check = checkProgram(p, g, simulate(p, arch, { fingerprint: fp(arch), nocModel: 'packet' }), randomInputs(g, 5));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});

Lower('weights kept in SRAM are read from DRAM once, however many micro-batches', () => {
  const g = matmulGraph(512, 256, 256);
  const weightReads = (p: Program) => {
    const w = p.tensors.findIndex((t) => t.layout === 'weight-kn');
    return p.tasks.filter((t) => t.kind === 'dram-read' && (t.reads ?? []).some((r) => r.tensor === w)).reduce((n, t) => n + (t.kind === 'dram-read' ? t.channelBytes.reduce((a, b) => a + b, 0) : 0), 0);
  };
  const one = compile(g, { strategy: 'pipeline', pipeline: { stages: 1, microBatches: 1 } });
  const eight = compile(g, { strategy: 'pipeline', pipeline: { stages: 1, microBatches: 8 } });
  assert.ok(weightReads(one) > 0);
  assert.is(weightReads(eight), weightReads(one));
  assert.ok(eight.buffers.some((b) => b.name.endsWith('/weights')), 'a buffer of kept weights');
  assert.equal(verifyProgram(eight, arch), []);
});

Lower('a 3x3 conv whose window reaches into the next micro-batch waits for it (the values stay right)', () => {
  const ints = (v: number[]) => ({ kind: 'ints' as const, value: v });
  const b = graphBuilder('halo');
  let x = b.input('x', [1, 4, 6, 6]);
  for (let i = 0; i < 2; i++) x = b.node('Conv', [x, b.weight(`w${i}`, [4, 4, 3, 3])], [1, 4, 6, 6], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
  const g = b.build([x]);
  const a = withMesh(arch, 1, 2);
  const p = compile(g, { strategy: 'pipeline', pipeline: { stages: 1, microBatches: 2 }, dtype: 'fp32' }, a);
  assert.equal(verifyProgram(p, a), []);
  const check = checkProgram(p, g, simulate(p, a, { fingerprint: fp(a) }), randomInputs(g, 9));
  assert.ok(check.maxRelError < 1e-4, `rel error ${check.maxRelError}`);
});

Lower('auto keeps whichever of the per-op search and the pipeline is predicted to end first', () => {
  for (const g of [smallResidualCnn(8, 32, 16), matmulGraph(256, 512, 512)]) {
    const a = compile(g);
    const perOp = compile(g, { strategy: 'pipeline' });
    assert.match(a.strategy, /^auto: (per-op search|pipeline, .*)$/);
    if (a.strategy.startsWith('auto: pipeline')) assert.is(a.predictedCycles, perOp.predictedCycles);
    else assert.ok(a.predictedCycles <= perOp.predictedCycles, `${a.predictedCycles} vs pipeline ${perOp.predictedCycles}`);
  }
});

Lower('--deterministic on a pipelined program: simulated cycles == predicted cycles', () => {
  const g = loadOnnxModel('tests/fixtures/onnx/tiny_cnn.onnx', { batch: 4 });
  const p = scheduleDeterministic(compile(g, { strategy: 'pipeline', pipeline: { stages: 2, microBatches: 4 } }), arch);
  assert.equal(verifyProgram(p, arch), []);
  assert.is(simulate(p, arch, { fingerprint: fp(arch) }).cycles, p.predictedCycles);
});
Lower.run();
