// Where a DRAM channel meets the NoC, shared by the compiler (NoC choice, predicted timing) and the
// simulator (packet routes). Each channel is addressed through its preferred (first-listed)
// endpoint, as tt-metal does ("NOC subchannel endpoints per bank: 1"); picking the nearest of a
// group's tiles instead would let two channels share one NIU's 32 GB/s.
import type { ArchSpec, Coord } from '../arch/spec.js';
import { assert } from '../arch/errors.js';
import { hopCount, type Topology } from './topology.js';

/** The endpoint serving DRAM channel `channel`. */
export function dramEndpoint(arch: ArchSpec, channel: number): Coord {
  const ch = arch.dram.channels[channel];
  assert(ch !== undefined && ch.endpoints.length > 0, `DRAM channel ${channel} has no endpoint`);
  return ch.endpoints[0]!;
}

/**
 * Router hops between `core` and channel `channel`'s endpoint on NoC `noc`, in the data's direction
 * (endpoint -> core for reads, core -> endpoint for writes); undefined when no route exists.
 */
export function dramHops(topo: Topology, arch: ArchSpec, channel: number, noc: number, core: Coord, direction: 'read' | 'write'): number | undefined {
  const ep = dramEndpoint(arch, channel);
  return direction === 'read' ? hopCount(topo, noc, ep, core) : hopCount(topo, noc, core, ep);
}
