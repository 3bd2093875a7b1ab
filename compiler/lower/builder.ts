// ProgramBuilder: appends tasks and buffers while lowering, and predicts each task's start cycle
// from engine availability, dependencies, NoC and DRAM rates, and the load already predicted on
// each DRAM channel and NoC link (transfer-timing.ts): a transfer is served in the spare time of
// every channel and link it uses.
//
// Tasks are created in an order consistent with their dependencies. Every engine runs its tasks in
// the order of a key: a task's creation index, but a prefetch's (an ungated task's) is just after
// the latest key among its deps, so it goes into its engine's stream ahead of later ops' tasks
// instead of queueing behind them. Deps and stream order both go up in key order, so a built
// program can never deadlock; finish() renumbers the tasks in key order.

import type { ArchSpec, Coord, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import { computeCycles } from '../../arch/core-timing.js';
import { assert } from '../../arch/errors.js';
import { readIssueCycles } from '../../noc/transfer.js';
import { TransferTiming, type SendTiming, type TimingMark } from './transfer-timing.js';
import type {
  BufferId, Engine, ProgramBuffer, Task, TaskId, TileRegion, WorkItem,
} from '../program.js';

export interface BuilderOptions {
  readonly arch: ArchSpec;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly cores: readonly Coord[];
  /** When set, a posted read (prefetch) waits for the one this many before it on each of its channels. */
  readonly prefetchReadsPerChannel?: number;
  /** Posted reads a core has in flight at most, in creation order (default 1). */
  readonly postedReadsInFlight?: number;
}

interface Common {
  readonly core: number;
  readonly op: number;
  readonly deps: readonly TaskId[];
  readonly alloc?: readonly BufferId[];
  readonly free?: readonly BufferId[];
  /** Not made to wait for the core's gate (a prefetch; its deps say when it is safe). */
  readonly ungated?: boolean;
}

const ENGINES: readonly Engine[] = ['reader', 'compute', 'writer'];

/** The first i in [0, n) with `holds(i)`, or n; `holds` must be false then true along the range. */
function firstIndex(n: number, holds: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The endpoint choice a task records: absent when every channel it uses takes its first tile. */
function usedEndpoints(chosen: readonly number[], channelBytes: readonly number[]): number[] | undefined {
  if (!channelBytes.some((b, ch) => b > 0 && (chosen[ch] ?? 0) !== 0)) return undefined;
  return channelBytes.map((b, ch) => (b > 0 ? chosen[ch] ?? 0 : 0));
}

/** What ProgramBuilder.rollback restores. */
export interface BuilderCheckpoint {
  readonly tasks: number;
  readonly buffers: number;
  readonly early: number;
  readonly engineFree: readonly (readonly number[])[];
  readonly gate: readonly (TaskId | undefined)[];
  readonly sends: readonly (readonly TaskId[])[];
  readonly lastEnd: number;
  readonly postedOn: readonly (readonly TaskId[])[];
  readonly postedByChannel: readonly (readonly TaskId[])[];
  readonly timing: TimingMark;
}

/** Accumulates the tasks of a program and their predicted timing. */
export class ProgramBuilder {
  readonly tasks: Task[] = [];
  readonly buffers: ProgramBuffer[] = [];
  readonly streams: TaskId[][][];
  private readonly endCycle: number[] = [];
  /** Per task: when its engine may take the next task of its stream (predicted). */
  private readonly releaseCycle: number[] = [];
  /** Per task: its stream-order key (see the file comment). */
  private readonly key: number[] = [];
  /** Tasks placed by key rather than appended (prefetches), in creation order: what rollback takes out. */
  private readonly early: { readonly core: number; readonly e: number; readonly id: TaskId }[] = [];
  private lastEnd = 0;
  private readonly engineFree: number[][];
  private readonly opts: BuilderOptions;
  /** Transfer lengths, NoC and endpoint choices, and the channel and link load they book. */
  private readonly timing: TransferTiming;
  /** Per core: the task every new task on that core waits for (the end of the previous op there). */
  private readonly gate: (TaskId | undefined)[];
  private readonly sendsSinceGate: TaskId[][];
  /** Per task: created ungated (a prefetch). */
  private readonly ungatedFlags: boolean[] = [];
  /** Per core: its latest posted reads, at most postedReadsInFlight (each waits for the one that many before it). */
  private postedOn: TaskId[][] = [];
  /** Per DRAM channel: its latest posted reads, at most prefetchReadsPerChannel of them. */
  private postedByChannel: TaskId[][] = [];

  constructor(opts: BuilderOptions) {
    this.opts = opts;
    this.timing = new TransferTiming(opts.arch, opts.cores);
    this.streams = opts.cores.map(() => ENGINES.map(() => []));
    this.engineFree = opts.cores.map(() => ENGINES.map(() => 0));
    this.gate = opts.cores.map(() => undefined);
    this.sendsSinceGate = opts.cores.map(() => []);
  }

  /** Declares an SRAM buffer on a core. */
  buffer(core: number, bytes: number, name: string): BufferId {
    const id = this.buffers.length as BufferId;
    this.buffers.push({ id, core, bytes: Math.ceil(bytes), name });
    return id;
  }

  /** Sets a buffer's size once the lowering knows its real working set. */
  resizeBuffer(id: BufferId, bytes: number): void {
    const b = this.buffers[id];
    assert(b !== undefined, `no buffer ${id}`);
    this.buffers[id] = { ...b, bytes: Math.ceil(bytes) };
  }

  /** The builder's state, to try a lowering and take it back (the strategy search). */
  checkpoint(): BuilderCheckpoint {
    return {
      tasks: this.tasks.length,
      buffers: this.buffers.length,
      early: this.early.length,
      engineFree: this.engineFree.map((e) => [...e]),
      gate: [...this.gate],
      sends: this.sendsSinceGate.map((s) => [...s]),
      lastEnd: this.lastEnd,
      postedOn: this.postedOn.map((l) => [...l]),
      postedByChannel: this.postedByChannel.map((l) => [...l]),
      timing: this.timing.mark(),
    };
  }

  /** Drops every task and buffer added since `cp` and restores the engines' timing. */
  rollback(cp: BuilderCheckpoint): void {
    this.tasks.length = cp.tasks;
    this.endCycle.length = cp.tasks;
    this.releaseCycle.length = cp.tasks;
    this.key.length = cp.tasks;
    this.buffers.length = cp.buffers;
    // Prefetches may sit anywhere in their streams; once they are out, later tasks are at the ends.
    for (let i = this.early.length - 1; i >= cp.early; i--) {
      const { core, e, id } = this.early[i]!;
      const s = this.streams[core]![e]!;
      s.splice(s.lastIndexOf(id), 1);
    }
    this.early.length = cp.early;
    for (const engines of this.streams) {
      for (const s of engines) while (s.length > 0 && s[s.length - 1]! >= cp.tasks) s.pop();
    }
    cp.engineFree.forEach((e, c) => { this.engineFree[c] = [...e]; });
    cp.gate.forEach((g, c) => { this.gate[c] = g; });
    cp.sends.forEach((s, c) => { this.sendsSinceGate[c] = [...s]; });
    this.lastEnd = cp.lastEnd;
    this.postedOn = cp.postedOn.map((l) => [...l]);
    this.postedByChannel = cp.postedByChannel.map((l) => [...l]);
    this.timing.rollback(cp.timing);
    this.ungatedFlags.length = cp.tasks;
  }

  /**
   * Forgets how to roll back past this point (checkpoints taken before it must not be used again):
   * the load bookings' logs start afresh, which keeps them short over a long program.
   */
  commit(): void {
    this.timing.commit();
  }

  /** True for a task created ungated (a prefetch: it may start long before its op). */
  isUngated(id: TaskId): boolean {
    return this.ungatedFlags[id] === true;
  }

  /**
   * The finished tasks and streams, renumbered in key order when prefetches were placed ahead of
   * later tasks (ids then follow every dependency and every stream's order, as Program requires).
   * The builder must not be used afterwards.
   */
  finish(): { tasks: Task[]; streams: TaskId[][][] } {
    const n = this.tasks.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.key[i]! > this.key[i - 1]!;
    if (sorted) return { tasks: this.tasks, streams: this.streams };
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.key[a]! - this.key[b]! || a - b);
    const newId = new Int32Array(n);
    order.forEach((old, i) => { newId[old] = i; });
    // In place: the builder is done with them (no copy of every task).
    const tasks = order.map((old, i) => {
      const t = this.tasks[old]! as { id: TaskId; deps: readonly TaskId[] };
      t.id = i as TaskId;
      t.deps = t.deps.map((d) => newId[d]! as TaskId);
      return t as Task;
    });
    const streams = this.streams.map((engines) => engines.map((s) => s.map((id) => newId[id]! as TaskId)));
    return { tasks, streams };
  }

  /** Makes every later task on `core` wait for `task` (ops run one after another on a core). */
  setGate(core: number, task: TaskId): void {
    this.gate[core] = task;
    this.sendsSettled(core);
  }

  /** Predicted completion cycle of a task. */
  end(id: TaskId): number {
    return this.endCycle[id] ?? 0;
  }

  /** Predicted completion of the whole program. */
  makespan(): number {
    return this.lastEnd;
  }

  /** A task that does no work and only allocates or frees buffers, on any engine. */
  bookkeeping(c: Common, engine: Engine): TaskId {
    return this.push(c, engine, 0, (base) => ({ kind: 'compute', ...base, work: [], macs: 0, sramReadBytes: 0, sramWriteBytes: 0, produces: undefined, region: undefined, kTiles: undefined }));
  }

  compute(
    c: Common, work: readonly WorkItem[], macs: number, sramReadBytes: number, sramWriteBytes: number,
    produces?: TileRegion, region?: TileRegion, kTiles?: readonly [number, number],
  ): TaskId {
    const fmt = { dtype: this.opts.dtype, fidelity: this.opts.fidelity };
    const cycles = computeCycles(this.opts.arch, fmt, work);
    return this.push(c, 'compute', cycles, (base) => ({ kind: 'compute', ...base, work, macs, sramReadBytes, sramWriteBytes, produces, region, kTiles }));
  }

  /** A DRAM read; an ungated one (a prefetch) is posted: its engine goes on once its requests are out. */
  dramRead(c: Common, engine: Engine, channelBytes: readonly number[], reads?: readonly TileRegion[]): TaskId {
    const posted = c.ungated === true ? true : undefined;
    const issue = posted ? readIssueCycles(this.opts.arch, channelBytes) : undefined;
    // postedReadsInFlight posted reads in flight per core (default one), in creation (op) order:
    // prefetches for later ops must not take the DRAM channels and links from the next op's (a
    // deeper queue measured slower on some models, faster on others: refine.ts tries it per model).
    const inFlight = this.opts.postedReadsInFlight ?? 1;
    const mine = posted ? (this.postedOn[c.core] ??= []) : undefined;
    const prev = mine !== undefined && mine.length >= inFlight ? mine[mine.length - inFlight] : undefined;
    if (prev !== undefined) c = { ...c, deps: [...c.deps, prev] };
    // At most prefetchReadsPerChannel posted reads queued on a channel, in creation order (each
    // waits for the one that many before it there): a channel serves its requests first come, first
    // served, so deeper prefetch queues hold up the reads an op needs now.
    const bound = this.opts.prefetchReadsPerChannel;
    if (posted && bound !== undefined) {
      const extra: TaskId[] = [];
      channelBytes.forEach((b, ch) => {
        const queued = this.postedByChannel[ch];
        const t = queued !== undefined && queued.length >= bound ? queued[queued.length - bound] : undefined;
        if (b > 0 && t !== undefined && !extra.includes(t)) extra.push(t);
      });
      if (extra.length > 0) c = { ...c, deps: [...c.deps, ...extra] };
    }
    const id = this.dramTask(c, engine, channelBytes, true, (base, noc, endpoints) => ({ kind: 'dram-read', ...base, noc, posted, channelBytes, endpoints, reads }), issue);
    if (mine !== undefined) {
      mine.push(id);
      if (mine.length > inFlight) mine.shift();
    }
    if (posted && bound !== undefined) {
      channelBytes.forEach((b, ch) => {
        if (b <= 0) return;
        const queued = (this.postedByChannel[ch] ??= []);
        queued.push(id);
        if (queued.length > bound) queued.shift();
      });
    }
    return id;
  }

  dramWrite(c: Common, engine: Engine, channelBytes: readonly number[], writes?: TileRegion): TaskId {
    return this.dramTask(c, engine, channelBytes, false, (base, noc, endpoints) => ({ kind: 'dram-write', ...base, noc, channelBytes, endpoints, writes }));
  }

  /** A DRAM transfer: its NoC and endpoint tiles are chosen (bookDram) once its start is known. */
  private dramTask(
    c: Common, engine: Engine, channelBytes: readonly number[], isRead: boolean,
    make: (base: Omit<Task, 'kind'>, noc: number, endpoints: number[] | undefined) => Task, issue?: number,
  ): TaskId {
    let noc = this.timing.dramNoc(c.core, channelBytes, isRead);
    let endpoints: number[] | undefined;
    const length = (start: number): number => {
      const r = this.timing.bookDram(c.core, noc, channelBytes, isRead, start);
      noc = r.noc;
      endpoints = usedEndpoints(r.endpoints, channelBytes);
      return r.cycles;
    };
    return this.push(c, engine, length, (base) => make(base, noc, endpoints), issue);
  }

  send(c: Common, engine: Engine, dsts: readonly number[], bytes: number, reads?: readonly TileRegion[], partial?: TileRegion): TaskId {
    assert(dsts.length > 0 && !dsts.includes(c.core), 'send needs remote destinations');
    const multicast = dsts.length > 1 && this.opts.arch.noc.hasMulticast;
    let timed: SendTiming | undefined;
    const length = (start: number): number => (timed = this.timing.bookSend(c.core, dsts, bytes, multicast, start)).cycles;
    const id = this.push(c, engine, length, (base) => ({ kind: 'send', ...base, noc: timed!.noc, dsts, multicast, bytes, reads, ...(partial !== undefined ? { partial } : {}) }), () => timed!.issue);
    this.sendsSinceGate[c.core]!.push(id);
    return id;
  }

  /** Per DRAM channel: the fewest router hops of a read from it to `core` (TransferTiming.readHops). */
  readHops(core: number): number[] {
    return this.timing.readHops(core);
  }

  /** Sends a core issued since its gate was last set (posted writes that may still be landing). */
  sendsInFlight(core: number): readonly TaskId[] {
    return this.sendsSinceGate[core]!;
  }

  /** Forgets a core's sends in flight once a task on its compute stream waited for all of them. */
  sendsSettled(core: number): void {
    this.sendsSinceGate[core] = [];
  }

  /**
   * `issue`: cycles the engine is held when less than the task's length (posted writes and reads).
   * An ungated task goes into its stream by key, behind its stream predecessor there.
   */
  private push(c: Common, engine: Engine, length: number | ((start: number) => number), make: (base: Omit<Task, 'kind'>) => Task, issueOf?: number | (() => number)): TaskId {
    const id = this.tasks.length as TaskId;
    const e = ENGINES.indexOf(engine);
    const early = c.ungated === true;
    const gate = early ? undefined : this.gate[c.core];
    if (gate !== undefined && !c.deps.includes(gate)) c = { ...c, deps: [gate, ...c.deps] };
    const stream = this.streams[c.core]![e]!;
    let ready = 0;
    for (const d of c.deps) {
      assert(d < id, `task ${id} depends on later task ${d}`);
      ready = Math.max(ready, this.endCycle[d] ?? 0);
    }
    let key = id as number;
    let at = stream.length;
    if (early) {
      // Ahead of the stream's tasks predicted to start after it is ready, but behind its deps' keys.
      let floor = -1;
      for (const d of c.deps) floor = Math.max(floor, this.key[d]!);
      // Keys rise along a stream and so do predicted starts (a task is put only where it starts no
      // later than the next one): the place is the later of two binary searches.
      at = Math.max(
        firstIndex(stream.length, (i) => this.key[stream[i]!]! > floor),
        firstIndex(stream.length, (i) => this.tasks[stream[i]!]!.predictedStartCycle >= ready),
      );
      if (at < stream.length) {
        // A key between its neighbours, a sixteenth of the way up from the lower one.
        const lower = Math.max(floor, at > 0 ? this.key[stream[at - 1]!]! : -1);
        const upper = this.key[stream[at]!]!;
        key = lower + (upper - lower) / 16;
        // Out of room between two keys: append instead. This is a policy more than an edge case. A
        // later prefetch that is ready as early goes in before an earlier one placed there (that
        // one is predicted to start no sooner), so the gap below shrinks 16-fold each time: after
        // about five prefetches at one place the rest queue at the end of the stream. It happens
        // thousands of times per model (MobileNetV2 2546, ResNet-50 b1 1957, BERT-base 684
        // placements, search trials included). Renumbering the keys when out of room, so that all
        // go ahead, measured slower (packet NoC, us): BERT-base 952.4 -> 1055.1, ResNet-50 b1
        // 429.8 -> 439.4, ResNet-18 187.4 -> 194.7; ViT-B/16 1712.7 -> 1695.8, ResNet-50 b4
        // 854.2 -> 819.9. More prefetches ahead of an op's own tasks block them in the in-order
        // streams (see the FIFO and dedicated-queue experiments in issue 5's notes).
        if (!(key > lower && key < upper && upper - lower > 1e-6)) {
          key = id;
          at = stream.length;
        }
      }
    }
    const start = Math.max(ready, at === stream.length ? this.engineFree[c.core]![e]! : at > 0 ? this.releaseCycle[stream[at - 1]!]! : 0);
    const cycles = typeof length === 'number' ? length : length(start);
    const issue = typeof issueOf === 'function' ? issueOf() : issueOf;
    // Fixed field order and no conditional spreads: every task object shares one shape (fast to
    // build and to read in the simulator). Absent optional fields are undefined (dropped by JSON).
    const base = {
      id, core: c.core, engine, deps: c.deps, op: c.op,
      alloc: c.alloc !== undefined && c.alloc.length > 0 ? c.alloc : undefined,
      free: c.free !== undefined && c.free.length > 0 ? c.free : undefined,
      predictedStartCycle: start, predictedCycles: cycles,
    };
    this.tasks.push(make(base));
    this.endCycle[id] = start + cycles;
    if (start + cycles > this.lastEnd) this.lastEnd = start + cycles;
    const release = start + Math.min(issue ?? cycles, cycles);
    this.releaseCycle[id] = release;
    this.key[id] = key;
    // Placed ahead of later tasks, a prefetch delays them only if it outlasts the engine's last one.
    this.engineFree[c.core]![e] = Math.max(this.engineFree[c.core]![e]!, release);
    if (early) {
      stream.splice(at, 0, id);
      this.early.push({ core: c.core, e, id });
    } else stream.push(id);
    this.ungatedFlags[id] = early;
    return id;
  }

}
