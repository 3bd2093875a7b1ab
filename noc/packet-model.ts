// Packet-level NoC timing (shared by the simulator and the compiler's deterministic scheduler). Every link slot of noc/topology.ts (router-to-router hops and each
// tile's inject/eject port) has a `free` cycle: the cycle its last reserved packet's tail leaves.
//
// A packet is cut-through (wormhole-ish): its head reaches the first router NIU-latency cycles
// after entering the inject link, then one hop latency per router-to-router link, and the eject
// link NIU-latency cycles before the tail lands in the destination's L1. On each link the head
// starts at max(arrival of the head, link free) and the link stays busy for the packet's
// serialisation time ceil(wireBytes / linkBytesPerCycle). What this leaves out: a blocked head
// does not hold upstream links (the many virtual channels let other packets use them), and a link
// keeps only its last reservation (no back-filling of gaps), so packets are reserved in the order
// the event loop injects them.
//
// Multicast is one packet stream over the tree of dimension-order routes (each link once).

import type { ArchSpec, Coord } from '../arch/spec.js';
import { assert } from '../arch/errors.js';
import { buildTopology, linkInfo, routeUnicast, type LinkId, type Topology } from './topology.js';

/** A route as a tree of link slots, parents before children; node 0 is the source's inject link. */
export interface Route {
  readonly links: Int32Array;
  /** Index of each node's parent node (-1 for node 0). */
  readonly parent: Int32Array;
  /** Head latency from the parent node's head to this node's head. */
  readonly incrCycles: Int32Array;
  /** Node indices of the eject links (one per destination). */
  readonly ejects: Int32Array;
  /** Router-to-router links in the tree, in total and by axis. */
  readonly routerHops: number;
  readonly hopsX: number;
  readonly hopsY: number;
}

/** NoC state of one run: link reservations, route cache and scratch space. */
export interface NocState {
  readonly topo: Topology;
  readonly linkFreeCycle: Float64Array;
  /** Shared with CounterState.linkBusyCycles. */
  readonly linkBusyCycles: Float64Array;
  readonly niuLatencyCycles: number;
  readonly hopLatencyCycles: number;
  readonly linkBytesPerCycle: number;
  readonly headerBytes: number;
  readonly maxPayloadBytes: number;
  readonly unicastRoutes: Map<number, Route>;
  readonly multicastRoutes: Map<string, Route>;
  /** Head cycle per route node of the packet being moved (scratch). */
  head: Float64Array;
  /** Cycle the last moved packet's tail left its inject link. */
  lastInjectEndCycle: number;
}

/** Fresh NoC state for `arch`; link busy cycles are accumulated into `linkBusyCycles`. */
export function createNocState(arch: ArchSpec, linkBusyCycles: Float64Array): NocState {
  const topo = buildTopology(arch);
  assert(linkBusyCycles.length === topo.linkCount, 'link counter array has the wrong length');
  assert(arch.noc.maxPacketPayloadBytes > 0, 'NoC packets must carry a positive payload');
  assert(arch.noc.linkBytesPerCycle > 0, 'NoC links must move a positive number of bytes per cycle');
  return {
    topo,
    linkFreeCycle: new Float64Array(topo.linkCount),
    linkBusyCycles,
    niuLatencyCycles: arch.noc.niuLatencyCycles,
    hopLatencyCycles: arch.noc.hopLatencyCycles,
    linkBytesPerCycle: arch.noc.linkBytesPerCycle,
    headerBytes: arch.noc.headerFlits * arch.noc.flitBytes,
    maxPayloadBytes: arch.noc.maxPacketPayloadBytes,
    unicastRoutes: new Map(),
    multicastRoutes: new Map(),
    head: new Float64Array(64),
    lastInjectEndCycle: 0,
  };
}

/** The (cached) unicast route from src to dst on NoC `noc`. */
export function unicastRoute(s: NocState, noc: number, src: Coord, dst: Coord): Route {
  const tiles = s.topo.cols * s.topo.rows;
  const key = (noc * tiles + src.y * s.topo.cols + src.x) * tiles + dst.y * s.topo.cols + dst.x;
  let r = s.unicastRoutes.get(key);
  if (r === undefined) {
    r = buildRoute(s, noc, src, [dst]);
    s.unicastRoutes.set(key, r);
  }
  return r;
}

/** The (cached) multicast tree from src to every dst on NoC `noc`. */
export function multicastRoute(s: NocState, noc: number, src: Coord, dsts: readonly Coord[]): Route {
  const cols = s.topo.cols;
  let key = `${noc}:${src.y * cols + src.x}:`;
  for (const d of dsts) key += `${d.y * cols + d.x},`;
  let r = s.multicastRoutes.get(key);
  if (r === undefined) {
    r = buildRoute(s, noc, src, dsts);
    s.multicastRoutes.set(key, r);
  }
  return r;
}

/** The union of dimension-order unicast paths as a tree (each link once, parents first). */
function buildRoute(s: NocState, noc: number, src: Coord, dsts: readonly Coord[]): Route {
  const index = new Map<number, number>();
  const links: number[] = [];
  const parent: number[] = [];
  const incr: number[] = [];
  const ejects: number[] = [];
  for (const d of dsts) {
    const path = routeUnicast(s.topo, noc, src, d);
    let prev = -1;
    path.forEach((link, k) => {
      let at = index.get(link);
      if (at === undefined) {
        at = links.length;
        index.set(link, at);
        links.push(link);
        parent.push(prev);
        incr.push(k === 0 ? 0 : k === 1 ? s.niuLatencyCycles : s.hopLatencyCycles);
      }
      prev = at;
    });
    if (!ejects.includes(prev)) ejects.push(prev);
  }
  let hopsX = 0;
  let hopsY = 0;
  for (const l of links) {
    const slot = linkInfo(s.topo, l as LinkId).slot;
    if (slot === 'x' || slot === 'xr') hopsX++;
    else if (slot === 'y' || slot === 'yr') hopsY++;
  }
  if (s.head.length < links.length) s.head = new Float64Array(links.length * 2);
  return {
    links: Int32Array.from(links),
    parent: Int32Array.from(parent),
    incrCycles: Int32Array.from(incr),
    ejects: Int32Array.from(ejects),
    routerHops: hopsX + hopsY,
    hopsX,
    hopsY,
  };
}

/** Serialisation cycles of a packet of `wireBytes` on one link. */
export function serializationCycles(s: NocState, wireBytes: number): number {
  return Math.ceil(wireBytes / s.linkBytesPerCycle);
}

/**
 * Moves one packet of `wireBytes` (payload + header) along `route`, ready at `readyCycle`.
 * Reserves every link of the route and returns the cycle its tail lands in the last destination.
 */
export function transmitPacket(s: NocState, route: Route, readyCycle: number, wireBytes: number): number {
  const ser = Math.ceil(wireBytes / s.linkBytesPerCycle);
  const links = route.links;
  const parent = route.parent;
  const incr = route.incrCycles;
  const head = s.head;
  const free = s.linkFreeCycle;
  const busy = s.linkBusyCycles;
  const n = links.length;
  for (let i = 0; i < n; i++) {
    const l = links[i] as number;
    const p = parent[i] as number;
    let t = p < 0 ? readyCycle : (head[p] as number) + (incr[i] as number);
    const f = free[l] as number;
    if (f > t) t = f;
    head[i] = t;
    free[l] = t + ser;
    busy[l] = (busy[l] as number) + ser;
  }
  s.lastInjectEndCycle = (head[0] as number) + ser;
  let arrival = 0;
  const ejects = route.ejects;
  for (let e = 0; e < ejects.length; e++) {
    const t = (head[ejects[e] as number] as number) + s.niuLatencyCycles + ser;
    if (t > arrival) arrival = t;
  }
  return arrival;
}
