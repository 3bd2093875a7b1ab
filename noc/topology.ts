// NoC topology and dimension-order routing shared by the compiler (route planning) and the
// simulator (link timing). On a torus each NoC instance of an arch is a 2D grid whose links run in
// one direction per axis (Wormhole: NoC0 east/south, NoC1 west/north), wrapping at the edges. A
// mesh does not wrap, so its links run both ways (as the flit model's mesh planes do, and as a
// mesh NoC must to connect every pair of tiles); its NoCs differ in their dimension order. Every
// router has four link slots per NoC: an x hop and a y hop (in the NoC's own directions), injection
// (NIU -> router) and ejection (router -> NIU); on a mesh two more, the reverse x and y hops.

import type { ArchSpec, Coord, NocInstance } from '../arch/spec.js';
import { assert } from '../arch/errors.js';

export type LinkId = number & { readonly brand: 'LinkId' };

export const LINK_SLOTS = ['x', 'y', 'inject', 'eject', 'xr', 'yr'] as const;
export type LinkSlot = (typeof LINK_SLOTS)[number];

/** Link slots per router and NoC: the first four on a torus, all six on a mesh. */
function slotsPerRouter(isTorus: boolean): number {
  return isTorus ? 4 : LINK_SLOTS.length;
}

/** True for a router-to-router hop (either direction), not an inject or eject link. */
export function isRouterHop(slot: LinkSlot): boolean {
  return slot === 'x' || slot === 'y' || slot === 'xr' || slot === 'yr';
}

export interface Topology {
  readonly cols: number;
  readonly rows: number;
  readonly isTorus: boolean;
  readonly nocs: readonly NocInstance[];
  readonly linkCount: number;
}

/** Builds the routing view of an arch's NoCs. */
export function buildTopology(arch: ArchSpec): Topology {
  const { cols, rows } = arch.grid;
  return {
    cols,
    rows,
    isTorus: arch.noc.topology === 'torus',
    nocs: arch.noc.nocs,
    linkCount: arch.noc.nocs.length * rows * cols * slotsPerRouter(arch.noc.topology === 'torus'),
  };
}

/** The id of one link slot of the router at `at` on NoC `noc`. */
export function linkId(topo: Topology, noc: number, at: Coord, slot: LinkSlot): LinkId {
  const s = LINK_SLOTS.indexOf(slot);
  const per = slotsPerRouter(topo.isTorus);
  assert(s < per, `no ${slot} links on a torus`);
  return ((((noc * topo.rows + at.y) * topo.cols + at.x) * per) + s) as LinkId;
}

export interface LinkInfo {
  readonly noc: number;
  readonly at: Coord;
  readonly slot: LinkSlot;
}

/** Decodes a link id. */
export function linkInfo(topo: Topology, id: LinkId): LinkInfo {
  const per = slotsPerRouter(topo.isTorus);
  const s = id % per;
  const rest = (id - s) / per;
  const x = rest % topo.cols;
  const y = ((rest - x) / topo.cols) % topo.rows;
  const noc = Math.floor(rest / (topo.cols * topo.rows));
  return { noc, at: { x, y }, slot: LINK_SLOTS[s] ?? 'x' };
}

/** Display name of a link: `noc0 link(3,1)→(4,1)`. */
export function linkName(topo: Topology, id: LinkId): string {
  const { noc, at, slot } = linkInfo(topo, id);
  const n = topo.nocs[noc]?.name ?? `noc${noc}`;
  if (slot === 'inject') return `${n} inject(${at.x},${at.y})`;
  if (slot === 'eject') return `${n} eject(${at.x},${at.y})`;
  const to = step(topo, noc, at, slot);
  return `${n} link(${at.x},${at.y})→(${to.x},${to.y})`;
}

function step(topo: Topology, noc: number, at: Coord, slot: 'x' | 'y' | 'xr' | 'yr'): Coord {
  const inst = topo.nocs[noc];
  assert(inst !== undefined, `no NoC ${noc}`);
  if (slot === 'x' || slot === 'xr') return { x: mod(at.x + (slot === 'x' ? inst.xDirection : -inst.xDirection), topo.cols), y: at.y };
  return { x: at.x, y: mod(at.y + (slot === 'y' ? inst.yDirection : -inst.yDirection), topo.rows) };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Router-to-router hops along one axis from a to b on NoC `noc`; undefined if unreachable. */
function axisHops(topo: Topology, noc: number, a: number, b: number, axis: 'x' | 'y'): number | undefined {
  const inst = topo.nocs[noc];
  assert(inst !== undefined, `no NoC ${noc}`);
  const n = axis === 'x' ? topo.cols : topo.rows;
  const dir = axis === 'x' ? inst.xDirection : inst.yDirection;
  if (!topo.isTorus) return a >= 0 && a < n && b >= 0 && b < n ? Math.abs(b - a) : undefined;
  return mod(dir > 0 ? b - a : a - b, n);
}

/** Router-to-router hop count from src to dst on NoC `noc`, or undefined when no route exists. */
export function hopCount(topo: Topology, noc: number, src: Coord, dst: Coord): number | undefined {
  const hx = axisHops(topo, noc, src.x, dst.x, 'x');
  const hy = axisHops(topo, noc, src.y, dst.y, 'y');
  return hx === undefined || hy === undefined ? undefined : hx + hy;
}

/** The links a unicast packet uses from src to dst: inject, hops in dimension order, eject. */
export function routeUnicast(topo: Topology, noc: number, src: Coord, dst: Coord): LinkId[] {
  const inst = topo.nocs[noc];
  assert(inst !== undefined, `no NoC ${noc}`);
  const path: LinkId[] = [linkId(topo, noc, src, 'inject')];
  let at = src;
  const axes: ('x' | 'y')[] = inst.firstAxis === 'x' ? ['x', 'y'] : ['y', 'x'];
  for (const axis of axes) {
    const target = axis === 'x' ? dst.x : dst.y;
    const hops = axisHops(topo, noc, axis === 'x' ? at.x : at.y, target, axis);
    assert(hops !== undefined, `no ${axis} route from (${src.x},${src.y}) to (${dst.x},${dst.y})`);
    // On a mesh, a hop against the NoC's direction takes the reverse link.
    const forward = topo.isTorus || Math.sign(target - (axis === 'x' ? at.x : at.y)) === (axis === 'x' ? inst.xDirection : inst.yDirection);
    const slot = forward ? axis : axis === 'x' ? 'xr' : 'yr';
    for (let i = 0; i < hops; i++) {
      path.push(linkId(topo, noc, at, slot));
      at = step(topo, noc, at, slot);
    }
  }
  path.push(linkId(topo, noc, dst, 'eject'));
  return path;
}

export interface MulticastRoute {
  /** Every link of the tree, each once, in first-use order. */
  readonly links: readonly LinkId[];
  /** Router-to-router hops to each destination, in the order given. */
  readonly hopsToDst: readonly number[];
}

/** A multicast tree: the union of the dimension-order unicast routes to every destination. */
export function routeMulticast(topo: Topology, noc: number, src: Coord, dsts: readonly Coord[]): MulticastRoute {
  const seen = new Set<number>();
  const links: LinkId[] = [];
  const hopsToDst: number[] = [];
  for (const d of dsts) {
    const path = routeUnicast(topo, noc, src, d);
    hopsToDst.push(path.length - 2);
    for (const l of path) {
      if (!seen.has(l)) {
        seen.add(l);
        links.push(l);
      }
    }
  }
  return { links, hopsToDst };
}

/** The NoC with fewer hops from src to dst (ties go to the lower index). */
export function pickNoc(topo: Topology, src: Coord, dst: Coord): number {
  let best = 0;
  let bestHops = Infinity;
  for (let n = 0; n < topo.nocs.length; n++) {
    const h = hopCount(topo, n, src, dst);
    if (h !== undefined && h < bestHops) {
      best = n;
      bestHops = h;
    }
  }
  return best;
}
