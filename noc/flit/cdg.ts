// Deadlock check before a run: the channel dependency graph (Dally & Seitz). A node is one router
// output link with the VC range a routing class may use on it; an edge joins consecutive hops of a
// route. Routes are enumerated for every source and destination (and both outcomes of every coin
// flip), so a cycle means some set of packets can wait on each other forever: the run is refused
// with the cycle named. Ranges of one link that overlap (a class with no VC of its own) are merged,
// which keeps the check safe. Networks above 1024 nodes are checked on a copy with every radix cut
// to 8 or 9 (same parity): dimension-order dependencies repeat along a ring, so a cycle shows there.
import { SpatialcError } from '../../arch/errors.js';
import { layoutOf, nodeName, portName, type FlitGeometry, type FlitLayout } from './geometry.js';
import { classRange, freshRouteState, routeStep, routingClasses, type RoutingFunction } from './routing.js';

export interface CdgInput {
  readonly geometry: FlitGeometry;
  readonly routing: RoutingFunction;
  /** VC ranges [lo, hi] of the message classes (requests, responses, ...). */
  readonly messageClasses: readonly (readonly [number, number])[];
}

/** Throws a one-line error naming a dependency cycle if the routing can deadlock. */
export function checkDeadlockFree(input: CdgInput): void {
  let g = input.geometry;
  if (g.dims.reduce((a, b) => a * b, 1) > 1024) g = { ...g, dims: g.dims.map((k) => (k > 9 ? 8 + (k % 2) : k)) };
  const l = layoutOf(g);
  const cycle = findCycle(l, input);
  if (cycle === undefined) return;
  const shown = cycle.slice(0, 6).join(' -> ');
  throw new SpatialcError('E_DEADLOCK', `network: routing ${input.routing} on this ${g.wrap ? 'torus' : 'mesh'} can deadlock: channel dependency cycle ${shown}${cycle.length > 6 ? ` -> ... (${cycle.length} channels)` : ''}; give each routing class its own VCs (more VCs, or another routing function)`);
}

function findCycle(l: FlitLayout, input: CdgInput): string[] | undefined {
  const classes = routingClasses(l, input.routing);
  // Distinct VC ranges per link, merged when they overlap: range id per (message class, routing class).
  const rangeIds: number[][] = [];
  const ranges: [number, number][] = [];
  for (const [lo, hi] of input.messageClasses) {
    const ids: number[] = [];
    for (let c = 0; c < classes; c++) {
      const [a, b] = classRange(lo, hi, classes, c);
      let id = ranges.findIndex(([x, y]) => a <= y && x <= b);
      if (id < 0) { id = ranges.length; ranges.push([a, b]); } else ranges[id] = [Math.min(a, ranges[id]![0]), Math.max(b, ranges[id]![1])];
      ids.push(id);
    }
    rangeIds.push(ids);
  }
  const R = ranges.length;
  const vertex = (router: number, port: number, range: number): number => (router * l.ports + port) * R + range;
  const edges = new Map<number, Set<number>>();
  const out = { cls: 0 };
  const orders = input.routing === 'xy_yx' ? [0, 1] : [0];
  for (let plane = 0; plane < l.geometry.planes.length; plane++) {
    for (const ids of rangeIds) {
      for (let src = 0; src < l.nodes; src++) {
        for (let dst = 0; dst < l.nodes; dst++) {
          if (src === dst) continue;
          for (const order of orders) {
            for (const tieValue of [0, 1]) {
              const st = freshRouteState(order);
              let tied = false;
              let at = src, prev = -1;
              for (;;) {
                const port = routeStep(l, input.routing, plane, at, dst, st, out, () => { tied = true; return tieValue; });
                if (port === l.local) break;
                const r = plane * l.nodes + at;
                const v = vertex(r, port, ids[out.cls]!);
                if (prev >= 0) {
                  let s = edges.get(prev);
                  if (s === undefined) edges.set(prev, (s = new Set()));
                  s.add(v);
                }
                prev = v;
                at = l.nbr[r * l.ports + port]! - plane * l.nodes;
              }
              if (!tied) break;
            }
          }
        }
      }
    }
  }
  // Iterative DFS with colours; the first back edge closes a cycle.
  const colour = new Map<number, number>();
  for (const start of [...edges.keys()].sort((a, b) => a - b)) {
    if (colour.has(start)) continue;
    const stack: [number, number[]][] = [[start, [...(edges.get(start) ?? [])]]];
    const path = [start];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].pop();
      if (next === undefined) { colour.set(top[0], 2); stack.pop(); path.pop(); continue; }
      const c = colour.get(next);
      if (c === 1) return path.slice(path.indexOf(next)).map((v) => channelName(l, v, R, ranges));
      if (c === 2) continue;
      colour.set(next, 1);
      path.push(next);
      stack.push([next, [...(edges.get(next) ?? [])]]);
    }
  }
  return undefined;
}

function channelName(l: FlitLayout, v: number, R: number, ranges: readonly [number, number][]): string {
  const range = v % R;
  const rp = (v - range) / R;
  const port = rp % l.ports;
  const router = (rp - port) / l.ports;
  const plane = Math.floor(router / l.nodes);
  const [lo, hi] = ranges[range]!;
  const planeName = l.geometry.planes.length > 1 ? `${l.geometry.planes[plane]!.name} ` : '';
  return `${planeName}${nodeName(l, router % l.nodes)}${portName(l, port)} vc${lo === hi ? lo : `${lo}-${hi}`}`;
}
