// Hand-built ArchSpecs for simulator tests, independent of the presets in arch/presets/.
// tinyArch: a 4x4 torus with Wormhole's two one-direction NoCs, 12 Tensix cores (x 1..3) and two
// DRAM channels whose endpoints sit in column 0. Round numbers so expected cycles are easy to derive.

import type { ArchSpec, Coord } from '../../../arch/spec.js';

/** The parameters tests most often vary. */
export interface TinyArchOptions {
  readonly topology?: 'torus' | 'mesh';
  readonly sramBytes?: number;
  readonly maxPacketPayloadBytes?: number;
}

const FIDELITY_PHASES = { LoFi: 1, HiFi2: 2, HiFi3: 3, HiFi4: 4 } as const;

/** A 4x4 two-NoC arch with 2 DRAM channels (16 B/cycle each) and a small energy table. */
export function tinyArch(opts: TinyArchOptions = {}): ArchSpec {
  const tensix: Coord[] = [];
  for (let y = 0; y < 4; y++) for (let x = 1; x < 4; x++) tensix.push({ x, y });
  return {
    name: 'tiny',
    description: 'test fixture: 4x4 torus, 2 NoCs, 2 DRAM channels',
    clockHz: 1e9,
    grid: { cols: 4, rows: 4 },
    tensix,
    harvestedRows: [],
    computeGrid: { columns: [1, 2, 3], rows: [0, 1, 2, 3] },
    ethernet: [],
    pcie: [],
    core: {
      sramBytes: opts.sramBytes ?? 65536,
      sramReservedBytes: 1024,
      tileSize: 32,
      matmulMacsPerCyclePerPhase: 2048,
      matmulMinRows: 8,
      fidelityPhases: FIDELITY_PHASES,
      dtypes: { bf16: { tileBytes: 2048, eltwiseCyclesPerTile: 100 }, bfp8: { tileBytes: 1088, eltwiseCyclesPerTile: 50 } },
      sfpuCyclesPerTile: { exp: 1000, default: 64 },
      nocPortBytesPerCycle: 32,
      blockOverheadCycles: 10,
    },
    noc: {
      topology: opts.topology ?? 'torus',
      nocs: [
        { name: 'noc0', xDirection: 1, yDirection: 1, firstAxis: 'x' },
        { name: 'noc1', xDirection: -1, yDirection: -1, firstAxis: 'y' },
      ],
      flitBytes: 32,
      linkBytesPerCycle: 32,
      hopLatencyCycles: 9,
      niuLatencyCycles: 5,
      maxPacketPayloadBytes: opts.maxPacketPayloadBytes ?? 1024,
      headerFlits: 1,
      virtualChannels: 16,
      routerBufferBytes: 2048,
      hasMulticast: true,
    },
    dram: {
      channels: [
        { id: 0, controller: 0, endpoints: [{ x: 0, y: 0 }, { x: 0, y: 1 }], bytesPerSecond: 32e9, capacityBytes: 1 << 30 },
        { id: 1, controller: 0, endpoints: [{ x: 0, y: 2 }, { x: 0, y: 3 }], bytesPerSecond: 32e9, capacityBytes: 1 << 30 },
      ],
      efficiency: 0.5,
      latencyCycles: 100,
      interleaveBytes: 1024,
    },
    energy: {
      macPj: { bf16: 0.5, bfp8: 0.25 },
      vectorOpPj: 0.1,
      sramReadPjPerByte: 0.2,
      sramWritePjPerByte: 0.3,
      nocPjPerByteHop: 0.5,
      dramPjPerByte: 10,
      staticWatts: 1,
    },
    floorplan: { tilePitchMmX: 1, tilePitchMmY: 1.5, sramToComputeMm: 0.5 },
    boardWatts: 10,
    defaults: { dtype: 'bf16', fidelity: 'LoFi' },
    sources: {},
  };
}

/**
 * A Wormhole-sized arch for benchmarks only (not a calibrated preset): 10x12 torus, 8x8 compute
 * grid, 12 DRAM channels on the reference endpoints, 8 KiB packets.
 */
export function wormholeLikeArch(): ArchSpec {
  const base = tinyArch();
  const cols = [1, 2, 3, 4, 6, 7, 8, 9];
  const rows = [1, 2, 3, 4, 5, 7, 8, 9];
  const groups: Coord[][] = [
    [{ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 0, y: 11 }],
    [{ x: 0, y: 5 }, { x: 0, y: 6 }, { x: 0, y: 7 }],
    [{ x: 5, y: 0 }, { x: 5, y: 1 }, { x: 5, y: 11 }],
    [{ x: 5, y: 2 }, { x: 5, y: 9 }, { x: 5, y: 10 }],
    [{ x: 5, y: 3 }, { x: 5, y: 4 }, { x: 5, y: 8 }],
    [{ x: 5, y: 5 }, { x: 5, y: 6 }, { x: 5, y: 7 }],
  ];
  const channels = groups.flatMap((endpoints, g) =>
    [0, 1].map((k) => ({ id: g * 2 + k, controller: g, endpoints, bytesPerSecond: 24e9, capacityBytes: 1 << 30 })),
  );
  return {
    ...base,
    name: 'wormhole-like',
    grid: { cols: 10, rows: 12 },
    tensix: cols.flatMap((x) => rows.map((y) => ({ x, y }))),
    computeGrid: { columns: cols, rows },
    core: { ...base.core, sramBytes: 1_499_136, sramReservedBytes: 100_000 },
    noc: { ...base.noc, maxPacketPayloadBytes: 8192 },
    dram: { ...base.dram, channels, efficiency: 0.92 },
  };
}
