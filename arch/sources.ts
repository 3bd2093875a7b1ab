// Provenance of arch constants. Every numeric constant of a preset must be explained in `sources`
// by its JSON path; `[*]` in a key covers that field in every element of an array, and a key
// naming an array of numbers or of coordinates covers the whole array (one entry for a list of
// tiles). Arrays of records (DRAM channels, NoC instances) need an entry per field.

import type { ArchSpec } from './spec.js';
import { formatJsonPath, numericLeaves, wildcardIndices, type PathSegment } from './json-path.js';

/** JSON paths of the numeric constants of `arch` that no `sources` entry explains. */
export function uncoveredConstants(arch: ArchSpec): string[] {
  const keys = new Set(Object.keys(arch.sources));
  const covered = (segments: readonly PathSegment[]) =>
    keys.has(formatJsonPath(segments)) || keys.has(formatJsonPath(wildcardIndices(segments)));
  const root = { ...arch, sources: {} };
  const out: string[] = [];
  for (const leaf of numericLeaves(root)) {
    const byArray = leaf.arrayPrefixLengths.some((n) => {
      const prefix = leaf.path.slice(0, n);
      return isListOfNumbersOrCoords(valueAt(root, prefix)) && covered(prefix);
    });
    if (!covered(leaf.path) && !byArray) out.push(formatJsonPath(leaf.path));
  }
  return out;
}

function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let v = root;
  for (const s of segments) v = (v as Record<string | number, unknown> | undefined)?.[s];
  return v;
}

function isListOfNumbersOrCoords(v: unknown): boolean {
  const isCoord = (c: unknown) =>
    c !== null && typeof c === 'object' && Object.keys(c).sort().join() === 'x,y';
  return Array.isArray(v) && v.every((item) => typeof item === 'number' || isCoord(item));
}

/** True if a source text marks its value as an assumption rather than a published fact. */
export function isAssumption(sourceText: string): boolean {
  return /^assumption\b/i.test(sourceText.trim());
}
