// The cost model of the strategy search: when one op's tasks finish, as the later of
// - the builder's prediction of their last end (engine order, dependencies, transfer latency,
//   and the link and channel load predicted so far), and
// - the cycle `ready` (when the ops before it are predicted done) plus the longest of its busiest
//   core's compute, its busiest NoC link (bytes routed over it: dimension-order routes, a
//   multicast tree once, at the link bandwidth) and its DRAM traffic (the busiest channel, and all
//   of it at the aggregate sustained bandwidth).
// The contention terms are bounds: tasks sharing a link or channel cannot beat them, whatever
// the overlap. Shared with nothing in sim/ (the simulator never sees the search).

import type { ArchSpec, Coord } from '../../arch/spec.js';
import { channelBytesPerCycle } from '../../noc/dram-channel.js';
import { dramEndpoint } from '../../noc/dram-endpoint.js';
import { createNocState, multicastRoute, unicastRoute, type NocState, type Route } from '../../noc/packet-model.js';
import { buildTopology } from '../../noc/topology.js';
import type { Task } from '../program.js';

/** The terms of one estimate, in cycles. */
export interface OpCost {
  /** Predicted finish cycle of the op. */
  readonly cycles: number;
  /** The builder's predicted finish. */
  readonly criticalPath: number;
  readonly compute: number;
  readonly link: number;
  readonly dram: number;
}

export class OpCostModel {
  private readonly noc: NocState;
  private readonly linkBytes: Float64Array;
  private readonly channelBytes: Float64Array;
  private readonly coreCycles: Float64Array;
  private readonly channelRate: number[];
  private readonly totalRate: number;
  private readonly arch: ArchSpec;
  private readonly cores: readonly Coord[];

  constructor(arch: ArchSpec, cores: readonly Coord[]) {
    this.arch = arch;
    this.cores = cores;
    const links = buildTopology(arch).linkCount;
    this.noc = createNocState(arch, new Float64Array(links));
    this.linkBytes = new Float64Array(links);
    this.channelBytes = new Float64Array(arch.dram.channels.length);
    this.coreCycles = new Float64Array(cores.length);
    this.channelRate = channelBytesPerCycle(arch);
    this.totalRate = this.channelRate.reduce((a, b) => a + b, 0);
  }

  /** Estimates the op made of `tasks[from..]` (predicted ends `end(id)`), begun once `ready`. */
  cost(tasks: readonly Task[], from: number, end: (id: number) => number, ready: number): OpCost {
    this.linkBytes.fill(0);
    this.channelBytes.fill(0);
    this.coreCycles.fill(0);
    let finish = 0;
    let any = false;
    for (let i = from; i < tasks.length; i++) {
      const t = tasks[i]!;
      if (t.kind === 'compute' && t.work.length === 0) continue; // buffer bookkeeping only
      any = true;
      finish = Math.max(finish, end(t.id));
      const core = this.cores[t.core]!;
      switch (t.kind) {
        case 'compute':
          this.coreCycles[t.core] = this.coreCycles[t.core]! + t.predictedCycles;
          break;
        case 'send':
          if (t.multicast) this.load(multicastRoute(this.noc, t.noc, core, t.dsts.map((d) => this.cores[d]!)), t.bytes);
          else for (const d of t.dsts) this.load(unicastRoute(this.noc, t.noc, core, this.cores[d]!), t.bytes);
          break;
        case 'dram-read':
        case 'dram-write':
          t.channelBytes.forEach((b, ch) => {
            if (!(b > 0)) return;
            this.channelBytes[ch] = this.channelBytes[ch]! + b;
            const ep = dramEndpoint(this.arch, ch, t.endpoints?.[ch] ?? 0);
            this.load(t.kind === 'dram-read' ? unicastRoute(this.noc, t.noc, ep, core) : unicastRoute(this.noc, t.noc, core, ep), b);
          });
          break;
      }
    }
    if (!any) return { cycles: 0, criticalPath: 0, compute: 0, link: 0, dram: 0 };
    let link = 0;
    for (const b of this.linkBytes) if (b > link) link = b;
    link /= this.arch.noc.linkBytesPerCycle;
    let dram = 0;
    let total = 0;
    this.channelBytes.forEach((b, ch) => { total += b; dram = Math.max(dram, b / this.channelRate[ch]!); });
    dram = Math.max(dram, total / this.totalRate);
    let compute = 0;
    for (const c of this.coreCycles) if (c > compute) compute = c;
    return { cycles: Math.max(finish, ready + Math.max(compute, link, dram)), criticalPath: finish, compute, link, dram };
  }

  private load(route: Route, bytes: number): void {
    for (const l of route.links) this.linkBytes[l] = this.linkBytes[l]! + bytes;
  }
}
