// DRAM channel timing. Each channel serves bytes at bytesPerSecond x efficiency / clockHz bytes
// per cycle, first come first served (a per-channel `free` cycle, kept fractional so long streams
// get the exact bandwidth). Reads add the access latency (request arrival to first data); the
// small read requests themselves only cost their NoC latency (no link occupancy). A read packet
// enters the NoC once its last byte has been read (store-and-forward at the DRAM NIU); a write
// packet is absorbed once it has fully arrived and the channel is free.

import type { ArchSpec, Coord } from '../arch/spec.js';
import { assert } from '../arch/errors.js';
import { dramEndpoint, dramHops } from './dram-endpoint.js';
import type { Topology } from './topology.js';

/** DRAM state of one run. */
export interface DramState {
  /** Cycle (fractional) each channel finishes its queued work. */
  readonly channelFreeCycle: Float64Array;
  readonly bytesPerCycle: Float64Array;
  readonly latencyCycles: number;
}

/** Sustained bytes per core cycle of each DRAM channel (bytesPerSecond x efficiency / clockHz). */
export function channelBytesPerCycle(arch: ArchSpec): number[] {
  return arch.dram.channels.map((c) => (c.bytesPerSecond * arch.dram.efficiency) / arch.clockHz);
}

/** Fresh DRAM state for `arch`. */
export function createDramState(arch: ArchSpec): DramState {
  const bpc = channelBytesPerCycle(arch);
  assert(bpc.every((b) => b > 0), 'every DRAM channel needs a positive bandwidth');
  return {
    channelFreeCycle: new Float64Array(bpc.length),
    bytesPerCycle: Float64Array.from(bpc),
    latencyCycles: arch.dram.latencyCycles,
  };
}

/** A DRAM channel endpoint chosen for one core, with the router-to-router hops between them. */
export interface ChosenEndpoint {
  readonly endpoint: Coord;
  readonly hops: number;
}

/** The endpoint serving `channel` (noc/dram-endpoint.ts) and its hops to `core` on NoC `noc`. */
export function chooseEndpoint(
  topo: Topology,
  arch: ArchSpec,
  channel: number,
  noc: number,
  core: Coord,
  direction: 'read' | 'write',
  which = 0,
): ChosenEndpoint {
  const hops = dramHops(topo, arch, channel, noc, core, direction, which);
  assert(hops !== undefined, `no NoC ${noc} route between DRAM channel ${channel} and (${core.x},${core.y})`);
  return { endpoint: dramEndpoint(arch, channel, which), hops };
}

/**
 * Queues a read of `bytes` on `channel` whose request arrives at `arrivalCycle`; returns the
 * (fractional) cycle the channel starts serving it. Byte k is read by start + k / bytesPerCycle.
 */
export function reserveRead(s: DramState, channel: number, arrivalCycle: number, bytes: number): number {
  const free = s.channelFreeCycle[channel] as number;
  const start = free > arrivalCycle ? free : arrivalCycle;
  s.channelFreeCycle[channel] = start + bytes / (s.bytesPerCycle[channel] as number);
  return start;
}

/** Cycle (integer) the read packet ending at byte `endByte` of a stream started at `start` is ready. */
export function readReadyCycle(s: DramState, channel: number, start: number, endByte: number): number {
  return Math.ceil(start + endByte / (s.bytesPerCycle[channel] as number) + s.latencyCycles);
}

/** Writes `bytes` that fully arrived at `arrivalCycle` to `channel`; returns the cycle they are stored. */
export function absorbWrite(s: DramState, channel: number, arrivalCycle: number, bytes: number): number {
  const free = s.channelFreeCycle[channel] as number;
  const start = free > arrivalCycle ? free : arrivalCycle;
  const end = start + bytes / (s.bytesPerCycle[channel] as number);
  s.channelFreeCycle[channel] = end;
  return Math.ceil(end);
}
