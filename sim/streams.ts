// Packet streams: the in-flight part of a data-movement task. A send has one stream per unicast
// destination (or one for a multicast tree), a DRAM read or write one per channel it touches.
// Streams live in a struct-of-arrays pool whose slots are reused, so millions of packets need no
// allocation in the hot loop.

import type { Route } from '../noc/packet-model.js';
import type { StreamKind } from '../noc/transfer.js';


/** The pool of stream slots. */
export interface StreamPool {
  task: Int32Array;
  kind: Uint8Array;
  channel: Int32Array;
  bytesLeft: Float64Array;
  /** Payload bytes already sent (DRAM reads: the stream's byte offset in its channel queue). */
  bytesDone: Float64Array;
  /** DRAM reads: the (fractional) cycle the channel starts serving the stream. */
  channelStartCycle: Float64Array;
  routes: (Route | undefined)[];
  /** Flit-level model: source and destination node (-1 for a multicast), NoC, packets in flight. */
  src: Int32Array;
  dst: Int32Array;
  plane: Uint8Array;
  outstanding: Int32Array;
  readonly freeSlots: number[];
  used: number;
}

/** An empty pool. */
export function createStreamPool(): StreamPool {
  const n = 256;
  return {
    task: new Int32Array(n),
    kind: new Uint8Array(n),
    channel: new Int32Array(n),
    bytesLeft: new Float64Array(n),
    bytesDone: new Float64Array(n),
    channelStartCycle: new Float64Array(n),
    routes: [],
    src: new Int32Array(n),
    dst: new Int32Array(n),
    plane: new Uint8Array(n),
    outstanding: new Int32Array(n),
    freeSlots: [],
    used: 0,
  };
}

/** Fields of a new stream. */
export interface StreamInit {
  readonly task: number;
  readonly kind: StreamKind;
  readonly route: Route;
  readonly bytes: number;
  readonly channel: number;
  readonly channelStartCycle: number;
  /** Source and destination node ids (y * cols + x; -1 for a multicast) and NoC. */
  readonly src: number;
  readonly dst: number;
  readonly plane: number;
}

/** Takes a free slot and fills it (slot numbers never influence results). */
export function openStream(p: StreamPool, init: StreamInit): number {
  let id = p.freeSlots.pop();
  if (id === undefined) {
    if (p.used === p.task.length) grow(p);
    id = p.used++;
  }
  p.task[id] = init.task;
  p.kind[id] = init.kind;
  p.channel[id] = init.channel;
  p.bytesLeft[id] = init.bytes;
  p.bytesDone[id] = 0;
  p.channelStartCycle[id] = init.channelStartCycle;
  p.routes[id] = init.route;
  p.src[id] = init.src;
  p.dst[id] = init.dst;
  p.plane[id] = init.plane;
  p.outstanding[id] = 0;
  return id;
}

/** Returns a finished stream's slot to the pool. */
export function closeStream(p: StreamPool, id: number): void {
  p.routes[id] = undefined;
  p.freeSlots.push(id);
}

function grow(p: StreamPool): void {
  const n = p.task.length * 2;
  const widen = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const b = make(n);
    b.set(a);
    return b;
  };
  p.task = widen(p.task, (k) => new Int32Array(k));
  p.kind = widen(p.kind, (k) => new Uint8Array(k));
  p.channel = widen(p.channel, (k) => new Int32Array(k));
  p.bytesLeft = widen(p.bytesLeft, (k) => new Float64Array(k));
  p.bytesDone = widen(p.bytesDone, (k) => new Float64Array(k));
  p.channelStartCycle = widen(p.channelStartCycle, (k) => new Float64Array(k));
  p.src = widen(p.src, (k) => new Int32Array(k));
  p.dst = widen(p.dst, (k) => new Int32Array(k));
  p.plane = widen(p.plane, (k) => new Uint8Array(k));
  p.outstanding = widen(p.outstanding, (k) => new Int32Array(k));
}
