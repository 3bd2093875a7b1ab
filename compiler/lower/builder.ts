// ProgramBuilder: appends tasks and buffers while lowering, and predicts each task's start cycle
// from engine availability, dependencies, NoC and DRAM rates, and the load already predicted on
// each DRAM channel and NoC link (bucketed bookings, channel-load.ts): a transfer is served in
// the spare time of every channel and link it uses.
//
// Tasks are created in an order consistent with their dependencies. Every engine runs its tasks in
// the order of a key: a task's creation index, but a prefetch's (an ungated task's) is just after
// the latest key among its deps, so it goes into its engine's stream ahead of later ops' tasks
// instead of queueing behind them. Deps and stream order both go up in key order, so a built
// program can never deadlock; finish() renumbers the tasks in key order.

import type { ArchSpec, Coord, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import { computeCycles } from '../../arch/core-timing.js';
import { assert } from '../../arch/errors.js';
import { buildTopology, hopCount, type Topology } from '../../noc/topology.js';
import { channelHops, interleavedDramNocs } from './dram-noc.js';
import { channelBytesPerCycle } from '../../noc/dram-channel.js';
import { ChannelLoad } from './channel-load.js';
import { dramHops } from '../../noc/dram-endpoint.js';
import { createNocState, multicastRoute, unicastRoute, type NocState } from '../../noc/packet-model.js';
import { readIssueCycles } from '../../noc/transfer.js';
import type {
  BufferId, Engine, ProgramBuffer, Task, TaskId, TileRegion, WorkItem,
} from '../program.js';

export interface BuilderOptions {
  readonly arch: ArchSpec;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly cores: readonly Coord[];
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

/** NoC state per arch, used only for its route caches: builders of one arch share the routes they build. */
const routeCaches = new WeakMap<ArchSpec, NocState>();

function routesFor(arch: ArchSpec, linkCount: number): NocState {
  let s = routeCaches.get(arch);
  if (s === undefined) {
    s = createNocState(arch, new Float64Array(linkCount));
    routeCaches.set(arch, s);
  }
  return s;
}

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
  readonly lastPosted: readonly (TaskId | undefined)[];
  readonly channelLoad: number;
  readonly linkLoad: number;
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
  private readonly topo: Topology;
  private readonly channelBytesPerCycle: number[];
  private readonly channelLoad: ChannelLoad;
  /** Predicted busy time of each NoC link (the same bucketed bookings as the DRAM channels'). */
  private readonly linkLoad: ChannelLoad;
  /** Per (core, NoC, channel, direction): its endpoint tiles nearest first (tilesByHops). */
  private readonly tileOrder: ({ order: readonly number[]; hopsOf: readonly number[] } | undefined)[] = [];
  /** Routes only (shared by every builder of the arch: routesFor). */
  private readonly noc: NocState;
  private interleaved: { read: number; write: number } | undefined;
  /** Per core: the task every new task on that core waits for (the end of the previous op there). */
  private readonly gate: (TaskId | undefined)[];
  private readonly sendsSinceGate: TaskId[][];
  /** Per task: created ungated (a prefetch). */
  private readonly ungatedFlags: boolean[] = [];
  /** Per core: its latest posted read (each waits for the one before). */
  private readonly lastPosted: (TaskId | undefined)[] = [];

  constructor(opts: BuilderOptions) {
    this.opts = opts;
    this.topo = buildTopology(opts.arch);
    this.streams = opts.cores.map(() => ENGINES.map(() => []));
    this.engineFree = opts.cores.map(() => ENGINES.map(() => 0));
    this.gate = opts.cores.map(() => undefined);
    this.sendsSinceGate = opts.cores.map(() => []);
    this.channelBytesPerCycle = channelBytesPerCycle(opts.arch);
    this.channelLoad = new ChannelLoad(this.channelBytesPerCycle.length);
    this.linkLoad = new ChannelLoad(this.topo.linkCount);
    this.noc = routesFor(opts.arch, this.topo.linkCount);
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
      lastPosted: [...this.lastPosted],
      channelLoad: this.channelLoad.mark(),
      linkLoad: this.linkLoad.mark(),
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
    cp.lastPosted.forEach((t, c) => { this.lastPosted[c] = t; });
    this.lastPosted.length = cp.lastPosted.length;
    this.channelLoad.rollback(cp.channelLoad);
    this.linkLoad.rollback(cp.linkLoad);
    this.ungatedFlags.length = cp.tasks;
  }

  /**
   * Forgets how to roll back past this point (checkpoints taken before it must not be used again):
   * the load bookings' logs start afresh, which keeps them short over a long program.
   */
  commit(): void {
    this.channelLoad.commit();
    this.linkLoad.commit();
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
    // One posted read in flight per core, in creation (op) order: prefetches for later ops must not
    // take the DRAM channels and links from the next op's (a deeper queue measured slower).
    const prev = posted ? this.lastPosted[c.core] : undefined;
    if (prev !== undefined) c = { ...c, deps: [...c.deps, prev] };
    const id = this.dramTask(c, engine, channelBytes, true, (base, noc, endpoints) => ({ kind: 'dram-read', ...base, noc, posted, channelBytes, endpoints, reads }), issue);
    if (posted) this.lastPosted[c.core] = id;
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
    let noc = this.dramNoc(c.core, channelBytes, isRead);
    let endpoints: number[] | undefined;
    const length = (start: number): number => {
      const r = this.bookDram(c.core, noc, channelBytes, isRead, start);
      noc = r.noc;
      endpoints = usedEndpoints(r.endpoints, channelBytes);
      return r.cycles;
    };
    return this.push(c, engine, length, (base) => make(base, noc, endpoints), issue);
  }

  /**
   * The NoC a DRAM transfer begun at `start` is predicted to finish first on, given the channel and
   * link load booked so far (ties: `preferred`, the choice for the traffic pattern or fewest hops).
   */
  private bookDram(core: number, preferred: number, channelBytes: readonly number[], isRead: boolean, start: number): { noc: number; cycles: number; endpoints: number[] } {
    // Weighed on the preferred NoC first: when no other NoC could beat that even on idle links and
    // channels, it is booked there. Otherwise the first NoC predicted to finish earlier (ties:
    // preferred). A booking sees the links its earlier channels booked, so it is never quicker
    // than the prediction without them: a NoC whose idle bound reaches the preferred one's
    // prediction could not have been picked.
    const endpoints: number[] = [];
    let noc = preferred;
    let best = this.dramCycles(core, preferred, channelBytes, isRead, start, false);
    const rivals: number[] = [];
    for (let n = 0; n < this.topo.nocs.length; n++) {
      if (n !== preferred && this.dramCycles(core, n, channelBytes, isRead, start, false, true) < best) rivals.push(n);
    }
    for (const n of rivals) {
      const t = this.dramCycles(core, n, channelBytes, isRead, start, false);
      if (t < best) {
        best = t;
        noc = n;
      }
    }
    const cycles = this.dramCycles(core, noc, channelBytes, isRead, start, true, false, endpoints);
    return { noc, cycles, endpoints };
  }

  send(c: Common, engine: Engine, dsts: readonly number[], bytes: number, reads?: readonly TileRegion[], partial?: TileRegion): TaskId {
    assert(dsts.length > 0 && !dsts.includes(c.core), 'send needs remote destinations');
    const src = this.opts.cores[c.core]!;
    const hops: number[] = [];
    let fewest = 0;
    for (let n = 0; n < this.topo.nocs.length; n++) {
      let worst = 0;
      for (const d of dsts) worst = Math.max(worst, hopCount(this.topo, n, src, this.opts.cores[d]!) ?? Infinity);
      hops.push(worst);
      if (worst < hops[fewest]!) fewest = n;
    }
    const multicast = dsts.length > 1 && this.opts.arch.noc.hasMulticast;
    const copies = multicast ? 1 : dsts.length;
    const niu = this.opts.arch.noc.niuLatencyCycles;
    let noc = fewest;
    let issue = 0;
    // Its packets share each link of its routes with what else the prediction has on it; it takes
    // the NoC it is predicted to finish first on (ties: fewer hops), not simply the shorter route.
    const length = (start: number): number => {
      const cycles = this.wireCycles(bytes);
      const routes: (Int32Array[] | undefined)[] = [];
      const onNoc = (n: number, commit: boolean): { end: number; issue: number } => {
        let served = start;
        let injected = start;
        const links = (routes[n] ??= multicast
          ? [multicastRoute(this.noc, n, src, dsts.map((d) => this.opts.cores[d]!)).links]
          : dsts.map((d) => unicastRoute(this.noc, n, src, this.opts.cores[d]!).links));
        for (const route of links) {
          for (let i = 0; i < route.length; i++) {
            const t = commit ? this.linkLoad.book(route[i]!, start, cycles) : this.linkLoad.peek(route[i]!, start, cycles);
            if (t > served) served = t;
            if (i === 0 && t > injected) injected = t;
          }
        }
        const alone = this.transferCycles(hops[n]!, bytes * copies);
        const latency = this.transferCycles(hops[n]!, 0);
        return { end: Math.max(alone, Math.ceil(served - start) + latency), issue: Math.max(alone - latency, Math.ceil(injected - start)) + niu };
      };
      // Weighed on the shortest route first: when no other NoC could beat that even on idle links
      // (the common case), it is booked there; otherwise on the NoC predicted to finish first (ties:
      // fewer hops). A NoC whose idle bound reaches the shortest route's prediction is never picked.
      const shortest = onNoc(fewest, false).end;
      if (hops.some((h, n) => n !== fewest && h < Infinity && this.transferCycles(h, bytes * copies) < shortest)) {
        let bestEnd = Infinity;
        for (let n = 0; n < hops.length; n++) {
          if (!(hops[n]! < Infinity)) continue;
          const end = n === fewest ? shortest : onNoc(n, false).end;
          if (end < bestEnd || (end === bestEnd && hops[n]! < hops[noc]!)) {
            noc = n;
            bestEnd = end;
          }
        }
      }
      const r = onNoc(noc, true);
      issue = r.issue;
      return r.end;
    };
    const id = this.push(c, engine, length, (base) => ({ kind: 'send', ...base, noc, dsts, multicast, bytes, reads, ...(partial !== undefined ? { partial } : {}) }), () => issue);
    this.sendsSinceGate[c.core]!.push(id);
    return id;
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
        // A key between its neighbours, nearer the lower one (prefetches follow each other there).
        const lower = Math.max(floor, at > 0 ? this.key[stream[at - 1]!]! : -1);
        const upper = this.key[stream[at]!]!;
        key = lower + (upper - lower) / 16;
        // Out of room between two keys (after very many insertions at one place): append instead.
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

  /** Cycles `bytes` (packetised, headers included) occupy one link. */
  private wireCycles(bytes: number): number {
    const noc = this.opts.arch.noc;
    const packets = Math.max(1, Math.ceil(bytes / noc.maxPacketPayloadBytes));
    return (bytes + packets * noc.headerFlits * noc.flitBytes) / noc.linkBytesPerCycle;
  }

  /** Contention-free time of moving `bytes` over `hops` router hops (packetised, cut-through). */
  private transferCycles(hops: number, bytes: number): number {
    const noc = this.opts.arch.noc;
    const packets = Math.max(1, Math.ceil(bytes / noc.maxPacketPayloadBytes));
    const wireBytes = bytes + packets * noc.headerFlits * noc.flitBytes;
    return 2 * noc.niuLatencyCycles + hops * noc.hopLatencyCycles + Math.ceil(wireBytes / noc.linkBytesPerCycle);
  }

  /**
   * Cycles of a DRAM transfer on NoC `noc` begun at `start`, at least the whole at one link's rate.
   * Each channel serves its bytes in its spare time from then on (channel-load.ts: weight streams
   * are bounded by the channels' bandwidth, not each read by its own), and they cross the links of
   * the route from the endpoint tile whose links are predicted least busy (its index goes into
   * `endpoints`; the first tile on ties). With `commit`, the channel and link time is booked; with
   * `idle`, everything is taken as idle (a lower bound; nothing is booked).
   */
  private dramCycles(core: number, noc: number, channelBytes: readonly number[], isRead: boolean, start: number, commit = true, idle = false, endpoints?: number[]): number {
    const arch = this.opts.arch;
    const at = this.opts.cores[core]!;
    let worst = 0;
    let total = 0;
    for (let ch = 0; ch < channelBytes.length; ch++) {
      const b = channelBytes[ch];
      if (b === undefined || b <= 0) continue;
      total += b;
      const cyc = b / this.channelBytesPerCycle[ch]!;
      const channelServed = idle ? start + cyc : commit ? this.channelLoad.book(ch, start, cyc) : this.channelLoad.peek(ch, start, cyc);
      const wire = this.wireCycles(b);
      const fixed = (isRead ? arch.dram.latencyCycles : 0) - start;
      let best = Infinity;
      let pick = -1;
      let pickLinks: Int32Array | undefined;
      const tiles = arch.dram.channels[ch]!.endpoints;
      const { order, hopsOf } = this.tilesByHops(core, noc, ch, isRead);
      for (const e of order) {
        const hops = hopsOf[e]!;
        if (hops === Infinity) continue;
        let served = Math.max(channelServed, start + wire);
        // On idle links this tile could not beat the best one so far: skip weighing its route.
        const bound = served + fixed + this.transferCycles(hops, 0);
        if (bound > best || (bound === best && e > pick)) continue;
        let links: Int32Array | undefined;
        if (!idle) {
          const ep = tiles[e]!;
          links = (isRead ? unicastRoute(this.noc, noc, ep, at) : unicastRoute(this.noc, noc, at, ep)).links;
          for (const l of links) served = Math.max(served, this.linkLoad.peek(l, start, wire));
        }
        const t = served + fixed + this.transferCycles(hops, 0);
        if (t < best || (t === best && e < pick)) {
          best = t;
          pick = e;
          pickLinks = links;
        }
      }
      if (pick < 0) {
        worst = Infinity; // no route on this NoC
        continue;
      }
      if (commit && !idle) for (const l of pickLinks!) this.linkLoad.book(l, start, wire);
      if (endpoints !== undefined) endpoints[ch] = pick;
      worst = Math.max(worst, best);
    }
    return Math.ceil(Math.max(worst, total / arch.noc.linkBytesPerCycle));
  }

  /** Per DRAM channel: the fewest router hops of a read from it to `core`, over NoCs and endpoint tiles (Infinity: none). */
  readHops(core: number): number[] {
    return this.opts.arch.dram.channels.map((_, ch) => {
      let best = Infinity;
      for (let n = 0; n < this.topo.nocs.length; n++) {
        const { order, hopsOf } = this.tilesByHops(core, n, ch, true);
        if (order.length > 0) best = Math.min(best, hopsOf[order[0]!]!);
      }
      return best;
    });
  }

  /** A channel's endpoint tiles nearest first from `core` on `noc` (ties: list order), with their hops (cached). */
  private tilesByHops(core: number, noc: number, ch: number, isRead: boolean): { order: readonly number[]; hopsOf: readonly number[] } {
    const channels = this.opts.arch.dram.channels;
    const key = ((core * this.topo.nocs.length + noc) * channels.length + ch) * 2 + (isRead ? 1 : 0);
    let hit = this.tileOrder[key];
    if (hit === undefined) {
      const at = this.opts.cores[core]!;
      const tiles = channels[ch]!.endpoints;
      const hopsOf = tiles.map((_, e) => dramHops(this.topo, this.opts.arch, ch, noc, at, isRead ? 'read' : 'write', e) ?? Infinity);
      hit = this.tileOrder[key] = { order: tiles.map((_, e) => e).sort((x, y) => hopsOf[x]! - hopsOf[y]! || x - y), hopsOf };
    }
    return hit;
  }

  /** The NoC a DRAM transfer prefers when both are as quick: for several channels the interleaved-pattern choice, else fewest hops. */
  private dramNoc(core: number, channelBytes: readonly number[], isRead: boolean): number {
    const touched = channelBytes.filter((b) => b > 0).length;
    if (touched > 1) {
      this.interleaved ??= interleavedDramNocs(this.opts.arch, this.topo, this.opts.cores);
      return isRead ? this.interleaved.read : this.interleaved.write;
    }
    let best = 0;
    let bestCost = Infinity;
    for (let n = 0; n < this.topo.nocs.length; n++) {
      let cost = 0;
      channelBytes.forEach((b, ch) => { if (b > 0) cost += b * channelHops(this.opts.arch, this.topo, this.opts.cores[core]!, n, ch, isRead); });
      if (cost < bestCost) {
        best = n;
        bestCost = cost;
      }
    }
    return best;
  }
}
