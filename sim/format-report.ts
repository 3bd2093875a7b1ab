// A Report as aligned plain text for terminals and golden files. Locale-independent number
// formatting (no toLocaleString), so the text is identical on every machine.

import type { Report } from './report.js';

/** The report as an aligned, human-readable table. */
export function formatReport(report: Report): string {
  const r = report;
  const u = r.utilization;
  const e = r.energyJoules;
  const head =
    `spatialc report: model "${r.model}" on arch "${r.arch}" (strategy ${r.strategy}, ` +
    `${r.dtype} ${r.mathFidelity}, batch ${r.batch}, ${r.coresUsed} cores)`;
  const summary: [string, string][] = [
    ['cycles', `${int(r.cycles)} (compiler predicted ${int(r.predictedCycles)}; ${r.nocModel === 'deterministic' ? 'deterministic schedule, time-triggered' : `${r.nocModel}-level NoC`})`],
    ['latency', seconds(r.latencySeconds)],
    ['roofline', `${seconds(r.roofline.seconds)} (compute ${seconds(r.roofline.computeSeconds)}, math alone ${seconds(r.roofline.mathSeconds)}, DRAM ${seconds(r.roofline.dramSeconds)}); latency ${r.roofline.latencyRatio.toFixed(2)}x`],
    ['throughput', `${rate(r.throughputPerSecond)} /s`],
    ['MACs', int(r.macs)],
    ['TOPS', fixed(r.tops, 3)],
    ['TOPS/W', fixed(r.topsPerWatt, 3)],
    ['average power', `${fixed(r.averagePowerWatts, 2)} W`],
    ['core utilisation', `mean ${pct(u.coresMean)}  min ${pct(u.coresMin)}  max ${pct(u.coresMax)}`],
    ['link utilisation', `mean ${pct(u.linksMean)}  max ${pct(u.linksMax)}`],
    ['DRAM bandwidth', `${pct(u.dramBandwidth)} of peak (${fixed(u.dramBytesPerSecond / 1e9, 2)} GB/s)`],
    ['SRAM peak', `${int(r.sramPeakBytes.max)} B on ${r.sramPeakBytes.core} (mean ${int(r.sramPeakBytes.mean)} B)`],
    ['data movement', `${fixed(r.dataMovementMmPerOp, 4)} byte-mm per op`],
  ];
  const width = Math.max(...summary.map(([k]) => k.length));
  const lines = [head, '', ...summary.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''];
  lines.push(
    ...table(
      ['energy', 'compute', 'sram', 'noc', 'dram', 'static', 'total'],
      [['joules', ...[e.compute, e.sram, e.noc, e.dram, e.static, e.total].map((j) => sci(j))]],
    ),
    '',
  );
  const dm = r.dataMovement.byteMm;
  lines.push(
    ...table(
      ['byte-mm', 'core', 'noc', 'dram', 'total'],
      [['moved', sci(dm.core), sci(dm.noc), sci(dm.dram), sci(dm.total)]],
    ),
    '',
  );
  lines.push(...opsTable(r));
  return `${lines.join('\n')}\n`;
}

function opsTable(r: Report): string[] {
  const rows = r.ops.map((o) => [
    String(o.index),
    o.name,
    o.op,
    int(o.startCycle),
    int(o.cycles),
    int(o.macs),
    pct(o.utilization),
    String(o.cores),
    sci(o.nocByteHops),
    int(o.dramBytes),
  ]);
  return table(['#', 'name', 'op', 'start', 'cycles', 'MACs', 'util', 'cores', 'noc byte-hops', 'dram bytes'], rows);
}

/** Left-aligns text columns and right-aligns numeric ones (a column is numeric when every cell is). */
function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,e+%]+$/.test(r[i] ?? '')));
  const cell = (c: string, i: number) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0));
  const fmt = (cells: readonly string[]) => `  ${cells.map(cell).join('  ')}`.trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}

function int(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

function rate(n: number): string {
  return n >= 1000 ? int(n) : n.toFixed(1);
}

function fixed(n: number, digits: number): string {
  return n.toFixed(digits);
}

function pct(f: number): string {
  return `${(f * 100).toFixed(1)}%`;
}

function sci(n: number): string {
  return n === 0 ? '0' : n.toExponential(3);
}

function seconds(s: number): string {
  if (s >= 1) return `${s.toFixed(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(3)} ms`;
  return `${(s * 1e6).toFixed(3)} us`;
}
