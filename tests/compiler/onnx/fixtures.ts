// Paths of the committed ONNX fixtures (works from dist/tests and from tests/ alike).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repo root not found');
    dir = up;
  }
  return dir;
}

/** Repository root. */
export const ROOT = repoRoot();

/** Absolute path of a fixture under tests/fixtures/onnx/. */
export function fixture(...parts: string[]): string {
  return path.join(ROOT, 'tests', 'fixtures', 'onnx', ...parts);
}
