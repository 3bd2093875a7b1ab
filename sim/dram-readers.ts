// Tenstorrent's DRAM-bandwidth experiment (../shared/reference/wormhole-dram.md §4-5) as a program
// for the simulator: one reader tile per DRAM channel, all reading `bytes` at once over one NoC.
// `adjacent` puts each reader on the tile one hop downstream of its channel's preferred endpoint
// (tt-metal's u-benchmark: NoC0 reads land at (x+1, y); on NoC1, which runs -x, at (x-1, y); a reader
// that would sit on a harvested row moves to the nearest free worker row), so response streams
// barely share links. `random` pairs channels with randomly chosen worker tiles, one
// tile per channel (seeded): responses then share the links of the two DRAM columns and of the rows
// they turn into, and each link carries one flit per cycle (32 GB/s) however many streams want it.
// The aggregate rate is all bytes over the time the last one lands.

import type { ArchSpec, Coord } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import type { Program, Task, TaskId } from '../compiler/program.js';
import { dramEndpoint } from '../noc/dram-endpoint.js';
import { makeRng } from '../noc/flit/rng.js';
import { buildTopology, isRouterHop, linkInfo, linkName, routeUnicast, type LinkId } from '../noc/topology.js';
import { simulate } from './engine.js';

export interface DramReadersOptions {
  readonly noc: number;
  readonly pairing: 'adjacent' | 'random';
  /** Seed of the random pairing. */
  readonly seed?: number;
  readonly bytesPerReader?: number;
  readonly nocModel?: 'flit' | 'packet';
  readonly fingerprint?: string;
}

export interface DramReadersResult {
  /** Reader tile of each channel. */
  readonly readers: readonly Coord[];
  readonly cycles: number;
  /** Aggregate read bandwidth in bytes per second (all bytes / time the last one landed). */
  readonly bytesPerSecond: number;
  /** The busiest router-to-router link, its busy fraction, and how many response streams cross it. */
  readonly busiestLink: { readonly name: string; readonly utilization: number; readonly streams: number };
}

/** Reader tiles, one per channel, for the given pairing. */
export function readerTiles(arch: ArchSpec, noc: number, pairing: 'adjacent' | 'random', seed = 1): Coord[] {
  const tensix = new Set(arch.tensix.map((c) => `${c.x},${c.y}`));
  const channels = arch.dram.channels;
  if (pairing === 'adjacent') {
    const dir = arch.noc.nocs[noc]?.xDirection ?? 1;
    const used = new Set<string>();
    return channels.map((ch, c) => {
      const ep = dramEndpoint(arch, c);
      const x = (ep.x + dir + arch.grid.cols) % arch.grid.cols;
      // On a harvested row, the nearest free worker row of the same column (as tt-metal shifts them).
      for (let d = 0; d < arch.grid.rows; d++) {
        for (const y of [ep.y + d, ep.y - d]) {
          const key = `${x},${y}`;
          if (tensix.has(key) && !used.has(key)) { used.add(key); return { x, y }; }
        }
      }
      throw new SpatialcError('E_USAGE', `DRAM channel ${ch.id}: no free worker tile in column ${x} next to its endpoint`);
    });
  }
  const pool = [...arch.tensix];
  const rng = makeRng(seed);
  const out: Coord[] = [];
  for (let i = 0; i < channels.length; i++) out.push(pool.splice(rng.int(pool.length), 1)[0]!);
  return out;
}

/** Runs the experiment on `arch`. */
export function dramReaders(arch: ArchSpec, o: DramReadersOptions): DramReadersResult {
  const bytes = o.bytesPerReader ?? 1 << 20;
  const readers = readerTiles(arch, o.noc, o.pairing, o.seed);
  const nch = arch.dram.channels.length;
  const tasks: Task[] = readers.map((_, i) => ({
    id: i as TaskId, core: i, engine: 'reader', deps: [], op: 0, predictedStartCycle: 0, predictedCycles: 0,
    kind: 'dram-read', noc: o.noc, channelBytes: Array.from({ length: nch }, (_, c) => (c === i ? bytes : 0)),
  }) as unknown as Task);
  const program: Program = {
    format: 'spatialc-program/1', archName: arch.name, archFingerprint: o.fingerprint ?? '', model: 'dram-readers',
    dtype: 'bf16', fidelity: 'LoFi', batch: 1, strategy: 'experiment',
    cores: readers.map((c, i) => ({ x: c.x, y: c.y, reader: [i as TaskId], compute: [], writer: [] })),
    tasks, buffers: [], tensors: [],
    ops: [{ index: 0, name: 'read', op: 'DramRead', fused: ['read'], macs: 0, strategy: 'experiment', lowering: 'map', coresUsed: readers.length, outputIndex: 0 }],
    macs: 0, predictedCycles: 0,
  } as unknown as Program;
  const r = simulate(program, arch, { ...(o.fingerprint ? { fingerprint: o.fingerprint } : {}), nocModel: o.nocModel ?? 'flit' });
  const topo = buildTopology(arch);
  let best = -1;
  r.counters.linkBusyCycles.forEach((b, id) => {
    const slot = linkInfo(topo, id as LinkId).slot;
    if (isRouterHop(slot) && (best < 0 || b > r.counters.linkBusyCycles[best]!)) best = id;
  });
  // Streams through the busiest link: the readers whose response route uses it.
  let streams = 0;
  readers.forEach((core, c) => {
    const ep = dramEndpoint(arch, c);
    if (routeUnicast(topo, o.noc, ep, core).includes(best as LinkId)) streams++;
  });
  return {
    readers, cycles: r.cycles, bytesPerSecond: (bytes * readers.length) / (r.cycles / arch.clockHz),
    busiestLink: { name: linkName(topo, best as LinkId), utilization: r.counters.linkBusyCycles[best]! / r.cycles, streams },
  };
}
