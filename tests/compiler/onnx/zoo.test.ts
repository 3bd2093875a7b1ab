// Imports every exported benchmark model (scripts/export-models.sh) when they are present in
// $SPATIALC_MODELS or models/. They are large and never committed, so without them this skips.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { inspectGraph } from '../../../compiler/inspect.js';
import { loadOnnxModel } from '../../../compiler/onnx/import.js';
import { ROOT } from './fixtures.js';

const dir = process.env['SPATIALC_MODELS'] ?? path.join(ROOT, 'models');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .sort()
  : [];

/** Published MAC counts at batch 1 (224x224 images, 128 tokens), and the tolerance we allow. */
const EXPECTED_MACS: Readonly<Record<string, number>> = {
  resnet50: 4.09e9,
  resnet18: 1.81e9,
  vgg16: 15.47e9,
  mobilenet_v2: 0.3e9,
  vit_b_16: 17.56e9,
};

const Zoo = suite('exported model zoo');
if (files.length === 0) {
  // No test is registered, so the runner's totals stay exact; the reason goes to the log.
  console.log(`zoo: skipped, no exported models in ${dir} (run scripts/export-models.sh)`);
}
for (const file of files) {
  Zoo(`imports ${file}`, () => {
    const r = inspectGraph(loadOnnxModel(path.join(dir, file)));
    assert.ok(r.totals.nodes > 0);
    const expected = EXPECTED_MACS[file.replace(/_op\d+\.onnx$/, '')];
    if (expected !== undefined) {
      assert.ok(
        Math.abs(r.macs / expected - 1) < 0.01,
        `${file}: ${r.macs} MACs, expected ${expected} ± 1%`,
      );
    }
  });
}
Zoo.run();
