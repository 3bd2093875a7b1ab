// Tallies and prints conformance results: one row per suite plus totals, and the failing cases.
import { OPS } from '../ops/registry.js';
import type { ConformanceCase, Outcome } from './conformance.js';

/** One finished case. */
export interface CaseResult extends ConformanceCase {
  readonly outcome: Outcome;
}

/** Counts of one suite (or of all). */
export interface SuiteTally {
  readonly folder: string;
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
  /** passed / (passed + failed); 1 when nothing ran. */
  readonly passRate: number;
}

function tally(folder: string, results: readonly CaseResult[]): SuiteTally {
  const count = (s: Outcome['status']) => results.filter((r) => r.outcome.status === s).length;
  const passed = count('passed');
  const failed = count('failed');
  return {
    folder,
    passed,
    failed,
    unsupported: count('unsupported'),
    passRate: passed + failed === 0 ? 1 : passed / (passed + failed),
  };
}

/** Per-suite tallies in first-seen order, then the 'total' row. */
export function tallyResults(results: readonly CaseResult[]): SuiteTally[] {
  const folders = [...new Set(results.map((r) => r.folder))];
  return [
    ...folders.map((f) =>
      tally(
        f,
        results.filter((r) => r.folder === f),
      ),
    ),
    tally('total', results),
  ];
}

/** Op types in the registry, and how many of them have a reference kernel. */
export function opCoverage(): { registered: number; withKernel: number } {
  return { registered: OPS.length, withKernel: OPS.filter((d) => d.evaluate).length };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The table as aligned text. */
export function formatTally(rows: readonly SuiteTally[]): string {
  const head = ['suite', 'passed', 'failed', 'unsupported', 'pass rate (supported)'];
  const body = rows.map((r) => [
    r.folder,
    String(r.passed),
    String(r.failed),
    String(r.unsupported),
    pct(r.passRate),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [
    line(head),
    rule,
    ...body.slice(0, -1).map(line),
    rule,
    line(body[body.length - 1]!),
  ];
  return lines.join('\n') + '\n';
}

/** One line per failed case (and, with `isUnsupportedListed`, per unsupported case). */
export function formatDetails(results: readonly CaseResult[], isUnsupportedListed = false): string {
  const lines: string[] = [];
  for (const r of results) {
    const o = r.outcome;
    if (o.status === 'failed') lines.push(`FAIL ${r.folder}/${r.name}: ${o.reason}`);
    else if (o.status === 'unsupported' && isUnsupportedListed)
      lines.push(`SKIP ${r.folder}/${r.name}: ${o.reason}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Unregistered ops that block the most cases, most common first. */
export function missingOpCounts(results: readonly CaseResult[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) {
    const o = r.outcome;
    if (o.status !== 'unsupported' || !o.reason.startsWith('unregistered ops: ')) continue;
    for (const op of o.reason.slice('unregistered ops: '.length).split(', '))
      counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
