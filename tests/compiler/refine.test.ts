// Local refinement of the search's grids (compiler/partition/refine.ts, `--refine`): the grids the
// search records replay its program exactly; a refinement keeps only what its measure rewards,
// stays within its budget, is deterministic, and with no budget returns the search's program.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph, compileRefined, type CompileOptions } from '../../compiler/compile.js';
import { refineGrids, type ChosenGrid, type RefinePlan } from '../../compiler/partition/refine.js';
import type { GridChoice } from '../../compiler/partition/strategy.js';
import type { Program } from '../../compiler/program.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { main } from '../../cli/main.js';
import { matmulGraph, smallResidualCnn } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const Refine = suite('refine');

const opts = (name: string): CompileOptions => ({ dtype: 'bf16', fidelity: 'HiFi2', model: name, batch: 1, archFingerprint: archFingerprint(arch) });
const packet = (p: Program) => simulate(p, arch, { nocModel: 'packet' });

Refine('the grids the search records, fixed, lower the same program', () => {
  const g = smallResidualCnn(1, 64, 28);
  const chosen = new Map<number, ChosenGrid>();
  const searched = compileGraph(g, arch, { ...opts(g.name), chosen });
  assert.ok(chosen.size >= 2, 'matmul-like groups recorded');
  for (const c of chosen.values()) assert.ok(c.candidates.some((x) => x.kind === c.choice.kind && x.gr === c.choice.gr && x.gc === c.choice.gc), 'the choice is among the candidates');
  const grids = new Map([...chosen].map(([k, c]) => [k, c.choice]));
  const replayed = compileGraph(g, arch, { ...opts(g.name), grids });
  assert.is(JSON.stringify(replayed.tasks), JSON.stringify(searched.tasks));
  assert.is(replayed.predictedCycles, searched.predictedCycles);
});

Refine('a refinement keeps only shorter runs, verifies, and is deterministic', () => {
  const g = smallResidualCnn(1, 64, 28);
  const budget = { seconds: 2, tasksPerSecond: 80_000 };
  const a = compileRefined(g, arch, opts(g.name), packet, budget);
  const b = compileRefined(g, arch, opts(g.name), packet, budget);
  assert.is(JSON.stringify(a.program), JSON.stringify(b.program), 'same inputs, same program');
  assert.ok(a.refined.evaluations > 1, `alternatives were measured (${a.refined.evaluations})`);
  assert.is(a.refined.startCycles, packet(compileGraph(g, arch, opts(g.name))).cycles, 'it starts from the search');
  assert.ok(a.refined.cycles <= a.refined.startCycles);
  assert.is(packet(a.program).cycles, a.refined.cycles, 'the program runs as measured');
  let last = a.refined.startCycles;
  for (const s of a.refined.steps) {
    assert.ok(s.cycles < last, 'every kept step shortens the run');
    last = s.cycles;
  }
  assert.equal(verifyProgram(a.program, arch), []);
  assert.match(a.program.strategy, /refined: /);
});

Refine('no budget: the search\'s program, measured once', () => {
  const g = matmulGraph(256, 1024, 1024);
  const r = compileRefined(g, arch, opts(g.name), packet, { seconds: 0, tasksPerSecond: 80_000 });
  assert.is(r.refined.evaluations, 1);
  assert.is(JSON.stringify(r.program.tasks), JSON.stringify(compileGraph(g, arch, opts(g.name)).tasks));
});

Refine('the hill climb: prefetch settings, then the best alternative per site, passes until nothing changes, budget kept', () => {
  // Two groups with grids 1, 2, 3 each, from 1 and 1. The cost couples them: the first pass takes
  // group 0 to 2 and then group 1 to 3, after which 3 is best for group 0 (a second pass). Four
  // posted reads in flight save a cycle whatever the grids.
  const grid = (gr: number): GridChoice => ({ kind: 'block', gr, gc: 1 });
  const cands = [grid(1), grid(2), grid(3)];
  const table = [[89, 80, 85], [88, 78, 50], [75, 70, 40]]; // [b - 1][a - 1]
  const cost = (a: number, b: number) => table[b - 1]![a - 1]!;
  const fake = (plan: RefinePlan | undefined): Program => {
    const a = plan?.grids?.get(0)?.gr ?? 1;
    const b = plan?.grids?.get(1)?.gr ?? 1;
    return { tasks: [], predictedCycles: cost(a, b) - (plan?.prefetch?.postedInFlight === 4 ? 1 : 0), strategy: `${a}${b}` } as unknown as Program;
  };
  let calls = 0;
  const lower = (plan: RefinePlan | undefined, chosen: Map<number, ChosenGrid>) => {
    calls++;
    if (plan?.grids === undefined) for (const k of [0, 1]) chosen.set(k, { choice: grid(1), candidates: cands, situation: `s${k}` });
    return fake(plan);
  };
  const measure = (p: Program) => ({ cycles: p.predictedCycles, taskEndCycle: [] });
  const r = refineGrids(lower, measure, { seconds: 1, tasksPerSecond: 100 });
  assert.is(r.program.strategy, '33', 'both groups end on their best grid');
  assert.equal(r.prefetch, { postedInFlight: 4 });
  assert.is(r.cycles, cost(3, 3) - 1);
  assert.equal(r.steps.map((s) => [s.groups, s.to.gr, s.cycles]), [[[0], 2, 79], [[1], 3, 69], [[0], 3, 39]]);
  assert.is(r.evaluations, 1 + 2 * 8 + 12, 'the search, eight prefetch settings each searched again (two each), then two alternatives per site over three passes');
  assert.is(calls, 1 + 8 + 12);
  assert.ok(r.evaluations <= 100);
  const tight = refineGrids(lower, measure, { seconds: 1, tasksPerSecond: 3 });
  assert.is(tight.evaluations, 3, 'stops at the budget');
});

Refine('spatialc --refine: a number of seconds, else one line and exit 2', async () => {
  let out = '';
  let err = '';
  const io = { out: (t: string) => { out += t; }, err: (t: string) => { err += t; }, isTty: false };
  assert.is(await main(['run', 'tests/fixtures/onnx/tiny_cnn.onnx', '--noc-model', 'packet', '--refine', 'soon'], io), 2);
  assert.is(out, '');
  assert.is(err.trim(), 'spatialc: error: --refine: expected a number of seconds >= 0, got "soon"');
  err = '';
  assert.is(await main(['run', 'tests/fixtures/onnx/tiny_cnn.onnx', '--noc-model', 'packet', '--refine', '1'], io), 0, err);
  assert.match(out, /refined: /);
});

Refine('spatialc --refine on the flit model: refined on the packet model, never slower on flit', async () => {
  const cycles = async (extra: string[]) => {
    let out = '';
    const io = { out: (t: string) => { out += t; }, err: () => {}, isTty: false };
    assert.is(await main(['run', 'tests/fixtures/onnx/tiny_transformer.onnx', '--json', ...extra], io), 0);
    const r = JSON.parse(out) as { cycles: number; strategy: string };
    return r;
  };
  const plain = await cycles([]);
  const refined = await cycles(['--refine', '3']);
  assert.ok(refined.cycles <= plain.cycles, `${refined.cycles} <= ${plain.cycles}`);
  assert.match(refined.strategy, /refine/);
});

Refine('spatialc --refine --deterministic: refined against the schedule, still exact', async () => {
  let out = '';
  const io = { out: (t: string) => { out += t; }, err: () => {}, isTty: false };
  assert.is(await main(['run', 'tests/fixtures/onnx/tiny_transformer.onnx', '--json', '--deterministic', '--refine', '2'], io), 0);
  const r = JSON.parse(out) as { cycles: number; predictedCycles: number; strategy: string; nocModel: string };
  assert.is(r.nocModel, 'deterministic');
  assert.is(r.cycles, r.predictedCycles);
  assert.match(r.strategy, /refined: /);
});

Refine.run();
