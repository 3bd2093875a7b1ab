// Simulator speed check (not part of the test suite): a synthetic layered program on the
// Wormhole-sized test arch. Run after a build:
//   node dist/tests/sim/bench-sim.js [layers=1042] [weightKiB=96] [activationKiB=24]
import { buildReport, simulate } from '../../sim/index.js';
import { wormholeLikeArch } from './helpers/arch.js';
import { syntheticProgram } from './helpers/synthetic.js';

const [layers = 1042, weightKiB = 96, activationKiB = 24] = process.argv.slice(2).map(Number);
const arch = wormholeLikeArch();
const cores = arch.tensix.slice(0, 64);
const t0 = performance.now();
const built = syntheticProgram({
  arch, cores, layers, seed: 1, weightBytes: weightKiB * 1024, activationBytes: activationKiB * 1024, matmulTiles: 64,
});
// Programs reach the simulator from the compiler or as JSON; the builder's spread-built task
// objects have many hidden classes and would measure V8's megamorphic property access instead.
const program = JSON.parse(JSON.stringify(built)) as typeof built;
(globalThis as { gc?: () => void }).gc?.();
const t1 = performance.now();
const result = simulate(program, arch);
const t2 = performance.now();
const report = buildReport(program, arch, result);
const t3 = performance.now();
const s = (a: number, b: number) => ((b - a) / 1000).toFixed(2);
console.log(
  `${program.tasks.length} tasks, ${result.counters.nocPackets} packets, ${result.cycles} cycles; ` +
    `generate ${s(t0, t1)} s, simulate ${s(t1, t2)} s, report ${s(t2, t3)} s; ` +
    `cores ${(report.utilization.coresMean * 100).toFixed(1)}%, links max ${(report.utilization.linksMax * 100).toFixed(1)}%`,
);
