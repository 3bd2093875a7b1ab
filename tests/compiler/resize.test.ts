// Resize of a feature map (segmentation heads: FCN, DeepLabV3, LR-ASPP upsample their logits)
// fetches, per image its output rows touch, the input rows around those rows scaled back, not the
// whole input (LR-ASPP's final Resize moved 62x its input). Matches the reference in float32 for
// nearest, linear (half-pixel and align-corners) and cubic upsampling and a downsampling.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue, Graph, TensorId } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const Resize = suite('resize');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const str = (v: string): AttrValue => ({ kind: 'string', value: v });

/** conv 1x1 (3 -> 32) on hw x hw, then Resize by `scale` with the given attributes. */
function upsample(hw: number, scale: number, attrs: Record<string, AttrValue>): Graph {
  const g = graphBuilder('resize');
  const x = g.input('x', [2, 3, hw, hw]);
  const c = g.node('Conv', [x, g.weight('w', [32, 3, 1, 1])], [2, 32, hw, hw], { kernel_shape: ints([1, 1]) });
  const scales = g.weight('scales', [4]);
  const out = Math.floor(hw * scale);
  const y = g.node('Resize', [c, undefined as unknown as TensorId, scales], [2, 32, out, out], attrs);
  const graph = g.build([y]);
  (graph.tensors[scales] as { values: Float32Array }).values = Float32Array.from([1, 1, scale, scale]);
  return graph;
}

const CASES: readonly [string, number, Record<string, AttrValue>][] = [
  ['nearest x2', 2, { mode: str('nearest') }],
  ['linear x2, half pixel', 2, { mode: str('linear') }],
  ['linear x4, align corners', 4, { mode: str('linear'), coordinate_transformation_mode: str('align_corners') }],
  ['cubic x2', 2, { mode: str('cubic') }],
  ['linear x0.5', 0.5, { mode: str('linear') }],
];

Resize('upsampling and downsampling feature maps match the reference in float32 on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const [name, scale, attrs] of CASES) {
    // The 1x1 conv before it accumulates on the matrix unit: float32 rounding, no more.
    for (const [cols, rows] of [[8, 8], [3, 2]] as const) assert.ok(fp32ErrorAgainstReference(upsample(20, scale, attrs), arch, cols, rows) < 1e-6, `${name} on ${cols}x${rows}`);
  }
});

Resize('each core fetches the input rows under its output rows, not the whole input', () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(upsample(28, 4, { mode: str('linear') }), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'resize', batch: 2, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const op = p.ops.find((o) => o.op === 'Resize')!;
  const input = p.tensors[p.ops.find((o) => o.op === 'Conv')!.output!]!;
  const moved = bytesMovedInto(p, op.index, input.id);
  const bytes = input.tileRows * input.tileCols * 2048;
  assert.ok(op.coresUsed > 8, `${op.coresUsed} cores`);
  // The whole input per core would be coresUsed (61) x the input; x4 upsampling spreads each
  // input row's outputs over several cores, which each read it with two rows either side.
  assert.ok(moved <= 12 * bytes, `${moved} B moved for a ${bytes} B input over ${op.coresUsed} cores`);
});

Resize.run();
