// The builder's DRAM channel occupancy (compiler/lower/channel-load.ts): a booking is served no
// sooner than its own length after its start, a channel never serves more than one cycle per
// cycle (to within a bucket: where in a bucket its time goes is not tracked), bookings on an idle
// channel are served at full rate, later-lowered transfers may use
// earlier idle time, and a rollback restores exactly what later bookings see (fast-check).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { BUCKET_CYCLES, ChannelLoad } from '../../compiler/lower/channel-load.js';

const Load = suite('DRAM channel load');

Load('an idle channel serves a booking at full rate; a busy one after what it already serves', () => {
  const load = new ChannelLoad(2);
  assert.is(load.book(0, 1000, 300), 1300);
  assert.ok(load.book(0, 1000, 300) >= 1600 - BUCKET_CYCLES, 'the second booking waits for the first');
  assert.is(load.book(1, 1000, 300), 1300, 'another channel is independent');
});

Load('a transfer lowered later but starting earlier uses idle time before the bookings made so far', () => {
  const load = new ChannelLoad(1);
  load.book(0, 10_000, 2000);
  assert.is(load.book(0, 0, 500), 500);
});

const booking = fc.record({ ch: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 5000 }), cycles: fc.integer({ min: 1, max: 2000 }) });

Load('served no sooner than start + length; never more than one cycle of service per cycle', () => {
  fc.assert(fc.property(fc.array(booking, { maxLength: 40 }), (bs) => {
    const load = new ChannelLoad(3);
    const booked = [0, 0, 0];
    const lastServed = [0, 0, 0];
    for (const b of bs) {
      const served = load.book(b.ch, b.start, b.cycles);
      assert.ok(served >= b.start + b.cycles - 1e-6, `served ${served} before ${b.start} + ${b.cycles}`);
      booked[b.ch]! += b.cycles;
      lastServed[b.ch] = Math.max(lastServed[b.ch]!, served);
    }
    // From cycle 0 on, a channel can have served at most as many cycles of bookings as have passed
    // (each bucket holds at most its length).
    for (let ch = 0; ch < 3; ch++) assert.ok(lastServed[ch]! >= booked[ch]! - BUCKET_CYCLES, `channel ${ch}: ${booked[ch]} cycles served by ${lastServed[ch]}`);
  }));
});

Load('a rollback restores exactly what later bookings see', () => {
  fc.assert(fc.property(fc.array(booking, { maxLength: 20 }), fc.array(booking, { maxLength: 20 }), fc.array(booking, { maxLength: 10 }), (before, trial, after) => {
    const a = new ChannelLoad(3);
    const b = new ChannelLoad(3);
    for (const x of before) { a.book(x.ch, x.start, x.cycles); b.book(x.ch, x.start, x.cycles); }
    const mark = a.mark();
    for (const x of trial) a.book(x.ch, x.start, x.cycles);
    a.rollback(mark);
    for (const x of after) assert.is(a.book(x.ch, x.start, x.cycles), b.book(x.ch, x.start, x.cycles));
  }));
});

Load.run();
