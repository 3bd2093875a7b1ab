// Transposed convolutions (decoders: U-Net's up-convolutions) run row-distributed; each core
// fetches the input rows whose contributions land on its output rows, not the whole input (a
// small U-Net spent 86% of its critical path moving whole inputs; 95.3 -> 18.3 us).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const ConvTranspose = suite('conv-transpose');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** ConvTranspose k3 s2 p1 output_padding 1 (48 -> 32 channels), then k2 s2 (32 -> 16): x4 upsampling. */
function decoder(hw: number) {
  const g = graphBuilder('decoder');
  const x = g.input('x', [1, 48, hw, hw]);
  const a = g.node('ConvTranspose', [x, g.weight('wa', [48, 32, 3, 3])], [1, 32, 2 * hw, 2 * hw], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) });
  const r = g.node('Relu', [a], [1, 32, 2 * hw, 2 * hw]);
  const b = g.node('ConvTranspose', [r, g.weight('wb', [32, 16, 2, 2])], [1, 16, 4 * hw, 4 * hw], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  return g.build([b]);
}

ConvTranspose('strided transposed convolutions are exact in float32 on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const [cols, rows] of [[8, 8], [3, 2]] as const) assert.is(fp32ErrorAgainstReference(decoder(10), arch, cols, rows), 0, `${cols}x${rows}`);
});

ConvTranspose("each core fetches the input rows that land on its output rows, not the whole input", () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(decoder(24), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'decoder', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const op = p.ops.find((o) => o.op === 'ConvTranspose')!;
  const x = p.tensors.find((t) => t.name === 'x')!;
  const moved = bytesMovedInto(p, op.index, x.id);
  const bytes = x.tileRows * x.tileCols * 2048;
  assert.ok(op.coresUsed > 8, `${op.coresUsed} cores`);
  assert.ok(moved <= 4 * bytes, `${moved} B of x moved (x is ${bytes} B) over ${op.coresUsed} cores`);
});

ConvTranspose.run();
