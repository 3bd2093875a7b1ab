// State shared by the lowering of every op group: where each tensor lives, which task makes each
// core's part of it ready, and how much SRAM each core has committed to resident tensors.

import type { ArchSpec, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import type { Graph, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import type { BufferId, Engine, TaskId } from '../program.js';
import type { ProgramBuilder } from './builder.js';
import { channelBytesOf, holdersOf, rectTiles, type MatrixView, type ShardGrid, type TileRect } from './layout.js';

/** Where a tensor's data is and which tasks make it ready. */
export interface PlacedTensor {
  readonly view: MatrixView;
  readonly home: 'sram' | 'dram';
  /** The producer's distribution (undefined for graph inputs and weights in DRAM). */
  readonly grid?: ShardGrid;
  /** Per core of the grid: the task after which that core's part is ready (computed or written). */
  readonly readyOf: ReadonlyMap<number, TaskId>;
  /** Per core: the SRAM buffer holding its shard (home 'sram'). */
  readonly bufferOf: ReadonlyMap<number, BufferId>;
  readonly firstChannel: number;
  /** Index in Program.tensors. */
  readonly programIndex: number;
}

export interface LowerContext {
  readonly arch: ArchSpec;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly graph: Graph;
  readonly b: ProgramBuilder;
  readonly rootOf: readonly TensorId[];
  /** Logical compute grid (program core index = i * gridCols + j). */
  readonly gridRows: number;
  readonly gridCols: number;
  readonly tileBytes: number;
  /** Usable SRAM per core for program data. */
  readonly sramBudgetBytes: number;
  readonly placed: Map<TensorId, PlacedTensor>;
  /** Per core of the op being lowered: the task that allocates its buffers (opens the op there). */
  readonly openOf: Map<number, TaskId>;
  /** Bytes of resident tensor shards per core right now. */
  readonly residentBytes: number[];
  readonly views: (t: TensorId) => MatrixView;
  readonly registerTensor: (t: TensorId, view: MatrixView, home: 'sram' | 'dram') => number;
}

/** Total cores of the logical compute grid. */
export function coreCount(ctx: LowerContext): number {
  return ctx.gridRows * ctx.gridCols;
}

/** Bytes of `tiles` tiles in the program's number format. */
export function tilesBytes(ctx: LowerContext, tiles: number): number {
  return tiles * ctx.tileBytes;
}

/** Bytes of a constant tensor stored on the device (in the program's number format). */
export function constBytes(ctx: LowerContext, t: TensorId): number {
  const tensor = ctx.graph.tensors[t]!;
  return Math.ceil((numElements(tensor.shape) * ctx.tileBytes) / (32 * 32));
}

export interface FetchRequest {
  readonly op: number;
  readonly tensor: TensorId;
  readonly rect: TileRect;
  /** Cores that need the data; the first one reads DRAM-resident data and forwards it. */
  readonly dsts: readonly number[];
  readonly engine: Engine;
  /** Extra dependencies (e.g. the destination buffer slot being free). */
  readonly deps: readonly TaskId[];
}

/**
 * Brings a rectangle of a tensor's tiles to a set of cores. Returns, per destination core, the
 * tasks whose completion means the data is there. SRAM-resident data is multicast by each
 * holder; DRAM-resident data is read by the first destination and multicast to the rest.
 */
export function fetchRect(ctx: LowerContext, req: FetchRequest): Map<number, TaskId[]> {
  const p = ctx.placed.get(req.tensor);
  const arrive = new Map<number, TaskId[]>(req.dsts.map((d) => [d, []]));
  if (p === undefined || rectTiles(req.rect) === 0) return arrive;
  const region = (r: TileRect) => ({ tensor: p.programIndex, row0: r.r0, rows: r.r1 - r.r0, col0: r.c0, cols: r.c1 - r.c0 });
  if (p.home === 'sram' && p.grid !== undefined) {
    for (const piece of holdersOf(p.grid, req.rect)) {
      const ready = p.readyOf.get(piece.core);
      const remote = req.dsts.filter((d) => d !== piece.core);
      const deps = [...req.deps, ...opensOf(ctx, remote), ...(ready === undefined ? [] : [ready])];
      if (remote.length === 0) {
        if (ready !== undefined) arrive.get(piece.core)?.push(ready);
        continue;
      }
      const t = ctx.b.send({ core: piece.core, op: req.op, deps }, req.engine, remote, tilesBytes(ctx, piece.tiles), region(piece.rect));
      for (const d of remote) arrive.get(d)!.push(t);
      if (ready !== undefined && req.dsts.includes(piece.core)) arrive.get(piece.core)!.push(ready);
    }
    return arrive;
  }
  const leader = req.dsts[0]!;
  const deps = [...req.deps, ...opensOf(ctx, [leader]), ...dramWritersOf(p, req.rect)];
  const bytes = channelBytesOf(p.view, req.rect, p.firstChannel, ctx.arch.dram.channels.length, ctx.tileBytes);
  const read = ctx.b.dramRead({ core: leader, op: req.op, deps }, req.engine, bytes, region(req.rect));
  arrive.get(leader)!.push(read);
  const rest = req.dsts.slice(1);
  if (rest.length > 0) {
    const fwd = ctx.b.send({ core: leader, op: req.op, deps: [read, ...opensOf(ctx, rest)] }, req.engine, rest, tilesBytes(ctx, rectTiles(req.rect)));
    for (const d of rest) arrive.get(d)!.push(fwd);
  }
  return arrive;
}

/** The tasks that open the current op on the given cores (their buffers exist after them). */
function opensOf(ctx: LowerContext, cores: readonly number[]): TaskId[] {
  const out: TaskId[] = [];
  for (const c of cores) {
    const t = ctx.openOf.get(c);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** The DRAM writes a read of `rect` must wait for (producer cores whose blocks overlap it). */
function dramWritersOf(p: PlacedTensor, rect: TileRect): TaskId[] {
  if (p.grid === undefined) return [];
  const out: TaskId[] = [];
  for (const piece of holdersOf(p.grid, rect)) {
    const t = p.readyOf.get(piece.core);
    if (t !== undefined) out.push(t);
  }
  return out;
}
