// The network's edges: per-source injection (one flit per cycle into the router's local input VC,
// a packet's flits on one VC of its message class, round-robin over free VCs) and the watchdog's
// error naming the blocked channels. Split from router.ts; both act on a FlitNetwork's state.
import { SpatialcError } from '../../arch/errors.js';
import { nodeName, portName } from './geometry.js';
import { MAX_PACKET_FLITS, type FlitNetwork } from './router.js';

/** Moves one flit per source (plane x node) into its router's local input, if a VC and credit allow. */
export function injectFlits(net: FlitNetwork, t: number): void {
  const l = net.l, P = l.ports, V = net.V;
  const active = net.srcActive;
  let kept = 0;
  for (let i = 0; i < active.length; i++) {
    const r = active[i]!;
    const pkt = net.qHead[r]!;
    if (pkt < 0) { net.srcQueued[r] = 0; continue; }
    active[kept++] = r;
    const fi = net.injFlit[r]!;
    const cb = (r * (P + 1) + P) * V;
    let v = net.injVc[r]!;
    if (fi === 0) {
      const lo = net.pktLo[pkt]!, n = net.pktHi[pkt]! - lo + 1;
      v = -1;
      for (let j = 1; j <= n; j++) {
        const c = lo + ((net.injLastVc[r]! - lo + j + n * 64) % n);
        if (!net.ovcBusy[cb + c] && net.credits[cb + c]! > 0) { v = c; break; }
      }
      if (v < 0) continue;
      net.injLastVc[r] = v; net.injVc[r] = v; net.ovcBusy[cb + v] = 1; net.pktInject[pkt] = t;
    } else if (net.credits[cb + v]! <= 0) continue;
    net.credits[cb + v] = net.credits[cb + v]! - 1;
    net.pushFlit((r * P + l.local) * V + v, pkt * MAX_PACKET_FLITS + fi, t + net.p.injectLatency);
    net.injectedFlits++; net.linkFlits[r * (P + 1) + P]!++; net.lastProgress = t;
    if (fi === net.pktLen[pkt]! - 1) {
      net.ovcBusy[cb + v] = 0; net.injVc[r] = -1; net.injFlit[r] = 0;
      net.qHead[r] = net.pktNext[pkt]!; if (net.qHead[r]! < 0) net.qTail[r] = -1;
      net.queuedPackets--;
      net.onInjected(pkt, t);
    } else net.injFlit[r] = fi + 1;
  }
  active.length = kept;
}

/** The watchdog's error: the first blocked input VCs and what each waits for. */
export function deadlockError(net: FlitNetwork, t: number, dog: number): SpatialcError {
  const l = net.l, P = l.ports, V = net.V, B = net.B;
  const blocked: string[] = [];
  for (let iv = 0; iv < l.routers * P * V && blocked.length < 6; iv++) {
    if (net.bufCount[iv] === 0) continue;
    const v = iv % V, port = ((iv - v) / V) % P, r = Math.floor(iv / (P * V));
    const plane = Math.floor(r / l.nodes);
    const pkt = net.buf[iv * B + net.bufHead[iv]!]! >>> 9;
    const where = `${l.geometry.planes.length > 1 ? `${l.geometry.planes[plane]!.name} ` : ''}${nodeName(l, r % l.nodes)}`;
    const want: string[] = [];
    for (let q = 0; q < P; q++) if (net.ivcMask[iv]! & (1 << q)) want.push(portName(l, q));
    blocked.push(`${where} in ${portName(l, port)} vc${v} (packet to ${net.pktDst[pkt]! >= 0 ? nodeName(l, net.pktDst[pkt]!) : 'multicast'} waits for ${want.join('+') || 'routing'})`);
  }
  return new SpatialcError('E_DEADLOCK', `network: no flit moved for ${dog} cycles (cycle ${t}, ${net.inflightFlits} flits in flight); blocked: ${blocked.join('; ')}`);
}
