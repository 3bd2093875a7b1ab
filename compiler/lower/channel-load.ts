// How busy each DRAM channel (and, with a second instance, each NoC link) is predicted to be over
// time, for the builder's contention-aware timing of transfers: time is cut into buckets, and a
// transfer's cycles on a channel or link fill the spare capacity of the buckets from its start on.
// Bookings are logged so that a trial lowering (the strategy search) can be taken back. Buckets,
// unlike a queue in booking order, let a transfer lowered later but starting earlier (another
// pipeline stage) use idle time.

import { assert } from '../../arch/errors.js';

/** Bucket length in cycles: an assumption, shorter than a tile read (about 100 cycles at 24 B/cycle) would not change much. */
export const BUCKET_CYCLES = 256;

/** Buckets per storage chunk (a chunk is allocated when a booking first reaches it). */
const CHUNK_SHIFT = 8;
const CHUNK = 1 << CHUNK_SHIFT;

export class ChannelLoad {
  /** Per resource, per chunk of CHUNK buckets: cycles booked in each bucket (absent chunks: none). */
  private readonly used: (Float64Array | undefined)[][];
  /** (resource, bucket, cycles) of every booking, in order (grown by doubling). */
  private log = new Float64Array(3 * 1024);
  private logLength = 0;

  /** Per resource, the last bucket ever booked (not lowered by rollbacks): past it, every bucket is free. */
  private readonly lastBooked: Float64Array;

  constructor(channels: number) {
    this.used = Array.from({ length: channels }, () => []);
    this.lastBooked = new Float64Array(channels).fill(-1);
  }

  /** Books `cycles` of resource `ch` from cycle `start` on; returns the cycle the last of them is served. */
  book(ch: number, start: number, cycles: number): number {
    return this.serve(ch, start, cycles, true);
  }

  /** When `book` would serve `cycles` of resource `ch` from `start` on, without booking them. */
  peek(ch: number, start: number, cycles: number): number {
    return this.serve(ch, start, cycles, false);
  }

  private serve(ch: number, start: number, cycles: number, commit: boolean): number {
    const chunks = this.used[ch]!;
    let b = Math.floor(start / BUCKET_CYCLES);
    let t = start;
    let left = cycles;
    const last = this.lastBooked[ch]!;
    while (left > 1e-9) {
      // Nothing booked from this bucket on: the rest is served without a break.
      if (!commit && b > last) return Math.max(t, b * BUCKET_CYCLES) + left;
      let chunk = chunks[b >> CHUNK_SHIFT];
      if (chunk === undefined && commit) chunk = chunks[b >> CHUNK_SHIFT] = new Float64Array(CHUNK);
      const i = b & (CHUNK - 1);
      const used = chunk?.[i] ?? 0;
      const from = Math.max(t, b * BUCKET_CYCLES);
      const take = Math.min(left, Math.max(0, Math.min(BUCKET_CYCLES - used, (b + 1) * BUCKET_CYCLES - from)));
      if (take > 0) {
        if (commit) {
          chunk![i] = used + take;
          this.record(ch, b, take);
          if (b > this.lastBooked[ch]!) this.lastBooked[ch] = b;
        }
        left -= take;
        t = from + take;
      }
      if (left > 1e-9) {
        b++;
        t = b * BUCKET_CYCLES;
      }
    }
    return t;
  }

  /** A mark to roll back to. */
  mark(): number {
    return this.logLength;
  }

  /** Forgets how to roll back: later marks start afresh (earlier marks must not be used again). */
  commit(): void {
    this.logLength = 0;
  }

  /** Forgets every booking made since `mark`. */
  rollback(mark: number): void {
    assert(mark <= this.logLength, 'rollback to a mark from before a commit');
    const log = this.log;
    for (let i = this.logLength - 3; i >= mark; i -= 3) {
      const b = log[i + 1]!;
      const chunk = this.used[log[i]!]![b >> CHUNK_SHIFT]!;
      chunk[b & (CHUNK - 1)] = chunk[b & (CHUNK - 1)]! - log[i + 2]!;
    }
    this.logLength = mark;
  }

  private record(ch: number, b: number, take: number): void {
    if (this.logLength + 3 > this.log.length) {
      const next = new Float64Array(this.log.length * 2);
      next.set(this.log);
      this.log = next;
    }
    this.log[this.logLength++] = ch;
    this.log[this.logLength++] = b;
    this.log[this.logLength++] = take;
  }
}
