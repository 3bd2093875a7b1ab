// Resident inputs and outputs (CompileOptions.residentIo, `--resident-io`): graph inputs start in
// SRAM block-sharded over their first reader's grid, outputs stay where they were computed. The
// program must move no input or output bytes through DRAM, compute the same values (functional
// simulation against the reference interpreter, with shards preloaded and collected), survive a
// listing round trip, and stay exact in deterministic mode.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { scheduleDeterministic } from '../../compiler/schedule/deterministic.js';
import { parseListing } from '../../compiler/listing/parse.js';
import { printListing } from '../../compiler/listing/print.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import type { Graph } from '../../compiler/graph.js';
import { simulate, buildReport } from '../../sim/index.js';
import { checkProgram, randomInputs } from '../../cli/check.js';
import { graphBuilder, matmulGraph, smallResidualCnn } from './helpers/graphs.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
const compile = (g: Graph, residentIo: boolean) =>
  compileGraph(g, arch, { dtype: 'bf16', fidelity: 'HiFi4', model: g.name, batch: 1, archFingerprint: fp, residentIo });

const Resident = suite('resident inputs and outputs');
Resident('a matmul reads only its weights from DRAM and leaves its output block-sharded in SRAM', () => {
  const [m, k, n] = [512, 1024, 768];
  const g = matmulGraph(m, k, n);
  const p = compile(g, true);
  assert.equal(verifyProgram(p, arch), []);
  const x = p.tensors.find((t) => t.name === g.tensors[g.inputs[0]!]!.name)!;
  const y = p.tensors.find((t) => t.name === g.tensors[g.outputs[0]!]!.name)!;
  assert.is(x.home, 'sram');
  assert.is(y.home, 'sram');
  // Every tile of the input and the output is held by exactly one core.
  for (const t of [x, y]) {
    const tiles = (t.shards ?? []).reduce((s, h) => s + h.rows * h.cols, 0);
    assert.is(tiles, t.tileRows * t.tileCols, `${t.name} shards cover it once`);
    assert.is(new Set(t.shards!.map((h) => h.core)).size, t.shards!.length);
  }
  const r = buildReport(p, arch, simulate(p, arch, { fingerprint: fp, nocModel: 'packet' }));
  const weightBytes = (k / 32) * (n / 32) * 2048;
  assert.is(r.counters.dramReadBytes, weightBytes, 'DRAM reads are the weight matrix only');
  assert.is(r.counters.dramWriteBytes, 0);
  const inDram = buildReport(compile(g, false), arch, simulate(compile(g, false), arch, { fingerprint: fp, nocModel: 'packet' }));
  assert.ok(r.cycles < inDram.cycles, `resident ${r.cycles} cycles vs DRAM-resident ${inDram.cycles}`);
});

for (const [name, g] of [['matmul', matmulGraph(256, 320, 192)], ['residual CNN', smallResidualCnn(1, 16, 12)]] as const) {
  Resident(`${name}: the functional simulation with preloaded and collected shards matches the reference`, () => {
    for (const deterministic of [false, true]) {
      const compiled = compile(g, true);
      const p = deterministic ? scheduleDeterministic(compiled, arch) : compiled;
      assert.equal(verifyProgram(p, arch), []);
      const timing = simulate(p, arch, { fingerprint: fp, nocModel: 'packet' });
      if (deterministic) assert.is(timing.cycles, p.predictedCycles);
      const check = checkProgram(p, g, timing, randomInputs(g, 5));
      assert.ok(check.maxRelError < 0.05, `rel error ${check.maxRelError}`);
    }
  });
}

Resident('a candidate grid the resident input does not fit is skipped, not fatal (an image stem)', () => {
  // ViT-B/16's patch embedding: a 224x224 RGB image (its 3 channels padded to a tile: 3.2 MB)
  // read by a 16x16 stride-16 conv. Some of the conv's candidate grids would hold the whole image
  // on two cores; the search must try the others instead of failing the compile.
  const g = graphBuilder('patches');
  const x = g.input('x', [1, 3, 224, 224]);
  const ints = (v: number[]) => ({ kind: 'ints' as const, value: v });
  const y = g.node('Conv', [x, g.weight('w', [768, 3, 16, 16])], [1, 768, 14, 14], { kernel_shape: ints([16, 16]), strides: ints([16, 16]) });
  const p = compile(g.build([y]), true);
  assert.equal(verifyProgram(p, arch), []);
});

Resident('the shards survive a listing round trip', () => {
  const p = compile(loadOnnxModel('tests/fixtures/onnx/tiny_cnn.onnx', { batch: 1 }), true);
  const back = parseListing(printListing(p), 'tiny.lst');
  assert.equal(back.tensors, p.tensors);
  assert.ok(p.tensors.some((t) => t.shards !== undefined));
});
Resident.run();
