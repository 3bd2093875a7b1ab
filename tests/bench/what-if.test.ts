// bench/what-if: the idealised copies change only the work they free (the program itself is left
// alone), and freeing work never lengthens these runs; freeing DRAM and NoC together beats either.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { simulate } from '../../sim/index.js';
import { roofline } from '../../sim/roofline.js';
import { idealise, whatIf } from '../../bench/what-if.js';
import { matmulGraph, smallResidualCnn } from '../compiler/helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const WhatIf = suite('what-if');

const compile = (graph: ReturnType<typeof matmulGraph>) =>
  compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: graph.name, batch: 1, archFingerprint: fp });

WhatIf('idealise frees only the kinds asked for, in a copy', () => {
  const p = compile(smallResidualCnn(1, 32, 28));
  const before = JSON.stringify(p);
  const dram = idealise(p, new Set(['dram']));
  const noc = idealise(p, new Set(['noc']));
  const compute = idealise(p, new Set(['compute']));
  assert.is(JSON.stringify(p), before, 'the compiled program is unchanged');
  let transfers = 0;
  p.tasks.forEach((t, i) => {
    const [d, n, c] = [dram.tasks[i]!, noc.tasks[i]!, compute.tasks[i]!];
    if (t.kind === 'dram-read' || t.kind === 'dram-write') {
      transfers++;
      assert.ok(d.kind === t.kind && d.channelBytes.every((b, ch) => b === (t.channelBytes[ch]! > 0 ? 1 : 0)), `task ${i}: one byte per channel it touches`);
    } else assert.is(d, t);
    if (t.kind === 'send') assert.ok(n.kind === 'send' && n.bytes === 1 && n.dsts === t.dsts, `task ${i}: a one-byte send to the same cores`);
    else assert.is(n, t);
    if (t.kind === 'compute') assert.ok(c.kind === 'compute' && c.work.length === 0, `task ${i}: no work`);
    else assert.is(c, t);
  });
  assert.ok(transfers > 0, 'the program has DRAM transfers');
});

for (const graph of [matmulGraph(256, 512, 256), smallResidualCnn(1, 32, 28)]) {
  WhatIf(`${graph.name}: freeing work shortens the run, DRAM and NoC together the most`, () => {
    const p = compile(graph);
    for (const nocModel of ['packet', 'flit'] as const) {
      const all = whatIf(p, arch, nocModel);
      const rows = new Map(all.map((w) => [w.label, w]));
      const asIs = rows.get('as compiled')!;
      assert.is(asIs.cycles, simulate(p, arch, { nocModel }).cycles);
      assert.equal(whatIf(p, arch, nocModel, asIs.cycles), all, 'the caller\'s own run stands for the compiled one');
      for (const w of rows.values()) assert.ok(w.cycles <= asIs.cycles, `${nocModel} ${w.label}: ${w.cycles} > ${asIs.cycles}`);
      const both = rows.get('DRAM and NoC free')!.cycles;
      assert.ok(both < rows.get('DRAM transfers free')!.cycles && both < rows.get('NoC sends free')!.cycles, `${nocModel}: ${both}`);
      // Both graphs read their weights from DRAM on the critical path.
      assert.ok(rows.get('DRAM transfers free')!.cycles < 0.8 * asIs.cycles, `${nocModel}: DRAM-free ${rows.get('DRAM transfers free')!.cycles} vs ${asIs.cycles}`);
      assert.ok(Math.abs(asIs.overRoofline - asIs.cycles / arch.clockHz / roofline(p, arch).seconds) < 1e-9, 'latency over the program\'s roofline');
    }
  });
}

WhatIf.run();
