// Grouped convolutions (1 < group < channels: ResNeXt, RegNet) run row-distributed. Each core
// fetches the window's input rows and only the input channels of its output channels' groups,
// not the whole input (which made RegNet-Y-400MF's grouped convs hold 77% of its critical path in
// unicasts). Exact in float32 against the reference, with groups that straddle tile columns.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const GroupedConv = suite('grouped-conv');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });
const int = (v: number): AttrValue => ({ kind: 'int', value: v });

/** 48 -> 72 channels in 6 groups (8 in, 12 out each: groups straddle 32-channel tiles), a strided 3-group conv, a 2-group 1x1. */
function groupedChain(hw: number) {
  const g = graphBuilder('grouped');
  const x = g.input('x', [1, 48, hw, hw]);
  const a = g.node('Conv', [x, g.weight('wa', [72, 8, 3, 3])], [1, 72, hw, hw], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), group: int(6) });
  const ra = g.node('Relu', [a], [1, 72, hw, hw]);
  const h2 = Math.ceil(hw / 2);
  const b = g.node('Conv', [ra, g.weight('wb', [72, 24, 3, 3])], [1, 72, h2, h2], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), group: int(3) });
  const rb = g.node('Relu', [b], [1, 72, h2, h2]);
  const c = g.node('Conv', [rb, g.weight('wc', [96, 36, 1, 1])], [1, 96, h2, h2], { kernel_shape: ints([1, 1]), group: int(2) });
  return g.build([c]);
}

GroupedConv('exact in float32 against the reference on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const [cols, rows] of [[8, 8], [3, 2], [5, 4]] as const) {
    assert.is(fp32ErrorAgainstReference(groupedChain(20), arch, cols, rows), 0, `${cols}x${rows}`);
  }
});

GroupedConv("each core fetches its rows' window and its groups' channels, not the whole input", () => {
  const arch = loadArch('wormhole_n150');
  const graph = groupedChain(40);
  const p = compileGraph(graph, arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'grouped', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const first = p.ops.find((o) => o.name.startsWith('Conv_0'))!;
  const input = p.tensors.find((t) => t.name === 'x')!;
  const inputBytes = input.tileRows * input.tileCols * 2048;
  // Bytes moved into the first grouped conv (its DRAM reads and sends of the input).
  const moved = bytesMovedInto(p, first.index, input.id);
  assert.ok(first.coresUsed > 4, `${first.coresUsed} cores`);
  // The whole input per core would be coresUsed (50) x the input. A 32-row output tile of a 40-wide
  // image reads its window's rows, a row of 40 above and below: at most 5 input tiles per tile.
  assert.ok(moved <= 5 * inputBytes, `${moved} B moved for a ${inputBytes} B input over ${first.coresUsed} cores`);
});

GroupedConv.run();
