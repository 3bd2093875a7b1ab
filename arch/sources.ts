// Provenance of arch constants. Every numeric constant of a preset must be explained in `sources`
// by its JSON path; `[*]` in a key covers every element of an array, and a key naming an array
// covers every number inside it (so one entry can explain a list of coordinates).

import type { ArchSpec } from './spec.js';
import { formatJsonPath, numericLeaves, wildcardIndices } from './json-path.js';

/** JSON paths of the numeric constants of `arch` that no `sources` entry explains. */
export function uncoveredConstants(arch: ArchSpec): string[] {
  const keys = new Set(Object.keys(arch.sources));
  const covered = (segments: Parameters<typeof formatJsonPath>[0]) =>
    keys.has(formatJsonPath(segments)) || keys.has(formatJsonPath(wildcardIndices(segments)));
  const out: string[] = [];
  for (const leaf of numericLeaves({ ...arch, sources: {} })) {
    const byArray = leaf.arrayPrefixLengths.some((n) => covered(leaf.path.slice(0, n)));
    if (!covered(leaf.path) && !byArray) out.push(formatJsonPath(leaf.path));
  }
  return out;
}

/** True if a source text marks its value as an assumption rather than a published fact. */
export function isAssumption(sourceText: string): boolean {
  return /^assumption\b/i.test(sourceText.trim());
}
