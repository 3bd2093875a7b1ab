// Compares the flit-level network (noc/flit) with the BookSim2 reference results: for every config in
// the reference folder, sweeps the rates of results.csv and prints ours vs BookSim (packet latency,
// % difference, BookSim's seed-to-seed spread, saturation rate), then a summary of the points within
// 5% (or within the seed spread) up to 80% of BookSim's saturation rate.
//   npm run validate:booksim [-- REF_DIR] [config-name-filter]
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseBooksimConfig } from '../noc/flit/booksim-config.js';
import { configFromBooksim } from '../noc/flit/config.js';
import { simulateFlitNetwork } from '../noc/flit/measure.js';

const refDir = process.argv[2] ?? '/work/shared/reference/booksim';
const filter = process.argv[3] ?? '';

interface Row { rate: number; lat: number; sat: boolean }
function readCsv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/).map((l) => l.trim());
  const cols = (head ?? '').split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i] ?? String(i), v])));
}
const ref = readCsv(path.join(refDir, 'results.csv'));
let seeds: Record<string, string>[] = [];
try { seeds = readCsv(path.join(refDir, 'results_seeds_1-4.csv')); } catch { /* optional */ }

const key = (c: string, r: number): string => `${c}@${r.toFixed(4)}`;
const spreadLats = new Map<string, number[]>();
for (const s of seeds) {
  if (s['saturated'] === '1') continue;
  const k = key(s['config_name']!, Number(s['injection_rate']));
  const a = spreadLats.get(k) ?? [];
  a.push(Number(s['avg_packet_latency']));
  spreadLats.set(k, a);
}

/** Saturation rate: the first rate flagged saturated (or, failing that, the last rate + step). */
function satRate(rows: readonly Row[]): number {
  const first = rows.find((r) => r.sat);
  if (first) return first.rate;
  const last = rows[rows.length - 1]!;
  return last.rate + (rows.length > 1 ? last.rate - rows[rows.length - 2]!.rate : 0.02);
}

const configs = readdirSync(path.join(refDir, 'configs')).filter((f) => f.endsWith('.cfg') && f.includes(filter)).sort();
/** BookSim's saturation rate for each extra seed of a config (results_seeds_1-4.csv). */
function seedSatRates(name: string): number[] {
  const bySeed = new Map<string, Row[]>();
  for (const s of seeds) {
    if (s['config_name'] !== name) continue;
    const a = bySeed.get(s['seed']!) ?? [];
    a.push({ rate: Number(s['injection_rate']), lat: Number(s['avg_packet_latency']), sat: s['saturated'] === '1' });
    bySeed.set(s['seed']!, a);
  }
  return [...bySeed.values()].map((rows) => satRate(rows.sort((a, b) => a.rate - b.rate)));
}
let total = 0, ok5 = 0, okSpread = 0, satOk = 0, satSeedOk = 0;
const t0 = performance.now();
let simCycles = 0;
for (const file of configs) {
  const name = file.replace(/\.cfg$/, '');
  const text = readFileSync(path.join(refDir, 'configs', file), 'utf8');
  const theirs: Row[] = ref.filter((r) => r['config_name'] === name).map((r) => ({
    rate: Number(r['injection_rate']), lat: Number(r['avg_packet_latency']), sat: r['saturated'] === '1',
  }));
  const ours: Row[] = [];
  console.log(`\n== ${name}`);
  console.log('  rate   booksim      ours    diff%  spread%  status');
  const theirSat = satRate(theirs);
  for (const tr of theirs) {
    const cfg = configFromBooksim(parseBooksimConfig(text, [`injection_rate=${tr.rate}`], file));
    const r = simulateFlitNetwork(cfg);
    simCycles += r.cycles;
    ours.push({ rate: tr.rate, lat: r.avgPacketLatency, sat: r.saturated });
    const diff = (r.avgPacketLatency - tr.lat) / tr.lat;
    const s = spreadLats.get(key(name, tr.rate)) ?? [];
    const all = [tr.lat, ...s];
    const spread = all.length > 1 ? (Math.max(...all) - Math.min(...all)) / tr.lat : 0;
    let status = '';
    if (tr.rate <= 0.8 * theirSat + 1e-9 && !tr.sat) {
      total++;
      const in5 = Math.abs(diff) <= 0.05;
      const inS = in5 || Math.abs(diff) <= spread;
      if (in5) ok5++;
      if (inS) okSpread++;
      status = in5 ? 'ok' : inS ? 'ok (spread)' : 'MISS';
    } else status = tr.sat ? 'booksim saturated' : '>80% sat';
    if (r.saturated) status += ' | ours saturated';
    console.log(`  ${tr.rate.toFixed(2)} ${tr.lat.toFixed(2).padStart(9)} ${r.avgPacketLatency.toFixed(2).padStart(9)} ${(diff * 100).toFixed(1).padStart(7)} ${(spread * 100).toFixed(1).padStart(7)}  ${status}`);
  }
  const ourSat = satRate(ours);
  const satMatch = Math.abs(ourSat - theirSat) <= 0.02 + 1e-9;
  if (satMatch) satOk++;
  const seedSats = seedSatRates(name);
  const all = [theirSat, ...seedSats];
  const lo = Math.min(...all), hi = Math.max(...all);
  const seedMatch = ourSat >= lo - 0.02 - 1e-9 && ourSat <= hi + 0.02 + 1e-9;
  if (seedMatch) satSeedOk++;
  console.log(`  saturation rate: booksim ${theirSat.toFixed(2)} (seeds 0-4: ${all.map((r) => r.toFixed(2)).join(' ')}), ours ${ourSat.toFixed(2)} ${satMatch ? '(within one step)' : seedMatch ? '(within one step of BookSim\'s seed range)' : 'MISMATCH'}`);
}
const wall = (performance.now() - t0) / 1000;
console.log(`\nSummary: ${okSpread}/${total} points up to 80% of BookSim's saturation rate within 5% or the seed spread (${ok5}/${total} within 5%); saturation rate within one step for ${satOk}/${configs.length} configs (of BookSim's seed-0..4 range: ${satSeedOk}/${configs.length}).`);
console.log(`Simulated ${simCycles} cycles in ${wall.toFixed(1)} s (${Math.round(simCycles / wall)} cycles/s).`);
