// Sharding strategies (`--strategy`): opbyop height-shards every matmul-like op over the whole
// grid, matmul2d block-shards it, auto picks per op with the cost model. Checked: the forced
// strategies do what they say, auto is deterministic and stays verified and numerically right,
// a zero budget falls back to block sharding, and on ResNet-50 batch 16 (when exported) auto beats
// the op-by-op whole-grid baseline by the 1.3x and is no slower than matmul2d.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph, type CompileOptions } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import type { Graph } from '../../compiler/graph.js';
import { simulate } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { main } from '../../cli/main.js';
import { matmulGraph, smallResidualCnn } from './helpers/graphs.js';
import fc from 'fast-check';
import { matmulCandidates, STRATEGIES } from '../../compiler/partition/strategy.js';
import type { LowerContext } from '../../compiler/lower/context.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const compile = (g: Graph, o: Partial<CompileOptions> = {}) =>
  compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: g.name, batch: 1, archFingerprint: fp, ...o });
const kinds = (p: ReturnType<typeof compile>) => p.ops.filter((o) => o.lowering === 'matmul2d').map((o) => o.strategy.split(' ')[0]);

const Strategy = suite('sharding strategies');
Strategy('opbyop height-shards and matmul2d block-shards every matmul-like op; the program records the strategy', () => {
  const g = smallResidualCnn(2, 32, 16);
  const h = compile(g, { strategy: 'opbyop' });
  const b = compile(g, { strategy: 'matmul2d' });
  assert.is(h.strategy, 'opbyop');
  assert.is(b.strategy, 'matmul2d');
  assert.ok(kinds(h).length > 0 && kinds(h).every((k) => k === 'height'), kinds(h).join());
  assert.ok(kinds(b).every((k) => k === 'block'), kinds(b).join());
  // A height-sharded matmul puts whole output rows on each core: one grid column.
  const mm = compile(matmulGraph(512, 256, 512), { strategy: 'opbyop' }).ops[0]!;
  assert.match(mm.strategy, /^height 16x1$/);
});

Strategy('auto is deterministic, verified, and computes the same values', () => {
  const g = smallResidualCnn(1, 32, 16);
  const a = compile(g);
  assert.match(a.strategy, /^auto: /);
  assert.is(JSON.stringify(compile(g)), JSON.stringify(a), 'same inputs, same program');
  assert.equal(verifyProgram(a, arch), []);
  const timing = simulate(a, arch, { fingerprint: fp, nocModel: 'packet' });
  const check = checkProgram(a, g, timing, randomInputs(g, 3));
  assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
});

Strategy('a one-row matmul is never height-sharded onto one core by auto', () => {
  const p = compile(matmulGraph(32, 2048, 4096));
  assert.not.match(p.ops[0]!.strategy, /^height/);
  assert.ok(p.ops[0]!.coresUsed >= 32, `${p.ops[0]!.strategy} on ${p.ops[0]!.coresUsed} cores`);
});

Strategy('a zero compile budget keeps the block candidate everywhere (the matmul2d program; its K is too short to split)', () => {
  const g = smallResidualCnn(1, 32, 16);
  const z = compile(g, { compileBudgetSeconds: 0 });
  const b = compile(g, { strategy: 'matmul2d' });
  assert.equal(z.tasks, b.tasks);
});

Strategy('every candidate grid is a non-empty split that fits the cores, on any mesh (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (rows, cols, mt, nt) => {
    const ctx = { gridRows: rows, gridCols: cols } as LowerContext;
    for (const strategy of STRATEGIES) {
      for (const c of matmulCandidates(strategy, ctx, mt, nt)) {
        assert.ok(c.gr >= 1 && c.gc >= 1 && c.gr <= mt && c.gc <= nt && c.gr * c.gc <= rows * cols, `${strategy} ${c.kind} ${c.gr}x${c.gc} for ${mt}x${nt} tiles on ${cols}x${rows}`);
      }
    }
  }), { numRuns: 300, seed: 3 });
});

Strategy('--strategy and --compile-budget reject bad values in one line', async () => {
  for (const [flag, value, msg] of [['--strategy', 'greedy', /--strategy: expected one of auto, opbyop, matmul2d, pipeline, got "greedy"/], ['--compile-budget=-1', '', /--compile-budget: expected a number of seconds >= 0, got "-1"/]] as const) {
    let err = '';
    const code = await main(['compile', 'tests/fixtures/onnx/tiny_cnn.onnx', flag, ...(value === '' ? [] : [value])], { out: () => {}, err: (t) => { err += t; }, isTty: false });
    assert.is(code, 2);
    assert.match(err, msg);
  }
});
Strategy.run();

const file = path.join(process.env['SPATIALC_MODELS'] ?? 'models', 'resnet50_op17.onnx');
const Quality = suite('strategy quality on ResNet-50 batch 16');
if (!existsSync(file)) console.log(`strategy: ResNet-50 comparison skipped, ${file} not exported (scripts/export-models.sh)`);
else {
  Quality('auto is at least 1.3x faster than the op-by-op whole-grid baseline and no slower than matmul2d', () => {
    const g = loadOnnxModel(file, { batch: 16 });
    const cycles = (strategy: 'auto' | 'opbyop' | 'matmul2d') =>
      simulate(compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'resnet50', batch: 16, archFingerprint: fp, strategy }), arch, { nocModel: 'packet' }).cycles;
    const auto = cycles('auto');
    const opbyop = cycles('opbyop');
    const block = cycles('matmul2d');
    assert.ok(opbyop / auto >= 1.3, `opbyop ${opbyop} vs auto ${auto} cycles (${(opbyop / auto).toFixed(2)}x)`);
    assert.ok(auto <= block, `matmul2d ${block} vs auto ${auto} cycles`);
  });
}
Quality.run();
