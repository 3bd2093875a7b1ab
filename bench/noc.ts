// Benchmark: the flit-level network's speed on the 8x8 mesh at injection rates 0.1 and 0.3
// (simulated cycles per wall second and flit-hops per second), against BookSim2's own figures
// measured on this machine class (../shared/reference/booksim/speed_seed0.csv).
//   node dist/bench/noc.js [REF_DIR]
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBooksimConfig } from '../noc/flit/booksim-config.js';
import { configFromBooksim } from '../noc/flit/config.js';
import { simulateFlitNetwork } from '../noc/flit/measure.js';

const refDir = process.argv[2] ?? path.resolve('..', 'shared', 'reference', 'booksim');
if (!existsSync(refDir)) {
  console.log(`noc bench: skipped (${refDir} not found)`);
  process.exit(0);
}
const speed = readFileSync(path.join(refDir, 'speed_seed0.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const booksimCyclesPerSecond = (name: string, rate: number): number | undefined => {
  const row = speed.find((r) => r[0] === name && Math.abs(Number(r[1]) - rate) < 1e-9);
  return row === undefined ? undefined : Number(row[2]) / Number(row[4]);
};

console.log('config                      rate   cycles   wall s   cycles/s  flit-hops/s  BookSim cycles/s  ratio');
for (const name of ['mesh8x8_uniform_ps1_vc2', 'mesh8x8_uniform_ps4_vc8']) {
  const text = readFileSync(path.join(refDir, 'configs', `${name}.cfg`), 'utf8');
  for (const rate of [0.1, 0.3]) {
    const cfg = configFromBooksim(parseBooksimConfig(text, [`injection_rate=${rate}`], name));
    const t0 = performance.now();
    const r = simulateFlitNetwork(cfg);
    const s = (performance.now() - t0) / 1000;
    const ours = r.cycles / s;
    const theirs = booksimCyclesPerSecond(name, rate);
    console.log(
      `${name.padEnd(26)} ${rate.toFixed(2)} ${String(r.cycles).padStart(8)} ${s.toFixed(3).padStart(8)} ${ours.toFixed(0).padStart(10)} ${r.flitHops / s > 0 ? (r.flitHops / s).toExponential(2).padStart(12) : '0'.padStart(12)} ${theirs === undefined ? '-'.padStart(17) : theirs.toFixed(0).padStart(17)} ${theirs === undefined ? '-' : (ours / theirs).toFixed(2) + 'x'}`,
    );
  }
}
