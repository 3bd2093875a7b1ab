// State shared by the lowering of every op group: where each tensor lives, which task makes each
// core's part of it ready, and how much SRAM each core has committed to resident tensors.

import { assert } from '../../arch/errors.js';
import type { ArchSpec, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import type { Graph, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import type { BufferId, Engine, TaskId, TensorLayout, TileShard } from '../program.js';
import type { Footprint, PlacedShape } from './footprint.js';
import type { ProgramBuilder } from './builder.js';
import { cellRect, channelBytesOf, holdersOf, rectTiles, type MatrixView, type ShardGrid, type TileRect } from './layout.js';

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
  /** Traced footprints by what they depend on (see input-footprints.ts), for repeated layers. */
  readonly footprintCache: Map<string, Footprint>;
  /** Per core of the op being lowered: the task that allocates its buffers (opens the op there). */
  readonly openOf: Map<number, TaskId>;
  /** Bytes of resident tensor shards per core right now. */
  readonly residentBytes: number[];
  readonly views: (t: TensorId) => MatrixView;
  /** Shape, layout and matrix view of a tensor (activations; weights once placed). */
  readonly shapeOf: (t: TensorId) => PlacedShape;
  /** Adds a tensor to Program.tensors with its home and layout; returns its index. */
  readonly registerTensor: (t: TensorId, home: 'sram' | 'dram', layout?: TensorLayout, shape?: readonly number[]) => number;
  /** Records which cores hold a resident graph input or output (Program tensor `shards`). */
  readonly setShards: (programIndex: number, shards: readonly TileShard[]) => void;
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
  /** The tiles needed, as rectangles of the tensor's matrix (a footprint). */
  readonly rects: readonly TileRect[];
  /** Cores that need the data; the first one reads DRAM-resident data and forwards it. */
  readonly dsts: readonly number[];
  readonly engine: Engine;
  /** Extra dependencies (e.g. the destination buffer slot being free). */
  readonly deps: readonly TaskId[];
}

/**
 * Brings tiles of a tensor to a set of cores. Returns, per destination core, the tasks whose
 * completion means the data is there. SRAM-resident data is sent by each holder (one multicast
 * per holder carrying all its pieces); DRAM-resident data is read by the first destination and
 * multicast to the rest.
 */
export function fetchRect(ctx: LowerContext, req: FetchRequest): Map<number, TaskId[]> {
  if (!ctx.placed.has(req.tensor) && ctx.graph.tensors[req.tensor]!.isConstant) placeConstant(ctx, req.tensor, 'rows');
  const p = ctx.placed.get(req.tensor);
  assert(p !== undefined, `tensor "${ctx.graph.tensors[req.tensor]!.name}" is read by op ${req.op} before any op produced it`);
  const arrive = new Map<number, TaskId[]>(req.dsts.map((d) => [d, []]));
  const rects = req.rects.filter((r) => rectTiles(r) > 0);
  if (rects.length === 0) return arrive;
  const region = (r: TileRect) => ({ tensor: p.programIndex, row0: r.r0, rows: r.r1 - r.r0, col0: r.c0, cols: r.c1 - r.c0 });
  if (p.home === 'sram' && p.grid !== undefined) {
    const byHolder = new Map<number, TileRect[]>();
    for (const rect of rects) {
      for (const piece of holdersOf(p.grid, rect)) byHolder.set(piece.core, [...(byHolder.get(piece.core) ?? []), piece.rect]);
    }
    for (const [holder, pieces] of byHolder) {
      const ready = p.readyOf.get(holder);
      const remote = req.dsts.filter((d) => d !== holder);
      if (ready !== undefined && req.dsts.includes(holder)) arrive.get(holder)!.push(ready);
      if (remote.length === 0) continue;
      const deps = [...req.deps, ...opensOf(ctx, remote), ...(ready === undefined ? [] : [ready])];
      const tiles = pieces.reduce((n, r) => n + rectTiles(r), 0);
      const t = ctx.b.send({ core: holder, op: req.op, deps }, req.engine, remote, tilesBytes(ctx, tiles), pieces.map(region));
      for (const d of remote) arrive.get(d)!.push(t);
    }
    return arrive;
  }
  const leader = req.dsts[0]!;
  const deps = [...req.deps, ...opensOf(ctx, [leader]), ...rects.flatMap((r) => dramWritersOf(p, r))];
  const channels = ctx.arch.dram.channels.length;
  const bytes = new Array<number>(channels).fill(0);
  for (const r of rects) channelBytesOf(p.view, r, p.firstChannel, channels, ctx.tileBytes).forEach((b, i) => { bytes[i]! += b; });
  const regions = rects.map(region);
  const read = ctx.b.dramRead({ core: leader, op: req.op, deps: [...new Set(deps)] }, req.engine, bytes, regions);
  arrive.get(leader)!.push(read);
  const rest = req.dsts.slice(1);
  if (rest.length > 0) {
    const tiles = rects.reduce((n, r) => n + rectTiles(r), 0);
    const fwd = ctx.b.send({ core: leader, op: req.op, deps: [read, ...opensOf(ctx, rest)] }, req.engine, rest, tilesBytes(ctx, tiles), regions);
    for (const d of rest) arrive.get(d)!.push(fwd);
  }
  return arrive;
}

/** Puts a constant (weights, embedding tables) in DRAM, interleaved over every channel. */
export function placeConstant(ctx: LowerContext, t: TensorId, layout: TensorLayout): void {
  if (ctx.placed.has(t)) return;
  const programIndex = ctx.registerTensor(t, 'dram', layout);
  const view = ctx.views(t);
  const firstChannel = t % ctx.arch.dram.channels.length;
  ctx.placed.set(t, { view, home: 'dram', readyOf: new Map(), bufferOf: new Map(), firstChannel, programIndex });
}

/** The non-empty blocks of `grid` over `view`, per core. */
export function gridShards(grid: ShardGrid, view: MatrixView): TileShard[] {
  const out: TileShard[] = [];
  for (let i = 0; i < grid.gridRows; i++) {
    for (let j = 0; j < grid.gridCols; j++) {
      const r = cellRect(grid, view, i, j);
      if (rectTiles(r) > 0) out.push({ core: grid.coreOf[i * grid.gridCols + j]!, row0: r.r0, rows: r.r1 - r.r0, col0: r.c0, cols: r.c1 - r.c0 });
    }
  }
  return out;
}

/**
 * Puts a graph input in SRAM before the program starts, block-sharded over `grid` (residentIo):
 * each holder allocates its shard in a zero-work task of op `op`, its first task on that core.
 */
export function placeResidentInput(ctx: LowerContext, op: number, t: TensorId, grid: ShardGrid): void {
  const view = ctx.views(t);
  const programIndex = ctx.registerTensor(t, 'sram');
  const shards = gridShards(grid, view);
  ctx.setShards(programIndex, shards);
  const readyOf = new Map<number, TaskId>();
  const bufferOf = new Map<number, BufferId>();
  for (const s of shards) {
    const bytes = tilesBytes(ctx, s.rows * s.cols);
    const buf = ctx.b.buffer(s.core, bytes, `${ctx.graph.tensors[t]!.name}/resident`);
    bufferOf.set(s.core, buf);
    readyOf.set(s.core, ctx.b.compute({ core: s.core, op, deps: [], alloc: [buf] }, [], 0, 0, 0));
    ctx.residentBytes[s.core] = (ctx.residentBytes[s.core] ?? 0) + bytes;
  }
  ctx.placed.set(t, { view, home: 'sram', grid, readyOf, bufferOf, firstChannel: 0, programIndex });
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
