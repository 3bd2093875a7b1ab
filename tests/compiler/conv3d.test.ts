// 3D convolutions and pooling (video models: torchvision's r3d_18) store their NCDHW activations
// as feature maps (rows: images x depth x height x width, columns: channels) and run
// row-distributed; each core fetches, per output depth plane it holds, the input planes of the
// depth window and the rows of the height window (and, grouped, only its groups' channels), not
// the whole input. Exact in float32 against the reference interpreter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const Conv3d = suite('conv3d');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** conv 3x5x5 stride (1,2,2) -> relu -> maxpool 1x3x3 stride (1,2,2) -> grouped conv 3x3x3 stride 2 (4 groups). */
function video(d: number, hw: number) {
  const g = graphBuilder('video');
  const x = g.input('x', [1, 3, d, hw, hw]);
  const h1 = hw / 2;
  const a = g.node('Conv', [x, g.weight('wa', [32, 3, 3, 5, 5])], [1, 32, d, h1, h1], { kernel_shape: ints([3, 5, 5]), strides: ints([1, 2, 2]), pads: ints([1, 2, 2, 1, 2, 2]) });
  const r = g.node('Relu', [a], [1, 32, d, h1, h1]);
  const h2 = h1 / 2;
  const p = g.node('MaxPool', [r], [1, 32, d, h2, h2], { kernel_shape: ints([1, 3, 3]), strides: ints([1, 2, 2]), pads: ints([0, 1, 1, 0, 1, 1]) });
  const d3 = Math.ceil(d / 2), h3 = h2 / 2;
  const b = g.node('Conv', [p, g.weight('wb', [48, 8, 3, 3, 3])], [1, 48, d3, h3, h3], { kernel_shape: ints([3, 3, 3]), strides: ints([2, 2, 2]), pads: ints([1, 1, 1, 1, 1, 1]), group: { kind: 'int', value: 4 } });
  return g.build([b]);
}

Conv3d('3D conv, 3D max pool and a grouped 3D conv are exact in float32 on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const [cols, rows] of [[8, 8], [3, 2]] as const) assert.is(fp32ErrorAgainstReference(video(6, 40), arch, cols, rows), 0, `${cols}x${rows}`);
});

Conv3d("each core fetches its depth and height windows' rows of the input, not the whole input", () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(video(8, 48), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'video', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const conv = p.ops.find((o) => o.op === 'Conv')!;
  const x = p.tensors.find((t) => t.name === 'x')!;
  assert.is(x.tileCols, 1); // channels-last: 3 channels in one tile column
  const moved = bytesMovedInto(p, conv.index, x.id);
  const xBytes = x.tileRows * x.tileCols * 2048;
  assert.ok(conv.coresUsed > 8, `${conv.coresUsed} cores`);
  // Each output plane reads 3 input planes of its 5-row height windows: about 3x the input, never the whole of it per core.
  assert.ok(moved <= 4 * xBytes, `${moved} B of x moved (x is ${xBytes} B) over ${conv.coresUsed} cores`);
});

Conv3d.run();
