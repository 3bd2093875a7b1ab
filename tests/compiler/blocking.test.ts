// Output blocking of 2D matmuls (compiler/lower/matmul2d.ts chooseBlocking): with its weights
// resident, a core's shard taller than FILL_BLOCK_ROWS tile rows is computed in at least two row
// blocks, so its first tile products start once half its in0 has arrived; a shorter shard stays one
// block. Checked on height-sharded matmuls (opbyop: every core gets whole output rows).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { matmulGraph } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const cores = arch.computeGrid.rows.length * arch.computeGrid.columns.length;

/** Output blocks each core computes (compute tasks that produce output tiles). */
function blocksPerCore(tileRowsPerCore: number): number[] {
  const g = matmulGraph(cores * tileRowsPerCore * 32, 64, 64);
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: g.name, batch: 1, archFingerprint: fp, strategy: 'opbyop' });
  assert.match(p.ops[0]!.strategy, new RegExp(`^height ${cores}x1$`));
  assert.equal(verifyProgram(p, arch), []);
  const count = new Array<number>(cores).fill(0);
  for (const t of p.tasks) if (t.kind === 'compute' && t.produces !== undefined) count[t.core]! += 1;
  if (tileRowsPerCore <= 12) {
    const check = checkProgram(p, g, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(g, 3));
    assert.ok(check.maxRelError < 0.02, `rel error ${check.maxRelError}`);
  }
  return count;
}

const Blocking = suite('matmul output blocking');

Blocking('a 12-tile-row shard with resident weights is two row blocks; values right', () => {
  const blocks = blocksPerCore(12);
  assert.ok(blocks.every((n) => n === 2), blocks.join());
});

Blocking('a shard of 8 tile rows or fewer stays one block', () => {
  assert.ok(blocksPerCore(8).every((n) => n === 1));
  assert.ok(blocksPerCore(3).every((n) => n === 1));
});

Blocking.run();
