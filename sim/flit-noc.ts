// The flit-level NoC under a program run (the default; sim/noc-model.ts is the packet-level
// option). The arch's NoCs become planes of noc/flit's router network (Wormhole: two one-way tori,
// 16 VCs split into requests and read responses). A stream packet is queued at its source's NIU at
// its ready cycle; the stream's next packet is queued once this one's tail has entered the network
// (so streams of one core interleave packet by packet, as in the packet-level model), except DRAM
// read responses, which follow the channel's read-out timing. A packet is complete when its tail
// reached every destination; a DRAM write is then absorbed by its channel. The engine steps the
// network cycle by cycle only while flits are in flight and jumps over idle stretches.

import type { ArchSpec } from '../arch/spec.js';
import { archNocNetwork, type ArchNetwork } from '../noc/flit/arch-network.js';
import { makeRng } from '../noc/flit/rng.js';
import { FlitNetwork } from '../noc/flit/router.js';
import { multicastTree, type MulticastTree } from '../noc/flit/routing.js';
import { linkId, type LinkSlot, type Topology } from '../noc/topology.js';

/** Flit-network state of one run. */
export interface FlitNocState {
  readonly net: FlitNetwork;
  readonly spec: ArchNetwork;
  readonly cols: number;
  readonly trees: Map<string, MulticastTree>;
  /** Per packet id: payload bytes (DRAM writes absorb them on arrival). */
  payload: Float64Array;
}

/** A fresh flit network for `arch`'s NoCs. */
export function createFlitNoc(arch: ArchSpec): FlitNocState {
  const spec = archNocNetwork(arch);
  const net = new FlitNetwork(spec.geometry, spec.router, makeRng(0));
  return { net, spec, cols: arch.grid.cols, trees: new Map(), payload: new Float64Array(1024) };
}

/** Flits of a packet of `wireBytes` (header included). */
export function packetFlits(s: FlitNocState, wireBytes: number): number {
  return Math.max(1, Math.ceil(wireBytes / s.spec.flitBytes));
}

/** The (cached) multicast tree from `src` to `dsts` (node ids) on `plane`. */
export function flitTree(s: FlitNocState, plane: number, src: number, dsts: readonly number[]): MulticastTree {
  const key = `${plane}:${src}:${dsts.join(',')}`;
  let t = s.trees.get(key);
  if (t === undefined) {
    t = multicastTree(s.net.l, 'dor', plane, src, dsts);
    s.trees.set(key, t);
  }
  return t;
}

/** Queues one packet now; `tag` comes back in the network's delivery and injection callbacks. */
export function queueFlitPacket(s: FlitNocState, plane: number, src: number, dest: number | MulticastTree, wireBytes: number, payload: number, response: boolean, tag: number): void {
  const cls = response ? s.spec.responseClass : s.spec.requestClass;
  const id = s.net.send(plane, src, dest, packetFlits(s, wireBytes), cls, tag);
  if (id >= s.payload.length) {
    const grown = new Float64Array(Math.max(id + 1, s.payload.length * 2));
    grown.set(s.payload);
    s.payload = grown;
  }
  s.payload[id] = payload;
}

/**
 * Adds the flits each link carried to `busy` (noc/topology.ts link ids), in link cycles: a flit
 * takes flitBytes / linkBytesPerCycle cycles of its link.
 */
export function addFlitLinkBusy(s: FlitNocState, topo: Topology, arch: ArchSpec, busy: Float64Array): void {
  const l = s.net.l;
  const perFlit = s.spec.flitBytes / arch.noc.linkBytesPerCycle;
  for (let r = 0; r < l.routers; r++) {
    const plane = Math.floor(r / l.nodes), node = r % l.nodes;
    const at = { x: node % s.cols, y: Math.floor(node / s.cols) };
    for (let port = 0; port <= l.ports; port++) {
      const flits = s.net.linkFlits[r * (l.ports + 1) + port]!;
      if (flits === 0) continue;
      const id = linkId(topo, plane, at, port === l.ports ? 'inject' : port === l.local ? 'eject' : hopSlot(arch, plane, port));
      busy[id] = (busy[id] as number) + flits * perFlit;
    }
  }
}

/**
 * The topology slot of flit output port `port` (2d: the +d link, 2d+1: the -d link) of a router
 * on NoC `plane`: the NoC's own direction is slot x (y); on a mesh the other direction is xr (yr).
 */
function hopSlot(arch: ArchSpec, plane: number, port: number): LinkSlot {
  const axis = port < 2 ? 'x' : 'y';
  const inst = arch.noc.nocs[plane]!;
  const own = axis === 'x' ? inst.xDirection : inst.yDirection;
  const dir = port % 2 === 0 ? 1 : -1;
  if (dir === own) return axis;
  return axis === 'x' ? 'xr' : 'yr';
}
