// Benchmark: mapping quality against the roofline on wormhole_n150 (issue 5's targets). For each
// model and strategy (auto = the search, opbyop = every op height-sharded over the whole grid,
// matmul2d = 2D block sharding): the report's roofline lower bound (sim/roofline.ts: compute-bound
// at the matrix engine's peak for the format and fidelity used (math alone printed too), or
// inputs, weights and outputs moved once over DRAM), the simulated latency
// (packet-level NoC; --flit for the flit-level one), the ratio, the speedup of auto over each
// forced strategy (pipeline: the planner's stages and micro-batches), the compile time, and data movement (byte-mm per MAC, by level, and the ops
// moving the most). Target: within 1.5x of the roofline; auto >= 1.3x faster than opbyop on
// ResNet-50 batch 16. Models come from `npm run models`; absent ones are skipped. `--weight-layout
// interleaved` stores weights interleaved over every DRAM channel instead of near their readers.
// Last, per model, auto's program against the roofline with DRAM, NoC or compute made free
// (bench/what-if.ts): what holds it above the bound; with `--refine S`, auto's grids refined
// against this bench's simulation for about S seconds (compiler/partition/refine.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { archFingerprint, loadArch } from '../arch/index.js';
import type { DeviceDtype, MathFidelity } from '../arch/spec.js';
import { compileGraph, compileRefined } from '../compiler/compile.js';
import { REFINE_TASKS_PER_SECOND } from '../compiler/partition/refine.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import type { Strategy } from '../compiler/partition/strategy.js';
import { DEFAULT_WEIGHT_LAYOUT, WEIGHT_LAYOUTS } from '../compiler/lower/dram-placement.js';
import type { Program } from '../compiler/program.js';
import { buildReport, simulate, type Report } from '../sim/index.js';
import { whatIf } from './what-if.js';

const arch = loadArch('wormhole_n150');
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const nocModel = process.argv.includes('--flit') ? 'flit' : 'packet';
const layoutAt = process.argv.indexOf('--weight-layout');
const weightLayout = layoutAt >= 0 ? WEIGHT_LAYOUTS.find((l) => l === process.argv[layoutAt + 1]) : DEFAULT_WEIGHT_LAYOUT;
if (weightLayout === undefined) {
  console.error(`bench/quality: --weight-layout: expected one of ${WEIGHT_LAYOUTS.join(', ')}, got "${process.argv[layoutAt + 1] ?? ''}"`);
  process.exit(2);
}
const refineAt = process.argv.indexOf('--refine');
const refineSeconds = refineAt >= 0 ? Number(process.argv[refineAt + 1]) : 0;
if (!(refineSeconds >= 0)) {
  console.error(`bench/quality: --refine: expected a number of seconds >= 0, got "${process.argv[refineAt + 1] ?? ''}"`);
  process.exit(2);
}
const dtype: DeviceDtype = 'bf16';
const fidelity: MathFidelity = 'HiFi2';
const strategies: readonly Strategy[] = ['auto', 'opbyop', 'matmul2d', 'pipeline'];

const us = (s: number): string => (s * 1e6).toFixed(1);
console.log(`mapping quality on ${arch.name}, ${dtype} ${fidelity}, ${nocModel}-level NoC, weights ${weightLayout}; times in us, data movement in byte-mm per MAC (core / NoC / DRAM)`);
for (const [name, file, batch] of [
  ['resnet50 b1', 'resnet50_op17.onnx', 1], ['resnet50 b16', 'resnet50_op17.onnx', 16],
  ['mobilenet_v2 b1', 'mobilenet_v2_op17.onnx', 1], ['bert_base s128 b1', 'bert_base_op17.onnx', 1],
] as const) {
  const f = path.join(dir, file);
  if (!existsSync(f)) { console.log(`${name}: skipped (no ${f}; npm run models)`); continue; }
  const g = loadOnnxModel(f, { batch });
  const reports = new Map<Strategy, Report>();
  let autoRun: { program: Program; cycles: number } | undefined;
  for (const strategy of strategies) {
    const t0 = performance.now();
    const p = compileGraph(g, arch, { dtype, fidelity, model: name, batch, archFingerprint: archFingerprint(arch), strategy, weightLayout });
    const compileMs = performance.now() - t0;
    const sim = simulate(p, arch, { nocModel });
    if (strategy === 'auto') autoRun = { program: p, cycles: sim.cycles };
    const r = buildReport(p, arch, sim);
    reports.set(strategy, r);
    const bound = r.roofline.seconds;
    const dm = r.dataMovement.byteMm;
    const perMac = (x: number) => (x / Math.max(1, r.macs)).toFixed(3);
    console.log(
      `${name.padEnd(18)} ${strategy.padEnd(8)} [${p.strategy}] roofline ${us(bound).padStart(8)} (compute ${us(r.roofline.computeSeconds)}, math alone ${us(r.roofline.mathSeconds)}, dram ${us(r.roofline.dramSeconds)})` +
      `  simulated ${us(r.latencySeconds).padStart(8)}  ratio ${(r.latencySeconds / bound).toFixed(2)}  compile ${compileMs.toFixed(0)} ms` +
      `  byte-mm/MAC ${perMac(dm.core)} / ${perMac(dm.noc)} / ${perMac(dm.dram)}`,
    );
  }
  const auto = reports.get('auto')!;
  console.log(`${name.padEnd(18)} auto speedup: ${strategies.slice(1).map((s) => `${(reports.get(s)!.latencySeconds / auto.latencySeconds).toFixed(2)}x over ${s}`).join(', ')}`);
  const top = [...auto.dataMovement.perOp].sort((a, b) => b.byteMm.core + b.byteMm.noc + b.byteMm.dram - (a.byteMm.core + a.byteMm.noc + a.byteMm.dram)).slice(0, 3);
  console.log(`${name.padEnd(18)} auto, most data movement: ${top.map((o) => `${o.name} ${(o.bytesMoved / 2 ** 20).toFixed(1)} MiB at ${o.mmPerByte.toFixed(2)} mm/B`).join('; ')}`);
  // What holds auto above the roofline: the same program with one kind of work made free.
  const free = whatIf(autoRun!.program, arch, nocModel, autoRun!.cycles).slice(1);
  console.log(`${name.padEnd(18)} auto, what if free (x roofline): ${free.map((w) => `${w.label.replace(' free', '')} ${w.overRoofline.toFixed(2)}`).join(', ')}`);
  if (refineSeconds > 0) {
    // --refine S: auto's grids refined against this bench's simulation (compiler/partition/refine.ts).
    const t0 = performance.now();
    const { program, refined } = compileRefined(g, arch, { dtype, fidelity, model: name, batch, archFingerprint: archFingerprint(arch), weightLayout }, (q) => simulate(q, arch, { nocModel }), { seconds: refineSeconds, tasksPerSecond: REFINE_TASKS_PER_SECOND[nocModel] });
    const r = buildReport(program, arch, simulate(program, arch, { nocModel }));
    console.log(`${name.padEnd(18)} auto refined (${refineSeconds} s): simulated ${us(r.latencySeconds).padStart(8)}  ratio ${(r.latencySeconds / r.roofline.seconds).toFixed(2)}  (${us(auto.latencySeconds)} before; ${refined.steps.length} change(s) in ${refined.evaluations} measurements, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
