// The flit-level network, modelled on BookSim2's `iq` router: input-queued VCs with credit flow
// control and wormhole switching; route computation, VC allocation and switch allocation one cycle
// each, then the crossbar and the link; separable iSLIP-1 round-robin allocators. Every flit written
// downstream carries the cycle it becomes visible, so the order routers are stepped in within a
// cycle never matters. Multicast packets carry a tree: a router allocates one output VC per branch
// and the crossbar copies a flit to every branch granted in the same cycle; the flit leaves its input
// buffer (and returns its credit) once every branch has taken it. State is flat typed arrays; a flit
// is an int (packet * 512 + index), packet ids are reused. A watchdog names the blocked channels if
// flits stop moving.
import { InternalError, SpatialcError } from '../../arch/errors.js';
import { layoutOf, type FlitGeometry, type FlitLayout } from './geometry.js';
import { allocateSwitch, allocateVcs } from './allocators.js';
import { deadlockError, injectFlits } from './sources.js';
import { classRange, freshRouteState, routeStep, routingClasses, type MulticastTree, type RoutingFunction } from './routing.js';
import type { Rng } from './rng.js';

export interface RouterParams {
  readonly numVcs: number;
  readonly vcBufSize: number;
  /** Router-to-router channel cycles (BookSim: mesh 1, torus 2). */
  readonly linkLatency: number;
  /** Cycles from a node writing a flit to it being visible at its router (BookSim: 2). */
  readonly injectLatency: number;
  /** Cycles from switch allocation to the flit being at the destination node, with one-cycle switch allocation and crossbar (BookSim: 3). */
  readonly ejectLatency: number;
  readonly routing: RoutingFunction;
  /** Router pipeline: cycles of route computation, VC allocation, switch allocation and crossbar (default 1 each, BookSim's iq). */
  readonly routingDelay?: number;
  readonly vcAllocDelay?: number;
  readonly swAllocDelay?: number;
  readonly crossbarDelay?: number;
  /** VC ranges [lo, hi] of the message classes (BookSim: one class, all VCs). */
  readonly messageClasses: readonly (readonly [number, number])[];
  /** Cycles without any flit moving, with flits in flight, before the run is declared deadlocked. */
  readonly watchdogCycles?: number;
}

export const MAX_PACKET_FLITS = 512;
const INF_CREDITS = 1 << 29;

export class FlitNetwork {
  readonly l: FlitLayout;
  readonly p: RouterParams;
  readonly V: number;
  readonly B: number;
  readonly classes: number;
  /** Pipeline delays resolved: RC, VA, and switch allocation + crossbar. */
  readonly dRc: number; readonly dVa: number; readonly dSwXbar: number;
  t = 0;
  // Input VCs (r * P + port) * V + v; port P-1 (local) is the injection channel's input.
  readonly buf: Int32Array; readonly bufVis: Int32Array; readonly bufHead: Int32Array; readonly bufCount: Int32Array;
  /** 0 idle (the head at the front needs routing), 1 routed. */
  readonly ivcState: Uint8Array; readonly ivcReady: Int32Array;
  /** Output ports the packet needs here, those with an output VC, those that took the front flit. */
  readonly ivcMask: Uint8Array; readonly ivcAlloc: Uint8Array; readonly ivcSent: Uint8Array;
  /** Per (input VC, output port): allowed VC range, allocated VC, cycle the branch may first send. */
  readonly brLo: Int8Array; readonly brHi: Int8Array; readonly brVc: Int8Array; readonly brReady: Int32Array;
  // Output VCs (r * (P + 1) + port) * V + v; port P is the node's injection channel.
  readonly ovcBusy: Uint8Array; readonly credits: Int32Array;
  readonly wheel: Int32Array; readonly wheelCount: Int32Array; readonly wheelSize: number; readonly wheelCap: number;
  readonly saInPtr: Int32Array; readonly saOutPtr: Int32Array; readonly saAccPtr: Int32Array;
  readonly vaOutPtr: Int32Array; readonly vaAccPtr: Int32Array; readonly vaMcPtr: Int32Array;
  readonly rFlits: Int32Array; readonly rVaWait: Int32Array;
  /** Bit r % 32 of word r >> 5 set while router r holds flits (stepped in index order). */
  readonly rActive: Int32Array;
  /** Per (router, input port): bit v set while input VC v holds flits (so idle VCs cost nothing). */
  readonly portBusy: Int32Array;
  /** Routers with queued packets, in first-queued order, and a flag per router. */
  readonly srcActive: number[] = []; readonly srcQueued: Uint8Array;
  /** Allocator scratch: per (input port, output port) the requesting VC; per output the granted input; per output VC the granted input VC. */
  readonly saReqVc: Int32Array; readonly saReqMask: Int32Array; readonly saGrantIn: Int32Array; readonly vaGrant: Int32Array; readonly vaReq: number[] = [];
  // Packets.
  cap = 0;
  pktLen: Int32Array = new Int32Array(0); pktDst: Int32Array = new Int32Array(0); pktCreate: Int32Array = new Int32Array(0); pktInject: Int32Array = new Int32Array(0);
  pktNext: Int32Array = new Int32Array(0); pktPending: Int32Array = new Int32Array(0); pktTag: Int32Array = new Int32Array(0);
  pktLo: Int8Array = new Int8Array(0); pktHi: Int8Array = new Int8Array(0);
  pktDim: Int8Array = new Int8Array(0); pktDir: Int8Array = new Int8Array(0); pktCls: Int8Array = new Int8Array(0); pktOrder: Int8Array = new Int8Array(0);
  pktTree: (MulticastTree | undefined)[] = [];
  /** Multicast packets queued or in flight. */
  pktTreeCount = 0;
  readonly freeIds: number[] = [];
  used = 0;
  // Source queues per router (plane x node).
  readonly qHead: Int32Array; readonly qTail: Int32Array; readonly injFlit: Int32Array; readonly injVc: Int32Array; readonly injLastVc: Int32Array;
  queuedPackets = 0;
  // Statistics.
  inflightFlits = 0; inflightCtimeSum = 0; ejectedFlits = 0; flitHops = 0; injectedFlits = 0;
  /** Flits sent per output (r * (P + 1) + port; port P = injection channel, local = ejection). */
  readonly linkFlits: Float64Array;
  lastProgress = 0;
  readonly freeLater: number[] = [];
  /**
   * Multicast flits beyond an input VC's buffer, as (flit, visible cycle) pairs. Multicast packets
   * move without credits and their output VCs are allocated for all branches at once, so a tree
   * blocked on one branch never holds buffers or VCs the others need (tree multicast under
   * wormhole switching deadlocks otherwise); the price is unbounded buffering at branch routers.
   */
  readonly overflow = new Map<number, number[]>();
  readonly rng: Rng;
  private readonly scratchState = freshRouteState();
  private readonly scratchOut = { cls: 0 };
  /** The tail of `pkt` reached `node` (visible there at `cycle`). */
  onDeliver: (pkt: number, node: number, cycle: number) => void = () => {};
  /** The tail of `pkt` entered the network at `cycle`. */
  onInjected: (pkt: number, cycle: number) => void = () => {};
  /** Every ejected flit (tests: delivered once, in order). */
  onFlit: ((pkt: number, idx: number, node: number) => void) | undefined;
  /** Called every cycle between the routers and injection (synthetic sources). */
  generate: ((t: number) => void) | undefined;

  constructor(geometry: FlitGeometry, params: RouterParams, rng: Rng) {
    const l = (this.l = layoutOf(geometry));
    this.p = params;
    this.rng = rng;
    const V = (this.V = params.numVcs), B = (this.B = params.vcBufSize);
    if (!(B >= 1)) throw new SpatialcError('E_USAGE', `network: a VC buffer must hold at least one flit, got ${B}`);
    if (!(V >= 1 && V <= 32)) throw new SpatialcError('E_USAGE', `network: expected 1 to 32 VCs, got ${V}`);
    if (params.routing === 'xy_yx' && geometry.wrap) throw new SpatialcError('E_USAGE', 'network: routing xy_yx is for meshes (use dor on a torus)');
    this.classes = routingClasses(l, params.routing);
    const delays = [params.routingDelay ?? 1, params.vcAllocDelay ?? 1, params.swAllocDelay ?? 1, params.crossbarDelay ?? 1];
    if (delays.some((d) => !Number.isInteger(d) || d < 1)) throw new SpatialcError('E_USAGE', `network: router pipeline delays must be whole cycles of at least 1, got ${delays.join(', ')}`);
    this.dRc = delays[0]!; this.dVa = delays[1]!; this.dSwXbar = delays[2]! + delays[3]!;
    const R = l.routers, P = l.ports;
    const NIV = R * P * V;
    this.buf = new Int32Array(NIV * B); this.bufVis = new Int32Array(NIV * B);
    this.bufHead = new Int32Array(NIV); this.bufCount = new Int32Array(NIV);
    this.ivcState = new Uint8Array(NIV); this.ivcReady = new Int32Array(NIV);
    this.ivcMask = new Uint8Array(NIV); this.ivcAlloc = new Uint8Array(NIV); this.ivcSent = new Uint8Array(NIV);
    this.brLo = new Int8Array(NIV * P); this.brHi = new Int8Array(NIV * P); this.brVc = new Int8Array(NIV * P); this.brReady = new Int32Array(NIV * P);
    this.ovcBusy = new Uint8Array(R * (P + 1) * V);
    this.credits = new Int32Array(R * (P + 1) * V);
    for (let r = 0; r < R; r++) for (let q = 0; q <= P; q++) for (let v = 0; v < V; v++) {
      this.credits[(r * (P + 1) + q) * V + v] = q === l.local ? INF_CREDITS : B;
    }
    const maxDelay = Math.max(params.linkLatency + 1, params.injectLatency, params.ejectLatency) + 2 + this.dSwXbar;
    let W = 8;
    while (W <= maxDelay) W *= 2;
    this.wheelSize = W; this.wheelCap = R * (P + 1) * V;
    this.wheel = new Int32Array(W * this.wheelCap); this.wheelCount = new Int32Array(W);
    this.saInPtr = new Int32Array(R * P); this.saOutPtr = new Int32Array(R * P); this.saAccPtr = new Int32Array(R * P);
    this.vaOutPtr = new Int32Array(R * P * V); this.vaAccPtr = new Int32Array(NIV); this.vaMcPtr = new Int32Array(R);
    this.rFlits = new Int32Array(R); this.rVaWait = new Int32Array(R); this.rActive = new Int32Array((R + 31) >> 5);
    this.portBusy = new Int32Array(R * P); this.srcQueued = new Uint8Array(R);
    this.saReqVc = new Int32Array(P * P).fill(-1); this.saGrantIn = new Int32Array(P); this.saReqMask = new Int32Array(P); this.vaGrant = new Int32Array(P * V).fill(-1);
    this.qHead = new Int32Array(R).fill(-1); this.qTail = new Int32Array(R).fill(-1);
    this.injFlit = new Int32Array(R); this.injVc = new Int32Array(R).fill(-1); this.injLastVc = new Int32Array(R).fill(V - 1);
    this.linkFlits = new Float64Array(R * (P + 1));
    for (const [lo, hi] of params.messageClasses) {
      if (!(lo >= 0 && hi < V && lo <= hi)) throw new SpatialcError('E_USAGE', `network: message class VCs ${lo}-${hi} outside 0-${V - 1}`);
    }
    this.grow();
  }

  private grow(): void {
    const n = Math.max(1024, this.cap * 2);
    const g32 = (a: Int32Array): Int32Array => { const b = new Int32Array(n); b.set(a); return b; };
    const g8 = (a: Int8Array): Int8Array => { const b = new Int8Array(n); b.set(a); return b; };
    this.pktLen = g32(this.pktLen); this.pktDst = g32(this.pktDst); this.pktCreate = g32(this.pktCreate); this.pktInject = g32(this.pktInject);
    this.pktNext = g32(this.pktNext); this.pktPending = g32(this.pktPending); this.pktTag = g32(this.pktTag);
    this.pktLo = g8(this.pktLo); this.pktHi = g8(this.pktHi); this.pktDim = g8(this.pktDim); this.pktDir = g8(this.pktDir);
    this.pktCls = g8(this.pktCls); this.pktOrder = g8(this.pktOrder);
    this.cap = n;
  }

  /** Queues a packet of `flits` at `src` of `plane` for `dest` (a node, or a multicast tree); returns its id. */
  send(plane: number, src: number, dest: number | MulticastTree, flits: number, messageClass: number, tag: number): number {
    if (!(flits >= 1 && flits <= MAX_PACKET_FLITS)) throw new InternalError(`flit network: packet of ${flits} flits (1-${MAX_PACKET_FLITS})`);
    let id = this.freeIds.pop();
    if (id === undefined) { if (this.used >= this.cap) this.grow(); id = this.used++; }
    const range = this.p.messageClasses[messageClass]!;
    const t = this.t;
    const dests = typeof dest === 'number' ? 1 : dest.destinations;
    this.pktLen[id] = flits; this.pktCreate[id] = t; this.pktNext[id] = -1; this.pktPending[id] = dests; this.pktTag[id] = tag;
    this.pktLo[id] = range[0]; this.pktHi[id] = range[1]; this.pktDim[id] = -1; this.pktDir[id] = 0; this.pktCls[id] = 0;
    this.pktOrder[id] = this.p.routing === 'xy_yx' ? this.rng.int(2) : 0;
    if (typeof dest === 'number') { this.pktDst[id] = dest; this.pktTree[id] = undefined; } else { this.pktDst[id] = -1; this.pktTree[id] = dest; this.pktTreeCount++; }
    const r = plane * this.l.nodes + src;
    if (!this.srcQueued[r]) { this.srcQueued[r] = 1; this.srcActive.push(r); }
    if (this.qTail[r]! < 0) this.qHead[r] = id; else this.pktNext[this.qTail[r]!] = id;
    this.qTail[r] = id;
    this.queuedPackets++;
    this.inflightFlits += flits * dests; this.inflightCtimeSum += flits * dests * t;
    return id;
  }

  /** True when no flit is queued or in flight. */
  idle(): boolean {
    return this.inflightFlits === 0;
  }

  /** Jumps an idle network to cycle `t` (pending credits are returned at once). */
  skipTo(t: number): void {
    if (t <= this.t) return;
    if (!this.idle()) throw new InternalError('flit network: skipTo while flits are in flight');
    for (let w = 0; w < this.wheelSize; w++) {
      for (let i = 0, n = this.wheelCount[w]!; i < n; i++) this.credits[this.wheel[w * this.wheelCap + i]!]!++;
      this.wheelCount[w] = 0;
    }
    this.t = t;
    this.lastProgress = t;
  }

  pushFlit(iv: number, flit: number, vis: number): void {
    const B = this.B, c = this.bufCount[iv]!;
    const router = (iv / (this.l.ports * this.V)) | 0;
    if (this.rFlits[router]!++ === 0) this.rActive[router >> 5] = this.rActive[router >> 5]! | (1 << (router & 31));
    const pv = (iv / this.V) | 0;
    this.portBusy[pv] = this.portBusy[pv]! | (1 << (iv - pv * this.V));
    if (c >= B) {
      // Only multicast flits travel without credits; they (and flits queued behind them) wait here.
      if (this.pktTree[flit >>> 9] === undefined && !this.holdsMulticast(iv)) throw new InternalError(`flit network: buffer overflow at input VC ${iv}`);
      let q = this.overflow.get(iv);
      if (q === undefined) this.overflow.set(iv, (q = []));
      q.push(flit, vis);
      return;
    }
    const slot = iv * B + ((this.bufHead[iv]! + c) % B);
    this.buf[slot] = flit; this.bufVis[slot] = vis; this.bufCount[iv] = c + 1;
  }

  private holdsMulticast(iv: number): boolean {
    if (this.overflow.has(iv)) return true;
    for (let i = 0; i < this.B; i++) if (this.pktTree[this.buf[iv * this.B + i]! >>> 9] !== undefined) return true;
    return false;
  }

  /** Removes the front flit of input VC `iv` (of router r), refilling from its overflow queue. */
  popFlit(iv: number, r: number): void {
    const B = this.B;
    this.bufHead[iv] = (this.bufHead[iv]! + 1) % B; this.bufCount[iv] = this.bufCount[iv]! - 1;
    if (--this.rFlits[r]! === 0) this.rActive[r >> 5] = this.rActive[r >> 5]! & ~(1 << (r & 31));
    const q = this.overflow.get(iv);
    if (q === undefined) {
      if (this.bufCount[iv] === 0) { const pv = (iv / this.V) | 0; this.portBusy[pv] = this.portBusy[pv]! & ~(1 << (iv - pv * this.V)); }
      return;
    }
    const c = this.bufCount[iv]!;
    const slot = iv * B + ((this.bufHead[iv]! + c) % B);
    this.buf[slot] = q.shift()!; this.bufVis[slot] = q.shift()!; this.bufCount[iv] = c + 1;
    if (q.length === 0) this.overflow.delete(iv);
  }

  addCredit(idx: number, at: number): void {
    const w = at % this.wheelSize;
    const c = this.wheelCount[w]!;
    this.wheel[w * this.wheelCap + c] = idx; this.wheelCount[w] = c + 1;
  }

  /** Route computation for the head flit of `pkt` at the front of input VC `iv` of router r. */
  route(iv: number, r: number, pkt: number): void {
    const l = this.l, P = l.ports;
    const plane = (r / l.nodes) | 0, node = r - plane * l.nodes;
    const tree = this.pktTree[pkt];
    const lo = this.pktLo[pkt]!, hi = this.pktHi[pkt]!;
    if (tree !== undefined) {
      const mask = tree.portMask[node]!;
      this.ivcMask[iv] = mask;
      for (let q = 0; q < P; q++) {
        if (!(mask & (1 << q))) continue;
        const [a, b] = classRange(lo, hi, this.classes, q === l.local ? 0 : tree.cls[node * P + q]!);
        this.brLo[iv * P + q] = a; this.brHi[iv * P + q] = b;
      }
      return;
    }
    const st = this.scratchState, out = this.scratchOut;
    st.dim = this.pktDim[pkt]!; st.dir = this.pktDir[pkt]!; st.cls = this.pktCls[pkt]!; st.order = this.pktOrder[pkt]!;
    const port = routeStep(l, this.p.routing, plane, node, this.pktDst[pkt]!, st, out, () => this.rng.int(2));
    this.pktDim[pkt] = st.dim; this.pktDir[pkt] = st.dir; this.pktCls[pkt] = st.cls;
    this.ivcMask[iv] = 1 << port;
    const [a, b] = port === l.local ? [lo, hi] : classRange(lo, hi, this.classes, out.cls);
    this.brLo[iv * P + port] = a; this.brHi[iv * P + port] = b;
  }

  /** A flit of `pkt` leaves router r through its local port at cycle t. */
  eject(r: number, pkt: number, idx: number, t: number): void {
    this.inflightFlits--; this.inflightCtimeSum -= this.pktCreate[pkt]!; this.ejectedFlits++;
    if (this.onFlit !== undefined) this.onFlit(pkt, idx, r % this.l.nodes);
    if (idx !== this.pktLen[pkt]! - 1) return;
    this.onDeliver(pkt, r % this.l.nodes, t + this.p.ejectLatency + this.dSwXbar - 2);
    const left = this.pktPending[pkt]! - 1;
    this.pktPending[pkt] = left;
    if (left === 0) {
      if (this.pktTree[pkt] !== undefined) { this.pktTree[pkt] = undefined; this.pktTreeCount--; }
      this.freeIds.push(pkt);
    }
  }

  /** Simulates cycle `t` and advances to the next. */
  step(): void {
    const t = this.t;
    const w = t % this.wheelSize;
    for (let i = 0, n = this.wheelCount[w]!; i < n; i++) this.credits[this.wheel[w * this.wheelCap + i]!]!++;
    this.wheelCount[w] = 0;
    const words = this.rActive;
    for (let w = 0; w < words.length; w++) {
      // Routers that hold flits at the start of the cycle, in index order (a router emptied during
      // the cycle is skipped; one filled now only has flits visible later).
      let bits = words[w]!;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const r = (w << 5) | b;
        if (this.rFlits[r] === 0) continue;
        allocateSwitch(this, r, t);
        if (this.rVaWait[r]! > 0) allocateVcs(this, r, t);
        this.routeHeads(r, t);
      }
    }
    for (const o of this.freeLater) this.ovcBusy[o] = 0;
    this.freeLater.length = 0;
    if (this.generate !== undefined) this.generate(t);
    if (this.queuedPackets > 0) injectFlits(this, t);
    this.t = t + 1;
    const dog = this.p.watchdogCycles ?? 20000;
    if (this.inflightFlits > 0 && t - this.lastProgress > dog) throw deadlockError(this, t, dog);
  }

  private routeHeads(r: number, t: number): void {
    const P = this.l.ports, V = this.V, PV = P * V, rb = r * PV, B = this.B;
    for (let s = 0; s < PV; s++) {
      const busy = this.portBusy[r * P + ((s / V) | 0)]!;
      if (busy === 0) { s += V - 1 - (s % V); continue; }
      if (!(busy & (1 << (s % V)))) continue;
      const iv = rb + s;
      if (this.ivcState[iv] !== 0 || this.ivcReady[iv]! > t) continue;
      const slot = iv * B + this.bufHead[iv]!;
      if (this.bufVis[slot]! > t) continue;
      const flit = this.buf[slot]!;
      if ((flit & (MAX_PACKET_FLITS - 1)) !== 0) throw new InternalError('flit network: body flit at the front of an idle VC');
      this.route(iv, r, flit >>> 9);
      // A multicast's local copy needs no exclusive ejection VC (the node takes it as it comes, so a
      // multicast blocked on another branch never holds its destinations' ejection ports): it is
      // granted with the route, usable once VC allocation would have granted it.
      const mask = this.ivcMask[iv]!, local = 1 << this.l.local;
      const copy = mask !== local && (mask & local) !== 0;
      if (copy) {
        const bl = iv * this.l.ports + this.l.local;
        this.brVc[bl] = this.brLo[bl]!; this.brReady[bl] = t + this.dRc + this.dVa;
      }
      this.ivcAlloc[iv] = copy ? local : 0; this.ivcSent[iv] = 0;
      this.ivcState[iv] = 1; this.ivcReady[iv] = t + this.dRc; this.rVaWait[r]!++;
    }
  }
}
