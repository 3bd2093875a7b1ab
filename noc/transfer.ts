// One data-movement task (a send, a DRAM read or a DRAM write) as packet streams over the
// packet-level NoC model (packet-model.ts) and the DRAM channels (dram-channel.ts).
//
// planStreams opens a task's streams: one per unicast destination or multicast tree, one per DRAM
// channel. The simulator's event loop moves their packets against every other task's traffic.
// timeTransfer times a task alone, on empty links and channels: this is the deterministic timing a
// compiler that owns the schedule relies on. If no other task uses the same link or channel at
// the same time, running the task in a full program gives exactly this timing. The spans it
// returns are what such a schedule reserves.

import type { ArchSpec, Coord } from '../arch/spec.js';
import { dramEndpoint } from './dram-endpoint.js';
import { absorbWrite, chooseEndpoint, createDramState, readReadyCycle, reserveRead, type DramState } from './dram-channel.js';
import { createNocState, multicastRoute, transmitPacket, unicastRoute, type NocState, type Route } from './packet-model.js';
import { buildTopology, hopCount, linkName, type LinkId } from './topology.js';

/** What a stream carries (numeric so it fits a typed array). */
export const STREAM_KIND = { send: 0, dramRead: 1, dramWrite: 2 } as const;
export type StreamKind = (typeof STREAM_KIND)[keyof typeof STREAM_KIND];

/** A data-movement task as the NoC sees it. */
export interface TransferDesc {
  readonly kind: 'send' | 'dram-read' | 'dram-write';
  readonly noc: number;
  /** The issuing core. */
  readonly core: Coord;
  /** Sends: destinations, whether one multicast tree serves them, bytes to each. */
  readonly dsts: readonly Coord[];
  readonly multicast: boolean;
  readonly bytes: number;
  /** DRAM transfers: bytes per channel (index = channel id). */
  readonly channelBytes: readonly number[];
  /** DRAM transfers: per channel, which of its endpoint tiles it uses (absent or 0: the preferred). */
  readonly endpoints?: readonly number[];
}

/** One stream of a task, opened at some cycle. */
export interface StreamPlan {
  readonly kind: StreamKind;
  readonly route: Route;
  readonly bytes: number;
  /** DRAM channel (-1 for sends) and, for reads, the fractional cycle the channel starts serving it. */
  readonly channel: number;
  readonly channelStartCycle: number;
  /** Cycle its first packet is ready. */
  readonly firstReady: number;
  readonly src: Coord;
  /** Unicast destination; undefined for a multicast tree. */
  readonly dst: Coord | undefined;
  /** The DRAM endpoint tile it uses (DRAM streams). */
  readonly endpoint: Coord | undefined;
}

/**
 * Opens the streams of a task started at `cycle`. DRAM reads queue on their channels now: the
 * request (one header flit, latency only) reaches the endpoint, the channel serves the bytes in
 * order, and each packet is ready once its last byte is read plus the access latency.
 */
export function planStreams(arch: ArchSpec, noc: NocState, dram: DramState, d: TransferDesc, cycle: number): StreamPlan[] {
  const out: StreamPlan[] = [];
  if (d.kind === 'send') {
    if (d.bytes <= 0 || d.dsts.length === 0) return out;
    const base = { kind: STREAM_KIND.send, bytes: d.bytes, channel: -1, channelStartCycle: 0, firstReady: cycle, src: d.core, endpoint: undefined };
    if (d.multicast) return [{ ...base, route: multicastRoute(noc, d.noc, d.core, d.dsts), dst: undefined }];
    for (const dst of d.dsts) out.push({ ...base, route: unicastRoute(noc, d.noc, d.core, dst), dst });
    return out;
  }
  d.channelBytes.forEach((bytes, channel) => {
    if (!(bytes > 0)) return;
    if (d.kind === 'dram-read') {
      const ep = chooseEndpoint(noc.topo, arch, channel, d.noc, d.core, 'read', d.endpoints?.[channel] ?? 0);
      const requestHops = hopCount(noc.topo, d.noc, d.core, ep.endpoint) ?? 0;
      const arrival = cycle + 2 * noc.niuLatencyCycles + requestHops * noc.hopLatencyCycles;
      const start = reserveRead(dram, channel, arrival, bytes);
      out.push({
        kind: STREAM_KIND.dramRead, route: unicastRoute(noc, d.noc, ep.endpoint, d.core), bytes, channel, channelStartCycle: start,
        firstReady: readReadyCycle(dram, channel, start, Math.min(bytes, noc.maxPayloadBytes)), src: ep.endpoint, dst: d.core, endpoint: ep.endpoint,
      });
    } else {
      const ep = dramEndpoint(arch, channel, d.endpoints?.[channel] ?? 0);
      out.push({
        kind: STREAM_KIND.dramWrite, route: unicastRoute(noc, d.noc, d.core, ep), bytes, channel, channelStartCycle: 0,
        firstReady: cycle, src: d.core, dst: ep, endpoint: ep,
      });
    }
  });
  return out;
}

/**
 * Cycles a core's engine spends issuing a DRAM read's requests: one request packet (a header flit,
 * one cycle on the core's injection link) per packet of payload, plus the NIU's latency. A posted
 * read (a prefetch: tt-metal's noc_async_read, waited on later by transaction id) holds its engine
 * only this long.
 */
export function readIssueCycles(arch: ArchSpec, channelBytes: readonly number[]): number {
  const noc = arch.noc;
  let requests = 0;
  for (const b of channelBytes) if (b > 0) requests += Math.ceil(b / noc.maxPacketPayloadBytes);
  return arch.noc.niuLatencyCycles + requests * noc.headerFlits;
}

/** True for a task whose engine goes on once it has issued its packets: a send (posted writes) or a posted read. */
export function releasesEarly(t: { readonly kind: string; readonly posted?: boolean }): boolean {
  return t.kind === 'send' || (t.kind === 'dram-read' && t.posted === true);
}

/** Payload and wire bytes (header included) of a stream's next packet, with `bytesLeft` to send. */
export function packetBytes(noc: NocState, bytesLeft: number): { payload: number; wire: number } {
  const payload = bytesLeft < noc.maxPayloadBytes ? bytesLeft : noc.maxPayloadBytes;
  return { payload, wire: payload + noc.headerBytes };
}

/** Moves one packet of a stream, ready at `ready`; returns the cycle it landed (a DRAM write: was stored). */
export function movePacket(noc: NocState, dram: DramState, s: Pick<StreamPlan, 'kind' | 'route' | 'channel'>, ready: number, payload: number, wire: number): number {
  const end = transmitPacket(noc, s.route, ready, wire);
  return s.kind === STREAM_KIND.dramWrite ? absorbWrite(dram, s.channel, end, payload) : end;
}

/**
 * The cycle a stream's next packet is ready, `done` bytes sent and `left` to go: a DRAM read's as
 * the channel reads it out, the others' once the previous packet's tail has left the core.
 */
export function nextPacketReady(noc: NocState, dram: DramState, s: Pick<StreamPlan, 'kind' | 'channel' | 'channelStartCycle'>, done: number, left: number): number {
  return s.kind === STREAM_KIND.dramRead
    ? readReadyCycle(dram, s.channel, s.channelStartCycle, done + Math.min(left, noc.maxPayloadBytes))
    : noc.lastInjectEndCycle;
}

/** Scratch NoC and DRAM state for timing tasks alone. */
export interface TransferModel {
  readonly arch: ArchSpec;
  readonly noc: NocState;
  readonly dram: DramState;
  /** Resource ids: links are 0..linkCount-1, DRAM channel c is linkCount + c. */
  readonly linkCount: number;
  readonly resources: number;
}

/** A model for timing tasks alone; link busy cycles accumulate into `linkBusyCycles` if given. */
export function createTransferModel(arch: ArchSpec, linkBusyCycles?: Float64Array): TransferModel {
  const noc = createNocState(arch, linkBusyCycles ?? new Float64Array(buildTopology(arch).linkCount));
  return { arch, noc, dram: createDramState(arch), linkCount: noc.topo.linkCount, resources: noc.topo.linkCount + arch.dram.channels.length };
}

/** The name of a resource of `m`'s spans: a NoC link or a DRAM channel. */
export function resourceName(m: TransferModel, r: number): string {
  return r < m.linkCount ? `link ${linkName(m.noc.topo, r as LinkId)}` : `DRAM channel ${r - m.linkCount}`;
}

/** A task timed alone from cycle 0. */
export interface TransferTiming {
  /** Cycle its last byte has landed (reads, sends) or been stored (writes). */
  readonly cycles: number;
  /**
   * Cycle the tail of its last packet left the issuing core (what a posted write holds its engine
   * for); a read's, once its requests are issued (readIssueCycles: what a posted read holds).
   */
  readonly issueCycles: number;
  /** Busy intervals as flat triples (resource, start, end), integer cycles, ends exclusive. */
  readonly spans: readonly number[];
  readonly streams: readonly StreamPlan[];
}

/** Called for every packet moved: its stream, payload and wire bytes. */
export type PacketHook = (stream: StreamPlan, payload: number, wire: number) => void;

/**
 * Times task `d` alone, starting at cycle 0 on idle links and channels. Streams move packets in
 * ready order (ties: stream order); busy intervals of one resource closer than `mergeGap` cycles
 * are reported as one span.
 */
export function timeTransfer(m: TransferModel, d: TransferDesc, mergeGap: number, onPacket?: PacketHook): TransferTiming {
  const noc = m.noc;
  noc.linkFreeCycle.fill(0);
  m.dram.channelFreeCycle.fill(0);
  const streams = planStreams(m.arch, noc, m.dram, d, 0);
  const left = streams.map((s) => s.bytes);
  const done = streams.map(() => 0);
  const ready = streams.map((s) => s.firstReady);
  const open = new Map<number, [number, number]>(); // resource -> current span
  const spans: number[] = [];
  const busy = (res: number, a: number, b: number) => {
    const cur = open.get(res);
    if (cur !== undefined && a <= cur[1] + mergeGap) { if (b > cur[1]) cur[1] = b; return; }
    if (cur !== undefined) spans.push(res, cur[0], cur[1]);
    open.set(res, [a, b]);
  };
  let end = 0;
  let issued = 0;
  for (;;) {
    let k = -1;
    for (let i = 0; i < streams.length; i++) if (left[i]! > 0 && (k < 0 || ready[i]! < ready[k]!)) k = i;
    if (k < 0) break;
    const s = streams[k]!;
    const { payload, wire } = packetBytes(noc, left[k]!);
    onPacket?.(s, payload, wire);
    const channelFree = s.kind === STREAM_KIND.dramWrite ? m.dram.channelFreeCycle[s.channel]! : 0;
    const t = movePacket(noc, m.dram, s, ready[k]!, payload, wire);
    const ser = Math.ceil(wire / noc.linkBytesPerCycle);
    for (let i = 0; i < s.route.links.length; i++) busy(s.route.links[i]!, noc.head[i]!, noc.head[i]! + ser);
    if (s.kind === STREAM_KIND.dramWrite) busy(m.linkCount + s.channel, Math.floor(Math.max(channelFree, t - payload / m.dram.bytesPerCycle[s.channel]!)), t);
    if (t > end) end = t;
    if (noc.lastInjectEndCycle > issued) issued = noc.lastInjectEndCycle;
    left[k]! -= payload;
    done[k]! += payload;
    if (left[k]! > 0) ready[k] = nextPacketReady(noc, m.dram, s, done[k]!, left[k]!);
  }
  for (const s of streams) {
    if (s.kind !== STREAM_KIND.dramRead) continue;
    busy(m.linkCount + s.channel, Math.floor(s.channelStartCycle), Math.ceil(s.channelStartCycle + s.bytes / m.dram.bytesPerCycle[s.channel]!));
  }
  for (const [res, [a, b]] of open) spans.push(res, a, b);
  if (d.kind === 'dram-read') issued = readIssueCycles(m.arch, d.channelBytes);
  return { cycles: end, issueCycles: issued, spans, streams };
}

/** The NoC description of a Program-like task on `coords`. */
export function transferOf(
  t: { readonly kind: 'send' | 'dram-read' | 'dram-write'; readonly core: number; readonly noc: number; readonly dsts?: readonly number[]; readonly multicast?: boolean; readonly bytes?: number; readonly channelBytes?: readonly number[]; readonly endpoints?: readonly number[] },
  coords: readonly Coord[],
): TransferDesc {
  return {
    kind: t.kind, noc: t.noc, core: coords[t.core]!,
    dsts: (t.dsts ?? []).map((c) => coords[c]!), multicast: t.multicast ?? false, bytes: t.bytes ?? 0, channelBytes: t.channelBytes ?? [], endpoints: t.endpoints,
  };
}
