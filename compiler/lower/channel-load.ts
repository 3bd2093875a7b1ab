// How busy each DRAM channel is predicted to be over time, for the builder's contention-aware
// timing of DRAM transfers: time is cut into buckets, and a transfer's cycles on a channel fill
// the spare capacity of the buckets from its start on. Bookings are logged so that a trial
// lowering (the strategy search) can be taken back. Buckets, unlike a queue in booking order,
// let a transfer lowered later but starting earlier (another pipeline stage) use idle time.

/** Bucket length in cycles: an assumption, shorter than a tile read (about 100 cycles at 24 B/cycle) would not change much. */
export const BUCKET_CYCLES = 256;

export class ChannelLoad {
  private readonly used: number[][];
  /** (channel, bucket, cycles) of every booking, in order. */
  private readonly log: number[] = [];

  constructor(channels: number) {
    this.used = Array.from({ length: channels }, () => []);
  }

  /** Books `cycles` of channel `ch` from cycle `start` on; returns the cycle the last of them is served. */
  book(ch: number, start: number, cycles: number): number {
    const used = this.used[ch]!;
    let b = Math.floor(start / BUCKET_CYCLES);
    let t = start;
    let left = cycles;
    while (left > 1e-9) {
      while (used.length <= b) used.push(0);
      const from = Math.max(t, b * BUCKET_CYCLES);
      const take = Math.min(left, Math.max(0, Math.min(BUCKET_CYCLES - used[b]!, (b + 1) * BUCKET_CYCLES - from)));
      if (take > 0) {
        used[b] = used[b]! + take;
        this.log.push(ch, b, take);
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
    return this.log.length;
  }

  /** Forgets every booking made since `mark`. */
  rollback(mark: number): void {
    while (this.log.length > mark) {
      const take = this.log.pop()!;
      const b = this.log.pop()!;
      const ch = this.log.pop()!;
      this.used[ch]![b] = this.used[ch]![b]! - take;
    }
  }
}
