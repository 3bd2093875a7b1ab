// Benchmark: Tenstorrent's 12-reader DRAM experiment on wormhole_n150 (tt-isa-documentation
// WormholeB0 DRAM table 2; tt-metal's DRAM-adjacent read u-benchmark), 1 MiB per reader, on both
// NoCs, with the flit-level and the packet-level NoC model. Prints aggregate GB/s against the
// measured figures: adjacent 265.5 (NoC0) / 265.3 (NoC1); random pairing 189.8 (NoC0) / 82.1 (NoC1).
import { loadArch } from '../arch/index.js';
import { dramReaders } from '../sim/dram-readers.js';

const arch = loadArch('wormhole_n150');
const measured: Record<string, number> = { 'adjacent 0': 265.5, 'adjacent 1': 265.3, 'random 0': 189.8, 'random 1': 82.1 };
const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
console.log('DRAM readers, wormhole_n150, 12 readers x 1 MiB (GB/s; random: mean of 8 pairings [min-max])');
console.log(`${'case'.padEnd(14)} ${'measured'.padStart(9)} ${'flit'.padStart(22)} ${'packet'.padStart(22)} ${'flit wall s'.padStart(12)}`);
for (const pairing of ['adjacent', 'random'] as const) {
  for (const noc of [0, 1]) {
    const runs = (model: 'flit' | 'packet') => (pairing === 'adjacent' ? [1] : seeds).map((seed) => dramReaders(arch, { noc, pairing, seed, nocModel: model }));
    const cell = (rs: readonly { bytesPerSecond: number }[]): string => {
      const rates = rs.map((r) => r.bytesPerSecond / 1e9);
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      return rates.length === 1 ? mean.toFixed(1) : `${mean.toFixed(1)} [${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}]`;
    };
    const t0 = performance.now();
    const flit = runs('flit');
    const wall = (performance.now() - t0) / 1000;
    const key = `${pairing} ${noc}`;
    console.log(`${`${pairing} noc${noc}`.padEnd(14)} ${measured[key]!.toFixed(1).padStart(9)} ${cell(flit).padStart(22)} ${cell(runs('packet')).padStart(22)} ${wall.toFixed(2).padStart(12)}`);
    const one = flit[0]!.busiestLink; // seed 1 (or the adjacent placement)
    console.log(`${''.padEnd(14)} busiest link (seed 1): ${one.name}, ${(one.utilization * 100).toFixed(0)}% busy, ${one.streams} response stream(s) through it`);
  }
}
