// State shared by the lowering of every op group: where each tensor lives, which task makes each
// core's part of it ready, and how much SRAM each core has committed to resident tensors.

import type { WeightLayout } from './dram-placement.js';
import { assert } from '../../arch/errors.js';
import type { ArchSpec, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import type { Graph, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import type { BufferId, Engine, TaskId, TensorAlias, TensorLayout, TileShard } from '../program.js';
import { TILE } from '../tensor-layout.js';
import type { Footprint, PlacedShape } from './footprint.js';
import type { ProgramBuilder } from './builder.js';
import { tilesToRects } from './footprint.js';
import type { TileAlias } from './tile-alias.js';
import { isReleased } from './output.js';
import { addTileChannelBytes, cellRect, channelBytesOf, holdersOf, rectTiles, rectsTiles, tileRegion, type CoreArea, type MatrixView, type ShardGrid, type TileRect } from './layout.js';

/** A block of a tensor and the task after which it is ready (computed in SRAM, or written to DRAM). */
export interface ReadyBlock {
  readonly rect: TileRect;
  readonly task: TaskId;
}

/**
 * The tiles of a tensor one lowering produced: the whole tensor, or one micro-batch of rows
 * (pipeline mode lowers an op once per micro-batch).
 */
export interface TensorPart {
  /** SRAM shards on the grid's cores, or interleaved in DRAM (written back block by block). */
  readonly home: 'sram' | 'dram';
  /** The producer's distribution (its rows: [grid.row0, grid.rowEnd)). */
  readonly grid: ShardGrid;
  /** Per core of the grid: its blocks in the order they became ready. */
  readonly ready: ReadonlyMap<number, readonly ReadyBlock[]>;
  /** Per core: the SRAM buffer holding its shard (home 'sram'). */
  readonly bufferOf: ReadonlyMap<number, BufferId>;
}

/** Where a tensor's data is and which tasks make it ready. */
export interface PlacedTensor {
  readonly view: MatrixView;
  /** What produced it, part by part (none: graph inputs and weights, in DRAM). */
  readonly parts: readonly TensorPart[];
  readonly firstChannel: number;
  /** Index in Program.tensors. */
  readonly programIndex: number;
  /**
   * Stored row-major in DRAM, as the host wrote it (graph inputs): a read moves only the real
   * columns of its tiles, not the padding of a last partial tile column (the reader tilizes).
   */
  readonly rowMajor?: boolean;
  /** A constant stored near its readers (dram-placement.ts): each tile's DRAM channel, row-major. */
  readonly tileChannel?: Int16Array;
  /** A tensor whose DRAM layout is settled (a read used it, or placeNearReaders chose it): placeNearReaders leaves it. */
  readonly layoutFixed?: boolean;
}

export interface LowerContext {
  readonly arch: ArchSpec;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly graph: Graph;
  readonly b: ProgramBuilder;
  readonly rootOf: readonly TensorId[];
  /** Root tensors that are whole tiles of another (tile-alias.ts): fetched from their source. */
  readonly aliases: ReadonlyMap<TensorId, TileAlias>;
  /** The cores the op being lowered may use (the whole grid, or its pipeline stage's region). */
  readonly area: CoreArea;
  /** The area's rows and columns of cores. */
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
  /** Per core, the last prefetchDepth ops lowered on it (most recent last): what weight prefetch must not collide with. */
  readonly recentOps: OpOnCore[][];
  /** How many of a core's latest ops weight prefetch may reach back over (PrefetchSettings.depth). */
  readonly prefetchDepth: number;
  /** Matmul weights may be fetched into their own buffers while the previous op still runs (op by op). */
  readonly prefetchWeights?: boolean;
  /** Where matmul weights are stored in DRAM (CompileOptions.weightLayout). */
  readonly weightLayout: WeightLayout;
  readonly views: (t: TensorId) => MatrixView;
  /** Shape, layout and matrix view of a tensor (activations; weights once placed). */
  readonly shapeOf: (t: TensorId) => PlacedShape;
  /** Adds a tensor to Program.tensors with its home and layout; returns its index. */
  readonly registerTensor: (t: TensorId, home: 'sram' | 'dram', layout?: TensorLayout, shape?: readonly number[]) => number;
  /** Tensors may be partly produced (pipeline micro-batches): reading what is not there throws NotYetProduced. */
  readonly partial?: boolean;
  /** Marks a Program tensor as (partly) DRAM-resident. */
  readonly setDramHome: (programIndex: number) => void;
  /** Records which cores hold a resident graph input or output (Program tensor `shards`). */
  readonly setShards: (programIndex: number, shards: readonly TileShard[]) => void;
  /** Records that a Program tensor is an alias of another's tiles. */
  readonly setAlias: (programIndex: number, alias: TensorAlias) => void;
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

/**
 * How many of a core's latest ops weight prefetch may reach back over (settings, measured).
 * Interleaved weights: 6 against 4 simulates 1-6% faster on nine of ten models (BERT-base, ViT,
 * MobileNetV2/V3, EfficientNet, ResNet-18, GPT) and ResNet-50 b1 1.9% slower; 8 helps BERT less.
 * Deeper prefetch keeps more weight streams on the NoC beside an op's own transfers, which the
 * simulator shares fairly while the builder books them behind that op's, and every interleaved read
 * queues on every channel. Weights near their readers: 12, with at most prefetchReadsPerChannel
 * prefetch reads queued per channel. BERT-base's window then reaches the next layer's weights
 * across attention's four small ops (SRAM was never the limit there: its ops hold 96-370 KB of
 * 1.36 MB per core).
 */
export function prefetchDepth(layout: WeightLayout): number {
  return layout === 'near-readers' ? 12 : 6;
}

/**
 * With weights near their readers, at most this many prefetch reads queue on one DRAM channel (an
 * assumption, measured with depth 12, auto, packet NoC, BERT-base / ResNet-50 b1 / MobileNetV2 /
 * ResNet-50 b16 in us: 8: 1007.5 / 434.2 / 127.6 / 2137.5; 12: 1005.7 / 429.8 / 124.5 / 2136.4;
 * 16: 1040.5 / 439.2 / 123.2 / 2137.5; none: 1115.9 / 443.5 / 124.7 / 2137.4). Interleaved reads
 * touch every channel, so there a bound would put all prefetches in one line: none (undefined).
 */
export function prefetchReadsPerChannel(layout: WeightLayout): number | undefined {
  return layout === 'near-readers' ? 12 : undefined;
}

/**
 * How far and how deep prefetches go: the defaults (prefetchDepth, prefetchReadsPerChannel, one
 * posted read in flight per core) unless CompileOptions.prefetch says otherwise (refine.ts tries
 * other settings per model; each default was chosen over a set of models and is not best for all).
 */
export interface PrefetchSettings {
  readonly depth: number;
  /** Undefined: no bound. */
  readonly readsPerChannel: number | undefined;
  readonly postedInFlight: number;
}

/** Overrides of PrefetchSettings (`readsPerChannel: null` removes the bound). */
export interface PrefetchTuning {
  readonly depth?: number;
  readonly readsPerChannel?: number | null;
  readonly postedInFlight?: number;
}

/** The settings for a weight layout with `tuning` applied. */
export function prefetchSettings(layout: WeightLayout, tuning: PrefetchTuning = {}): PrefetchSettings {
  return {
    depth: tuning.depth ?? prefetchDepth(layout),
    readsPerChannel: tuning.readsPerChannel === null ? undefined : tuning.readsPerChannel ?? prefetchReadsPerChannel(layout),
    postedInFlight: tuning.postedInFlight ?? 1,
  };
}

/** An op lowered on a core: the task that opened it there, and the most SRAM the core held meanwhile. */
export interface OpOnCore {
  readonly open: TaskId | undefined;
  /**
   * Resident shards (including its output) plus its working set, at its close, plus the weights
   * prefetched for later ops while it ran.
   */
  busyBytes: number;
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
  /** A prefetch: its tasks ignore the cores' gates, and land in buffers these tasks allocate (not the op's). */
  readonly prefetch?: { readonly opens: ReadonlyMap<number, TaskId> };
  /**
   * Tiles' worth of elements the destination needs at most, when fewer than the rects hold (a data
   * op copies each output element from one input element, so a reshape's block needs a few rows of
   * many tiles): transfers then move that share of the bytes, as rows of tiles, each row with a
   * header flit of its own.
   */
  readonly neededTiles?: number;
  /** The rects are stored packed in this many tiles (a conv weight with few input channels): transfers move those. */
  readonly packedTiles?: number;
}

/**
 * Thrown by fetchRect when an op needs rows of a tensor that no lowering has produced yet (a
 * micro-batch of a consumer whose window reaches into its producer's next micro-batch). The
 * pipeline catches it, takes the attempt back and lowers those rows with the next micro-batch.
 */
export class NotYetProduced extends Error {
  constructor(tensor: string) {
    super(`rows of "${tensor}" are not produced yet`);
  }
}

/**
 * Brings tiles of a tensor to a set of cores. Returns, per destination core, the tasks whose
 * completion means the data is there. SRAM-resident data is sent by each holder (one multicast
 * per holder carrying all its pieces); DRAM-resident data is read by the first destination and
 * multicast to the rest.
 */
export function fetchRect(ctx: LowerContext, req: FetchRequest): Map<number, TaskId[]> {
  const alias = ctx.aliases.get(req.tensor);
  if (alias !== undefined) return fetchAlias(ctx, req, alias);
  if (!ctx.placed.has(req.tensor) && ctx.graph.tensors[req.tensor]!.isConstant) placeConstant(ctx, req.tensor, 'rows');
  const p = ctx.placed.get(req.tensor);
  if (p === undefined && ctx.partial === true) throw new NotYetProduced(ctx.graph.tensors[req.tensor]!.name);
  assert(p !== undefined, `tensor "${ctx.graph.tensors[req.tensor]!.name}" is read by op ${req.op} before any op produced it`);
  const arrive = new Map<number, TaskId[]>(req.dsts.map((d) => [d, []]));
  const rects = req.rects.filter((r) => rectTiles(r) > 0);
  if (rects.length === 0) return arrive;
  if (p.parts.length > 0) {
    // Parts cover rows [0, their last rowEnd) in order (micro-batches are lowered first to last).
    const produced = p.parts[p.parts.length - 1]!.grid.rowEnd;
    if (rects.some((r) => r.r1 > produced)) throw new NotYetProduced(ctx.graph.tensors[req.tensor]!.name);
  }
  const region = (r: TileRect) => tileRegion(p.programIndex, r);
  const opens = (cores: readonly number[]): TaskId[] => (req.prefetch !== undefined ? cores.flatMap((c) => { const t = req.prefetch!.opens.get(c); return t === undefined ? [] : [t]; }) : opensOf(ctx, cores));
  const ungated = req.prefetch !== undefined;
  const fetched = rectsTiles(rects);
  const share = req.neededTiles !== undefined && req.neededTiles < fetched ? req.neededTiles / fetched : 1;
  const packed = req.packedTiles !== undefined && req.packedTiles < fetched ? req.packedTiles / fetched : 1;
  // Bytes a transfer of `tiles` tiles (`bytes` in full) moves, split `ways` ways (DRAM channels).
  const moved = (bytes: number, tiles: number, ways = 1) =>
    Math.ceil(share < 1 ? bytes * share + (Math.ceil(tiles * TILE * share) * ctx.arch.noc.flitBytes) / ways : bytes * packed);
  // SRAM parts: each holder sends its pieces; DRAM parts (and tensors no op produced): one read.
  const byHolder = new Map<number, { pieces: TileRect[]; ready: TaskId[] }>();
  const fromDram: TileRect[] = p.parts.length === 0 ? rects : [];
  const dramDeps: TaskId[] = [];
  for (const part of p.parts) {
    for (const rect of rects) {
      if (part.home === 'dram') {
        const clipped = { ...rect, r0: Math.max(rect.r0, part.grid.row0), r1: Math.min(rect.r1, part.grid.rowEnd) };
        if (rectTiles(clipped) === 0) continue;
        fromDram.push(clipped);
        for (const piece of holdersOf(part.grid, clipped)) dramDeps.push(...readyFor(part, piece.core, piece.rect));
        continue;
      }
      for (const piece of holdersOf(part.grid, rect)) {
        assert(!isReleased(part), `op ${req.op} reads rows ${piece.rect.r0}-${piece.rect.r1} of "${ctx.graph.tensors[req.tensor]!.name}" after they were freed`);
        const h = byHolder.get(piece.core) ?? { pieces: [], ready: [] };
        byHolder.set(piece.core, h);
        h.pieces.push(piece.rect);
        h.ready.push(...readyFor(part, piece.core, piece.rect));
      }
    }
  }
  for (const [holder, { pieces, ready: readyList }] of byHolder) {
    const ready = [...new Set(readyList)];
    const remote = req.dsts.filter((d) => d !== holder);
    if (req.dsts.includes(holder)) arrive.get(holder)!.push(...ready);
    if (remote.length === 0) continue;
    const deps = [...req.deps, ...opens(remote), ...ready];
    const tiles = rectsTiles(pieces);
    const t = ctx.b.send({ core: holder, op: req.op, deps, ungated }, req.engine, remote, moved(tilesBytes(ctx, tiles), tiles), pieces.map(region));
    for (const d of remote) arrive.get(d)!.push(t);
  }
  if (fromDram.length === 0) return arrive;
  const leader = req.dsts[0]!;
  const deps = [...req.deps, ...opens([leader]), ...dramDeps];
  const channels = ctx.arch.dram.channels.length;
  const bytes = new Array<number>(channels).fill(0);
  if (p.parts.length === 0 && p.layoutFixed !== true) ctx.placed.set(req.tensor, { ...p, layoutFixed: true });
  for (const r of fromDram) {
    const real = p.rowMajor === true ? (Math.min(p.view.cols, r.c1 * TILE) - r.c0 * TILE) / ((r.c1 - r.c0) * TILE) : 1;
    if (p.tileChannel !== undefined) addTileChannelBytes(p.tileChannel, p.view.tileCols, r, ctx.tileBytes * real, bytes);
    else channelBytesOf(p.view, r, p.firstChannel, channels, ctx.tileBytes).forEach((b, i) => { bytes[i]! += b * real; });
  }
  const dramTiles = rectsTiles(fromDram);
  for (let i = 0; i < channels; i++) bytes[i] = moved(bytes[i]!, dramTiles, channels);
  const regions = fromDram.map(region);
  const read = ctx.b.dramRead({ core: leader, op: req.op, deps: [...new Set(deps)], ungated }, req.engine, bytes, regions);
  arrive.get(leader)!.push(read);
  const rest = req.dsts.slice(1);
  if (rest.length > 0) {
    const fwd = ctx.b.send({ core: leader, op: req.op, deps: [read, ...opens(rest)], ungated }, req.engine, rest, moved(tilesBytes(ctx, dramTiles), dramTiles), regions);
    for (const d of rest) arrive.get(d)!.push(fwd);
  }
  return arrive;
}

/** Fetches tiles of an alias tensor: its source's tiles they are (registers the alias on first use). */
function fetchAlias(ctx: LowerContext, req: FetchRequest, alias: TileAlias): Map<number, TaskId[]> {
  placeAlias(ctx, req.tensor, alias);
  const view = ctx.views(req.tensor);
  const src = new Set<number>();
  for (const r of req.rects) {
    for (let i = r.r0; i < r.r1; i++) for (let j = r.c0; j < r.c1; j++) src.add(alias.tiles[i * view.tileCols + j]!);
  }
  const rects = tilesToRects([...src].sort((a, b) => a - b), ctx.views(alias.source).tileCols);
  return fetchRect(ctx, { ...req, tensor: alias.source, rects });
}

/** Registers alias tensor `t` as a Program tensor (once): its readers' regions name it. */
function placeAlias(ctx: LowerContext, t: TensorId, alias: TileAlias): PlacedTensor {
  const had = ctx.placed.get(t);
  if (had !== undefined) return had;
  const src = ctx.placed.get(alias.source);
  assert(src !== undefined, `alias "${ctx.graph.tensors[t]!.name}" is read before its source "${ctx.graph.tensors[alias.source]!.name}" is produced`);
  const home = src.parts.some((p) => p.home === 'dram') ? 'dram' : 'sram';
  const programIndex = ctx.registerTensor(t, home);
  ctx.setAlias(programIndex, { tensor: src.programIndex, tiles: Array.from(alias.tiles), transposed: alias.transposed });
  const placed: PlacedTensor = { view: ctx.views(t), parts: [], firstChannel: 0, programIndex };
  ctx.placed.set(t, placed);
  return placed;
}

/** Puts a constant (weights, embedding tables) in DRAM, interleaved over every channel. */
export function placeConstant(ctx: LowerContext, t: TensorId, layout: TensorLayout): void {
  if (ctx.placed.has(t)) return;
  const programIndex = ctx.registerTensor(t, 'dram', layout);
  const view = ctx.views(t);
  const firstChannel = t % ctx.arch.dram.channels.length;
  ctx.placed.set(t, { view, parts: [], firstChannel, programIndex });
}

/**
 * The tasks after which `piece` (held by `core` in `part`) is ready: the blocks overlapping it, so
 * that a consumer may start on the first rows of an op before its last rows are computed.
 */
function readyFor(part: TensorPart, core: number, piece: TileRect): TaskId[] {
  const blocks = part.ready.get(core) ?? [];
  const out: TaskId[] = [];
  for (const b of blocks) {
    if (b.rect.r0 < piece.r1 && piece.r0 < b.rect.r1 && b.rect.c0 < piece.c1 && piece.c0 < b.rect.c1) out.push(b.task);
  }
  // A piece no block covers (a grid cell left empty) still waits for the core's last block.
  if (out.length === 0 && blocks.length > 0) out.push(blocks[blocks.length - 1]!.task);
  return out;
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
  const ready = new Map<number, ReadyBlock[]>();
  const bufferOf = new Map<number, BufferId>();
  for (const s of shards) {
    const bytes = tilesBytes(ctx, s.rows * s.cols);
    const buf = ctx.b.buffer(s.core, bytes, `${ctx.graph.tensors[t]!.name}/resident`);
    bufferOf.set(s.core, buf);
    const task = ctx.b.compute({ core: s.core, op, deps: [], alloc: [buf] }, [], 0, 0, 0);
    ready.set(s.core, [{ rect: { r0: s.row0, r1: s.row0 + s.rows, c0: s.col0, c1: s.col0 + s.cols }, task }]);
    ctx.residentBytes[s.core] = (ctx.residentBytes[s.core] ?? 0) + bytes;
  }
  ctx.placed.set(t, { view, parts: [{ home: 'sram', grid, ready, bufferOf }], firstChannel: 0, programIndex });
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

