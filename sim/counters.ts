// Event counters of one simulation run. The simulator only counts integer events (MACs, bytes,
// byte-hops, busy cycles); energy and distances are derived afterwards (sim/energy.ts,
// sim/report.ts). Integer sums do not depend on the order they are added in, so counters are
// identical however events are interleaved.
//
// During the run counters live in typed arrays (CounterState); `finishCounters` freezes them into
// the plain, JSON-serialisable Counters value.

import type { Coord } from '../arch/spec.js';

/** Per-operation counters (index = ProgramOp.index). */
export interface OpCounters {
  readonly macs: number;
  readonly vectorOps: number;
  /** Compute-engine busy cycles summed over the op's compute tasks. */
  readonly computeBusyCycles: number;
  /** Distinct cores that ran at least one compute task of the op. */
  readonly computeCores: number;
  /** SRAM bytes read + written by the op's compute tasks (operands to and from the math units). */
  readonly sramBytes: number;
  /** Payload bytes delivered core-to-core by the op's send tasks (each destination counted). */
  readonly nocBytes: number;
  /** Wire bytes (payload + header) x router-to-router hops of every packet of the op. */
  readonly nocByteHops: number;
  /** Payload byte-hops of send packets, by axis (for byte-mm with the tile pitch). */
  readonly sendByteHopsX: number;
  readonly sendByteHopsY: number;
  /** DRAM bytes read + written by the op. */
  readonly dramBytes: number;
  /** Payload byte-hops between DRAM endpoints and cores, by axis. */
  readonly dramByteHopsX: number;
  readonly dramByteHopsY: number;
  /** First task start and last task end of the op (0 and 0 when it has no tasks). */
  readonly firstStartCycle: number;
  readonly lastEndCycle: number;
}

/** Everything the simulator counted; plain JSON. */
export interface Counters {
  readonly cycles: number;
  readonly macs: number;
  readonly macsByDtype: Readonly<Record<string, number>>;
  /** Elements processed by element-wise and vector (SFPU) work: tiles x tileSize^2. */
  readonly vectorOps: number;
  readonly sramReadBytes: number;
  readonly sramWriteBytes: number;
  readonly nocByteHops: number;
  readonly nocPackets: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  /** Compute-engine busy cycles per Program core. */
  readonly coreBusyCycles: readonly number[];
  /** Peak allocated SRAM bytes per Program core. */
  readonly coreSramPeakBytes: readonly number[];
  /** Busy cycles per link id (noc/topology.ts numbering). */
  readonly linkBusyCycles: readonly number[];
  /** DRAM endpoints that carried at least one packet, sorted by (y, x). */
  readonly dramEndpointsUsed: readonly Coord[];
  readonly ops: readonly OpCounters[];
}

/** Mutable counters during a run (typed arrays; per-op arrays indexed by op). */
export interface CounterState {
  macs: number;
  vectorOps: number;
  sramReadBytes: number;
  sramWriteBytes: number;
  nocByteHops: number;
  nocPackets: number;
  dramReadBytes: number;
  dramWriteBytes: number;
  readonly coreBusyCycles: Float64Array;
  readonly coreSramPeakBytes: Float64Array;
  readonly linkBusyCycles: Float64Array;
  /** Per grid tile (y * cols + x): 1 when a DRAM endpoint there carried a packet. */
  readonly endpointUsed: Uint8Array;
  readonly op: OpCounterArrays;
}

/** Per-op typed arrays. */
export interface OpCounterArrays {
  readonly macs: Float64Array;
  readonly vectorOps: Float64Array;
  readonly computeBusyCycles: Float64Array;
  readonly sramBytes: Float64Array;
  readonly nocBytes: Float64Array;
  readonly nocByteHops: Float64Array;
  readonly sendByteHopsX: Float64Array;
  readonly sendByteHopsY: Float64Array;
  readonly dramBytes: Float64Array;
  readonly dramByteHopsX: Float64Array;
  readonly dramByteHopsY: Float64Array;
  readonly firstStartCycle: Float64Array;
  readonly lastEndCycle: Float64Array;
}

const OP_FIELDS = [
  'macs', 'vectorOps', 'computeBusyCycles', 'sramBytes', 'nocBytes', 'nocByteHops', 'sendByteHopsX',
  'sendByteHopsY', 'dramBytes', 'dramByteHopsX', 'dramByteHopsY', 'firstStartCycle', 'lastEndCycle',
] as const;

/** Zeroed counters for a run with the given numbers of ops, cores, links and grid tiles. */
export function createCounterState(ops: number, cores: number, links: number, tiles: number): CounterState {
  const op = Object.fromEntries(OP_FIELDS.map((f) => [f, new Float64Array(ops)])) as unknown as OpCounterArrays;
  op.firstStartCycle.fill(Infinity);
  return {
    macs: 0,
    vectorOps: 0,
    sramReadBytes: 0,
    sramWriteBytes: 0,
    nocByteHops: 0,
    nocPackets: 0,
    dramReadBytes: 0,
    dramWriteBytes: 0,
    coreBusyCycles: new Float64Array(cores),
    coreSramPeakBytes: new Float64Array(cores),
    linkBusyCycles: new Float64Array(links),
    endpointUsed: new Uint8Array(tiles),
    op,
  };
}

/** Inputs of finishCounters besides the state itself. */
export interface FinishInputs {
  readonly cycles: number;
  readonly dtype: string;
  readonly gridCols: number;
  /** Per op: distinct cores that ran its compute tasks. */
  readonly opComputeCores: readonly number[];
}

/** Freezes a run's counters into the plain Counters value. */
export function finishCounters(s: CounterState, inputs: FinishInputs): Counters {
  const ops: OpCounters[] = [];
  for (let i = 0; i < s.op.macs.length; i++) {
    const row: Record<string, number> = {};
    for (const f of OP_FIELDS) row[f] = s.op[f][i] as number;
    // An op whose tasks did no work (or that has none) spans nothing.
    if (!Number.isFinite(row['firstStartCycle'])) row['firstStartCycle'] = row['lastEndCycle'] ?? 0;
    row['computeCores'] = inputs.opComputeCores[i] ?? 0;
    ops.push(row as unknown as OpCounters);
  }
  const dramEndpointsUsed: Coord[] = [];
  s.endpointUsed.forEach((u, tile) => {
    if (u === 1) dramEndpointsUsed.push({ x: tile % inputs.gridCols, y: Math.floor(tile / inputs.gridCols) });
  });
  return {
    cycles: inputs.cycles,
    macs: s.macs,
    macsByDtype: { [inputs.dtype]: s.macs },
    vectorOps: s.vectorOps,
    sramReadBytes: s.sramReadBytes,
    sramWriteBytes: s.sramWriteBytes,
    nocByteHops: s.nocByteHops,
    nocPackets: s.nocPackets,
    dramReadBytes: s.dramReadBytes,
    dramWriteBytes: s.dramWriteBytes,
    coreBusyCycles: Array.from(s.coreBusyCycles),
    coreSramPeakBytes: Array.from(s.coreSramPeakBytes),
    linkBusyCycles: Array.from(s.linkBusyCycles),
    dramEndpointsUsed,
    ops,
  };
}
