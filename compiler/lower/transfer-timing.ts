// How long the builder predicts a transfer takes, and which NoC and DRAM endpoint tiles it takes:
// each DRAM channel and NoC link has its predicted load over time (bucketed bookings,
// channel-load.ts), and a transfer is served in the spare time of every channel and link it uses.
// A transfer is weighed on each NoC without booking (a peek), then booked once on the NoC it is
// predicted to finish first on. Bookings can be taken back (mark / rollback) for trial lowerings.

import type { ArchSpec, Coord } from '../../arch/spec.js';
import { buildTopology, hopCount, type Topology } from '../../noc/topology.js';
import { channelBytesPerCycle } from '../../noc/dram-channel.js';
import { dramHops } from '../../noc/dram-endpoint.js';
import { createNocState, multicastRoute, unicastRoute, type NocState } from '../../noc/packet-model.js';
import { ChannelLoad } from './channel-load.js';
import { channelHops, interleavedDramNocs } from './dram-noc.js';

/** NoC state per arch, used only for its route caches: builders of one arch share the routes they build. */
const routeCaches = new WeakMap<ArchSpec, NocState>();

function routesFor(arch: ArchSpec, linkCount: number): NocState {
  let s = routeCaches.get(arch);
  if (s === undefined) {
    s = createNocState(arch, new Float64Array(linkCount));
    routeCaches.set(arch, s);
  }
  return s;
}

/** Where the bookings were at a mark (TransferTiming.mark). */
export interface TimingMark {
  readonly channelLoad: number;
  readonly linkLoad: number;
}

/** A booked send: its NoC, its predicted length, and how long it holds its engine (posted writes). */
export interface SendTiming {
  readonly noc: number;
  readonly cycles: number;
  readonly issue: number;
}

export class TransferTiming {
  private readonly arch: ArchSpec;
  private readonly cores: readonly Coord[];
  private readonly topo: Topology;
  private readonly channelBytesPerCycle: number[];
  private readonly channelLoad: ChannelLoad;
  /** Predicted busy time of each NoC link (the same bucketed bookings as the DRAM channels'). */
  private readonly linkLoad: ChannelLoad;
  /** Per (core, NoC, channel, direction): its endpoint tiles nearest first (tilesByHops). */
  private readonly tileOrder: ({ order: readonly number[]; hopsOf: readonly number[] } | undefined)[] = [];
  /** Routes only (shared by every builder of the arch: routesFor). */
  private readonly noc: NocState;
  private interleaved: { read: number; write: number } | undefined;

  constructor(arch: ArchSpec, cores: readonly Coord[]) {
    this.arch = arch;
    this.cores = cores;
    this.topo = buildTopology(arch);
    this.channelBytesPerCycle = channelBytesPerCycle(arch);
    this.channelLoad = new ChannelLoad(this.channelBytesPerCycle.length);
    this.linkLoad = new ChannelLoad(this.topo.linkCount);
    this.noc = routesFor(arch, this.topo.linkCount);
  }

  /** A mark to roll the bookings back to. */
  mark(): TimingMark {
    return { channelLoad: this.channelLoad.mark(), linkLoad: this.linkLoad.mark() };
  }

  /** Forgets every booking made since `m`. */
  rollback(m: TimingMark): void {
    this.channelLoad.rollback(m.channelLoad);
    this.linkLoad.rollback(m.linkLoad);
  }

  /** Forgets how to roll back past this point (the bookings' logs start afresh). */
  commit(): void {
    this.channelLoad.commit();
    this.linkLoad.commit();
  }

  /**
   * Books a send of `bytes` from `core` to `dsts` begun at `start`. Its packets share each link of
   * its routes with what else the prediction has on it; it takes the NoC it is predicted to finish
   * first on (ties: fewer hops), not simply the shorter route.
   */
  bookSend(core: number, dsts: readonly number[], bytes: number, multicast: boolean, start: number): SendTiming {
    const src = this.cores[core]!;
    const hops: number[] = [];
    let fewest = 0;
    for (let n = 0; n < this.topo.nocs.length; n++) {
      let worst = 0;
      for (const d of dsts) worst = Math.max(worst, hopCount(this.topo, n, src, this.cores[d]!) ?? Infinity);
      hops.push(worst);
      if (worst < hops[fewest]!) fewest = n;
    }
    const copies = multicast ? 1 : dsts.length;
    const niu = this.arch.noc.niuLatencyCycles;
    const cycles = this.wireCycles(bytes);
    const routes: (Int32Array[] | undefined)[] = [];
    const onNoc = (n: number, commit: boolean): { end: number; issue: number } => {
      let served = start;
      let injected = start;
      const links = (routes[n] ??= multicast
        ? [multicastRoute(this.noc, n, src, dsts.map((d) => this.cores[d]!)).links]
        : dsts.map((d) => unicastRoute(this.noc, n, src, this.cores[d]!).links));
      for (const route of links) {
        for (let i = 0; i < route.length; i++) {
          const t = commit ? this.linkLoad.book(route[i]!, start, cycles) : this.linkLoad.peek(route[i]!, start, cycles);
          if (t > served) served = t;
          if (i === 0 && t > injected) injected = t;
        }
      }
      const alone = this.transferCycles(hops[n]!, bytes * copies);
      const latency = this.transferCycles(hops[n]!, 0);
      return { end: Math.max(alone, Math.ceil(served - start) + latency), issue: Math.max(alone - latency, Math.ceil(injected - start)) + niu };
    };
    // Weighed on the shortest route first: when no other NoC could beat that even on idle links
    // (the common case), it is booked there; otherwise on the NoC predicted to finish first (ties:
    // fewer hops). A NoC whose idle bound reaches the shortest route's prediction is never picked.
    let noc = fewest;
    const shortest = onNoc(fewest, false).end;
    if (hops.some((h, n) => n !== fewest && h < Infinity && this.transferCycles(h, bytes * copies) < shortest)) {
      let bestEnd = Infinity;
      for (let n = 0; n < hops.length; n++) {
        if (!(hops[n]! < Infinity)) continue;
        const end = n === fewest ? shortest : onNoc(n, false).end;
        if (end < bestEnd || (end === bestEnd && hops[n]! < hops[noc]!)) {
          noc = n;
          bestEnd = end;
        }
      }
    }
    const r = onNoc(noc, true);
    return { noc, cycles: r.end, issue: r.issue };
  }

  /**
   * The NoC a DRAM transfer begun at `start` is predicted to finish first on, given the channel and
   * link load booked so far (ties: `preferred`, the choice for the traffic pattern or fewest hops).
   */
  bookDram(core: number, preferred: number, channelBytes: readonly number[], isRead: boolean, start: number): { noc: number; cycles: number; endpoints: number[] } {
    // Weighed on the preferred NoC first: when no other NoC could beat that even on idle links and
    // channels, it is booked there. Otherwise the first NoC predicted to finish earlier (ties:
    // preferred). A booking sees the links its earlier channels booked, so it is never quicker
    // than the prediction without them: a NoC whose idle bound reaches the preferred one's
    // prediction could not have been picked.
    const endpoints: number[] = [];
    let noc = preferred;
    let best = this.dramCycles(core, preferred, channelBytes, isRead, start, false);
    const rivals: number[] = [];
    for (let n = 0; n < this.topo.nocs.length; n++) {
      if (n !== preferred && this.dramCycles(core, n, channelBytes, isRead, start, false, true) < best) rivals.push(n);
    }
    for (const n of rivals) {
      const t = this.dramCycles(core, n, channelBytes, isRead, start, false);
      if (t < best) {
        best = t;
        noc = n;
      }
    }
    const cycles = this.dramCycles(core, noc, channelBytes, isRead, start, true, false, endpoints);
    return { noc, cycles, endpoints };
  }

  /** Cycles `bytes` (packetised, headers included) occupy one link. */
  private wireCycles(bytes: number): number {
    const noc = this.arch.noc;
    const packets = Math.max(1, Math.ceil(bytes / noc.maxPacketPayloadBytes));
    return (bytes + packets * noc.headerFlits * noc.flitBytes) / noc.linkBytesPerCycle;
  }

  /** Contention-free time of moving `bytes` over `hops` router hops (packetised, cut-through). */
  private transferCycles(hops: number, bytes: number): number {
    const noc = this.arch.noc;
    const packets = Math.max(1, Math.ceil(bytes / noc.maxPacketPayloadBytes));
    const wireBytes = bytes + packets * noc.headerFlits * noc.flitBytes;
    return 2 * noc.niuLatencyCycles + hops * noc.hopLatencyCycles + Math.ceil(wireBytes / noc.linkBytesPerCycle);
  }

  /**
   * Cycles of a DRAM transfer on NoC `noc` begun at `start`, at least the whole at one link's rate.
   * Each channel serves its bytes in its spare time from then on (channel-load.ts: weight streams
   * are bounded by the channels' bandwidth, not each read by its own), and they cross the links of
   * the route from the endpoint tile whose links are predicted least busy (its index goes into
   * `endpoints`; the first tile on ties). With `commit`, the channel and link time is booked; with
   * `idle`, everything is taken as idle (a lower bound; nothing is booked).
   */
  private dramCycles(core: number, noc: number, channelBytes: readonly number[], isRead: boolean, start: number, commit = true, idle = false, endpoints?: number[]): number {
    const arch = this.arch;
    const at = this.cores[core]!;
    let worst = 0;
    let total = 0;
    for (let ch = 0; ch < channelBytes.length; ch++) {
      const b = channelBytes[ch];
      if (b === undefined || b <= 0) continue;
      total += b;
      const cyc = b / this.channelBytesPerCycle[ch]!;
      const channelServed = idle ? start + cyc : commit ? this.channelLoad.book(ch, start, cyc) : this.channelLoad.peek(ch, start, cyc);
      const wire = this.wireCycles(b);
      const fixed = (isRead ? arch.dram.latencyCycles : 0) - start;
      let best = Infinity;
      let pick = -1;
      let pickLinks: Int32Array | undefined;
      const tiles = arch.dram.channels[ch]!.endpoints;
      const { order, hopsOf } = this.tilesByHops(core, noc, ch, isRead);
      for (const e of order) {
        const hops = hopsOf[e]!;
        if (hops === Infinity) continue;
        let served = Math.max(channelServed, start + wire);
        // On idle links this tile could not beat the best one so far: skip weighing its route.
        const bound = served + fixed + this.transferCycles(hops, 0);
        if (bound > best || (bound === best && e > pick)) continue;
        let links: Int32Array | undefined;
        if (!idle) {
          const ep = tiles[e]!;
          links = (isRead ? unicastRoute(this.noc, noc, ep, at) : unicastRoute(this.noc, noc, at, ep)).links;
          for (const l of links) served = Math.max(served, this.linkLoad.peek(l, start, wire));
        }
        const t = served + fixed + this.transferCycles(hops, 0);
        if (t < best || (t === best && e < pick)) {
          best = t;
          pick = e;
          pickLinks = links;
        }
      }
      if (pick < 0) {
        worst = Infinity; // no route on this NoC
        continue;
      }
      if (commit && !idle) for (const l of pickLinks!) this.linkLoad.book(l, start, wire);
      if (endpoints !== undefined) endpoints[ch] = pick;
      worst = Math.max(worst, best);
    }
    return Math.ceil(Math.max(worst, total / arch.noc.linkBytesPerCycle));
  }

  /** Per DRAM channel: the fewest router hops of a read from it to `core`, over NoCs and endpoint tiles (Infinity: none). */
  readHops(core: number): number[] {
    return this.arch.dram.channels.map((_, ch) => {
      let best = Infinity;
      for (let n = 0; n < this.topo.nocs.length; n++) {
        const { order, hopsOf } = this.tilesByHops(core, n, ch, true);
        if (order.length > 0) best = Math.min(best, hopsOf[order[0]!]!);
      }
      return best;
    });
  }

  /** A channel's endpoint tiles nearest first from `core` on `noc` (ties: list order), with their hops (cached). */
  private tilesByHops(core: number, noc: number, ch: number, isRead: boolean): { order: readonly number[]; hopsOf: readonly number[] } {
    const channels = this.arch.dram.channels;
    const key = ((core * this.topo.nocs.length + noc) * channels.length + ch) * 2 + (isRead ? 1 : 0);
    let hit = this.tileOrder[key];
    if (hit === undefined) {
      const at = this.cores[core]!;
      const tiles = channels[ch]!.endpoints;
      const hopsOf = tiles.map((_, e) => dramHops(this.topo, this.arch, ch, noc, at, isRead ? 'read' : 'write', e) ?? Infinity);
      hit = this.tileOrder[key] = { order: tiles.map((_, e) => e).sort((x, y) => hopsOf[x]! - hopsOf[y]! || x - y), hopsOf };
    }
    return hit;
  }

  /** The NoC a DRAM transfer prefers when both are as quick: for several channels the interleaved-pattern choice, else fewest hops. */
  dramNoc(core: number, channelBytes: readonly number[], isRead: boolean): number {
    const touched = channelBytes.filter((b) => b > 0).length;
    if (touched > 1) {
      this.interleaved ??= interleavedDramNocs(this.arch, this.topo, this.cores);
      return isRead ? this.interleaved.read : this.interleaved.write;
    }
    let best = 0;
    let bestCost = Infinity;
    for (let n = 0; n < this.topo.nocs.length; n++) {
      let cost = 0;
      channelBytes.forEach((b, ch) => { if (b > 0) cost += b * channelHops(this.arch, this.topo, this.cores[core]!, n, ch, isRead); });
      if (cost < bestCost) {
        best = n;
        bestCost = cost;
      }
    }
    return best;
  }
}
