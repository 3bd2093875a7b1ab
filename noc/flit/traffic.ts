// BookSim2's synthetic traffic patterns (traffic.cpp), for k-ary n-cubes with one node per router.
// Bit permutations (transpose, bitcomp, bitrev, shuffle) need a power-of-two node count;
// transpose also an even number of address bits. Digit permutations (tornado, neighbor) shift
// every dimension. Hotspot sends every packet to one of the hotspot nodes, weighted by rate.
import { SpatialcError } from '../../arch/errors.js';
import type { Rng } from './rng.js';

export const TRAFFIC_PATTERNS = ['uniform', 'transpose', 'bitcomp', 'bitrev', 'shuffle', 'tornado', 'neighbor', 'hotspot'] as const;
export type TrafficName = (typeof TRAFFIC_PATTERNS)[number];

export interface Traffic {
  readonly name: TrafficName;
  /** Hotspot nodes and their relative rates (hotspot only). */
  readonly hotspots?: readonly number[];
  readonly rates?: readonly number[];
}

/**
 * Parses `uniform`, `tornado`, `hotspot`, `hotspot({0,9})` or `hotspot({0,9},{3,1})` (BookSim's
 * syntax). A bare `hotspot` takes the node in the middle of the network.
 */
export function parseTraffic(text: string, nodes: number): Traffic {
  const m = /^([a-z]+)(?:\((.*)\))?$/.exec(text.replace(/\s+/g, ''));
  const name = m?.[1] as TrafficName | undefined;
  if (m === null || name === undefined || !TRAFFIC_PATTERNS.includes(name)) {
    throw new SpatialcError('E_USAGE', `traffic: expected one of ${TRAFFIC_PATTERNS.join(', ')}, got "${text}"`);
  }
  const pow2 = (nodes & (nodes - 1)) === 0;
  if (['transpose', 'bitcomp', 'bitrev', 'shuffle'].includes(name) && !pow2) {
    throw new SpatialcError('E_USAGE', `traffic ${name}: needs a power-of-two number of nodes, the network has ${nodes}`);
  }
  if (name === 'transpose' && Math.round(Math.log2(nodes)) % 2 !== 0) {
    throw new SpatialcError('E_USAGE', `traffic transpose: needs an even number of address bits, the network has ${nodes} nodes`);
  }
  if (name !== 'hotspot') {
    if (m[2] !== undefined) throw new SpatialcError('E_USAGE', `traffic ${name}: takes no parameters, got "${text}"`);
    return { name };
  }
  const lists = m[2] === undefined || m[2] === '' ? [] : [...m[2].matchAll(/\{([^}]*)\}/g)].map((x) => x[1]!.split(',').filter((s) => s !== '').map(Number));
  const hotspots = lists[0] ?? [nodes >> 1];
  const rates = lists[1] ?? hotspots.map(() => 1);
  if (hotspots.length === 0 || hotspots.some((h) => !Number.isInteger(h) || h < 0 || h >= nodes)) {
    throw new SpatialcError('E_USAGE', `traffic hotspot: hotspot nodes must be integers in 0-${nodes - 1}, got "${text}"`);
  }
  if (rates.length !== hotspots.length || rates.some((r) => !Number.isInteger(r) || r < 1)) {
    throw new SpatialcError('E_USAGE', `traffic hotspot: expected one positive integer rate per hotspot, got "${text}"`);
  }
  return { name, hotspots, rates };
}

/** Destination of a packet from `src` in a network of radix `dims` (dimension 0 fastest). */
export function trafficDest(tr: Traffic, src: number, dims: readonly number[], nodes: number, rng: Rng): number {
  const bits = Math.round(Math.log2(nodes));
  switch (tr.name) {
    case 'uniform': return rng.int(nodes);
    case 'transpose': {
      const shift = bits >> 1, lo = (1 << shift) - 1;
      return ((src >> shift) & lo) | ((src << shift) & (nodes - 1) & ~lo);
    }
    case 'bitcomp': return ~src & (nodes - 1);
    case 'bitrev': { let d = 0; for (let i = 0; i < bits; i++) if (src & (1 << i)) d |= 1 << (bits - 1 - i); return d; }
    case 'shuffle': { const s = src << 1; return (s & (nodes - 1)) | (s & nodes ? 1 : 0); }
    case 'tornado':
    case 'neighbor': {
      let off = 1, d = 0;
      for (const k of dims) {
        const shift = tr.name === 'tornado' ? ((k + 1) >> 1) - 1 : 1;
        d += off * ((Math.floor(src / off) % k + shift) % k);
        off *= k;
      }
      return d;
    }
    case 'hotspot': {
      const hs = tr.hotspots!, rates = tr.rates!;
      if (hs.length === 1) return hs[0]!;
      let pct = rng.int(rates.reduce((a, b) => a + b, 0));
      for (let i = 0; i < hs.length - 1; i++) { if (rates[i]! > pct) return hs[i]!; pct -= rates[i]!; }
      return hs[hs.length - 1]!;
    }
  }
}
