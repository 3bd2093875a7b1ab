import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from '../../sim/index.js';
import { tinyArch } from './helpers/arch.js';
import { programBuilder } from './helpers/program.js';

// tinyArch DRAM: 2 channels at 32 GB/s x 0.5 efficiency at 1 GHz = 16 B/cycle, 100-cycle latency.
// Channel 0 endpoints (0,0) and (0,1); channel 1 endpoints (0,2) and (0,3).
// These tests pin the packet-level NoC model's formulas (the flit-level model has its own tests).
const PACKET = { nocModel: 'packet' } as const;
const arch = tinyArch();
const CORES = [{ x: 1, y: 0 }, { x: 2, y: 2 }];
const KIB64 = 65536;

const Dram = suite('simulate: DRAM reads and writes');

Dram('a big read from one channel is bound by the channel bandwidth', () => {
  const b = programBuilder({ cores: CORES });
  b.dramRead(0, { channelBytes: [KIB64, 0] });
  const r = simulate(b.build(), arch, PACKET);
  // Request (1,0)->(0,0) on noc0: 3 hops + 2 NIU = 37; channel streams 64 KiB in 4096 cycles,
  // +100 latency; the last 1 KiB packet then crosses 1 hop from endpoint (0,0): 10 + 9 + 33.
  assert.is(r.cycles, 37 + 4096 + 100 + 10 + 9 + 33);
  assert.is(r.counters.dramReadBytes, KIB64);
  assert.is(r.counters.sramWriteBytes, KIB64);
  assert.is(r.counters.nocByteHops, 64 * 1056 * 1);
});

Dram('the channel\'s preferred (first-listed) endpoint serves the read, as tt-metal uses one endpoint per bank', () => {
  const b = programBuilder({ cores: CORES });
  b.dramRead(0, { channelBytes: [0, 1024] }); // (0,2)->(1,0): 3 hops, though (0,3) would be 2
  const r = simulate(b.build(), arch, PACKET);
  assert.is(r.counters.nocByteHops, 1056 * 3);
  assert.equal(r.counters.dramEndpointsUsed, [{ x: 0, y: 2 }]);
});

Dram('channels of one read stream concurrently', () => {
  const one = programBuilder({ cores: CORES });
  one.dramRead(0, { channelBytes: [KIB64, 0] });
  const two = programBuilder({ cores: CORES });
  two.dramRead(0, { channelBytes: [KIB64 / 2, KIB64 / 2] });
  const t1 = simulate(one.build(), arch, PACKET).cycles;
  const t2 = simulate(two.build(), arch, PACKET).cycles;
  assert.ok(t2 < 0.6 * t1, `split read ${t2} vs one channel ${t1}`);
});

Dram('two cores reading the same channel share its bandwidth', () => {
  const b = programBuilder({ cores: CORES });
  b.dramRead(0, { channelBytes: [KIB64, 0] });
  b.dramRead(1, { channelBytes: [KIB64, 0] });
  const r = simulate(b.build(), arch, PACKET);
  assert.ok(r.cycles >= 2 * 4096, `${r.cycles}`);
  assert.ok(r.cycles < 2 * 4096 + 400, `${r.cycles}`);
});

Dram('a big write is bound by the channel, not the 32 B/cycle link', () => {
  const b = programBuilder({ cores: CORES });
  b.dramWrite(0, { channelBytes: [KIB64, 0] });
  const r = simulate(b.build(), arch, PACKET);
  assert.ok(r.cycles >= 4096 && r.cycles < 4096 + 200, `${r.cycles}`);
  assert.is(r.counters.dramWriteBytes, KIB64);
  assert.is(r.counters.sramReadBytes, KIB64);
});

Dram.run();
