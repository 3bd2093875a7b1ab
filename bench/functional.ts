// Benchmark: functional simulation (real tiles through the compiled program, the Tensix number
// formats) of ResNet-50 batch 1 on wormhole_n150, against the reference interpreter's time in the
// same run. Target on this 2-core machine: under 60 s. Needs `npm run models`.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadArch, archFingerprint } from '../arch/index.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { compileGraph } from '../compiler/compile.js';
import { runReference } from '../compiler/reference/interpret.js';
import { simulate } from '../sim/index.js';
import { randomInputs, runProgram } from '../cli/check.js';
import { maxErrors } from '../compiler/reference/compare.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const file = path.join(dir, 'resnet50_op17.onnx');
if (!existsSync(file)) {
  console.log(`functional bench: skipped (${file} not found; run npm run models)`);
  process.exit(0);
}
const graph = loadOnnxModel(file, { batch: 1 });
const inputs = randomInputs(graph, 1);
let t0 = performance.now();
const want = runReference(graph, inputs);
const tRef = (performance.now() - t0) / 1000;
console.log(`reference interpreter, float32: ${tRef.toFixed(2)} s`);
for (const [dtype, fidelity] of [['fp32', 'HiFi4'], ['bf16', 'HiFi2'], ['bfp8', 'LoFi']] as const) {
  t0 = performance.now();
  const program = compileGraph(graph, arch, { dtype, fidelity, model: 'resnet50', batch: 1, archFingerprint: fp });
  const timing = simulate(program, arch, { fingerprint: fp });
  const tTiming = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const got = runProgram(program, graph, timing, inputs);
  const tFun = (performance.now() - t0) / 1000;
  const name = Object.keys(want)[0]!;
  const e = maxErrors(got[name]!.values as ArrayLike<number>, want[name]!.values as ArrayLike<number>);
  console.log(`resnet50 b1 ${dtype} ${fidelity}: compile+timing ${tTiming.toFixed(2)} s, functional ${tFun.toFixed(2)} s (${(tFun / tRef).toFixed(1)}x the reference), max rel error ${e.rel.toExponential(2)}`);
}
