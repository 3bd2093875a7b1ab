// Benchmark: mapping quality against the roofline on wormhole_n150 (issue 5's targets). For each
// model: the report's roofline lower bound (sim/roofline.ts: compute-bound at the fidelity used, or
// inputs, weights and outputs moved once over DRAM), the simulated latency (packet-level NoC;
// --flit for the flit-level one) and the ratio.
// Target: within 1.5x of the roofline. Models come from `npm run models`; absent ones are skipped.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { archFingerprint, loadArch } from '../arch/index.js';
import type { DeviceDtype, MathFidelity } from '../arch/spec.js';
import { compileGraph } from '../compiler/compile.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { buildReport, simulate } from '../sim/index.js';

const arch = loadArch('wormhole_n150');
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const nocModel = process.argv.includes('--flit') ? 'flit' : 'packet';
const dtype: DeviceDtype = 'bf16';
const fidelity: MathFidelity = 'HiFi2';

console.log(`mapping quality on ${arch.name}, ${dtype} ${fidelity}, ${nocModel}-level NoC (us)`);
console.log(`${'model'.padEnd(22)} ${'compute'.padStart(9)} ${'dram'.padStart(9)} ${'roofline'.padStart(9)} ${'simulated'.padStart(10)} ${'ratio'.padStart(6)}  target 1.5x`);
for (const [name, file, batch] of [
  ['resnet50 b1', 'resnet50_op17.onnx', 1], ['resnet50 b16', 'resnet50_op17.onnx', 16],
  ['mobilenet_v2 b1', 'mobilenet_v2_op17.onnx', 1], ['bert_base s128 b1', 'bert_base_op17.onnx', 1],
] as const) {
  const f = path.join(dir, file);
  if (!existsSync(f)) { console.log(`${name.padEnd(22)} skipped (no ${f}; npm run models)`); continue; }
  const g = loadOnnxModel(f, { batch });
  const p = compileGraph(g, arch, { dtype, fidelity, model: name, batch, archFingerprint: archFingerprint(arch) });
  const r = buildReport(p, arch, simulate(p, arch, { nocModel }));
  const rf = { compute: r.roofline.computeSeconds, dram: r.roofline.dramSeconds };
  const bound = r.roofline.seconds;
  const us = (s: number): string => (s * 1e6).toFixed(1).padStart(9);
  console.log(`${name.padEnd(22)} ${us(rf.compute)} ${us(rf.dram)} ${us(bound)} ${us(r.latencySeconds).padStart(10)} ${(r.latencySeconds / bound).toFixed(2).padStart(6)}  ${r.latencySeconds / bound <= 1.5 ? 'ok' : 'not yet'}`);
}
