// Locates this package's root directory, so data files (arch/schema.json, arch/presets/*.json) are
// found the same way whether the code runs from source (arch/*.ts under a TS loader) or compiled
// (dist/arch/*.js): walk up from this module until a package.json named "spatialc" appears.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from './errors.js';

const PACKAGE_NAME = 'spatialc';

/** The directory holding spatialc's package.json, found by walking up from `fromUrl`. */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (isOurPackageJson(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new InternalError(`no package.json named "${PACKAGE_NAME}" above ${fromUrl}`);
    dir = up;
  }
}

function isOurPackageJson(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
