// Attention written as einsum ("bhid,bhjd->bhij", then "bhij,bhjd->bhid", as torchvision's MaxViT
// exports it) runs row-distributed; each core fetches only the batch items its output rows belong
// to, not the whole inputs. Exact in float32 against the reference interpreter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const Einsum = suite('einsum');

function attention() {
  const g = graphBuilder('einsum_attention');
  const [b, h, n, d] = [2, 6, 40, 16];
  const q = g.input('q', [b, h, n, d]);
  const k = g.input('k', [b, h, n, d]);
  const v = g.input('v', [b, h, n, d]);
  const s = g.node('Einsum', [q, k], [b, h, n, n], { equation: { kind: 'string', value: 'bhid,bhjd->bhij' } });
  const p = g.node('Softmax', [s], [b, h, n, n], { axis: { kind: 'int', value: -1 } });
  const o = g.node('Einsum', [p, v], [b, h, n, d], { equation: { kind: 'string', value: 'b h i j, b h j d -> b h i d' } });
  return g.build([o]);
}

Einsum('batched einsum attention is exact in float32 on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const [cols, rows] of [[8, 8], [3, 2]] as const) assert.is(fp32ErrorAgainstReference(attention(), arch, cols, rows), 0, `${cols}x${rows}`);
});

Einsum("each core fetches its rows' batch items of each input, not the whole inputs", () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(attention(), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'einsum', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const op = p.ops.find((o) => o.op === 'Einsum')!;
  const k = p.tensors.find((t) => t.name === 'k')!;
  const moved = bytesMovedInto(p, op.index, k.id);
  const kBytes = k.tileRows * k.tileCols * 2048;
  assert.ok(op.coresUsed > 8, `${op.coresUsed} cores`);
  // 12 batch items of 40 rows over 2-row tiles: each core's items straddle at most a tile either side.
  assert.ok(moved <= 3 * kBytes, `${moved} B of k moved (k is ${kBytes} B) over ${op.coresUsed} cores`);
});

Einsum.run();
