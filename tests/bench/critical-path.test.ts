// bench/critical-path: the walk back from the last task covers the whole run (its parts add up to
// the simulated cycles) and names the work that is on it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { simulate } from '../../sim/index.js';
import { criticalPath } from '../../bench/critical-path.js';
import { matmulGraph, smallResidualCnn } from '../compiler/helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const Path = suite('critical path');

for (const graph of [matmulGraph(256, 512, 256), smallResidualCnn(1, 32, 28)]) {
  Path(`${graph.name}: the path's parts add up to the run, and compute is on it`, () => {
    const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: graph.name, batch: 1, archFingerprint: fp });
    for (const nocModel of ['packet', 'flit'] as const) {
      const s = simulate(p, arch, { fingerprint: fp, nocModel });
      const cp = criticalPath(p, s);
      const sum = [...cp.byKind.values()].reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - s.cycles) < 1e-6, `${nocModel}: ${sum} vs ${s.cycles}`);
      assert.ok((cp.byKind.get('compute') ?? 0) > 0, `${nocModel}: no compute on the path`);
      const byOps = [...cp.byOp.values()].reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y, 0), 0);
      assert.ok(Math.abs(byOps - sum) < 1e-6, 'the per-op split covers the same cycles');
    }
  });
}

Path.run();
