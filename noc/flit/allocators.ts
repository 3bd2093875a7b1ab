// Separable iSLIP-1 allocators of the flit network's routers (BookSim's `islip`, one iteration,
// round-robin pointers that move only on an accepted grant). Switch allocation: each input port
// offers one VC per output port, each output grants one input, each input accepts one output; a
// multicast flit is also copied to every other output that granted it in the same cycle. VC
// allocation: every unallocated branch of a routed input VC asks for any free output VC in its
// class's range; each output VC grants one input VC, each input VC accepts one VC per branch.
import type { FlitNetwork } from './router.js';

const lowBit = (m: number): number => 31 - Math.clz32(m & -m);

/** Switch allocation and traversal for router r at cycle t. */
export function allocateSwitch(net: FlitNetwork, r: number, t: number): void {
  const l = net.l, P = l.ports, V = net.V, B = net.B, LOCAL = l.local;
  const rb = r * P * V, ob = r * (P + 1);
  const req = net.saReqVc, grantIn = net.saGrantIn, reqMask = net.saReqMask;
  const credits = net.credits, ivcState = net.ivcState, ivcAlloc = net.ivcAlloc, ivcSent = net.ivcSent;
  const bufVis = net.bufVis, bufHead = net.bufHead, brReady = net.brReady, brVc = net.brVc, portBusy = net.portBusy;
  const full = V === 32 ? -1 : (1 << V) - 1;
  let any = 0;
  for (let ip = 0; ip < P; ip++) {
    reqMask[ip] = 0;
    const busy = portBusy[r * P + ip]!;
    if (busy === 0) continue;
    const rowBase = ip * P;
    let rm = 0;
    const start = net.saInPtr[r * P + ip]!;
    // Busy VCs in round-robin order from the pointer: rotate the mask so bit 0 is VC `start`.
    let rot = start === 0 ? busy : ((busy >>> start) | (busy << (V - start))) & full;
    while (rot !== 0) {
      const j = lowBit(rot);
      rot &= rot - 1;
      let v = start + j;
      if (v >= V) v -= V;
      const iv = rb + ip * V + v;
      if (ivcState[iv] !== 1) continue;
      let avail = ivcAlloc[iv]! & ~ivcSent[iv]! & ~rm;
      if (avail === 0 || bufVis[iv * B + bufHead[iv]!]! > t) continue;
      while (avail !== 0) {
        const op = lowBit(avail);
        avail &= avail - 1;
        const bi = iv * P + op;
        if (brReady[bi]! > t || (credits[(ob + op) * V + brVc[bi]!]! <= 0 && net.pktTree[net.buf[iv * B + bufHead[iv]!]! >>> 9] === undefined)) continue;
        req[rowBase + op] = v;
        rm |= 1 << op;
      }
    }
    reqMask[ip] = rm;
    any |= rm;
  }
  if (any === 0) return;
  for (let op = 0; op < P; op++) {
    grantIn[op] = -1;
    if (!(any & (1 << op))) continue;
    const start = net.saOutPtr[r * P + op]!;
    for (let j = 0; j < P; j++) {
      let ip = start + j;
      if (ip >= P) ip -= P;
      if (reqMask[ip]! & (1 << op)) { grantIn[op] = ip; break; }
    }
  }
  const link = net.p.linkLatency;
  for (let ip = 0; ip < P; ip++) {
    const start = net.saAccPtr[r * P + ip]!;
    let op = -1;
    for (let j = 0; j < P; j++) {
      let o = start + j;
      if (o >= P) o -= P;
      if (grantIn[o] === ip) { op = o; break; }
    }
    if (op < 0) continue;
    net.saAccPtr[r * P + ip] = (op + 1) % P;
    net.saOutPtr[r * P + op] = (ip + 1) % P;
    const v = req[ip * P + op]!;
    net.saInPtr[r * P + ip] = (v + 1) % V;
    const iv = rb + ip * V + v;
    const flit = net.buf[iv * B + net.bufHead[iv]!]!;
    const pkt = flit >>> 9, fi = flit & 511;
    const tail = fi === net.pktLen[pkt]! - 1;
    const multicast = net.pktTree[pkt] !== undefined;
    let sendMask = 1 << op;
    if (net.ivcMask[iv] !== sendMask) {
      for (let o = 0; o < P; o++) {
        if (o !== op && grantIn[o] === ip && (reqMask[ip]! & (1 << o)) !== 0 && req[ip * P + o] === v) { sendMask |= 1 << o; net.saOutPtr[r * P + o] = (ip + 1) % P; }
      }
    }
    for (let m = sendMask; m !== 0; m &= m - 1) {
      const o = lowBit(m);
      const oidx = (ob + o) * V + net.brVc[iv * P + o]!;
      net.linkFlits[ob + o]!++;
      if (o === LOCAL) net.eject(r, pkt, fi, t);
      else {
        if (!multicast) credits[oidx] = credits[oidx]! - 1;
        net.pushFlit((net.l.nbr[r * P + o]! * P + (o ^ 1)) * V + net.brVc[iv * P + o]!, flit, t + net.dSwXbar + link);
        net.flitHops++;
      }
      if (tail && (o !== LOCAL || net.ivcMask[iv] === 1 << LOCAL)) net.freeLater.push(oidx);
    }
    net.lastProgress = t;
    const sent = net.ivcSent[iv]! | sendMask;
    if (sent !== net.ivcMask[iv]) { net.ivcSent[iv] = sent; continue; }
    net.ivcSent[iv] = 0;
    net.popFlit(iv, r);
    if (ip === LOCAL) net.addCredit((ob + P) * V + v, t + net.p.injectLatency);
    else if (!multicast) net.addCredit((l.up[r * P + ip]! * (P + 1) + (ip ^ 1)) * V + v, t + link + 1);
    if (tail) { net.ivcState[iv] = 0; net.ivcReady[iv] = t + 1; net.ivcMask[iv] = 0; net.ivcAlloc[iv] = 0; }
  }
}

/** VC allocation for router r at cycle t. */
export function allocateVcs(net: FlitNetwork, r: number, t: number): void {
  const P = net.l.ports, V = net.V, PV = P * V, rb = r * PV, ob = r * (P + 1);
  const reqs = net.vaReq;
  reqs.length = 0;
  for (let s = 0; s < PV; s++) {
    const busy = net.portBusy[r * P + ((s / V) | 0)]!;
    if (busy === 0) { s += V - 1 - (s % V); continue; }
    if (!(busy & (1 << (s % V)))) continue;
    const iv = rb + s;
    if (net.ivcState[iv] === 1 && net.ivcReady[iv]! <= t && net.ivcAlloc[iv] !== net.ivcMask[iv]) reqs.push(s);
  }
  if (reqs.length === 0) return;
  const grant = net.vaGrant;
  if (net.pktTreeCount > 0) allocateBranches(net, r, t, reqs);
  for (const s of reqs) {
    const iv = rb + s;
    const mask = net.ivcMask[iv]!;
    if (net.ivcAlloc[iv] === mask) continue;
    const need0 = mask & ~net.ivcAlloc[iv]!;
    if ((need0 & (need0 - 1)) !== 0) continue; // several branches: allocated all at once below
    for (let need = need0; need !== 0; need &= need - 1) {
      const op = lowBit(need);
      const bi = iv * P + op;
      for (let ov = net.brLo[bi]!; ov <= net.brHi[bi]!; ov++) {
        if (net.ovcBusy[(ob + op) * V + ov]) continue;
        const g = grant[op * V + ov]!;
        const start = net.vaOutPtr[(r * P + op) * V + ov]!;
        if (g < 0 || (s - start + PV) % PV < (g - start + PV) % PV) grant[op * V + ov] = s;
      }
    }
  }
  for (const s of reqs) {
    const iv = rb + s;
    let alloc = net.ivcAlloc[iv]!;
    const mask = net.ivcMask[iv]!;
    if (alloc === mask) continue;
    const need0 = mask & ~alloc;
    if ((need0 & (need0 - 1)) !== 0) continue;
    for (let need = mask & ~alloc; need !== 0; need &= need - 1) {
      const op = lowBit(need);
      const start = net.vaAccPtr[iv]!;
      for (let j = 0; j < V; j++) {
        const ov = (start + j) % V;
        if (grant[op * V + ov] !== s) continue;
        net.vaAccPtr[iv] = (ov + 1) % V;
        net.vaOutPtr[(r * P + op) * V + ov] = (s + 1) % PV;
        net.ovcBusy[(ob + op) * V + ov] = 1;
        net.brVc[iv * P + op] = ov; net.brReady[iv * P + op] = t + net.dVa;
        alloc |= 1 << op;
        break;
      }
    }
    net.ivcAlloc[iv] = alloc;
    if (alloc === net.ivcMask[iv]) net.rVaWait[r]!--;
  }
  for (const s of reqs) {
    for (let m = net.ivcMask[rb + s]!; m !== 0; m &= m - 1) {
      const op = lowBit(m);
      for (let ov = 0; ov < V; ov++) grant[op * V + ov] = -1;
    }
  }
}

/**
 * A multicast branching here takes a free VC on every branch at once, or none (holding one branch
 * while waiting for another could deadlock; separable grants could livelock). Requesters are served
 * round-robin from the router's multicast pointer, before the separable allocation of the rest.
 */
function allocateBranches(net: FlitNetwork, r: number, t: number, reqs: readonly number[]): void {
  const P = net.l.ports, V = net.V, PV = P * V, rb = r * PV, ob = r * (P + 1);
  const n = reqs.length;
  let first = reqs.findIndex((s) => s >= net.vaMcPtr[r]!);
  if (first < 0) first = 0;
  for (let k = 0; k < n; k++) {
    const s = reqs[(first + k) % n]!;
    const iv = rb + s;
    const mask = net.ivcMask[iv]!, alloc = net.ivcAlloc[iv]!;
    const need = mask & ~alloc;
    if ((need & (need - 1)) === 0) continue;
    let ok = true;
    for (let m = need; m !== 0 && ok; m &= m - 1) {
      const op = lowBit(m), bi = iv * P + op;
      ok = false;
      for (let ov = net.brLo[bi]!; ov <= net.brHi[bi]! && !ok; ov++) ok = !net.ovcBusy[(ob + op) * V + ov];
    }
    if (!ok) continue;
    for (let m = need; m !== 0; m &= m - 1) {
      const op = lowBit(m), bi = iv * P + op;
      let ov = net.brLo[bi]!;
      while (net.ovcBusy[(ob + op) * V + ov]) ov++;
      net.ovcBusy[(ob + op) * V + ov] = 1;
      net.brVc[bi] = ov; net.brReady[bi] = t + net.dVa;
    }
    net.ivcAlloc[iv] = mask;
    net.rVaWait[r]!--;
    net.vaMcPtr[r] = (s + 1) % PV;
  }
}
