// Quick look: simulated time of one large matmul on wormhole_n150 against the n150 measurement.
import { loadArch, archFingerprint } from '../arch/index.js';
import { compileGraph } from '../compiler/compile.js';
import { verifyProgram } from '../compiler/verify-program.js';
import { simulate, buildReport } from '../sim/index.js';
import { matmulGraph } from '../tests/compiler/helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const [m, k, n] = (process.argv[2] ?? '4096x4096x4096').split('x').map(Number) as [number, number, number];
const dtype = (process.argv[3] ?? 'bf16') as 'bf16';
const fidelity = (process.argv[4] ?? 'HiFi2') as 'HiFi2';
let t0 = performance.now();
const p = compileGraph(matmulGraph(m, k, n), arch, { dtype, fidelity, model: 'mm', batch: 1, archFingerprint: archFingerprint(arch), strategy: 'matmul2d' });
const tCompile = performance.now() - t0;
t0 = performance.now();
const problems = verifyProgram(p, arch);
const tVerify = performance.now() - t0;
t0 = performance.now();
const r = buildReport(p, arch, simulate(p, arch, { fingerprint: archFingerprint(arch), nocModel: process.argv[5] === 'flit' ? 'flit' : 'packet' }));
const tSim = performance.now() - t0;
console.log(JSON.stringify({ tasks: p.tasks.length, problems: problems.length, predicted: p.predictedCycles, cycles: r.cycles, us: r.latencySeconds * 1e6, tops: r.tops, util: r.utilization, energy: r.energyJoules, tCompile, tVerify, tSim, strategy: p.ops[0]?.strategy }, null, 1));
