// A seeded generator of layered, dependency-correct Programs for simulator tests and benchmarks.
// Per layer and core: the reader fetches weights from DRAM (interleaved over channels) into a
// buffer (double-buffered), compute runs matmul tiles once the weights and the previous layer's incoming sends have
// arrived (then frees the buffer), and the writer sends activations to a few other cores (unicast
// or multicast) or writes them to DRAM. Every dep points to an earlier-created task, so programs
// never deadlock.

import type { ArchSpec, Coord } from '../../../arch/spec.js';
import type { Program, TaskId } from '../../../compiler/program.js';
import { programBuilder, tileMacs } from './program.js';

/** Parameters of syntheticProgram. */
export interface SyntheticOptions {
  readonly arch: ArchSpec;
  readonly cores: readonly Coord[];
  readonly layers: number;
  readonly seed: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly matmulTiles: number;
}

/** A deterministic pseudo-random number generator (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A layered program of 3 x cores x layers tasks (see the file comment). */
export function syntheticProgram(o: SyntheticOptions): Program {
  const rnd = seededRandom(o.seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  const b = programBuilder({ cores: o.cores, batch: 16 });
  const channels = o.arch.dram.channels.length;
  const nocs = o.arch.noc.nocs.length;
  let incoming: TaskId[][] = o.cores.map(() => []);
  const computes: TaskId[][] = o.cores.map(() => []);
  for (let layer = 0; layer < o.layers; layer++) {
    const op = b.op(`layer${layer}`, layer % 3 === 2 ? 'Add' : 'Conv');
    const next: TaskId[][] = o.cores.map(() => []);
    for (let c = 0; c < o.cores.length; c++) {
      const buf = b.buffer(c, o.weightBytes, `w${layer}.${c}`);
      const spread = 1 + pick(channels);
      const first = pick(channels);
      const channelBytes = new Array<number>(channels).fill(0);
      for (let k = 0; k < spread; k++) channelBytes[(first + k) % channels] = Math.ceil(o.weightBytes / spread);
      // Double buffering: layer L's weights load once layer L-2's compute has freed its buffer.
      const older = computes[c]![layer - 2];
      const read = b.dramRead(c, { op, channelBytes, noc: pick(nocs), alloc: [buf], deps: older === undefined ? [] : [older] });
      const tiles = 1 + pick(o.matmulTiles);
      const comp = b.compute(c, {
        op,
        deps: [read, ...(incoming[c] ?? [])],
        free: [buf],
        work: layer % 3 === 2 ? [{ unit: 'eltwise', tiles }] : [{ unit: 'matmul', tiles, rows: 32 }],
        macs: layer % 3 === 2 ? 0 : tileMacs(tiles),
        sramReadBytes: tiles * 4096,
        sramWriteBytes: tiles * 2048,
      });
      computes[c]!.push(comp);
      if (rnd() < 0.8) {
        const n = 1 + pick(4);
        const dsts = [...new Set(Array.from({ length: n }, () => pick(o.cores.length)))];
        const send = b.send(c, { op, deps: [comp], dsts, bytes: o.activationBytes, noc: pick(nocs), multicast: dsts.length > 1 && rnd() < 0.5 });
        for (const d of dsts) next[d]!.push(send);
      } else {
        const ch = new Array<number>(channels).fill(0);
        ch[pick(channels)] = o.activationBytes;
        b.dramWrite(c, { op, deps: [comp], channelBytes: ch, noc: pick(nocs) });
      }
    }
    incoming = next;
  }
  return b.build();
}
