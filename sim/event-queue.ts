// A binary min-heap of simulator events keyed by (cycle, sequence). The sequence number is the
// order of insertion, so two events at the same cycle always pop in the order they were pushed:
// the simulation never depends on heap internals or on object identity.
//
// Struct-of-arrays storage (typed arrays, grown by doubling) keeps the hot loop allocation-free.

/** A deterministic priority queue of integer payloads ordered by (cycle, push order). */
export class EventQueue {
  private cycles = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private payloads = new Int32Array(1024);
  private count = 0;
  private nextSeq = 0;

  /** Number of pending events. */
  get size(): number {
    return this.count;
  }

  /** The cycle of the earliest event (undefined when empty). */
  peekCycle(): number | undefined {
    return this.count > 0 ? this.cycles[0] : undefined;
  }

  /** Adds an event carrying `payload` (a non-negative int32) at `cycle`. */
  push(cycle: number, payload: number): void {
    if (this.count === this.cycles.length) this.grow();
    const seq = this.nextSeq++;
    let i = this.count++;
    const cs = this.cycles;
    const ss = this.seqs;
    const ps = this.payloads;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pc = cs[parent] as number;
      if (pc < cycle || (pc === cycle && (ss[parent] as number) < seq)) break;
      cs[i] = pc;
      ss[i] = ss[parent] as number;
      ps[i] = ps[parent] as number;
      i = parent;
    }
    cs[i] = cycle;
    ss[i] = seq;
    ps[i] = payload;
  }

  /** Removes the earliest event; returns its payload. The caller reads peekCycle() first. */
  pop(): number {
    const cs = this.cycles;
    const ss = this.seqs;
    const ps = this.payloads;
    const top = ps[0] as number;
    const n = --this.count;
    if (n === 0) return top;
    const c = cs[n] as number;
    const s = ss[n] as number;
    const p = ps[n] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const lc = cs[child] as number;
        const rc = cs[right] as number;
        if (rc < lc || (rc === lc && (ss[right] as number) < (ss[child] as number))) child = right;
      }
      const cc = cs[child] as number;
      if (c < cc || (c === cc && s < (ss[child] as number))) break;
      cs[i] = cc;
      ss[i] = ss[child] as number;
      ps[i] = ps[child] as number;
      i = child;
    }
    cs[i] = c;
    ss[i] = s;
    ps[i] = p;
    return top;
  }

  private grow(): void {
    const n = this.cycles.length * 2;
    const cs = new Float64Array(n);
    const ss = new Float64Array(n);
    const ps = new Int32Array(n);
    cs.set(this.cycles);
    ss.set(this.seqs);
    ps.set(this.payloads);
    this.cycles = cs;
    this.seqs = ss;
    this.payloads = ps;
  }
}
