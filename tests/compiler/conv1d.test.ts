// 1D convolutions (audio feature encoders: wav2vec's) store their NCW activations as feature
// maps (rows: images x positions, columns: channels) and run as 2D convolutions of width 1: dense
// ones on the 2D block matmul (implicit im2col), depthwise and grouped ones row-distributed with
// window footprints. Before, the rows of W-long lines put channels in rows and every core fetched
// whole inputs (a wav2vec-like encoder ran 34.6x its roofline, now 3.6x).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const Conv1d = suite('conv1d');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const int = (v: number): AttrValue => ({ kind: 'int', value: v });

/** conv k10 s5 (1 -> 64) -> relu -> conv k3 s2 p1 (64 -> 96) -> depthwise k5 dilation 2 -> grouped k3 (4 groups) -> max pool. */
function encoder(len: number) {
  const g = graphBuilder('audio');
  const x = g.input('x', [1, 1, len]);
  const l1 = Math.floor((len - 10) / 5) + 1;
  const a = g.node('Conv', [x, g.weight('wa', [64, 1, 10])], [1, 64, l1], { kernel_shape: ints([10]), strides: ints([5]) });
  const ra = g.node('Relu', [a], [1, 64, l1]);
  const l2 = Math.floor((l1 + 2 - 3) / 2) + 1;
  const b = g.node('Conv', [ra, g.weight('wb', [96, 64, 3])], [1, 96, l2], { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]) });
  const c = g.node('Conv', [b, g.weight('wc', [96, 1, 5])], [1, 96, l2], { kernel_shape: ints([5]), pads: ints([4, 4]), dilations: ints([2]), group: int(96) });
  const d = g.node('Conv', [c, g.weight('wd', [64, 24, 3])], [1, 64, l2 - 2], { kernel_shape: ints([3]), group: int(4) });
  const l3 = Math.floor((l2 - 2 + 2 - 3) / 2) + 1;
  const p = g.node('MaxPool', [d], [1, 64, l3], { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]) });
  return g.build([p]);
}

Conv1d('a 1D conv stack (dense, strided, dilated depthwise, grouped, max pool) matches the reference in float32', () => {
  const arch = loadArch('wormhole_n150');
  // Dense convs accumulate tile by tile on the matrix unit: float32 rounding order, not exactness.
  for (const [cols, rows] of [[8, 8], [3, 2]] as const) assert.ok(fp32ErrorAgainstReference(encoder(4000), arch, cols, rows) < 1e-5, `${cols}x${rows}`);
});

Conv1d('dense 1D convs run on the 2D block matmul; the grouped one fetches windows, not its whole input', () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(encoder(16000), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'audio', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const convs = p.ops.filter((o) => o.op === 'Conv');
  assert.equal(convs.map((o) => o.lowering), ['matmul2d', 'matmul2d', 'map', 'map']);
  const grouped = convs[3]!;
  const input = p.tensors[p.ops[grouped.index - 1]!.output!]!;
  const moved = bytesMovedInto(p, grouped.index, input.id);
  const bytes = input.tileRows * input.tileCols * 2048;
  assert.ok(grouped.coresUsed > 8, `${grouped.coresUsed} cores`);
  assert.ok(moved <= 3 * bytes, `${moved} B moved for a ${bytes} B input over ${grouped.coresUsed} cores`);
});

Conv1d.run();
