// Runs every compiled uvu test file (dist/tests/**/*.test.js) in one process and restates uvu's
// totals as the single line CI reads: "N passed, N failed[, N skipped]".
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pattern = process.argv[2] ?? '\\.test\\.js$';
const res = spawnSync(process.execPath, [path.join(root, 'node_modules/uvu/bin.js'), 'dist/tests', pattern], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
  env: process.env,
});
process.stdout.write(res.stdout ?? '');
process.stderr.write(res.stderr ?? '');
const plain = (res.stdout ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
const total = num('Total');
const passed = num('Passed');
const skipped = num('Skipped') || 0;
if (!Number.isFinite(total) || !Number.isFinite(passed)) {
  console.log('0 passed, 1 failed');
  console.error('run-tests: uvu printed no totals (a test file failed to load?)');
  process.exit(1);
}
const failed = total - passed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || res.status !== 0 ? 1 : 0);
