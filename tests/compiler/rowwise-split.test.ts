// Row reductions split across the columns of a grid row (compiler/lower/rowwise-split.ts): a
// layer norm or softmax over few, wide rows runs on many cores, each reducing its own columns to
// partial statistics it multicasts along its grid row. Checked: the split happens (more cores than
// tile rows), partials are exchanged (one tile per tile row to every peer), and the program
// verifies and computes the reference's values (bf16 on n150; exact float32 on odd shapes and meshes).
// Per-channel row ops (a global pool) split their channels instead.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import type { AttrValue, Graph } from '../../compiler/graph.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder } from './helpers/graphs.js';
import { runReference } from '../../compiler/reference/interpret.js';
import { maxErrors } from '../../compiler/reference/compare.js';
import { runFunctionalFp32, withMesh } from '../helpers/oracle.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);

function rowOp(op: 'LayerNormalization' | 'Softmax' | 'RMSNormalization', rows: number, cols: number): Graph {
  const g = graphBuilder(`${op}_${rows}x${cols}`);
  const x = g.input('x', [1, rows, cols]);
  const axis: Record<string, AttrValue> = { axis: { kind: 'int', value: -1 } };
  const y = op === 'LayerNormalization' ? g.node(op, [x, g.weight('gamma', [cols]), g.weight('beta', [cols])], [1, rows, cols], axis)
    : op === 'RMSNormalization' ? g.node(op, [x, g.weight('gamma', [cols])], [1, rows, cols], axis)
    : g.node(op, [x], [1, rows, cols], axis);
  return g.build([g.node('Relu', [y], [1, rows, cols])]);
}

const Split = suite('row reductions split across columns');
for (const op of ['LayerNormalization', 'Softmax', 'RMSNormalization'] as const) {
  Split(`${op} over 128 x 768: split over a grid row, partials exchanged, verified and right`, () => {
    const g = rowOp(op, 128, 768);
    const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: g.name, batch: 1, archFingerprint: fp });
    const o = p.ops.find((x) => x.op === op)!;
    assert.ok(o.coresUsed > 4, `${o.strategy} on ${o.coresUsed} cores (4 tile rows)`);
    const exchanges = p.tasks.filter((t) => t.op === o.index && t.kind === 'send' && t.engine === 'writer');
    assert.ok(exchanges.length > 0, 'partial statistics are multicast');
    for (const t of exchanges) if (t.kind === 'send') assert.is(t.bytes, 2048, 'one bf16 tile of partials per tile row');
    assert.equal(verifyProgram(p, arch), []);
    const check = checkProgram(p, g, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(g, 4));
    assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
  });
}

Split("the peers' partials are combined by reduces on the matrix unit: one 8-row pass per partial tile", () => {
  const g = rowOp('LayerNormalization', 128, 768);
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: g.name, batch: 1, archFingerprint: fp });
  const o = p.ops.find((x) => x.op === 'LayerNormalization')!;
  const peers = Number(/x(\d+)$/.exec(o.strategy)![1]) - 1;
  assert.ok(peers >= 3, o.strategy);
  const finals = p.tasks.filter((t) => t.op === o.index && t.kind === 'compute' && t.work.some((w) => w.unit === 'matmul'));
  assert.ok(finals.length > 0);
  for (const t of finals) {
    if (t.kind !== 'compute') continue;
    const reduce = t.work.find((w) => w.unit === 'matmul')!;
    assert.equal(reduce, { unit: 'matmul', tiles: peers * (t.region!.rows), rows: 8 });
    assert.is(t.macs, 0, 'a reduce is not counted as model MACs');
  }
});

Split('exact values in float32 on odd shapes and small meshes', () => {
  for (const [op, rows, cols, c, r] of [['LayerNormalization', 40, 100, 3, 2], ['Softmax', 33, 70, 4, 1], ['LayerNormalization', 96, 200, 8, 8], ['RMSNormalization', 40, 100, 3, 2]] as const) {
    const g = rowOp(op, rows, cols);
    const inputs = randomInputs(g, 2);
    const want = runReference(g, inputs);
    const got = runFunctionalFp32(g, withMesh(arch, c, r), inputs);
    for (const [name, w] of Object.entries(want)) {
      const e = maxErrors(got[name]!.values as ArrayLike<number>, w.values as ArrayLike<number>);
      assert.ok(e.rel < 1e-4, `${op} ${rows}x${cols} on ${c}x${r}: rel error ${e.rel}`);
    }
  }
});
Split('a global pool splits its channels across cores (each channel reduces on its own)', () => {
  const b = graphBuilder('gap');
  const x = b.input('x', [2, 512, 7, 7]);
  const g = b.build([b.node('GlobalAveragePool', [x], [2, 512, 1, 1])]);
  const p = compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: g.name, batch: 2, archFingerprint: fp });
  assert.ok(p.ops[0]!.coresUsed >= 16, `${p.ops[0]!.strategy} on ${p.ops[0]!.coresUsed} cores`);
  assert.equal(verifyProgram(p, arch), []);
  const check = checkProgram(p, g, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }), randomInputs(g, 6));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});
Split.run();
