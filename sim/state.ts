// The mutable state of one simulation run, created by sim/engine.ts and passed explicitly to the
// core, NoC and DRAM models (no module-level state anywhere in sim/).

import type { ArchSpec, Coord } from '../arch/spec.js';
import type { NumberFormat } from '../arch/core-timing.js';
import type { Program } from '../compiler/program.js';
import type { CounterState } from './counters.js';
import type { DramState } from '../noc/dram-channel.js';
import type { EventQueue } from './event-queue.js';
import type { FlitNocState } from './flit-noc.js';
import type { NocState } from '../noc/packet-model.js';
import type { StreamPool } from './streams.js';
import type { ReservationTable } from '../noc/reservations.js';
import type { TransferModel } from '../noc/transfer.js';

/**
 * Event kinds, packed with an id into one int32 payload: id * 4 + kind. `engineFree`: a send has
 * issued its last packet, so its engine may go on before the data lands (posted NoC writes).
 */
export const EVENT = { taskDone: 0, streamPacket: 1, taskStart: 2, engineFree: 3 } as const;

/** Packs an event payload. */
export function eventPayload(kind: 0 | 1 | 2 | 3, id: number): number {
  return id * 4 + kind;
}

/** A deterministic program's run: tasks start at their scheduled cycles and transfers are timed alone. */
export interface TimedState {
  readonly model: TransferModel;
  /** Link and channel spans held so far (checked for overlaps). */
  readonly table: ReservationTable;
  readonly mergeGap: number;
}

/** Per-core SRAM accounting. */
export interface SramState {
  /** Bytes currently allocated per Program core. */
  readonly usedBytes: Float64Array;
  /** 1 while a buffer is allocated. */
  readonly isAllocated: Uint8Array;
  /** sramBytes - sramReservedBytes. */
  readonly capacityBytes: number;
}

/** Everything a run mutates, plus the inputs it reads. */
export interface SimContext {
  readonly program: Program;
  readonly arch: ArchSpec;
  readonly fmt: NumberFormat;
  /** Grid coordinate of each Program core. */
  readonly coords: readonly Coord[];
  /** Elements per tile (tileSize^2), for vector-op counting. */
  readonly tileElements: number;
  readonly queue: EventQueue;
  readonly counters: CounterState;
  readonly noc: NocState;
  /** The flit-level network (default); undefined with the packet-level NoC model. */
  readonly flit: FlitNocState | undefined;
  readonly dram: DramState;
  readonly streams: StreamPool;
  readonly sram: SramState;
  readonly taskStartCycle: Float64Array;
  readonly taskEndCycle: Float64Array;
  /** Streams of a data-movement task still sending packets. */
  readonly pendingStreams: Int32Array;
  /** Sends: streams still issuing packets, and the cycle the last issued packet left the core. */
  readonly pendingIssue: Int32Array;
  readonly issueEndCycle: Float64Array;
  /** Set for a deterministic program (Program.timing), which runs time-triggered. */
  readonly timed: TimedState | undefined;
}
