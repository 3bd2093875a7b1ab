// Finds, parses and validates an arch description. `--arch X` resolves X in this order:
//   1. an existing file X (relative to cwd)             -> that file
//   2. a preset name or alias, any case                 -> arch/presets/<name>.json
//   3. a name ending in .json that is not a file        -> the preset of its basename, so
//      `--arch wormhole.json` and `--arch wormhole_n150.json` work from any directory
// and anything else is E_ARCH_UNKNOWN. Presets live in <package root>/arch/presets/*.json.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ArchSpec } from './spec.js';
import { archInvalid, archSyntax, archUnknown, archUnreadable } from './messages.js';
import { findJsonSyntaxError, lineColumn } from './json-syntax.js';
import { packageRoot } from './package-root.js';
import { validateArch } from './validate.js';

/** Short names for presets. */
export const ARCH_ALIASES: Readonly<Record<string, string>> = {
  wormhole: 'wormhole_n150',
  n150: 'wormhole_n150',
  n300: 'wormhole_n300',
  blackhole: 'blackhole_p150',
  p150: 'blackhole_p150',
};

/** Options of loadArch. */
export interface LoadArchOptions {
  /** Directory that relative paths are resolved against (default: the process's cwd). */
  readonly cwd?: string;
}

/** Resolves a file path, preset name or alias to a validated, frozen ArchSpec. */
export function loadArch(nameOrPath: string, opts: LoadArchOptions = {}): ArchSpec {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, nameOrPath);
  if (isFile(file)) return parseArch(readText(file, nameOrPath), nameOrPath);
  const preset = resolvePresetName(nameOrPath);
  if (preset === undefined) throw archUnknown(nameOrPath, listPresets(), Object.keys(ARCH_ALIASES));
  return loadPreset(preset);
}

/** Names of the bundled presets, sorted. */
export function listPresets(): string[] {
  return readdirSync(presetsDir())
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** The preset a name or alias stands for (`wormhole`, `N150`, `wormhole.json` ...), if any. */
export function resolvePresetName(name: string): string | undefined {
  let n = name.trim().toLowerCase();
  if (n.endsWith('.json')) n = path.basename(n, '.json');
  const target = ARCH_ALIASES[n] ?? n;
  return listPresets().includes(target) ? target : undefined;
}

/** Parses arch JSON text; `file` names it in messages. Throws E_ARCH_SYNTAX or E_ARCH_INVALID. */
export function parseArch(text: string, file: string): ArchSpec {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const err = findJsonSyntaxError(body) ?? { offset: body.length, reason: 'unexpected end of file' };
    const { line, col } = lineColumn(body, err.offset);
    throw archSyntax(file, line, col, err.reason);
  }
  const problems = validateArch(value);
  if (problems.length > 0) throw archInvalid(file, problems);
  return deepFreeze(withoutEditorHint(value as ArchSpec & { $schema?: string }));
}

function loadPreset(name: string): ArchSpec {
  const file = path.join(presetsDir(), `${name}.json`);
  return parseArch(readText(file, file), `arch/presets/${name}.json`);
}

function presetsDir(): string {
  return path.join(packageRoot(), 'arch', 'presets');
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readText(file: string, shownAs: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw archUnreadable(shownAs, (e as Error).message);
  }
}

/** Drops the editor-only `$schema` key, so it never reaches the ArchSpec or its fingerprint. */
function withoutEditorHint(value: ArchSpec & { $schema?: string }): ArchSpec {
  const { $schema: _hint, ...arch } = value;
  return arch;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
