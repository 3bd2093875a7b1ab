// The flit network an arch describes. Either the arch's own NoCs (one plane per NoC over the
// cols x rows grid, one-way links on a torus as on Wormhole, each NoC's first axis first), with
// router timing from the arch: the hop latency is the four one-cycle router stages (RC, VA, SA,
// crossbar) plus the wire, the NIU latency is the injection and ejection channel, and the VCs split
// into requests and responses. Or, for synthetic-traffic studies, the arch's optional BookSim-style
// `network` block (a k-ary n-cube with BookSim's iq router timing).
import type { ArchSpec } from '../../arch/spec.js';
import { SpatialcError } from '../../arch/errors.js';
import { booksimRouter } from './config.js';
import { cubeGeometry, type FlitGeometry } from './geometry.js';
import type { RouterParams } from './router.js';

/** Router pipeline stages before the wire: route, VC allocation, switch allocation, crossbar. */
export const ROUTER_STAGES = 4;

export interface ArchNetwork {
  readonly geometry: FlitGeometry;
  readonly router: RouterParams;
  /** Message class of requests and writes, and of read responses. */
  readonly requestClass: number;
  readonly responseClass: number;
  /** Bytes per flit. */
  readonly flitBytes: number;
}

/** The flit network of the arch's NoCs (what compiled programs run on). */
export function archNocNetwork(arch: ArchSpec): ArchNetwork {
  const noc = arch.noc;
  const V = noc.virtualChannels;
  const vcBufSize = noc.vcBufferFlits ?? Math.max(1, Math.floor(noc.routerBufferBytes / noc.flitBytes / V));
  const requestVcs = V === 1 ? 1 : Math.min(V - 1, noc.requestVcs ?? V - Math.max(1, V >> 2));
  const messageClasses: [number, number][] = V === 1 ? [[0, 0]] : [[0, requestVcs - 1], [requestVcs, V - 1]];
  const geometry: FlitGeometry = {
    dims: [arch.grid.cols, arch.grid.rows],
    wrap: noc.topology === 'torus',
    planes: noc.nocs.map((n) => ({
      name: n.name,
      direction: noc.topology === 'torus' ? [n.xDirection, n.yDirection] : [0, 0],
      axisOrder: n.firstAxis === 'x' ? [0, 1] : [1, 0],
    })),
  };
  const linkLatency = Math.max(1, Math.round(noc.hopLatencyCycles) - ROUTER_STAGES);
  const niu = Math.max(1, Math.round(noc.niuLatencyCycles));
  return {
    geometry,
    router: { numVcs: V, vcBufSize, linkLatency, injectLatency: niu, ejectLatency: niu, routing: 'dor', messageClasses },
    // Each router stage one cycle (default): RC + VA + SA + crossbar + wire = the arch's hop latency.
    requestClass: 0,
    responseClass: messageClasses.length - 1,
    flitBytes: noc.flitBytes,
  };
}

/** The arch's BookSim-style `network` block, or its NoCs when it has none. */
export function archSyntheticNetwork(arch: ArchSpec, where: string): ArchNetwork {
  const net = arch.network;
  if (net === undefined) return archNocNetwork(arch);
  const order = net.axisOrder ?? Array.from({ length: net.n }, (_, d) => d);
  if (order.length !== net.n || order.some((d) => d >= net.n)) {
    throw new SpatialcError('E_ARCH_INVALID', `${where}: network.axisOrder must be a permutation of 0..${net.n - 1}, got [${order.join(',')}]`);
  }
  const wrap = net.topology === 'torus';
  return {
    geometry: cubeGeometry(net.k, net.n, wrap, order),
    router: booksimRouter(net.vcs, net.vcBufferFlits, wrap, net.routing ?? 'dor', net.linkLatencyCycles),
    requestClass: 0,
    responseClass: 0,
    flitBytes: arch.noc.flitBytes,
  };
}
