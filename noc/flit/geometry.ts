// Geometry of a flit-level network: one or more planes (Wormhole has two NoCs) over the same
// k-ary n-cube of nodes. A plane is a mesh or a torus in any number of dimensions; on a torus each
// dimension is either bidirectional or a one-way ring (Wormhole: NoC0 runs +x/+y, NoC1 -x/-y).
// Router ports: 2d is the +d link, 2d+1 the -d link, 2n the local port (injection in, ejection out).
// Node ids count dimension 0 fastest: id = c0 + k0 * (c1 + k1 * c2 ...).
import { SpatialcError } from '../../arch/errors.js';

export interface FlitPlane {
  /** Display name (`noc0`). */
  readonly name: string;
  /** Per dimension: 0 both ways, +1 or -1 a one-way ring (torus only). */
  readonly direction: readonly (0 | 1 | -1)[];
  /** Dimension-order routing: the order dimensions are corrected in, e.g. [1, 0] for Y then X. */
  readonly axisOrder: readonly number[];
}

export interface FlitGeometry {
  /** Radix per dimension. */
  readonly dims: readonly number[];
  readonly wrap: boolean;
  readonly planes: readonly FlitPlane[];
}

/** Derived tables of a geometry. */
export interface FlitLayout {
  readonly geometry: FlitGeometry;
  readonly n: number;
  /** Nodes per plane. */
  readonly nodes: number;
  /** Routers: planes x nodes; router r is node r % nodes of plane r / nodes. */
  readonly routers: number;
  /** Ports per router (2n + 1). */
  readonly ports: number;
  readonly local: number;
  /** Neighbour router through output port p of router r at [r * ports + p], or -1. */
  readonly nbr: Int32Array;
  /** Upstream router feeding input port p of router r at [r * ports + p] (through its port p ^ 1), or -1. */
  readonly up: Int32Array;
  /** Coordinate of node i in dimension d at [i * n + d]. */
  readonly coord: Int32Array;
  readonly stride: readonly number[];
}

const geomError = (msg: string): SpatialcError => new SpatialcError('E_USAGE', msg);

/** Checks a geometry and builds its tables; bad shapes are one-line errors. */
export function layoutOf(g: FlitGeometry): FlitLayout {
  const n = g.dims.length;
  if (n < 1 || n > 3) throw geomError(`network: expected 1 to 3 dimensions, got ${n}`);
  for (const k of g.dims) if (!Number.isInteger(k) || k < 1) throw geomError(`network: every radix must be a positive integer, got ${k}`);
  if (g.planes.length < 1) throw geomError('network: at least one plane (NoC) is needed');
  for (const p of g.planes) {
    if (p.direction.length !== n) throw geomError(`network ${p.name}: ${p.direction.length} directions for ${n} dimensions`);
    if (!g.wrap && p.direction.some((d) => d !== 0)) throw geomError(`network ${p.name}: one-way links need a torus (a mesh would leave nodes unreachable)`);
    const sorted = [...p.axisOrder].sort((a, b) => a - b);
    if (sorted.length !== n || sorted.some((d, i) => d !== i)) throw geomError(`network ${p.name}: axis order [${p.axisOrder.join(',')}] is not a permutation of the ${n} dimensions`);
  }
  const nodes = g.dims.reduce((a, b) => a * b, 1);
  const ports = 2 * n + 1;
  const routers = nodes * g.planes.length;
  const stride: number[] = [];
  let s = 1;
  for (const k of g.dims) { stride.push(s); s *= k; }
  const coord = new Int32Array(nodes * n);
  for (let i = 0; i < nodes; i++) for (let d = 0; d < n; d++) coord[i * n + d] = Math.floor(i / stride[d]!) % g.dims[d]!;
  const nbr = new Int32Array(routers * ports).fill(-1);
  g.planes.forEach((plane, pi) => {
    for (let i = 0; i < nodes; i++) {
      for (let d = 0; d < n; d++) {
        const k = g.dims[d]!, c = coord[i * n + d]!, dir = plane.direction[d]!;
        if (k === 1) continue;
        const base = i - c * stride[d]!;
        const r = pi * nodes + i;
        if (dir >= 0 && (g.wrap || c < k - 1)) nbr[r * ports + 2 * d] = pi * nodes + base + ((c + 1) % k) * stride[d]!;
        if (dir <= 0 && (g.wrap || c > 0)) nbr[r * ports + 2 * d + 1] = pi * nodes + base + ((c + k - 1) % k) * stride[d]!;
      }
    }
  });
  const up = new Int32Array(routers * ports).fill(-1);
  for (let r = 0; r < routers; r++) for (let p = 0; p < 2 * n; p++) {
    const q = nbr[r * ports + p]!;
    if (q >= 0) up[q * ports + (p ^ 1)] = r;
  }
  return { geometry: g, n, nodes, routers, ports, local: 2 * n, nbr, up, coord, stride };
}

/** `(x,y)` or `(x,y,z)` of a node. */
export function nodeName(l: FlitLayout, node: number): string {
  const c: number[] = [];
  for (let d = 0; d < l.n; d++) c.push(l.coord[node * l.n + d]!);
  return `(${c.join(',')})`;
}

/** `+x`, `-y`, `+z` or `local` for a port. */
export function portName(l: FlitLayout, port: number): string {
  if (port === l.local) return 'local';
  return `${port % 2 === 0 ? '+' : '-'}${'xyz'[port >> 1]}`;
}

/** A k-ary n-cube, one bidirectional plane, dimension order 0, 1, 2 (BookSim's) unless given. */
export function cubeGeometry(k: number, n: number, wrap: boolean, axisOrder?: readonly number[]): FlitGeometry {
  const order = axisOrder ?? Array.from({ length: n }, (_, d) => d);
  return {
    dims: new Array<number>(n).fill(k),
    wrap,
    planes: [{ name: 'net', direction: new Array<0>(n).fill(0), axisOrder: order }],
  };
}
