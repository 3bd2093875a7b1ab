// BookSim2's measurement method on the flit network: Bernoulli sources with infinite queues,
// warm-up periods, sample periods until latency and accepted rate change by less than the stopping
// thresholds three periods running (or max_samples: saturated), then a drain of the packets created
// while measuring. Latencies are tail-arrival minus creation (packet) and minus injection (network).
import { InternalError } from '../../arch/errors.js';
import { checkDeadlockFree } from './cdg.js';
import type { FlitGeometry } from './geometry.js';
import { makeRng } from './rng.js';
import { FlitNetwork, type RouterParams } from './router.js';
import { trafficDest, type Traffic } from './traffic.js';

export interface FlitNetConfig {
  readonly geometry: FlitGeometry;
  readonly router: RouterParams;
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

export interface MeasureOptions {
  /** Instead of random traffic: these packets only, run until all are delivered. */
  readonly singlePackets?: readonly { src: number; dst: number; cycle: number }[];
  /** Skip the channel-dependency check (already done for this network). */
  readonly checked?: boolean;
  /** Called for every ejected flit with the packet's sequence number (single packets: its index). */
  readonly onFlit?: (seq: number, idx: number, node: number) => void;
}

/** The plane with the fewest hops from src to dst (ties: the lower plane). */
function planeFor(net: FlitNetwork, src: number, dst: number): number {
  const l = net.l;
  const planes = l.geometry.planes.length;
  if (planes === 1) return 0;
  let best = 0, bestHops = Infinity;
  for (let p = 0; p < planes; p++) {
    let h = 0;
    for (let d = 0; d < l.n; d++) {
      const k = l.geometry.dims[d]!, a = l.coord[src * l.n + d]!, b = l.coord[dst * l.n + d]!;
      const way = l.geometry.planes[p]!.direction[d]!;
      h += way > 0 ? (b - a + k) % k : way < 0 ? (a - b + k) % k : l.geometry.wrap ? Math.min((b - a + k) % k, (a - b + k) % k) : Math.abs(a - b);
    }
    if (h < bestHops) { best = p; bestHops = h; }
  }
  return best;
}

/** Simulates one injection rate with BookSim's measurement method. */
export function simulateFlitNetwork(cfg: FlitNetConfig, opts: MeasureOptions = {}): FlitNetResult & { injected: number } {
  if (!opts.checked) checkDeadlockFree({ geometry: cfg.geometry, routing: cfg.router.routing, messageClasses: cfg.router.messageClasses });
  const rng = makeRng(cfg.seed);
  const net = new FlitNetwork(cfg.geometry, cfg.router, rng);
  const N = net.l.nodes, L = cfg.packetSize;
  let platSum = 0, platCount = 0, nlatSum = 0, recordedOutstanding = 0, seq = 0;
  let state: 0 | 1 | 2 = 0; // warming up, running, draining
  const seqOf: number[] = [];
  net.onDeliver = (pkt, _node, te) => {
    const record = net.pktTag[pkt]! & 1;
    if (record || state === 0) {
      platSum += te - net.pktCreate[pkt]!; nlatSum += te - net.pktInject[pkt]!; platCount++;
      if (record) recordedOutstanding--;
    }
  };
  if (opts.onFlit) {
    const f = opts.onFlit;
    net.onFlit = (pkt, idx, node) => f(seqOf[pkt]!, idx, node);
  }
  const send = (src: number, dst: number, label = seq): void => {
    const record = state === 1 ? 1 : 0;
    if (record) recordedOutstanding++;
    const id = net.send(planeFor(net, src, dst), src, dst, L, 0, record);
    seqOf[id] = label;
    seq++;
  };
  const pGen = cfg.injectionRate / L;
  const dims = cfg.geometry.dims;
  if (opts.singlePackets) {
    const sp = opts.singlePackets;
    net.generate = (t) => { sp.forEach((p, i) => { if (p.cycle === t) send(p.src, p.dst, i); }); };
    state = 1;
    const last = Math.max(0, ...sp.map((p) => p.cycle));
    while (net.t <= last || recordedOutstanding > 0) {
      net.step();
      if (net.t > last + 100000) throw new InternalError('flit network: no progress');
    }
    return {
      avgPacketLatency: platSum / platCount, avgNetworkLatency: nlatSum / platCount,
      acceptedFlitsPerNodeCycle: net.ejectedFlits / (net.t * N), saturated: false, cycles: net.t,
      packetsMeasured: platCount, flitHops: net.flitHops, injected: net.injectedFlits,
    };
  }
  net.generate = () => {
    for (let n = 0; n < N; n++) if (rng.float() < pGen) send(n, trafficDest(cfg.traffic, n, dims, N, rng));
  };
  let phases = 0, converged = 0, prevLat = 0, prevAcc = 0, saturated = false;
  let statStart = 0, statEjected = 0, runStart = 0, runEjected = 0, runEnd = 0, runEndEjected = 0;
  while (phases < cfg.maxSamples && (state !== 1 || converged < 3)) {
    for (let i = 0; i < cfg.samplePeriod; i++) net.step();
    const t = net.t;
    const lat = (platSum + net.inflightFlits * t - net.inflightCtimeSum) / (platCount + net.inflightFlits || 1);
    const acc = (net.ejectedFlits - statEjected) / ((t - statStart) * N);
    const latChange = Math.abs((lat - prevLat) / lat), accChange = Math.abs((acc - prevAcc) / acc);
    prevLat = lat; prevAcc = acc;
    if (lat > cfg.latencyThres) { saturated = true; break; }
    if (state === 0) {
      if (phases + 1 >= cfg.warmupPeriods) {
        state = 1; platSum = 0; platCount = 0; nlatSum = 0;
        statStart = t; statEjected = net.ejectedFlits; runStart = t; runEjected = net.ejectedFlits;
      }
    } else if (latChange <= cfg.stoppingThres && accChange <= cfg.accStoppingThres) converged++;
    else converged = 0;
    phases++;
  }
  if (!saturated && converged < 3) saturated = true;
  runEnd = net.t; runEndEjected = net.ejectedFlits;
  if (!saturated) {
    state = 2;
    const limit = net.t + 100000;
    while (recordedOutstanding > 0) { net.step(); if (net.t > limit) { saturated = true; break; } }
  }
  if (state !== 2) { runEnd = net.t; runEndEjected = net.ejectedFlits; }
  return {
    avgPacketLatency: platCount ? platSum / platCount : NaN,
    avgNetworkLatency: platCount ? nlatSum / platCount : NaN,
    acceptedFlitsPerNodeCycle: (runEndEjected - runEjected) / (Math.max(1, runEnd - runStart) * N),
    saturated, cycles: net.t, packetsMeasured: platCount, flitHops: net.flitHops, injected: net.injectedFlits,
  };
}
