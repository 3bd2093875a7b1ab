// Reservation tables: for every resource (a NoC link or a DRAM channel), the cycle intervals the
// tasks of a deterministic schedule hold it. The compiler's scheduler finds the earliest start at
// which a task's spans are all free; the verifier and the time-triggered simulator check that no
// two tasks' spans overlap.

/** A span of one task that overlaps another task's reservation. */
export interface Clash {
  readonly resource: number;
  /** The reservation already held. */
  readonly owner: number;
  readonly start: number;
  readonly end: number;
}

/** Per-resource sorted, disjoint [start, end) intervals with their owners. */
export class ReservationTable {
  private readonly starts: number[][];
  private readonly ends: number[][];
  private readonly owners: number[][];

  constructor(resources: number) {
    this.starts = Array.from({ length: resources }, () => []);
    this.ends = Array.from({ length: resources }, () => []);
    this.owners = Array.from({ length: resources }, () => []);
  }

  /** Index of the first interval of `r` ending after `a` (intervals are disjoint, so ends are sorted). */
  private firstEndingAfter(r: number, a: number): number {
    const ends = this.ends[r]!;
    let lo = 0;
    let hi = ends.length;
    // Most lookups are near the end of the schedule built so far.
    if (hi > 0 && ends[hi - 1]! <= a) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the reservation of `r` overlapping [a, b), or -1. */
  private clashAt(r: number, a: number, b: number): number {
    if (b <= a) return -1;
    const i = this.firstEndingAfter(r, a);
    return i < this.starts[r]!.length && this.starts[r]![i]! < b ? i : -1;
  }

  /** The first reservation overlapping one of `spans` (flat resource, start, end triples) shifted by `shift`. */
  firstClash(spans: readonly number[], shift: number): Clash | undefined {
    for (let k = 0; k < spans.length; k += 3) {
      const r = spans[k]!;
      const i = this.clashAt(r, spans[k + 1]! + shift, spans[k + 2]! + shift);
      if (i >= 0) return { resource: r, owner: this.owners[r]![i]!, start: this.starts[r]![i]!, end: this.ends[r]![i]! };
    }
    return undefined;
  }

  /** The smallest shift >= `from` at which every span is free. */
  earliestFit(spans: readonly number[], from: number): number {
    let shift = from;
    for (;;) {
      let moved = false;
      for (let k = 0; k < spans.length; k += 3) {
        const r = spans[k]!;
        const i = this.clashAt(r, spans[k + 1]! + shift, spans[k + 2]! + shift);
        if (i >= 0) {
          shift = this.ends[r]![i]! - spans[k + 1]!;
          moved = true;
        }
      }
      if (!moved) return shift;
    }
  }

  /** Records `spans` shifted by `shift` as held by `owner` (the caller checked they are free). */
  reserve(spans: readonly number[], shift: number, owner: number): void {
    for (let k = 0; k < spans.length; k += 3) {
      const r = spans[k]!;
      const a = spans[k + 1]! + shift;
      const b = spans[k + 2]! + shift;
      if (b <= a) continue;
      const i = this.firstEndingAfter(r, a);
      this.starts[r]!.splice(i, 0, a);
      this.ends[r]!.splice(i, 0, b);
      this.owners[r]!.splice(i, 0, owner);
    }
  }
}
