// A short, stable identity of an arch, so a Program can refuse to run on a machine other than the
// one it was compiled for. Only machine parameters count: `description` and `sources` are prose,
// and editing them must not invalidate compiled Programs.

import { createHash } from 'node:crypto';
import type { ArchSpec } from './spec.js';

const PROSE_FIELDS: ReadonlySet<string> = new Set(['description', 'sources', '$schema']);

/** JSON text with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the SHA-256 of the arch's canonical JSON, without its prose fields. */
export function archFingerprint(arch: ArchSpec): string {
  const machine = Object.fromEntries(Object.entries(arch).filter(([k]) => !PROSE_FIELDS.has(k)));
  return createHash('sha256').update(canonicalJson(machine)).digest('hex').slice(0, 16);
}
