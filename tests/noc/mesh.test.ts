// A mesh arch (noc.topology "mesh"): its links do not wrap, so they run both ways, and every pair
// of tiles is reachable on every NoC by dimension-order routes of |dx| + |dy| hops. The packet
// model, the compiler and the flit model agree on that (the flit model's mesh planes are
// bidirectional too). On a torus the link ids and routes are those of the one-way NoCs.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/spec.js';
import { buildTopology, hopCount, linkInfo, linkName, routeUnicast } from '../../noc/topology.js';
import { main } from '../../cli/main.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const Mesh = suite('mesh');

const meshOf = (name: string): ArchSpec => {
  const a = loadArch(name);
  return { ...a, name: `${a.name}_mesh`, noc: { ...a.noc, topology: 'mesh' } };
};

Mesh('every tile reaches every tile on every NoC in |dx| + |dy| hops, one way or the other', () => {
  const arch = meshOf('wormhole_n150');
  const topo = buildTopology(arch);
  const tiles = [...arch.tensix, ...arch.dram.channels.flatMap((c) => c.endpoints)];
  for (const a of tiles) {
    for (const b of tiles) {
      for (let n = 0; n < topo.nocs.length; n++) {
        const h = Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
        assert.is(hopCount(topo, n, a, b), h);
        const route = routeUnicast(topo, n, a, b);
        assert.is(route.length, h + 2);
        // Each hop moves one step towards b on its axis, in dimension order, and never leaves the grid.
        let at = a;
        for (const l of route.slice(1, -1)) {
          const info = linkInfo(topo, l);
          assert.equal(info.at, at);
          const to = /→\((\d+),(\d+)\)/.exec(linkName(topo, l))!;
          const next = { x: Number(to[1]), y: Number(to[2]) };
          assert.is(Math.abs(next.x - at.x) + Math.abs(next.y - at.y), 1, `${linkName(topo, l)} is one hop`);
          at = next;
        }
        assert.equal(at, b);
      }
    }
  }
});

Mesh('NoC1 (y first, -x -y) goes +x on a mesh through the reverse links; a torus keeps its one-way links and ids', () => {
  const mesh = buildTopology(meshOf('wormhole_n150'));
  const route = routeUnicast(mesh, 1, { x: 1, y: 1 }, { x: 3, y: 1 });
  assert.equal(route.slice(1, -1).map((l) => linkInfo(mesh, l).slot), ['xr', 'xr']);
  const torus = buildTopology(loadArch('wormhole_n150'));
  assert.is(torus.linkCount, 2 * 12 * 10 * 4);
  assert.is(mesh.linkCount, 2 * 12 * 10 * 6);
  // On the torus NoC1 wraps west around the ring: 8 hops from x=1 to x=3.
  assert.is(hopCount(torus, 1, { x: 1, y: 1 }, { x: 3, y: 1 }), 8);
  assert.ok(routeUnicast(torus, 1, { x: 1, y: 1 }, { x: 3, y: 1 }).slice(1, -1).every((l) => linkInfo(torus, l).slot === 'x'));
});

Mesh('a model runs on a mesh arch: packet model with --verify, --deterministic (exact), and the flit model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spatialc-mesh-'));
  const file = join(dir, 'mesh.json');
  writeFileSync(file, JSON.stringify(meshOf('wormhole_n150')));
  const run = async (...extra: string[]) => {
    let out = '';
    let err = '';
    const code = await main(['run', 'tests/fixtures/onnx/tiny_cnn.onnx', '--arch', file, ...extra], { out: (t) => { out += t; }, err: (t) => { err += t; }, isTty: false });
    assert.is(code, 0, err);
    return out;
  };
  assert.match(await run('--noc-model', 'packet', '--verify'), /packet-level NoC/);
  const det = /cycles\s+([\d,]+) \(compiler predicted ([\d,]+); deterministic/.exec(await run('--deterministic'))!;
  assert.is(det[1], det[2]);
  assert.match(await run(), /flit-level NoC/);
});

Mesh.run();
