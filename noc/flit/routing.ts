// Routing functions of the flit network: dimension-order routing in each plane's axis order, and
// BookSim's xy_yx (each packet picks X-first or Y-first at random; the VCs are split between the
// two orders). On a torus the VCs are split into two dateline classes:
// - bidirectional rings (BookSim's dim_order_torus): entering a dimension, the packet takes the
//   shorter way (a tie is a coin flip) and, if that way crosses the dateline between k-1 and 0,
//   the upper class for the whole dimension, else the lower one;
// - one-way rings (Wormhole): the upper class until the packet has crossed the dateline, the lower
//   one after it (a packet may travel k-1 hops, so "upper for the whole dimension" could deadlock).
// Multicast packets follow a tree: the union of the dimension-order routes from the source to every
// destination (each router is reached once), replicated where branches part.
import type { FlitLayout } from './geometry.js';

export type RoutingFunction = 'dor' | 'xy_yx';

/** Per-packet routing state, kept between hops. */
export interface RouteState {
  /** Dimension being travelled (-1 before the first hop). */
  dim: number;
  /** 0 the + port, 1 the - port. */
  dir: number;
  /** Routing class of the dimension (bidirectional torus). */
  cls: number;
  /** xy_yx: 0 X first, 1 Y first. */
  order: number;
}

export function freshRouteState(order = 0): RouteState {
  return { dim: -1, dir: 0, cls: 0, order };
}

/** Routing classes a function needs on a layout (each takes its share of a message class's VCs). */
export function routingClasses(l: FlitLayout, fn: RoutingFunction): number {
  return fn === 'xy_yx' || l.geometry.wrap ? 2 : 1;
}

/**
 * The output port at `node` of `plane` for a packet to `dest`; sets `out.cls` to the routing class
 * of that hop. `tie` breaks exact half-ring ties on bidirectional tori (0 or 1).
 */
export function routeStep(l: FlitLayout, fn: RoutingFunction, plane: number, node: number, dest: number, st: RouteState, out: { cls: number }, tie: () => number): number {
  const n = l.n, coord = l.coord;
  const p = l.geometry.planes[plane]!;
  const order = fn === 'xy_yx' && st.order === 1 ? [...p.axisOrder].reverse() : p.axisOrder;
  let dim = -1;
  for (let i = 0; i < n; i++) {
    const d = order[i]!;
    if (coord[node * n + d] !== coord[dest * n + d]) { dim = d; break; }
  }
  if (dim < 0) { out.cls = 0; return l.local; }
  const c = coord[node * n + dim]!, dc = coord[dest * n + dim]!;
  if (!l.geometry.wrap) {
    out.cls = fn === 'xy_yx' ? st.order : 0;
    return 2 * dim + (dc > c ? 0 : 1);
  }
  const k = l.geometry.dims[dim]!;
  const way = p.direction[dim]!;
  if (way !== 0) {
    const dir = way > 0 ? 0 : 1;
    out.cls = (dir === 0 && c > dc) || (dir === 1 && c < dc) ? 1 : 0;
    return 2 * dim + dir;
  }
  if (st.dim !== dim) {
    st.dim = dim;
    const fwd = (dc - c + k) % k;
    st.dir = fwd * 2 < k ? 0 : fwd * 2 > k ? 1 : tie();
    st.cls = (st.dir === 0 && c > dc) || (st.dir === 1 && c < dc) ? 1 : 0;
  }
  out.cls = st.cls;
  return 2 * dim + st.dir;
}

/** The VCs [lo, hi] of routing class `cls` of `classes` within a message class's VCs [lo, hi] (BookSim's split). */
export function classRange(lo: number, hi: number, classes: number, cls: number): [number, number] {
  if (classes === 1) return [lo, hi];
  const half = (hi - lo + 1) >> 1;
  return cls === 0 ? [lo, hi - half] : [lo + half, hi];
}

/** A multicast tree over one plane: output ports and classes per router. */
export interface MulticastTree {
  readonly plane: number;
  /** Bit mask of output ports at each node of the plane (bit `local` = deliver here). */
  readonly portMask: Uint8Array;
  /** Routing class per (node, port). */
  readonly cls: Int8Array;
  readonly destinations: number;
}

/** The dimension-order multicast tree from `src` to each of `dests` (distinct nodes) on `plane`. */
export function multicastTree(l: FlitLayout, fn: RoutingFunction, plane: number, src: number, dests: readonly number[]): MulticastTree {
  const portMask = new Uint8Array(l.nodes);
  const cls = new Int8Array(l.nodes * l.ports);
  const out = { cls: 0 };
  const uniq = [...new Set(dests)];
  for (const d of uniq) {
    const st = freshRouteState(0);
    let at = src;
    for (let hops = 0; ; hops++) {
      const port = routeStep(l, fn === 'xy_yx' ? 'dor' : fn, plane, at, d, st, out, () => 0);
      portMask[at] = portMask[at]! | (1 << port);
      // A hop shared by several destinations takes the upper class if any of them needs it: on a
      // one-way ring a destination beyond the dateline keeps the upper class until the crossing,
      // so a nearer one on the same hops must not drop the packet into the lower class before it
      // (a lower-class VC waiting for an upper-class one closes the ring's dependency cycle).
      cls[at * l.ports + port] = Math.max(cls[at * l.ports + port]!, out.cls);
      if (port === l.local) break;
      at = l.nbr[(plane * l.nodes + at) * l.ports + port]! - plane * l.nodes;
      if (hops > l.nodes) throw new Error('multicast route does not terminate');
    }
  }
  return { plane, portMask, cls, destinations: uniq.length };
}

/** The nodes of the box lo..hi (inclusive per dimension), for multicast to a rectangle. */
export function boxNodes(l: FlitLayout, lo: readonly number[], hi: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < l.nodes; i++) {
    let inside = true;
    for (let d = 0; d < l.n; d++) {
      const c = l.coord[i * l.n + d]!;
      if (c < lo[d]! || c > hi[d]!) { inside = false; break; }
    }
    if (inside) out.push(i);
  }
  return out;
}
