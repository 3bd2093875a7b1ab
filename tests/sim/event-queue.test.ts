import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventQueue } from '../../sim/event-queue.js';
import { seededRandom } from './helpers/synthetic.js';

const Queue = suite('EventQueue');

Queue('pops by cycle, and events at the same cycle in push order', () => {
  const q = new EventQueue();
  q.push(5, 1);
  q.push(3, 2);
  q.push(5, 3);
  q.push(3, 4);
  q.push(0, 5);
  const out: number[][] = [];
  while (q.size > 0) {
    const c = q.peekCycle() as number;
    out.push([c, q.pop()]);
  }
  assert.equal(out, [[0, 5], [3, 2], [3, 4], [5, 1], [5, 3]]);
});

Queue('matches a stable sort on many random events (and grows past its initial capacity)', () => {
  const rnd = seededRandom(3);
  const q = new EventQueue();
  const events: [number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    const c = Math.floor(rnd() * 100);
    events.push([c, i]);
    q.push(c, i);
  }
  const expected = [...events].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  const got: number[] = [];
  while (q.size > 0) got.push(q.pop());
  assert.equal(got, expected);
});

Queue.run();
