// `npm run validate:gemm`: the n150 GEMM measurements (../shared/reference/tenstorrent-gemm/
// n150_manual.csv, tt-metal's GEMM_FLOPS report) against the simulator. Each row's matmul is
// compiled with the 2D block (row/column multicast) strategy forced (--strategy matmul2d) on the row's grid and simulated;
// measured device time = ideal cycles / device utilization, ideal cycles = M*K*N / 32768 x
// cycles per tile (LoFi 16, HiFi2 32, HiFi4 64) / cores, at the arch's clock. Prints every row
// and the share within 20%. `--csv FILE` and `--arch A` take other measurements and presets.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archFingerprint, loadArch } from '../arch/index.js';
import type { ArchSpec, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { compileGraph } from '../compiler/compile.js';
import { simulate } from '../sim/index.js';
import { matmulGraph } from '../tests/compiler/helpers/graphs.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string', default: '/work/shared/reference/tenstorrent-gemm/n150_manual.csv' },
    arch: { type: 'string', default: 'wormhole_n150' },
    limit: { type: 'string' },
    'noc-model': { type: 'string', default: 'packet' },
  },
});
const base = loadArch(values.arch);
const DTYPES: Record<string, DeviceDtype> = { BFLOAT16: 'bf16', BFLOAT8_B: 'bfp8', BFLOAT4_B: 'bfp4', FLOAT32: 'fp32' };
const CPT: Record<string, number> = { LoFi: 16, HiFi2: 32, HiFi3: 48, HiFi4: 64 };

function onGrid(arch: ArchSpec, cols: number, rows: number): ArchSpec {
  return { ...arch, computeGrid: { columns: arch.computeGrid.columns.slice(0, cols), rows: arch.computeGrid.rows.slice(0, rows) } };
}

const lines = readFileSync(values.csv, 'utf8').trim().split(/\r?\n/);
const head = lines[0]!.split(',');
const col = (name: string): number => head.findIndex((h) => h.trim().startsWith(name));
const rows = lines.slice(1).map((l) => l.split(','));
const limit = values.limit === undefined ? rows.length : Number(values.limit);
let within = 0, n = 0;
console.log('     m      k      n dtype     fid   in0/out  measured_us  simulated_us   ratio');
for (const f of rows.slice(0, limit)) {
  const [m, k, nn] = [Number(f[col('m')]), Number(f[col('k')]), Number(f[col('n')])];
  const dtype = DTYPES[f[col('dtype')]!.trim()];
  const fidelity = f[col('math_fidelity')]!.trim() as MathFidelity;
  const util = Number(f[col('Device based utilization')]);
  const gx = Number(f[col('grid_x')]), gy = Number(f[col('grid_y')]);
  if (dtype === undefined || !(util > 0)) continue;
  const arch = onGrid(base, gx, gy);
  const ideal = ((m * k * nn) / 32768) * CPT[fidelity]! / (gx * gy);
  const measuredUs = ideal / (util / 100) / (arch.clockHz / 1e6);
  // Rows with in0 and the output sharded in L1 start and end there (in1 always streams from DRAM).
  const residentIo = f[col('in0_storage_type')]!.trim() === 'L1';
  // The table's DRAM operands are tt-metal DRAM buffers in their default, interleaved memory config.
  const p = compileGraph(matmulGraph(m, k, nn), arch, { dtype, fidelity, model: 'gemm', batch: 1, archFingerprint: archFingerprint(arch), residentIo, strategy: 'matmul2d', weightLayout: 'interleaved' });
  const r = simulate(p, arch, { nocModel: values['noc-model'] === 'flit' ? 'flit' : 'packet' });
  const simUs = r.cycles / (arch.clockHz / 1e6);
  const ratio = simUs / measuredUs;
  n++;
  if (Math.abs(ratio - 1) <= 0.2) within++;
  const where = `${f[col('in0_storage_type')]!.trim()}/${f[col('out_storage_type')]!.trim()}`;
  console.log(`${String(m).padStart(6)} ${String(k).padStart(6)} ${String(nn).padStart(6)} ${dtype.padEnd(5)} ${fidelity.padEnd(6)} ${where.padEnd(8)} ${measuredUs.toFixed(1).padStart(11)} ${simUs.toFixed(1).padStart(13)} ${ratio.toFixed(3).padStart(7)}${Math.abs(ratio - 1) <= 0.2 ? '' : '  *'}`);
}
console.log(`\n${within}/${n} rows (${((100 * within) / Math.max(1, n)).toFixed(1)}%) within 20% of the measured device time (target: 80%)`);
