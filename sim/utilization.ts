// Core and link utilisation of a run. Which links count: on each NoC every router-to-router link
// that exists in the topology (all of them on a torus; on a mesh both directions, but not the
// ones that would leave the grid), plus the inject and eject links of the tiles the run used (the
// Program's cores and the DRAM endpoints that carried traffic). Idle Ethernet, PCIe or unused
// tiles' ports don't dilute the mean; idle router-to-router links do, because they are bandwidth
// the placement left unused.

import type { ArchSpec, Coord } from '../arch/spec.js';
import { assert } from '../arch/errors.js';
import { buildTopology, linkId, linkName, type LinkId, type Topology } from '../noc/topology.js';
import type { Counters } from './counters.js';

/** Utilisation of one busy link. */
export interface LinkUtilization {
  readonly link: number;
  readonly name: string;
  readonly utilization: number;
}

/** Link utilisation over the counted links (see the file comment). */
export interface LinkSummary {
  readonly mean: number;
  readonly max: number;
  readonly counted: number;
  /** Every link with non-zero busy cycles, by link id. */
  readonly busy: readonly LinkUtilization[];
}

/** Busy cycles / run cycles, asserted to lie in [0, 1]. */
export function fractionBusy(busyCycles: number, cycles: number, what: string): number {
  const u = cycles > 0 ? busyCycles / cycles : 0;
  assert(u >= 0 && u <= 1, `${what} is busy ${busyCycles} cycles of a ${cycles}-cycle run`);
  return u;
}

/** Link utilisation of a run. */
export function summarizeLinks(arch: ArchSpec, cores: readonly Coord[], counters: Counters): LinkSummary {
  const topo = buildTopology(arch);
  const counted = countedLinks(topo, [...cores, ...counters.dramEndpointsUsed]);
  let sum = 0;
  let max = 0;
  const busy: LinkUtilization[] = [];
  counters.linkBusyCycles.forEach((b, id) => {
    const name = linkName(topo, id as LinkId);
    const u = fractionBusy(b, counters.cycles, name);
    if (b > 0) {
      assert(counted.has(id), `${name} carried traffic but is not a counted link`);
      busy.push({ link: id, name, utilization: u });
    }
    if (counted.has(id)) sum += u;
    if (u > max) max = u;
  });
  return { mean: counted.size > 0 ? sum / counted.size : 0, max, counted: counted.size, busy };
}

function countedLinks(topo: Topology, tiles: readonly Coord[]): Set<number> {
  const out = new Set<number>();
  topo.nocs.forEach((inst, noc) => {
    for (let y = 0; y < topo.rows; y++) {
      for (let x = 0; x < topo.cols; x++) {
        const at = { x, y };
        if (topo.isTorus || inGrid(x + inst.xDirection, topo.cols)) out.add(linkId(topo, noc, at, 'x'));
        if (topo.isTorus || inGrid(y + inst.yDirection, topo.rows)) out.add(linkId(topo, noc, at, 'y'));
        // A mesh's links run both ways.
        if (!topo.isTorus && inGrid(x - inst.xDirection, topo.cols)) out.add(linkId(topo, noc, at, 'xr'));
        if (!topo.isTorus && inGrid(y - inst.yDirection, topo.rows)) out.add(linkId(topo, noc, at, 'yr'));
      }
    }
    for (const t of tiles) {
      out.add(linkId(topo, noc, t, 'inject'));
      out.add(linkId(topo, noc, t, 'eject'));
    }
  });
  return out;
}

function inGrid(i: number, n: number): boolean {
  return i >= 0 && i < n;
}
