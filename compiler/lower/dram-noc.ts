// Which NoC carries a core's DRAM traffic. Reads and writes that touch several channels (tensors
// interleaved over all of them) are what every core does at once, so the choice is made for that
// pattern: route every (core, channel) flow through the channel's preferred endpoint on each NoC,
// count the flows on each router-to-router link, and prefer the NoC whose busiest link carries
// fewest. On Wormhole, whose DRAM sits in columns x=0 and x=5, that is NoC0 for reads (X first:
// each channel's data leaves along its endpoint's own row) and NoC1 for writes (Y first: the data
// reaches the endpoint's row before turning), rather than funnelling all channels down a DRAM
// column. A transfer with one channel takes the NoC with fewer hops.
import type { ArchSpec, Coord } from '../../arch/spec.js';
import { dramEndpoint, dramHops } from '../../noc/dram-endpoint.js';
import { isRouterHop, linkInfo, routeUnicast, type Topology } from '../../noc/topology.js';

/** Per direction, the NoC with the lightest busiest link when every core uses every channel. */
export function interleavedDramNocs(arch: ArchSpec, topo: Topology, cores: readonly Coord[]): { read: number; write: number } {
  const best = (isRead: boolean): number => {
    let pick = 0, pickLoad = Infinity;
    for (let n = 0; n < topo.nocs.length; n++) {
      const load = new Map<number, number>();
      let worst = 0;
      for (const c of cores) {
        for (let ch = 0; ch < arch.dram.channels.length; ch++) {
          const ep = dramEndpoint(arch, ch);
          if (dramHops(topo, arch, ch, n, c, isRead ? 'read' : 'write') === undefined) { worst = Infinity; continue; }
          for (const l of routeUnicast(topo, n, isRead ? ep : c, isRead ? c : ep)) {
            const slot = linkInfo(topo, l).slot;
            if (!isRouterHop(slot)) continue;
            const v = (load.get(l) ?? 0) + 1;
            load.set(l, v);
            if (v > worst) worst = v;
          }
        }
      }
      if (worst < pickLoad) { pick = n; pickLoad = worst; }
    }
    return pick;
  };
  return { read: best(true), write: best(false) };
}

/** Router hops between `core` and channel `ch`'s endpoint on NoC `noc` in the data's direction (Infinity: no route). */
export function channelHops(arch: ArchSpec, topo: Topology, core: Coord, noc: number, ch: number, isRead: boolean): number {
  return dramHops(topo, arch, ch, noc, core, isRead ? 'read' : 'write') ?? Infinity;
}
