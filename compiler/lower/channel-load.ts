// How busy each DRAM channel (and, with a second instance, each NoC link) is predicted to be over
// time, for the builder's contention-aware timing of transfers: time is cut into buckets, and a
// transfer's cycles on a channel or link fill the spare capacity of the buckets from its start on. Bookings are logged so that a trial
// lowering (the strategy search) can be taken back. Buckets, unlike a queue in booking order,
// let a transfer lowered later but starting earlier (another pipeline stage) use idle time.

/** Bucket length in cycles: an assumption, shorter than a tile read (about 100 cycles at 24 B/cycle) would not change much. */
export const BUCKET_CYCLES = 256;

export class ChannelLoad {
  /** Per resource: cycles booked in each bucket (grown by doubling; unused buckets are 0). */
  private readonly used: Float64Array[];
  /** (resource, bucket, cycles) of every booking, in order (grown by doubling). */
  private log = new Float64Array(3 * 1024);
  private logLength = 0;

  constructor(channels: number) {
    this.used = Array.from({ length: channels }, () => new Float64Array(0));
  }

  /** Books `cycles` of resource `ch` from cycle `start` on; returns the cycle the last of them is served. */
  book(ch: number, start: number, cycles: number): number {
    let used = this.used[ch]!;
    let b = Math.floor(start / BUCKET_CYCLES);
    // Fast path: room for all of it in the start's bucket.
    if (b < used.length && cycles > 0) {
      const end = start + cycles;
      if (used[b]! + cycles <= BUCKET_CYCLES && end <= (b + 1) * BUCKET_CYCLES) {
        used[b] = used[b]! + cycles;
        this.record(ch, b, cycles);
        return end;
      }
    }
    let t = start;
    let left = cycles;
    while (left > 1e-9) {
      if (used.length <= b) used = this.grow(ch, b);
      const from = Math.max(t, b * BUCKET_CYCLES);
      const take = Math.min(left, Math.max(0, Math.min(BUCKET_CYCLES - used[b]!, (b + 1) * BUCKET_CYCLES - from)));
      if (take > 0) {
        used[b] = used[b]! + take;
        this.record(ch, b, take);
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

  /** Forgets every booking made since `mark`. */
  rollback(mark: number): void {
    const log = this.log;
    for (let i = this.logLength - 3; i >= mark; i -= 3) {
      const used = this.used[log[i]!]!;
      const b = log[i + 1]!;
      used[b] = used[b]! - log[i + 2]!;
    }
    this.logLength = mark;
  }

  private grow(ch: number, bucket: number): Float64Array {
    const old = this.used[ch]!;
    const next = new Float64Array(Math.max(64, 2 * old.length, bucket + 1));
    next.set(old);
    this.used[ch] = next;
    return next;
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
