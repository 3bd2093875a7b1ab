// Benchmark: wall times of import, compile, verify and simulate for real models (ResNet-50,
// BERT-base; batch 1 and 16) on wormhole_n150, plus the 4096^3 matmul against the n150
// measurement. Targets on the 2-core machine: compile ResNet-50 < 2 s and BERT-base < 3 s (issue 5,
// default `auto` strategy search), simulate < 30 s. `--packet` simulates on the packet-level NoC.
// Models come from `npm run models` (models/ or $SPATIALC_MODELS); absent ones are skipped.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadArch, archFingerprint } from '../arch/index.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { compileGraph } from '../compiler/compile.js';
import { verifyProgram } from '../compiler/verify-program.js';
import { simulate, buildReport } from '../sim/index.js';
import { matmulGraph } from '../tests/compiler/helpers/graphs.js';
import type { Graph } from '../compiler/graph.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const ms = (t0: number) => performance.now() - t0;
const nocModel = process.argv.includes('--packet') ? 'packet' : 'flit';
const fmt = (x: number) => (x / 1000).toFixed(2).padStart(7);

function measure(label: string, load: () => Graph, batch: number): void {
  let t0 = performance.now();
  const g = load();
  const tImport = ms(t0);
  t0 = performance.now();
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: label, batch, archFingerprint: fp });
  const tCompile = ms(t0);
  const target = label.startsWith('resnet50') ? 2000 : label.startsWith('bert_base') ? 3000 : undefined;
  t0 = performance.now();
  const problems = verifyProgram(p, arch).length;
  const tVerify = ms(t0);
  t0 = performance.now();
  const r = buildReport(p, arch, simulate(p, arch, { fingerprint: fp, nocModel }));
  const tSim = ms(t0);
  console.log(`${label.padEnd(26)} ${fmt(tImport)} ${fmt(tCompile)} ${fmt(tVerify)} ${fmt(tSim)} ${String(p.tasks.length).padStart(9)} ${(r.latencySeconds * 1e6).toFixed(0).padStart(10)} ${problems === 0 ? 'ok' : `${problems} problems`}${target !== undefined ? `  compile at ${(tCompile / target).toFixed(2)}x of its ${target / 1000} s target` : ''}`);
}

console.log(`${'case'.padEnd(26)} ${'import'.padStart(7)} ${'compile'.padStart(7)} ${'verify'.padStart(7)} ${'sim'.padStart(7)} ${'tasks'.padStart(9)} ${'sim us'.padStart(10)} verifier`);
console.log(`${''.padEnd(26)} ${'s'.padStart(7)} ${'s'.padStart(7)} ${'s'.padStart(7)} ${'s'.padStart(7)}`);
for (const [name, file] of [['resnet50', 'resnet50_op17.onnx'], ['bert_base', 'bert_base_op17.onnx']] as const) {
  const f = path.join(dir, file);
  if (!existsSync(f)) {
    console.log(`${name}: skipped (${f} not found; run \`npm run models\`)`);
    continue;
  }
  for (const batch of [1, 16]) measure(`${name} batch ${batch}`, () => loadOnnxModel(f, { batch }), batch);
}
measure('matmul 4096^3 bf16 HiFi2', () => matmulGraph(4096, 4096, 4096), 1);
const ideal = (4096 ** 3 / 32768) * 32 / 64;
console.log(`n150 measured (tenstorrent-gemm, device utilization 59.50%): ${(ideal / 0.595 / 1000).toFixed(0)} us`);
