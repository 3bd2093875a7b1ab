// Flit-level network simulator modelled on BookSim2's `iq` router (see
// ../shared/reference/booksim/README.md): k x k mesh (dor, X then Y) or torus (dim_order with two
// dateline VC classes), input-queued VCs, credit flow control, RC/VA/SA/crossbar one cycle each,
// separable iSLIP-1 round-robin allocators, Bernoulli sources with infinite queues, and BookSim's
// warm-up / sample / drain measurement. State lives in flat typed arrays; one flit is an int
// (packet * L + index). Every flit written downstream carries the cycle it becomes visible, so the
// order routers are stepped in within a cycle never matters.
import { InternalError } from '../../arch/errors.js';
import type { BooksimConfig } from './booksim-config.js';
import { makeRng, type Rng } from './rng.js';

export type Traffic = 'uniform' | 'transpose' | 'bitcomp' | 'bitrev' | 'shuffle' | 'tornado' | 'neighbor';

export interface FlitNetConfig {
  readonly topology: 'mesh' | 'torus';
  readonly k: number;
  readonly numVcs: number;
  readonly vcBufSize: number;
  readonly packetSize: number;
  /** Flits per node per cycle. */
  readonly injectionRate: number;
  readonly traffic: Traffic;
  readonly seed: number;
  readonly warmupPeriods: number;
  readonly samplePeriod: number;
  readonly maxSamples: number;
  readonly latencyThres: number;
  readonly stoppingThres: number;
  readonly accStoppingThres: number;
}

export interface FlitNetResult {
  readonly avgPacketLatency: number;
  readonly avgNetworkLatency: number;
  readonly acceptedFlitsPerNodeCycle: number;
  readonly saturated: boolean;
  readonly cycles: number;
  readonly packetsMeasured: number;
  readonly flitHops: number;
}

export function configFromBooksim(c: BooksimConfig): FlitNetConfig {
  return {
    topology: c['topology'] === 'torus' ? 'torus' : 'mesh',
    k: Number(c['k']), numVcs: Number(c['num_vcs']), vcBufSize: Number(c['vc_buf_size']),
    packetSize: Number(c['packet_size']), injectionRate: Number(c['injection_rate']),
    traffic: String(c['traffic']) as Traffic, seed: Number(c['seed']),
    warmupPeriods: Number(c['warmup_periods']), samplePeriod: Number(c['sample_period']),
    maxSamples: Number(c['max_samples']), latencyThres: Number(c['latency_thres']),
    stoppingThres: Number(c['stopping_thres']), accStoppingThres: Number(c['acc_stopping_thres']),
  };
}

const P = 5; // ports: 0 +x, 1 -x, 2 +y, 3 -y, 4 local (injection in / ejection out)
const LOCAL = 4;
const INF_CREDITS = 1 << 29;

/** Destination of a packet from `src` for a synthetic traffic pattern. */
export function trafficDest(traffic: Traffic, src: number, k: number, rng: Rng): number {
  const nodes = k * k;
  const bits = Math.round(Math.log2(nodes));
  const x = src % k, y = (src / k) | 0;
  switch (traffic) {
    case 'uniform': return rng.int(nodes);
    case 'transpose': return x * k + y;
    case 'bitcomp': return ~src & (nodes - 1);
    case 'bitrev': { let d = 0; for (let i = 0; i < bits; i++) if (src & (1 << i)) d |= 1 << (bits - 1 - i); return d; }
    case 'shuffle': return ((src << 1) | (src >> (bits - 1))) & (nodes - 1);
    case 'tornado': return y * k + ((x + Math.ceil(k / 2) - 1) % k);
    case 'neighbor': return y * k + ((x + 1) % k);
  }
}

/** Simulates one injection rate with BookSim's measurement method. */
export function simulateFlitNetwork(cfg: FlitNetConfig, opts: { maxPackets?: number; singlePackets?: readonly { src: number; dst: number; cycle: number }[] } = {}): FlitNetResult & { delivered: Int32Array; injected: number } {
  const { k, numVcs: V, vcBufSize: B, packetSize: L } = cfg;
  const torus = cfg.topology === 'torus';
  const N = k * k;
  const link = torus ? 2 : 1;
  const rng = makeRng(cfg.seed);
  const NIV = N * P * V; // input VCs; index (r*P+p)*V+v
  // Neighbour through output port p, or -1.
  const nbr = new Int32Array(N * P).fill(-1);
  for (let r = 0; r < N; r++) {
    const x = r % k, y = (r / k) | 0;
    if (torus || x < k - 1) nbr[r * P + 0] = y * k + ((x + 1) % k);
    if (torus || x > 0) nbr[r * P + 1] = y * k + ((x + k - 1) % k);
    if (torus || y < k - 1) nbr[r * P + 2] = ((y + 1) % k) * k + x;
    if (torus || y > 0) nbr[r * P + 3] = ((y + k - 1) % k) * k + x;
  }
  // Input buffers.
  const buf = new Int32Array(NIV * B);
  const bufVis = new Int32Array(NIV * B);
  const bufHead = new Int32Array(NIV);
  const bufCount = new Int32Array(NIV);
  // Input VC state: 0 idle (needs RC), 1 waiting VA, 2 active.
  const ivcState = new Uint8Array(NIV);
  const ivcReady = new Int32Array(NIV);
  const ivcOutPort = new Int8Array(NIV);
  const ivcVcLo = new Int8Array(NIV);
  const ivcVcHi = new Int8Array(NIV);
  const ivcOutVc = new Int8Array(NIV);
  // Output VCs (r*(P+1)+port)*V+v; port P is a node's injection channel into its router's local input.
  const ovcBusy = new Uint8Array(N * (P + 1) * V);
  const credits = new Int32Array(N * (P + 1) * V);
  for (let r = 0; r < N; r++) for (let p = 0; p <= P; p++) for (let v = 0; v < V; v++) {
    credits[(r * (P + 1) + p) * V + v] = p === LOCAL ? INF_CREDITS : B;
  }
  // Credit wheel.
  const W = 8;
  const wheel = new Int32Array(W * N * (P + 1));
  const wheelCount = new Int32Array(W);
  const wheelCap = N * (P + 1);
  // Allocator pointers.
  const saInPtr = new Int32Array(N * P); // per input port: next VC
  const saOutPtr = new Int32Array(N * P); // per output port: next input port
  const saAccPtr = new Int32Array(N * P); // per input port: next output port (iSLIP accept)
  const vaOutPtr = new Int32Array(N * P * V); // per output VC: next input VC (p*V+v)
  const vaAccPtr = new Int32Array(NIV); // per input VC: next output VC
  // Packets (growable).
  let cap = 1024;
  let pktCreate = new Int32Array(cap), pktInject = new Int32Array(cap), pktDst = new Int32Array(cap);
  let pktNext = new Int32Array(cap), pktRecord = new Uint8Array(cap), pktDim = new Int8Array(cap);
  let pktDir = new Int8Array(cap), pktWrap = new Uint8Array(cap);
  let numPkts = 0;
  const delivered: number[] = [];
  const grow = (): void => {
    cap *= 2;
    const g32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => { const b = new Int32Array(cap); b.set(a); return b; };
    const g8 = (a: Int8Array<ArrayBuffer>): Int8Array<ArrayBuffer> => { const b = new Int8Array(cap); b.set(a); return b; };
    const gu8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => { const b = new Uint8Array(cap); b.set(a); return b; };
    pktCreate = g32(pktCreate); pktInject = g32(pktInject); pktDst = g32(pktDst); pktNext = g32(pktNext);
    pktRecord = gu8(pktRecord); pktDim = g8(pktDim); pktDir = g8(pktDir); pktWrap = gu8(pktWrap);
  };
  // Source queues (linked lists of packets) and injection state.
  const qHead = new Int32Array(N).fill(-1), qTail = new Int32Array(N).fill(-1);
  const injFlit = new Int32Array(N); // next flit index of the head-of-queue packet
  const injVc = new Int32Array(N).fill(-1);
  const injLastVc = new Int32Array(N).fill(V - 1);
  // Statistics.
  let inflightFlits = 0, inflightCtimeSum = 0;
  let platSum = 0, platCount = 0, nlatSum = 0, acceptedFlits = 0, statStart = 0;
  let recordedOutstanding = 0, flitHops = 0, injectedFlits = 0;
  let state: 0 | 1 | 2 = 0; // warming up, running, draining
  let runAccepted = 0, runStart = 0, runEnd = 0;
  const pGen = cfg.injectionRate / L;

  const pushFlit = (iv: number, flit: number, vis: number): void => {
    const c = bufCount[iv]!;
    if (c >= B) throw new InternalError(`flit network: buffer overflow at input VC ${iv}`);
    const slot = iv * B + ((bufHead[iv]! + c) % B);
    buf[slot] = flit; bufVis[slot] = vis; bufCount[iv] = c + 1;
    rFlits[(iv / (P * V)) | 0]!++;
  };
  const addCredit = (idx: number, at: number): void => {
    const w = at % W;
    const c = wheelCount[w]!;
    if (c >= wheelCap) throw new InternalError('flit network: credit wheel overflow');
    wheel[w * wheelCap + c] = idx; wheelCount[w] = c + 1;
  };
  const newPacket = (src: number, dst: number, t: number): void => {
    if (numPkts >= cap) grow();
    const id = numPkts++;
    pktCreate[id] = t; pktDst[id] = dst; pktNext[id] = -1; pktDim[id] = -1; pktWrap[id] = 0;
    pktRecord[id] = state === 1 ? 1 : 0;
    if (state === 1) recordedOutstanding++;
    if (qTail[src]! < 0) qHead[src] = id; else pktNext[qTail[src]!] = id;
    qTail[src] = id;
    inflightFlits += L; inflightCtimeSum += L * t;
    delivered.push(0);
  };
  // Route computation for the head of packet `pkt` at router r: sets out port and VC range.
  const route = (iv: number, r: number, pkt: number): void => {
    const d = pktDst[pkt]!;
    const x = r % k, y = (r / k) | 0, dx = d % k, dy = (d / k) | 0;
    let port = LOCAL, lo = 0, hi = V - 1;
    if (x !== dx || y !== dy) {
      const dim = x !== dx ? 0 : 1;
      const c = dim === 0 ? x : y, dc = dim === 0 ? dx : dy;
      if (!torus) {
        port = dim * 2 + (dc > c ? 0 : 1);
      } else {
        if (pktDim[pkt] !== dim) {
          pktDim[pkt] = dim; pktWrap[pkt] = 0;
          const fwd = (dc - c + k) % k;
          const dir0 = fwd * 2 < k ? 0 : fwd * 2 > k ? 1 : rng.int(2);
          pktDir[pkt] = dir0;
          // BookSim's fixed dateline between k-1 and 0: a packet that will cross it uses the upper
          // VC class for the whole dimension, any other packet the lower one.
          pktWrap[pkt] = (dir0 === 0 && c > dc) || (dir0 === 1 && c < dc) ? 1 : 0;
        }
        const dir = pktDir[pkt]!;
        port = dim * 2 + dir;
        const half = V >> 1;
        if (pktWrap[pkt]) { lo = half; hi = V - 1; } else { lo = 0; hi = half - 1; }
      }
    }
    ivcOutPort[iv] = port; ivcVcLo[iv] = lo; ivcVcHi[iv] = hi;
  };

  // Per-router activity: buffered flits and VCs waiting for VC allocation (idle routers are skipped).
  const rFlits = new Int32Array(N);
  const rVaWait = new Int32Array(N);
  const vaReq: number[] = [];
  // Per-router scratch.
  const saReqVc = new Int32Array(P * P).fill(-1); // [in*P+out] -> chosen VC
  const saGrantIn = new Int32Array(P);
  const vaGrant = new Int32Array(P * V).fill(-1); // per output VC (p*V+v): granted input VC slot, -1
  const freeLater: number[] = [];

  const step = (t: number): void => {
    // Credits arriving now.
    const w = t % W;
    for (let i = 0, n = wheelCount[w]!; i < n; i++) credits[wheel[w * wheelCap + i]!]!++;
    wheelCount[w] = 0;
    for (let r = 0; r < N; r++) {
      const rb = r * P * V;
      if (rFlits[r] === 0) continue;
      // ---- Switch allocation (iSLIP, 1 iteration): input port -> candidate VC per output.
      let anyReq = false;
      for (let ip = 0; ip < P; ip++) {
        for (let op = 0; op < P; op++) saReqVc[ip * P + op] = -1;
        const start = saInPtr[r * P + ip]!;
        for (let j = 0; j < V; j++) {
          const v = (start + j) % V;
          const iv = rb + ip * V + v;
          if (ivcState[iv] !== 2 || ivcReady[iv]! > t || bufCount[iv] === 0) continue;
          if (bufVis[iv * B + bufHead[iv]!]! > t) continue;
          const op = ivcOutPort[iv]!;
          if (credits[(r * (P + 1) + op) * V + ivcOutVc[iv]!]! <= 0) continue;
          if (saReqVc[ip * P + op]! < 0) { saReqVc[ip * P + op] = v; anyReq = true; }
        }
      }
      if (anyReq) {
        // Grant: each output picks an input round-robin.
        for (let op = 0; op < P; op++) {
          saGrantIn[op] = -1;
          const start = saOutPtr[r * P + op]!;
          for (let j = 0; j < P; j++) {
            const ip = (start + j) % P;
            if (saReqVc[ip * P + op]! >= 0) { saGrantIn[op] = ip; break; }
          }
        }
        // Accept: each input picks one granting output round-robin.
        for (let ip = 0; ip < P; ip++) {
          const start = saAccPtr[r * P + ip]!;
          let op = -1;
          for (let j = 0; j < P; j++) {
            const o = (start + j) % P;
            if (saGrantIn[o] === ip) { op = o; break; }
          }
          if (op < 0) continue;
          saAccPtr[r * P + ip] = (op + 1) % P;
          saOutPtr[r * P + op] = (ip + 1) % P;
          const v = saReqVc[ip * P + op]!;
          saInPtr[r * P + ip] = (v + 1) % V;
          const iv = rb + ip * V + v;
          // Dequeue the flit.
          const slot = iv * B + bufHead[iv]!;
          const flit = buf[slot]!;
          bufHead[iv] = (bufHead[iv]! + 1) % B; bufCount[iv] = bufCount[iv]! - 1; rFlits[r]!--;
          // Credit back upstream.
          if (ip === LOCAL) addCredit((r * (P + 1) + P) * V + v, t + 2);
          else addCredit((nbr[r * P + ip]! * (P + 1) + (ip ^ 1)) * V + v, t + link + 1);
          const ov = ivcOutVc[iv]!;
          const oidx = (r * (P + 1) + op) * V + ov;
          credits[oidx] = credits[oidx]! - 1;
          const pkt = (flit / L) | 0, fi = flit - pkt * L;
          if (op === LOCAL) {
            // Ejected: visible at the node 3 cycles later (crossbar, ejection channel).
            const te = t + 3;
            credits[oidx] = credits[oidx]! + 1;
            inflightFlits--; inflightCtimeSum -= pktCreate[pkt]!;
            acceptedFlits++;
            if (state === 1 && t >= runStart) runAccepted++;
            delivered[pkt]!++;
            // As BookSim: every packet counts while warming up, then only those created while measuring.
            if (fi === L - 1 && (pktRecord[pkt] || state === 0)) {
              platSum += te - pktCreate[pkt]!; nlatSum += te - pktInject[pkt]!; platCount++;
              if (pktRecord[pkt]) recordedOutstanding--;
            }
          } else {
            const nr = nbr[r * P + op]!;
            pushFlit((nr * P + (op ^ 1)) * V + ov, flit, t + 2 + link);
            flitHops++;
          }
          if (fi === L - 1) { freeLater.push(oidx); ivcState[iv] = 0; ivcReady[iv] = t + 1; }
        }
      }
      // ---- VC allocation (iSLIP, 1 iteration) for heads routed before this cycle.
      if (rVaWait[r]! > 0) {
        vaReq.length = 0;
        for (let s = 0; s < P * V; s++) {
          const iv = rb + s;
          if (ivcState[iv] === 1 && ivcReady[iv]! <= t) vaReq.push(s);
        }
        if (vaReq.length > 0) {
          // Grant: each free output VC picks the requesting input VC next after its pointer.
          for (const s of vaReq) {
            const iv = rb + s;
            const op = ivcOutPort[iv]!;
            for (let ov = ivcVcLo[iv]!; ov <= ivcVcHi[iv]!; ov++) {
              if (ovcBusy[(r * (P + 1) + op) * V + ov]) continue;
              const g = vaGrant[op * V + ov]!;
              const start = vaOutPtr[(r * P + op) * V + ov]!;
              if (g < 0 || (s - start + P * V) % (P * V) < (g - start + P * V) % (P * V)) vaGrant[op * V + ov] = s;
            }
          }
          // Accept: each input VC takes one granting output VC, round-robin.
          for (const s of vaReq) {
            const iv = rb + s;
            const op = ivcOutPort[iv]!;
            const start = vaAccPtr[iv]!;
            for (let j = 0; j < V; j++) {
              const ov = (start + j) % V;
              if (vaGrant[op * V + ov] !== s) continue;
              vaAccPtr[iv] = (ov + 1) % V;
              vaOutPtr[(r * P + op) * V + ov] = (s + 1) % (P * V);
              ovcBusy[(r * (P + 1) + op) * V + ov] = 1;
              ivcOutVc[iv] = ov; ivcState[iv] = 2; ivcReady[iv] = t + 1; rVaWait[r]!--;
              break;
            }
          }
          for (const s of vaReq) {
            const op = ivcOutPort[rb + s]!;
            for (let ov = 0; ov < V; ov++) vaGrant[op * V + ov] = -1;
          }
        }
      }
      // ---- Route computation for heads now at the front of idle VCs.
      for (let s = 0; s < P * V; s++) {
        const iv = rb + s;
        if (ivcState[iv] !== 0 || ivcReady[iv]! > t || bufCount[iv] === 0) continue;
        const slot = iv * B + bufHead[iv]!;
        if (bufVis[slot]! > t) continue;
        const flit = buf[slot]!;
        const pkt = (flit / L) | 0;
        if (flit - pkt * L !== 0) throw new InternalError('flit network: body flit at the front of an idle VC');
        route(iv, r, pkt);
        ivcState[iv] = 1; ivcReady[iv] = t + 1; rVaWait[r]!++;
      }
    }
    for (const o of freeLater) ovcBusy[o] = 0;
    freeLater.length = 0;
    // ---- Sources: generate, then inject one flit per node.
    if (opts.singlePackets) {
      for (const sp of opts.singlePackets) if (sp.cycle === t) newPacket(sp.src, sp.dst, t);
    } else if (!(opts.maxPackets !== undefined && numPkts >= opts.maxPackets)) {
      for (let n = 0; n < N; n++) if (rng.float() < pGen) newPacket(n, trafficDest(cfg.traffic, n, k, rng), t);
    }
    for (let n = 0; n < N; n++) {
      const pkt = qHead[n]!;
      if (pkt < 0) continue;
      const fi = injFlit[n]!;
      const cb = (n * (P + 1) + P) * V;
      let v = injVc[n]!;
      if (fi === 0) {
        v = -1;
        for (let j = 1; j <= V; j++) {
          const c = (injLastVc[n]! + j) % V;
          if (!ovcBusy[cb + c] && credits[cb + c]! > 0) { v = c; break; }
        }
        if (v < 0) continue;
        injLastVc[n] = v; injVc[n] = v; ovcBusy[cb + v] = 1; pktInject[pkt] = t;
      } else if (credits[cb + v]! <= 0) continue;
      credits[cb + v] = credits[cb + v]! - 1;
      pushFlit((n * P + LOCAL) * V + v, pkt * L + fi, t + 2);
      injectedFlits++;
      if (fi === L - 1) {
        ovcBusy[cb + v] = 0; injVc[n] = -1; injFlit[n] = 0;
        qHead[n] = pktNext[pkt]!; if (qHead[n]! < 0) qTail[n] = -1;
      } else injFlit[n] = fi + 1;
    }
  };

  let t = 0;
  if (opts.singlePackets) {
    // Direct mode: run until every packet is delivered; latencies of all packets.
    state = 1; runStart = 0;
    const last = Math.max(0, ...opts.singlePackets.map((s) => s.cycle));
    while (t <= last || recordedOutstanding > 0) { step(t); t++; if (t > last + 100000) throw new InternalError('flit network: no progress'); }
    return {
      avgPacketLatency: platSum / platCount, avgNetworkLatency: nlatSum / platCount,
      acceptedFlitsPerNodeCycle: runAccepted / (t * N), saturated: false, cycles: t,
      packetsMeasured: platCount, flitHops, delivered: Int32Array.from(delivered), injected: injectedFlits,
    };
  }
  let phases = 0, converged = 0, prevLat = 0, prevAcc = 0, saturated = false;
  while (phases < cfg.maxSamples && (state !== 1 || converged < 3)) {
    for (let i = 0; i < cfg.samplePeriod; i++) { step(t); t++; }
    const lat = (platSum + inflightFlits * t - inflightCtimeSum) / (platCount + inflightFlits || 1);
    const acc = acceptedFlits / ((t - statStart) * N);
    const latChange = Math.abs((lat - prevLat) / lat), accChange = Math.abs((acc - prevAcc) / acc);
    prevLat = lat; prevAcc = acc;
    if (lat > cfg.latencyThres) { saturated = true; break; }
    if (state === 0) {
      if (phases + 1 >= cfg.warmupPeriods) {
        state = 1; platSum = 0; platCount = 0; nlatSum = 0; acceptedFlits = 0; statStart = t; runStart = t;
      }
    } else if (latChange <= cfg.stoppingThres && accChange <= cfg.accStoppingThres) converged++;
    else converged = 0;
    phases++;
  }
  if (!saturated && converged < 3) saturated = true;
  runEnd = t;
  if (!saturated) {
    state = 2;
    const limit = t + 100000;
    while (recordedOutstanding > 0) { step(t); t++; if (t > limit) { saturated = true; break; } }
  }
  return {
    avgPacketLatency: platCount ? platSum / platCount : NaN,
    avgNetworkLatency: platCount ? nlatSum / platCount : NaN,
    acceptedFlitsPerNodeCycle: runAccepted / (Math.max(1, runEnd - runStart) * N),
    saturated, cycles: t, packetsMeasured: platCount, flitHops, delivered: Int32Array.from(delivered), injected: injectedFlits,
  };
}
