// Where a DRAM channel meets the NoC, shared by the compiler (NoC choice, predicted timing) and the
// simulator (packet routes). A channel is addressed through its preferred (first-listed) endpoint,
// as tt-metal does ("NOC subchannel endpoints per bank: 1"), unless a transfer names another of
// its group's tiles (all six NIUs of a group reach both its channels: tt-isa-documentation
// DRAMTile); the compiler does so when the preferred tile's links are predicted busier.
import type { ArchSpec, Coord } from '../arch/spec.js';
import { assert } from '../arch/errors.js';
import { hopCount, type Topology } from './topology.js';

/** The endpoint serving DRAM channel `channel`: its `which`-th listed tile (0: the preferred one). */
export function dramEndpoint(arch: ArchSpec, channel: number, which = 0): Coord {
  const ch = arch.dram.channels[channel];
  assert(ch !== undefined && ch.endpoints.length > which, `DRAM channel ${channel} has no endpoint ${which}`);
  return ch.endpoints[which]!;
}

/**
 * Router hops between `core` and channel `channel`'s endpoint on NoC `noc`, in the data's direction
 * (endpoint -> core for reads, core -> endpoint for writes); undefined when no route exists.
 */
export function dramHops(topo: Topology, arch: ArchSpec, channel: number, noc: number, core: Coord, direction: 'read' | 'write', which = 0): number | undefined {
  const ep = dramEndpoint(arch, channel, which);
  return direction === 'read' ? hopCount(topo, noc, ep, core) : hopCount(topo, noc, core, ep);
}
