// `npm run validate:gemm`: the n150 GEMM measurements (../shared/reference/tenstorrent-gemm/
// n150_manual.csv, tt-metal's GEMM_FLOPS report) against the simulator. Each row's matmul is
// compiled with the 2D block (row/column multicast) strategy forced (--strategy matmul2d) on the row's grid and simulated;
// measured device time = ideal cycles / device utilization, ideal cycles = M*K*N / 32768 x
// cycles per tile (LoFi 16, HiFi2 32, HiFi4 64) / cores, at the arch's clock. Prints every row
// and the share within 20%. `--csv FILE` and `--arch A` take other measurements and presets; the
// table may use either spelling of the report's columns (scripts/gemm-table.ts). A row's grid is
// taken from the arch's usable Tensix (gridFor); a grid the arch does not have is listed as
// skipped, and bad input is one line, exit code 2.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archFingerprint, loadArch } from '../arch/index.js';
import type { ArchSpec } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import { compileGraph } from '../compiler/compile.js';
import { simulate } from '../sim/index.js';
import { matmulGraph } from '../tests/compiler/helpers/graphs.js';
import { gridFor, parseGemmTable, type GemmRow } from './gemm-table.js';

const CPT: Record<string, number> = { LoFi: 16, HiFi2: 32, HiFi3: 48, HiFi4: 64 };

function main(): void {
  const { values } = parseArgs({
    options: {
      csv: { type: 'string', default: '/work/shared/reference/tenstorrent-gemm/n150_manual.csv' },
      arch: { type: 'string', default: 'wormhole_n150' },
      limit: { type: 'string' },
      'noc-model': { type: 'string', default: 'packet' },
    },
  });
  const base = loadArch(values.arch);
  const file = values.csv;
  if (!existsSync(file)) throw new SpatialcError('E_FILE', `${file}: no such file (--csv names the table of GEMM measurements)`);
  const { rows, skipped: unread } = parseGemmTable(readFileSync(file, 'utf8'), file);
  for (const u of unread) console.log(`line ${u.line}: skipped, ${u.reason}`);
  const limit = values.limit === undefined ? rows.length : Number(values.limit);
  if (!(limit >= 0)) throw new SpatialcError('E_USAGE', `--limit "${values.limit}" is not a number of rows`);
  let within = 0, n = 0, skipped = unread.length;
  console.log('     m      k      n dtype     fid   in0/out  measured_us  simulated_us   ratio');
  for (const r of rows.slice(0, limit)) {
    if (!(r.deviceUtilization > 0)) continue;
    const arch = gridFor(base, r.gridX, r.gridY);
    if (arch === undefined) {
      skipped++;
      console.log(`line ${r.line}: skipped, ${base.name} has no ${r.gridX}x${r.gridY} rectangle of usable Tensix cores`);
      continue;
    }
    const ideal = ((r.m * r.k * r.n) / 32768) * CPT[r.fidelity]! / (r.gridX * r.gridY);
    const measuredUs = ideal / (r.deviceUtilization / 100) / (arch.clockHz / 1e6);
    const sim = simulatedUs(r, arch, values['noc-model'] === 'flit' ? 'flit' : 'packet');
    if (typeof sim === 'string') {
      skipped++;
      console.log(`line ${r.line}: skipped, ${sim}`);
      continue;
    }
    const ratio = sim / measuredUs;
    n++;
    if (Math.abs(ratio - 1) <= 0.2) within++;
    const where = `${r.in0Storage}/${r.outStorage}`;
    console.log(`${String(r.m).padStart(6)} ${String(r.k).padStart(6)} ${String(r.n).padStart(6)} ${r.dtype.padEnd(5)} ${r.fidelity.padEnd(6)} ${where.padEnd(8)} ${measuredUs.toFixed(1).padStart(11)} ${sim.toFixed(1).padStart(13)} ${ratio.toFixed(3).padStart(7)}${Math.abs(ratio - 1) <= 0.2 ? '' : '  *'}`);
  }
  if (n === 0) throw new SpatialcError('E_FILE', `${file}: no row could be compared on ${base.name} (${skipped} skipped)`);
  console.log(`\n${within}/${n} rows (${((100 * within) / n).toFixed(1)}%) within 20% of the measured device time (target: 80%)${skipped > 0 ? `; ${skipped} row(s) skipped` : ''}`);
}

/** The row's matmul, compiled with the 2D block strategy on the row's grid and simulated, in us (or why it cannot be: a number format the arch lacks). */
function simulatedUs(r: GemmRow, arch: ArchSpec, nocModel: 'flit' | 'packet'): number | string {
  // Rows with in0 and the output sharded in L1 start and end there (in1 always streams from DRAM).
  const residentIo = r.in0Storage === 'L1';
  // The table's DRAM operands are tt-metal DRAM buffers in their default, interleaved memory config.
  let p;
  try {
    p = compileGraph(matmulGraph(r.m, r.k, r.n), arch, {
      dtype: r.dtype, fidelity: r.fidelity, model: 'gemm', batch: 1, archFingerprint: archFingerprint(arch), residentIo, strategy: 'matmul2d', weightLayout: 'interleaved',
    });
  } catch (e) {
    if (e instanceof SpatialcError && e.code === 'E_DTYPE') return e.message;
    throw e;
  }
  return simulate(p, arch, { nocModel }).cycles / (arch.clockHz / 1e6);
}

try {
  main();
} catch (e) {
  if (!(e instanceof SpatialcError)) throw e;
  console.error(`validate-gemm: ${e.message}`);
  process.exit(2);
}
