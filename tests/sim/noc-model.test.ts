import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from '../../sim/index.js';
import { tinyArch } from './helpers/arch.js';
import { programBuilder } from './helpers/program.js';

// tinyArch: NIU 5 cycles each end, 9 cycles per hop, 32 B/cycle links, 32 B header, 1 KiB packets.
// These tests pin the packet-level NoC model's formulas (the flit-level model has its own tests).
const PACKET = { nocModel: 'packet' } as const;
const arch = tinyArch();
const CORES = [{ x: 1, y: 0 }, { x: 2, y: 0 }, { x: 3, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 1 }, { x: 3, y: 1 }];
const SER_512 = (512 + 32) / 32; // 17 cycles on every link

const Unicast = suite('simulate: unicast sends');

Unicast('latency = 2 x NIU + hops x hop + serialisation', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [2], bytes: 512 }); // (1,0) -> (3,0): 2 hops east on noc0
  assert.is(simulate(b.build(), arch, PACKET).cycles, 2 * 5 + 2 * 9 + SER_512);
  const c = programBuilder({ cores: CORES });
  c.send(0, { dsts: [5], bytes: 512 }); // (1,0) -> (3,1): 3 hops
  assert.is(simulate(c.build(), arch, PACKET).cycles, 2 * 5 + 3 * 9 + SER_512);
});

Unicast('noc1 runs west and north: (1,0) -> (3,0) wraps through x=0, still 2 hops', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [2], bytes: 512, noc: 1 });
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.cycles, 2 * 5 + 2 * 9 + SER_512);
  assert.is(r.counters.nocByteHops, 544 * 2);
});

Unicast('a long send is split into packets that stream back to back', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [2], bytes: 2048 }); // 2 packets of 1056 wire bytes, 33 cycles each
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.cycles, 33 + (2 * 5 + 2 * 9 + 33));
  assert.is(r.counters.nocPackets, 2);
  assert.is(r.counters.linkBusyCycles.reduce((s, x) => s + x, 0), 2 * 33 * 4); // inject, 2 hops, eject
});

Unicast('two sends over the same path serialise on it', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [2], bytes: 512, engine: 'reader' });
  b.send(0, { dsts: [2], bytes: 512, engine: 'writer' });
  assert.is(simulate(b.build(), arch, PACKET).cycles, 2 * 5 + 2 * 9 + 2 * SER_512);
});

Unicast('sends from two cores sharing a link and an eject port contend', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [2], bytes: 512 }); // (1,0) -> (3,0) over link (2,0)->(3,0)
  b.send(1, { dsts: [2], bytes: 512 }); // (2,0) -> (3,0), same link
  const r = simulate(b.build(), arch, PACKET);
  // The first-injected packet holds (2,0)->(3,0) from cycle 14 to 31; the second follows it.
  assert.is(r.cycles, 31 + 9 + 5 + SER_512);
});

Unicast('sends over disjoint paths overlap completely', () => {
  const b = programBuilder({ cores: CORES });
  b.send(0, { dsts: [1], bytes: 512 }); // (1,0) -> (2,0)
  b.send(3, { dsts: [4], bytes: 512 }); // (1,1) -> (2,1)
  assert.is(simulate(b.build(), arch, PACKET).cycles, 2 * 5 + 9 + SER_512);
});

Unicast.run();

const Multicast = suite('simulate: multicast sends');

Multicast('a multicast tree counts each of its links once', () => {
  const m = programBuilder({ cores: CORES });
  m.send(0, { dsts: [1, 2, 4], bytes: 512, multicast: true }); // tree: (1,0)x, (2,0)x, (2,0)y
  const rm = simulate(m.build(), arch, PACKET);
  assert.is(rm.counters.nocByteHops, 544 * 3);
  assert.is(rm.counters.sramReadBytes, 512);
  assert.is(rm.counters.sramWriteBytes, 3 * 512);
  assert.is(rm.cycles, 2 * 5 + 2 * 9 + SER_512); // farthest destination is 2 hops away
  const u = programBuilder({ cores: CORES });
  u.send(0, { dsts: [1, 2, 4], bytes: 512 }); // three unicasts: 1 + 2 + 2 hops
  const ru = simulate(u.build(), arch, PACKET);
  assert.is(ru.counters.nocByteHops, 544 * 5);
  assert.is(ru.counters.sramReadBytes, 3 * 512);
  assert.ok(ru.cycles > rm.cycles, 'unicasts share the inject port');
});

Multicast('every tree link is busy for one serialisation per packet', () => {
  const m = programBuilder({ cores: CORES });
  m.send(0, { dsts: [1, 2, 4], bytes: 512, multicast: true });
  const busy = simulate(m.build(), arch, PACKET).counters.linkBusyCycles.filter((x) => x > 0);
  assert.equal(busy, busy.map(() => SER_512));
  assert.is(busy.length, 1 + 3 + 3); // inject, 3 router links, 3 ejects
});

Multicast.run();
