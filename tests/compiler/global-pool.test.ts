// Global pools over large images (an SE block's squeeze over 112x112) reduce where their input
// lies: each holder of the input reduces its piece and sends one partial tile per output tile to
// the output's owner, instead of the owner gathering every pixel. Matches the reference in float32
// (average and max) on several meshes; moves a small fraction of the input; small pools still gather.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFingerprint, loadArch } from '../../arch/index.js';
import type { AttrValue, Graph } from '../../compiler/graph.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import { graphBuilder } from './helpers/graphs.js';
import { fp32ErrorAgainstReference } from '../helpers/oracle.js';
import { bytesMovedInto } from './helpers/traffic.js';

const Pool = suite('global-pool');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

/** conv 1x1 (3 -> ch) on hw x hw, then a global pool, then Relu (fused into the pool). */
function squeeze(op: 'GlobalAveragePool' | 'GlobalMaxPool', batch: number, hw: number, ch: number): Graph {
  const g = graphBuilder('squeeze');
  const x = g.input('x', [batch, 3, hw, hw]);
  const c = g.node('Conv', [x, g.weight('w', [ch, 3, 1, 1])], [batch, ch, hw, hw], { kernel_shape: ints([1, 1]) });
  const p = g.node(op, [c], [batch, ch, 1, 1]);
  const y = g.node('Relu', [p], [batch, ch, 1, 1]);
  return g.build([y]);
}

Pool('split global pools match the reference in float32 on several meshes', () => {
  const arch = loadArch('wormhole_n150');
  for (const op of ['GlobalAveragePool', 'GlobalMaxPool'] as const) {
    for (const [batch, ch] of [[1, 32], [2, 96]] as const) {
      for (const [cols, rows] of [[8, 8], [3, 2]] as const) {
        const err = fp32ErrorAgainstReference(squeeze(op, batch, 96, ch), arch, cols, rows);
        assert.ok(err < 1e-5, `${op} b${batch} c${ch} on ${cols}x${rows}: ${err}`);
      }
    }
  }
});

Pool('a pool over a large image is reduced on its holders and moves little of its input', () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(squeeze('GlobalAveragePool', 1, 112, 32), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'squeeze', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const op = p.ops.find((o) => o.op === 'GlobalAveragePool')!;
  assert.match(op.strategy, /reduced on \d+ holders/);
  const input = p.tensors[p.ops.find((o) => o.op === 'Conv')!.output!]!;
  const inputBytes = input.tileRows * input.tileCols * 2048;
  // Sends are timed as one partial tile per holder (they list the input they summarise).
  let sent = 0;
  for (const t of p.tasks) if (t.op === op.index && t.kind === 'send') sent += t.bytes * t.dsts.length;
  assert.ok(op.coresUsed > 8, `${op.coresUsed} cores`);
  assert.ok(sent <= inputBytes / 4, `${sent} B sent for a ${inputBytes} B input`);
  // Gathered, the owner would pull the whole input (all but its own rows).
  assert.ok(bytesMovedInto(p, op.index, input.id) === sent);
});

Pool('a pool over a small image still gathers it', () => {
  const arch = loadArch('wormhole_n150');
  const p = compileGraph(squeeze('GlobalAveragePool', 1, 7, 256), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'squeeze', batch: 1, archFingerprint: archFingerprint(arch) });
  verifyProgram(p, arch);
  const op = p.ops.find((o) => o.op === 'GlobalAveragePool')!;
  assert.not.match(op.strategy, /reduced on/);
});

Pool.run();
