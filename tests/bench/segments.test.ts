// bench/segments: the segments cut the ops into consecutive runs at one output tile-row count, and
// no segment's compute spread over every core exceeds its span (tasks on a core never overlap).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { simulate } from '../../sim/index.js';
import { segments } from '../../bench/segments.js';
import { smallResidualCnn } from '../compiler/helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const Segments = suite('segments');

Segments('runs of ops at one output size, each span at least its busy share', () => {
  const graph = smallResidualCnn(1, 64, 56);
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: graph.name, batch: 1, archFingerprint: archFingerprint(arch) });
  const s = simulate(p, arch, { nocModel: 'packet' });
  const segs = segments(p, s);
  assert.ok(segs.length >= 2, `the convs (98 tile rows) and the pool and gemm (1 tile row) part: ${JSON.stringify(segs)}`);
  assert.is(segs[0]!.first, 0);
  assert.is(segs[segs.length - 1]!.last, p.ops.length - 1);
  segs.forEach((g, k) => {
    if (k > 0) assert.is(g.first, segs[k - 1]!.last + 1, 'consecutive');
    if (k > 0) assert.is.not(g.tileRows, segs[k - 1]!.tileRows, 'a new segment starts where the output size changes');
    for (let o = g.first; o <= g.last; o++) {
      const t = p.ops[o]!.output;
      if (t !== undefined) assert.is(p.tensors[t]!.tileRows, g.tileRows, `op ${o} belongs to its segment`);
    }
    assert.ok(g.busyShareCycles > 0 && g.busyShareCycles <= g.spanCycles + 1e-9, `segment ${k}: busy share ${g.busyShareCycles} within span ${g.spanCycles}`);
  });
  assert.is(segs[0]!.tileRows, 98);
});

Segments.run();
