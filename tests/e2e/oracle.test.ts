// The compiled program, run functionally (real tiles through the simulated NoC, exact float32),
// against onnxruntime on the same inputs, for several mesh sizes including odd ones where tiles
// do not divide evenly. Big exported models run when present (models/ or $SPATIALC_MODELS):
// ResNet-50 and BERT-base by default, ViT-B/16 and more meshes with SPATIALC_FULL=1. The tiny models
// take their tile order from the flit-level NoC (the default), the big ones from the packet-level
// model (minutes faster; the order of arrivals must not change results either way).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadArch } from '../../arch/index.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import { randomInputs } from '../../cli/check.js';
import { runFunctionalFp32, runOrt, withMesh, worstRelError } from '../helpers/oracle.js';

const base = loadArch('wormhole_n150');
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const full = process.env['SPATIALC_FULL'] === '1';
const Oracle = suite('functional simulation vs onnxruntime');

const cases: { file: string; batch: number; meshes: [number, number][]; noc?: 'packet' }[] = [
  { file: 'tests/fixtures/onnx/tiny_cnn.onnx', batch: 3, meshes: [[8, 8], [3, 5], [7, 1], [2, 2]] },
  { file: 'tests/fixtures/onnx/tiny_transformer.onnx', batch: 2, meshes: [[8, 8], [3, 5], [7, 1], [2, 2]] },
];
const big: [string, [number, number][], boolean][] = [
  ['resnet50_op17.onnx', [[8, 8], [3, 5]], true],
  ['bert_base_op17.onnx', [[8, 8]], true],
  ['vit_b_16_op17.onnx', [[8, 8]], full],
  ['resnet50_op13.onnx', [[7, 1]], full],
  ['bert_base_op13.onnx', [[3, 5]], full],
];
for (const [file, meshes, enabled] of big) {
  const f = path.join(dir, file);
  if (!enabled) continue;
  if (!existsSync(f)) console.log(`oracle: ${file} skipped (not in ${dir}; run npm run models)`);
  else cases.push({ file: f, batch: 1, meshes, noc: 'packet' });
}

for (const c of cases) {
  for (const [cols, rows] of c.meshes) {
    Oracle(`${path.basename(c.file)} batch ${c.batch} on a ${cols}x${rows} mesh matches onnxruntime (rel 1e-4)`, async () => {
      const graph = loadOnnxModel(c.file, { batch: c.batch });
      const inputs = randomInputs(graph, 7);
      const got = runFunctionalFp32(graph, withMesh(base, cols, rows), inputs, c.noc ?? 'flit');
      const rel = worstRelError(got, await runOrt(c.file, inputs));
      assert.ok(rel < 1e-4, `max relative error ${rel}`);
    });
  }
}
Oracle.run();
