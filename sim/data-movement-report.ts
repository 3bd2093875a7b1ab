// Data-movement distance: byte-millimetres moved, split by level, per operation and in total.
//   core: SRAM bytes read and written by compute tasks x floorplan.sramToComputeMm
//   noc:  core-to-core payload byte-hops, x hops x tilePitchMmX + y hops x tilePitchMmY
//   dram: DRAM payload bytes x the hops between the channel endpoint and the core, by axis, x pitch
// Multicast payload counts once per tree link. Header flits are left out (they are overhead, not
// operands); NoC energy does count them (Counters.nocByteHops uses wire bytes).

import type { ArchSpec } from '../arch/spec.js';
import type { Program } from '../compiler/program.js';
import type { Counters, OpCounters } from './counters.js';

/** Byte-millimetres by level. */
export interface ByteMm {
  readonly core: number;
  readonly noc: number;
  readonly dram: number;
}

/** One operation's data movement. */
export interface DataMovementRow {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly byteMm: ByteMm;
  /** SRAM bytes of compute + payload bytes delivered over the NoC + DRAM bytes. */
  readonly bytesMoved: number;
  /** Mean distance a moved byte travels: byte-mm / bytesMoved. */
  readonly mmPerByte: number;
  /** byte-mm / (2 x macs); 0 for ops without MACs. */
  readonly mmPerOp: number;
}

/** Data movement of a run. */
export interface DataMovement {
  readonly byteMm: ByteMm & { readonly total: number };
  /** The floorplan distances used. */
  readonly distancesMm: { readonly tilePitchX: number; readonly tilePitchY: number; readonly sramToCompute: number };
  readonly perOp: readonly DataMovementRow[];
}

/** Byte-mm per level of one op's counters. */
export function opByteMm(arch: ArchSpec, k: OpCounters): ByteMm {
  const f = arch.floorplan;
  return {
    core: k.sramBytes * f.sramToComputeMm,
    noc: k.sendByteHopsX * f.tilePitchMmX + k.sendByteHopsY * f.tilePitchMmY,
    dram: k.dramByteHopsX * f.tilePitchMmX + k.dramByteHopsY * f.tilePitchMmY,
  };
}

/** The data-movement section of the report. */
export function buildDataMovement(program: Program, arch: ArchSpec, counters: Counters): DataMovement {
  let core = 0;
  let noc = 0;
  let dram = 0;
  const perOp = program.ops.map((op, i): DataMovementRow => {
    const k = counters.ops[i]!;
    const byteMm = opByteMm(arch, k);
    core += byteMm.core;
    noc += byteMm.noc;
    dram += byteMm.dram;
    const total = byteMm.core + byteMm.noc + byteMm.dram;
    const bytesMoved = k.sramBytes + k.nocBytes + k.dramBytes;
    return {
      index: op.index,
      name: op.name,
      op: op.op,
      byteMm,
      bytesMoved,
      mmPerByte: bytesMoved > 0 ? total / bytesMoved : 0,
      mmPerOp: k.macs > 0 ? total / (2 * k.macs) : 0,
    };
  });
  const f = arch.floorplan;
  return {
    byteMm: { core, noc, dram, total: core + noc + dram },
    distancesMm: { tilePitchX: f.tilePitchMmX, tilePitchY: f.tilePitchMmY, sramToCompute: f.sramToComputeMm },
    perOp,
  };
}
