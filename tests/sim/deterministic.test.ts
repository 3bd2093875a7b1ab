// Deterministic programs (`--deterministic`): the compiler's schedule fixes every start cycle and
// reserves links and DRAM channels; the time-triggered simulation must end on exactly the predicted
// cycle. Checked on random hand-built programs (fast-check), on the bundled tiny CNN, and on
// ResNet-50 (batch 1 and 16), MobileNetV2 and BERT-base when exported (models/, or $SPATIALC_MODELS).
// Broken schedules are refused by both the verifier and the simulator.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { SpatialcError } from '../../arch/errors.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import { compileGraph } from '../../compiler/compile.js';
import { scheduleDeterministic } from '../../compiler/schedule/deterministic.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { parseListing } from '../../compiler/listing/parse.js';
import { printListing } from '../../compiler/listing/print.js';
import type { Program, Task } from '../../compiler/program.js';
import { simulate, buildReport } from '../../sim/index.js';
import { tinyArch } from './helpers/arch.js';
import { programBuilder } from './helpers/program.js';

const tiny = tinyArch();
const cores = tiny.computeGrid.rows.flatMap((y) => tiny.computeGrid.columns.map((x) => ({ x, y })));

type Step = { kind: 'compute' | 'send' | 'read' | 'write' | 'mcast'; core: number; other: number; size: number; dep: number };

function randomProgram(steps: readonly Step[]): Program {
  const b = programBuilder({ cores });
  const ids: number[] = [];
  for (const s of steps) {
    const deps = s.dep < ids.length ? [ids[s.dep]!] : [];
    const o = { deps: deps as never[] };
    const other = s.other % cores.length === s.core ? (s.core + 1) % cores.length : s.other % cores.length;
    switch (s.kind) {
      case 'compute': ids.push(b.compute(s.core, { ...o, work: [{ unit: 'eltwise', tiles: 1 + (s.size % 5) }] })); break;
      case 'send': ids.push(b.send(s.core, { ...o, dsts: [other], bytes: 256 * s.size, noc: s.size % 2 })); break;
      case 'mcast': ids.push(b.send(s.core, { ...o, dsts: [other, (other + 3) % cores.length].filter((d) => d !== s.core), bytes: 512 * s.size, multicast: true })); break;
      case 'read': ids.push(b.dramRead(s.core, { ...o, channelBytes: [1024 * s.size, 512 * (s.size % 3)] })); break;
      case 'write': ids.push(b.dramWrite(s.core, { ...o, channelBytes: [0, 768 * s.size], noc: 1 })); break;
    }
  }
  return b.build();
}

const step = fc.record({
  kind: fc.constantFrom('compute', 'send', 'read', 'write', 'mcast') as fc.Arbitrary<Step['kind']>,
  core: fc.integer({ min: 0, max: cores.length - 1 }),
  other: fc.integer({ min: 0, max: cores.length - 1 }),
  size: fc.integer({ min: 1, max: 12 }),
  dep: fc.integer({ min: 0, max: 40 }),
});

const Props = suite('deterministic schedule: random programs');
Props('the time-triggered simulation ends exactly on the predicted cycle, and the verifier accepts the schedule', () => {
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 80 }), (steps, gap) => {
    const p = scheduleDeterministic(randomProgram(steps), tiny, gap);
    assert.equal(verifyProgram(p, tiny).filter((d) => d.code === 'schedule'), []);
    const r = simulate(p, tiny);
    assert.is(r.nocModel, 'deterministic');
    assert.is(r.cycles, p.predictedCycles);
    p.tasks.forEach((t) => assert.is(r.taskStartCycle[t.id], t.predictedStartCycle));
  }), { numRuns: 150, seed: 7 });
});
Props('two transfers sharing a link never overlap: a task sending twice from one core on two engines is serialised', () => {
  const b = programBuilder({ cores });
  b.send(0, { dsts: [4], bytes: 8192, engine: 'reader' });
  b.send(0, { dsts: [8], bytes: 8192, engine: 'writer' });
  const p = scheduleDeterministic(b.build(), tiny);
  const [x, y] = p.tasks as [Task, Task];
  assert.is(x.predictedStartCycle, 0);
  assert.ok(y.predictedStartCycle > 0, 'the second send waits for the shared inject link');
  assert.is(simulate(p, tiny).cycles, p.predictedCycles);
});
Props.run();

function withTask(p: Program, id: number, f: (t: Task) => Task): Program {
  return { ...p, tasks: p.tasks.map((t) => (t.id === id ? f(t) : t)) };
}

function simError(p: Program): string {
  try {
    simulate(p, tiny);
  } catch (e) {
    assert.instance(e, SpatialcError);
    assert.is((e as SpatialcError).code, 'E_SCHEDULE');
    return (e as Error).message;
  }
  assert.unreachable('the simulator accepted a broken schedule');
  return '';
}

const Broken = suite('deterministic schedule: broken schedules are refused');
Broken('a task scheduled before its input arrives', () => {
  const b = programBuilder({ cores });
  const r = b.dramRead(0, { channelBytes: [4096, 0] });
  b.compute(0, { deps: [r], work: [{ unit: 'eltwise', tiles: 2 }] });
  const p = scheduleDeterministic(b.build(), tiny);
  const early = withTask(p, 1, (t) => ({ ...t, predictedStartCycle: t.predictedStartCycle - 1 }));
  assert.match(verifyProgram(early, tiny).map((d) => d.message).join('\n'), /task 1 starts at cycle \d+, before its dependency 0 ends/);
  assert.match(simError(early), /task 1 .* is scheduled at cycle \d+ but can start only at \d+ \(task 0 ends then\)/);
});
Broken('two transfers holding one link at once', () => {
  const b = programBuilder({ cores });
  b.send(0, { dsts: [4], bytes: 8192, engine: 'reader' });
  b.send(0, { dsts: [8], bytes: 8192, engine: 'writer' });
  const p = scheduleDeterministic(b.build(), tiny);
  const clash = withTask(p, 1, (t) => ({ ...t, predictedStartCycle: 10 }));
  assert.match(verifyProgram(clash, tiny).map((d) => d.message).join('\n'), /task 1 holds link .* while task 0 does/);
  assert.match(simError(clash), /task 1 .* needs link .* which task 0 .* holds/);
});
Broken('a transfer given the wrong length', () => {
  const b = programBuilder({ cores });
  b.send(0, { dsts: [4], bytes: 8192 });
  const p = scheduleDeterministic(b.build(), tiny);
  const wrong = withTask(p, 0, (t) => ({ ...t, predictedCycles: t.predictedCycles + 1 }));
  assert.match(verifyProgram(wrong, tiny).map((d) => d.message).join('\n'), /send task 0 is scheduled for \d+ cycles; alone on the NoC it takes \d+/);
});
Broken.run();

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const dir = process.env['SPATIALC_MODELS'] ?? 'models';

function checkModel(file: string, batch: number): void {
  const g = loadOnnxModel(file, { batch });
  const p = scheduleDeterministic(compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: path.basename(file), batch, archFingerprint: fp }), arch);
  assert.equal(verifyProgram(p, arch), [], 'verifier');
  const r = buildReport(p, arch, simulate(p, arch, { fingerprint: fp }));
  assert.is(r.nocModel, 'deterministic');
  assert.is(r.cycles, p.predictedCycles, `${file} batch ${batch}: simulated ${r.cycles} vs predicted ${p.predictedCycles}`);
}

const Models = suite('deterministic schedule on models: predicted cycles == simulated cycles');
Models('tiny_cnn (bundled), also after a listing round trip', () => {
  checkModel('tests/fixtures/onnx/tiny_cnn.onnx', 1);
  const g = loadOnnxModel('tests/fixtures/onnx/tiny_cnn.onnx', { batch: 1 });
  const p = scheduleDeterministic(compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'tiny_cnn', batch: 1, archFingerprint: fp }), arch);
  const back = parseListing(printListing(p), 'tiny.lst');
  assert.equal(back.deterministic, p.deterministic);
  assert.is(simulate(back, arch).cycles, p.predictedCycles);
});
for (const [name, batch] of [['resnet50_op17', 1], ['resnet50_op17', 16], ['mobilenet_v2_op17', 1], ['bert_base_op17', 1]] as const) {
  const file = path.join(dir, `${name}.onnx`);
  if (!existsSync(file)) {
    console.log(`deterministic: ${name} skipped, ${file} not exported (scripts/export-models.sh)`);
    continue;
  }
  Models(`${name} at batch ${batch}`, () => checkModel(file, batch));
}
Models.run();
