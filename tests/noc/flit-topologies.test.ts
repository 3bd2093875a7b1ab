import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SpatialcError } from '../../arch/errors.js';
import { loadArch } from '../../arch/index.js';
import { archNocNetwork } from '../../noc/flit/arch-network.js';
import { parseBooksimConfig } from '../../noc/flit/booksim-config.js';
import { checkDeadlockFree } from '../../noc/flit/cdg.js';
import { booksimRouter, configFromBooksim } from '../../noc/flit/config.js';
import { layoutOf, type FlitGeometry } from '../../noc/flit/geometry.js';
import { simulateFlitNetwork } from '../../noc/flit/measure.js';
import { makeRng } from '../../noc/flit/rng.js';
import { FlitNetwork, type RouterParams } from '../../noc/flit/router.js';
import { boxNodes, multicastTree } from '../../noc/flit/routing.js';

const bs = (...kv: string[]) => configFromBooksim(parseBooksimConfig('', kv));
const iqRouter = (vcs: number, wrap: boolean): RouterParams => booksimRouter(vcs, 4, wrap, 'dor');

/** Runs `net` until idle; returns per packet id the tail arrival cycle at each node. */
function drain(net: FlitNetwork): Map<number, Map<number, number>> {
  const got = new Map<number, Map<number, number>>();
  net.onDeliver = (pkt, node, cycle) => {
    if (!got.has(pkt)) got.set(pkt, new Map());
    got.get(pkt)!.set(node, cycle);
  };
  for (let i = 0; i < 100000 && !net.idle(); i++) net.step();
  assert.ok(net.idle(), 'network drained');
  return got;
}

const topo = suite('flit network: topologies and routing');

topo('3D mesh and torus: zero-load latency 5H+6+L (mesh) and 6H+6+L (torus) as in 2D', () => {
  for (const topology of ['mesh', 'torus'] as const) {
    const c = bs(`topology=${topology}`, 'k=4', 'n=3', 'packet_size=3');
    for (const [s, d] of [[0, 63], [5, 42], [21, 21], [60, 3]] as const) {
      const l = layoutOf(c.geometry);
      let H = 0;
      for (let dim = 0; dim < 3; dim++) {
        const a = l.coord[s * 3 + dim]!, b = l.coord[d * 3 + dim]!;
        H += topology === 'mesh' ? Math.abs(a - b) : Math.min((a - b + 4) % 4, (b - a + 4) % 4);
      }
      const r = simulateFlitNetwork(c, { singlePackets: [{ src: s, dst: d, cycle: 0 }] });
      assert.is(r.avgPacketLatency, (topology === 'mesh' ? 5 : 6) * H + 6 + 3, `${topology} ${s}->${d}`);
    }
  }
});

topo('router pipeline delays are configurable: per hop RC + VA + SA + crossbar + link', () => {
  const c = bs('routing_delay=2', 'vc_alloc_delay=2', 'st_final_delay=2', 'packet_size=2');
  for (const [s, d, H] of [[0, 63, 14], [9, 12, 3], [5, 5, 0]] as const) {
    const r = simulateFlitNetwork(c, { singlePackets: [{ src: s, dst: d, cycle: 0 }] });
    assert.is(r.avgPacketLatency, 8 * H + 9 + 2, `${s}->${d}`);
  }
});

topo('dimension order is any axis order: y first on a mesh', () => {
  const c = bs('k=4', 'packet_size=1');
  const yx = { ...c, geometry: { ...c.geometry, planes: [{ ...c.geometry.planes[0]!, axisOrder: [1, 0] }] } };
  const net = new FlitNetwork(yx.geometry, yx.router, makeRng(0));
  net.send(0, 0, 15, 1, 0, 0); // (0,0) -> (3,3)
  drain(net);
  const P = net.l.ports + 1;
  assert.is(net.linkFlits[0 * P + 2], 1, '(0,0) leaves on +y');
  assert.is(net.linkFlits[0 * P + 0], 0, 'not on +x');
  assert.is(net.linkFlits[12 * P + 0], 1, 'turns +x at (0,3)');
});

topo('one-way torus planes (Wormhole NoC0 +x+y, NoC1 -y-x): hops wrap one way, axis order honoured', () => {
  const g: FlitGeometry = {
    dims: [5, 4], wrap: true,
    planes: [{ name: 'noc0', direction: [1, 1], axisOrder: [0, 1] }, { name: 'noc1', direction: [-1, -1], axisOrder: [1, 0] }],
  };
  const net = new FlitNetwork(g, iqRouter(4, true), makeRng(1));
  const l = net.l;
  // (1,1) -> (0,3): NoC0 goes +x 4 hops then +y 2 hops; NoC1 goes -y 2 hops (1,1)->(1,0)->(1,3), then -x 1 hop.
  const src = 1 + 5 * 1, dst = 0 + 5 * 3;
  const p0 = net.send(0, src, dst, 2, 0, 0);
  const got0 = drain(net);
  assert.is(got0.get(p0)!.get(dst), 6 * 6 + 6 + 2);
  const t1 = net.t;
  const before = Float64Array.from(net.linkFlits);
  const p1 = net.send(1, src, dst, 2, 0, 0);
  const got1 = drain(net);
  assert.is(got1.get(p1)!.get(dst)! - t1, 6 * 3 + 6 + 2);
  const used = (node: number, port: number): number => net.linkFlits[(l.nodes + node) * (l.ports + 1) + port]! - before[(l.nodes + node) * (l.ports + 1) + port]!;
  assert.is(used(src, 3), 2, 'NoC1 first hop is -y');
  assert.is(used(1 + 5 * 0, 3), 2, '-y wraps from row 0 to row 3');
  assert.is(used(1 + 5 * 3, 1), 2, 'then -x');
  assert.is(used(src, 1), 0, 'no x hop before y on NoC1');
});

topo('multicast to a rectangle: one injection, every node of the box gets each flit once, in order', () => {
  for (const wrap of [false, true]) {
    const g: FlitGeometry = { dims: [6, 5], wrap, planes: [{ name: 'p', direction: [0, 0], axisOrder: [0, 1] }] };
    const net = new FlitNetwork(g, iqRouter(4, wrap), makeRng(2));
    const box = boxNodes(net.l, [1, 2], [4, 4]);
    const tree = multicastTree(net.l, 'dor', 0, 0, box);
    const flits = new Map<number, number[]>();
    net.onFlit = (_pkt, idx, node) => { if (!flits.has(node)) flits.set(node, []); flits.get(node)!.push(idx); };
    net.send(0, 0, tree, 5, 0, 0);
    drain(net);
    assert.is(net.injectedFlits, 5, 'one injection');
    assert.equal([...flits.keys()].sort((a, b) => a - b), box);
    for (const f of flits.values()) assert.equal(f, [0, 1, 2, 3, 4]);
    // Replication only at branches: flits on links = 5 x the tree's links.
    let treeLinks = 0;
    for (let n = 0; n < net.l.nodes; n++) for (let p = 0; p < net.l.local; p++) if (tree.portMask[n]! & (1 << p)) treeLinks++;
    assert.is(net.flitHops, 5 * treeLinks);
  }
});

topo('multicast on one-way rings: a hop shared by destinations on both sides of the dateline takes the upper class, and classes never rise along a dimension', () => {
  // Wormhole's NoC1 alone: -x and -y one-way rings, Y then X.
  const g: FlitGeometry = { dims: [10, 12], wrap: true, planes: [{ name: 'noc1', direction: [-1, -1], axisOrder: [1, 0] }] };
  const l = layoutOf(g);
  const id = (x: number, y: number) => x + 10 * y;
  // From (3,1) along -x: (2,1) is reached before the dateline, (8,1) only after 0 -> 9.
  const tree = multicastTree(l, 'dor', 0, id(3, 1), [id(2, 1), id(8, 1)]);
  const minusX = 1;
  for (const x of [3, 2, 1, 0]) assert.is(tree.cls[id(x, 1) * l.ports + minusX], 1, `hop from (${x},1) before the dateline`);
  for (const x of [9]) assert.is(tree.cls[id(x, 1) * l.ports + minusX], 0, `hop from (${x},1) after it`);
  // Any tree: following each destination's route, a dimension's class never goes from lower to upper.
  fc.assert(fc.property(fc.nat(119), fc.uniqueArray(fc.nat(119), { minLength: 1, maxLength: 12 }), (src, dests) => {
    const t = multicastTree(l, 'dor', 0, src, dests.filter((d) => d !== src));
    for (const d of dests) {
      if (d === src) continue;
      let at = src;
      const last = [-1, -1];
      for (let hops = 0; hops <= l.nodes; hops++) {
        let port = -1;
        for (const dim of [1, 0]) if (l.coord[at * 2 + dim] !== l.coord[d * 2 + dim]) { port = 2 * dim + 1; break; }
        if (port < 0) break;
        const dim = port >> 1;
        const c = t.cls[at * l.ports + port]!;
        if (last[dim]! === 0 && c === 1) return false;
        last[dim] = c;
        at = l.nbr[at * l.ports + port]!;
      }
    }
    return true;
  }), { seed: 11, numRuns: 300 });
});

topo('the Wormhole NoC pair of the n150 preset passes the deadlock check; the arch network has both planes', () => {
  const net = archNocNetwork(loadArch('wormhole_n150'));
  assert.equal(net.geometry.dims, [10, 12]);
  assert.is(net.geometry.planes.length, 2);
  checkDeadlockFree({ geometry: net.geometry, routing: 'dor', messageClasses: net.router.messageClasses });
});

topo('routing that can deadlock is refused with the cycle named', () => {
  const cases: [string[], RegExp][] = [
    [['topology=torus', 'k=4', 'num_vcs=1'], /torus can deadlock: channel dependency cycle \(\d,\d\)[+-][xy] vc0 -> /],
    [['routing_function=xy_yx', 'k=4', 'num_vcs=1'], /mesh can deadlock/],
  ];
  for (const [kv, pattern] of cases) {
    const c = bs(...kv);
    try {
      checkDeadlockFree({ geometry: c.geometry, routing: c.router.routing, messageClasses: c.router.messageClasses });
      assert.unreachable(kv.join(' '));
    } catch (e) {
      assert.instance(e, SpatialcError);
      assert.match((e as Error).message, pattern);
    }
  }
  for (const kv of [['topology=torus', 'k=5', 'num_vcs=2'], ['routing_function=xy_yx', 'num_vcs=2'], ['n=3', 'k=3', 'num_vcs=1']]) {
    const c = bs(...kv);
    checkDeadlockFree({ geometry: c.geometry, routing: c.router.routing, messageClasses: c.router.messageClasses });
  }
});

topo('a deadlocked run stops with the blocked channels named instead of hanging', () => {
  // A 5-node ring, one VC of one flit: every node sends a long packet two hops on; each head waits
  // for the channel the next packet holds.
  const c = bs('topology=torus', 'k=5', 'n=1', 'num_vcs=1', 'vc_buf_size=1', 'packet_size=16');
  const sp = [0, 1, 2, 3, 4].map((i) => ({ src: i, dst: (i + 2) % 5, cycle: 0 }));
  try {
    simulateFlitNetwork({ ...c, router: { ...c.router, watchdogCycles: 300 } }, { checked: true, singlePackets: sp });
    assert.unreachable('should deadlock');
  } catch (e) {
    assert.instance(e, SpatialcError);
    assert.match((e as Error).message, /no flit moved for 300 cycles .*blocked: \(\d\) in [+-]x vc0 \(packet to \(\d\) waits for \+x\)/);
  }
});

topo('xy_yx routing and uniform traffic on a 3D torus run to completion, every flit once and in order', () => {
  fc.assert(fc.property(fc.constantFrom('xy_yx-mesh', 'torus3'), fc.integer({ min: 0, max: 1000 }), (kind, seed) => {
    const c = kind === 'torus3' ? bs('topology=torus', 'n=3', 'k=3', 'num_vcs=4', 'packet_size=3') : bs('routing_function=xy_yx', 'k=4', 'num_vcs=2', 'packet_size=3');
    const nodes = c.geometry.dims.reduce((a, b) => a * b, 1);
    const rng = makeRng(seed);
    const sp = Array.from({ length: 40 }, () => ({ src: rng.int(nodes), dst: rng.int(nodes), cycle: rng.int(20) }));
    const got = sp.map(() => [] as number[]);
    simulateFlitNetwork({ ...c, seed }, { singlePackets: sp, onFlit: (s, idx, node) => { if (node === sp[s]!.dst) got[s]!.push(idx); } });
    return got.every((g) => g.join() === '0,1,2');
  }), { numRuns: 12, seed: 3 });
});

topo.run();
