// Infeasible inputs (issue 5): a model whose weights cannot fit even with DRAM streaming, a mesh
// of one core, a number format the arch lacks. Each is one line naming what does not fit where,
// exit code 2, no stack trace, and no output file written.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { SpatialcError } from '../../arch/errors.js';
import { compileGraph } from '../../compiler/compile.js';
import type { Graph } from '../../compiler/graph.js';
import { matmulGraph } from '../compiler/helpers/graphs.js';

const tmp = mkdtempSync(join(tmpdir(), 'spatialc-infeasible-'));
const model = join('tests/fixtures/onnx', 'tiny_cnn.onnx');

function archWith(edit: (a: Record<string, any>) => void): string {
  const a = JSON.parse(readFileSync('arch/presets/wormhole_n150.json', 'utf8'));
  edit(a);
  const file = join(tmp, `arch-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(a));
  return file;
}

async function refused(argv: string[], pattern: RegExp): Promise<void> {
  let out = '';
  let err = '';
  const prog = join(tmp, `p-${Math.random().toString(36).slice(2)}.json`);
  const code = await main([...argv, '-o', prog], { out: (t) => { out += t; }, err: (t) => { err += t; }, isTty: false });
  assert.is(code, 2, err);
  assert.is(out, '');
  assert.is(err.trimEnd().split('\n').length, 1, `one line: ${err}`);
  assert.match(err, /^spatialc: error: /);
  assert.match(err, pattern);
  assert.not.match(err, /\n\s+at /);
  assert.not.ok(existsSync(prog), 'nothing written');
}

const Infeasible = suite('infeasible inputs');
Infeasible('weights larger than the DRAM: names the need, the largest tensor and the arch capacity', async () => {
  const arch = archWith((a) => { for (const c of a.dram.channels) c.capacityBytes = 1024; });
  await refused(['compile', model, '--arch', arch], /model "tiny_cnn\.onnx": its weights need \d+\.\d\d KiB of DRAM \(largest: ".+", \d+\.\d\d KiB\), but arch "wormhole_n150" has 12\.00 KiB over 12 channels/);
});
Infeasible('a weight too large for a real board, checked before any lowering', () => {
  const arch = loadArch('wormhole_n150');
  const g = matmulGraph(32, 64, 64);
  // A [81920, 81920] weight is 12.5 GiB in bf16: more than the n150's 12 GiB. No values needed.
  const huge: Graph = {
    ...g,
    tensors: g.tensors.map((t) => (t.isConstant ? { ...t, shape: [81920, 81920], values: undefined } : t.producer !== undefined ? { ...t, shape: [32, 81920] } : t)),
  };
  try {
    compileGraph(huge, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'huge', batch: 1, archFingerprint: archFingerprint(arch) });
    assert.unreachable('compiled');
  } catch (e) {
    assert.instance(e, SpatialcError);
    assert.is((e as SpatialcError).code, 'E_DOES_NOT_FIT');
    assert.match((e as Error).message, /^model "huge": its weights need 12\.50 GiB of DRAM \(largest: "w", 12\.50 GiB\), but arch "wormhole_n150" has 12\.00 GiB over 12 channels$/);
  }
});
Infeasible('a mesh of one core', async () => {
  const arch = archWith((a) => { a.computeGrid = { columns: [1], rows: [1] }; });
  await refused(['compile', model, '--arch', arch], /compute grid of 1 core\(s\); spatialc needs at least 2/);
});
Infeasible('a number format the arch lacks', async () => {
  const arch = archWith((a) => {
    delete a.core.dtypes.bfp4;
    delete a.energy.macPj.bfp4;
    for (const k of Object.keys(a.sources)) if (k.includes('bfp4')) delete a.sources[k];
  });
  await refused(['compile', model, '--arch', arch, '--dtype', 'bfp4'], /has no number format bfp4 \(it has: .*\)/);
});
Infeasible.run();
