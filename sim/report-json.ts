// Report serialisation helpers: deterministic key order and a finiteness check, so identical runs
// give byte-identical JSON and no NaN or Infinity ever reaches a report.

import { assert } from '../arch/errors.js';

/** A copy of `value` whose object keys are sorted at every level (arrays keep their order). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => sortKeysDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) out[k] = sortKeysDeep(obj[k]);
    return out as T;
  }
  return value;
}

/** Throws InternalError naming the path of the first non-finite number in `value`. */
export function assertFinite(value: unknown, path: string): void {
  if (typeof value === 'number') {
    assert(Number.isFinite(value), `${path} is ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => assertFinite(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertFinite(v, `${path}.${k}`);
  }
}

/** The report as JSON text with sorted keys and two-space indentation, ending in a newline. */
export function reportToJson(report: unknown): string {
  return `${JSON.stringify(sortKeysDeep(report), null, 2)}\n`;
}
