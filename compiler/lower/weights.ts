// Weights and constants beyond one op's working set: weights kept in SRAM across the
// micro-batches of a pipelined op (KeptWeights), and weights or constants prefetched into buffers
// of their own while earlier ops still run (op by op), and how constants reach an op's grid.

import type { TensorId } from '../graph.js';
import type { BufferId, TaskId } from '../program.js';
import { constBytes, tilesBytes, type LowerContext, type OpOnCore } from './context.js';
import type { OpGroup } from './group.js';
import { cellRect, channelBytesOf, rectTiles, type MatrixView, type ShardGrid, type TileRect } from './layout.js';
import type { Blocking } from './matmul-shape.js';
import type { OutputPlan } from './output.js';

/**
 * Weights a matmul keeps in SRAM across its micro-batches (pipeline mode): the first micro-batch
 * chooses the blocking and, when the weights fit, loads each core's slice into a buffer of its
 * own; later micro-batches reuse both. The caller frees the buffers after the last micro-batch.
 */
export interface KeptWeights {
  blocking?: Blocking;
  /** Set when the weights cannot stay (not resident, or over the pool's cap): every micro-batch fetches them. */
  refused?: boolean;
  /** Kept-weight bytes per core over all ops, and the most a core may keep. */
  readonly pool: { readonly bytes: number[]; readonly cap: number };
  /** Arrival of each (grid column, column block, K-step) in1 block on each core. */
  readonly arrived: Map<string, Map<number, TaskId[]>>;
  /** Per core: the buffer holding its weights (empty when they did not fit and stream each time). */
  readonly buffers: Map<number, BufferId>;
}

/**
 * Prefetch (op by op) of an op's weight slices or constants: they get buffers of their own,
 * `bytes` on every core of the grid, allocated as early as SRAM allows, and their DRAM reads and
 * multicasts ignore the cores' gates. On each core the buffer opens with the earliest of the
 * core's last prefetchDepth ops during which it fits beside everything else held then (that op's
 * SRAM at its close plus weights already prefetched across it, plus the slice), as long as it fits
 * beside every later op there too; on a core no op used yet, at once. The reads overlap those ops
 * instead of following them (in each engine's order: after the earlier weight fetches). The op's
 * close frees the buffers. Returns the allocating tasks per core, or undefined (no prefetch: the
 * slice fits beside none of them).
 */
export function prefetchBuffers(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, bytes: number, out: OutputPlan): Map<number, TaskId> | undefined {
  if (ctx.prefetchWeights !== true) return undefined;
  const after = new Map<number, TaskId | undefined>();
  const across: OpOnCore[] = [];
  for (const core of grid.coreOf) {
    if ((ctx.residentBytes[core] ?? 0) + bytes > ctx.sramBudgetBytes) return undefined;
    const recent = ctx.recentOps[core]!;
    let k = recent.length;
    while (k > 0 && recent[k - 1]!.busyBytes + bytes <= ctx.sramBudgetBytes) k--;
    if (k === recent.length && k > 0) return undefined;
    after.set(core, recent[k]?.open);
    across.push(...recent.slice(k));
  }
  for (const e of across) e.busyBytes += bytes;
  const opens = new Map<number, TaskId>();
  for (const [core, dep] of after) {
    const buf = weightBuffer(ctx, grp, core, bytes);
    opens.set(core, ctx.b.bookkeeping({ core, op: grp.index, deps: dep === undefined ? [] : [dep], alloc: [buf], ungated: true }, 'writer'));
    out.freeAtClose.set(core, [...(out.freeAtClose.get(core) ?? []), buf]);
  }
  return opens;
}

/** An input to fetch ahead (prefetchInputs) and the most bytes of it a core of the op's grid needs. */
export interface EarlyInput {
  readonly x: TensorId;
  readonly bytes: number;
}

/**
 * Activation prefetch, step one: which of `inputs` may be fetched ahead, with the bytes a core
 * needs: those made by ops before the one lowered just before `grp` (attention's K and V, made by
 * the QKV projection). `tilesOn(cell)`: the tiles of the input a grid cell (its whole output shard)
 * needs. None in pipeline micro-batches (they make tensors in parts). Used for row-distributed ops'
 * inputs (map-op.ts); the fused followers' extra inputs (a residual made three ops back) fetched
 * this way, with room kept in the op's budget, measured slower (BERT-base 952.4 -> 982.3 us,
 * MobileNetV2 124.5 -> 128.1, GPT 946.9 -> 968.5; ResNet-50 b4 854.2 -> 845.7).
 */
export function earlyInputs(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, view: MatrixView, inputs: readonly { readonly x: TensorId; readonly tilesOn: (cell: TileRect) => number }[]): EarlyInput[] {
  if (ctx.prefetchWeights !== true || ctx.partial === true) return [];
  const cells: TileRect[] = [];
  for (let i = 0; i < grid.gridRows; i++) {
    for (let j = 0; j < grid.gridCols; j++) {
      const cell = cellRect(grid, view, i, j);
      if (rectTiles(cell) > 0) cells.push(cell);
    }
  }
  const out: EarlyInput[] = [];
  for (const { x, tilesOn } of inputs) {
    if (out.some((e) => e.x === x) || !madeBeforePrevious(ctx, grp, x)) continue;
    const most = Math.max(0, ...cells.map(tilesOn));
    if (most > 0) out.push({ x, bytes: most * ctx.tileBytes });
  }
  return out;
}

/**
 * Activation prefetch, step two: each early input gets buffers of its own on every core of the
 * grid and is fetched while the ops before still run, as weights are (prefetchBuffers: opened as
 * early as SRAM allows, freed at the op's close), instead of once the op has opened on each core.
 * Records the buffers' opening tasks in `out.earlyInputs`, which the fetches then name; an input
 * whose buffers fit beside none of the recent ops is fetched as before. The caller keeps room for
 * the buffers in the op's own working set. Returns the bytes per core taken.
 */
export function prefetchInputs(ctx: LowerContext, grp: OpGroup, out: OutputPlan, inputs: readonly EarlyInput[]): number {
  let taken = 0;
  for (const { x, bytes } of inputs) {
    const opens = prefetchBuffers(ctx, grp, out.grid, bytes, out);
    if (opens === undefined) continue;
    out.earlyInputs.set(x, opens);
    taken += bytes;
  }
  return taken;
}

/** True when `x` (or the tensor it aliases) is held in SRAM, made by ops before the one lowered just before `grp`. */
function madeBeforePrevious(ctx: LowerContext, grp: OpGroup, x: TensorId): boolean {
  const p = ctx.placed.get(ctx.aliases.get(x)?.source ?? x);
  if (p === undefined || p.parts.length === 0 || p.parts.some((part) => part.home !== 'sram')) return false;
  let latest = -1;
  for (const part of p.parts) for (const blocks of part.ready.values()) for (const b of blocks) latest = Math.max(latest, ctx.b.tasks[b.task]!.op);
  return latest >= 0 && latest < grp.index - 1;
}

/**
 * A later micro-batch's blocking: the first one's K-step and column block, with the tallest row
 * block (no taller than the first's or this shard) whose in0 and accumulator fit `budget`.
 */
export function keptBlocking(ctx: LowerContext, grid: ShardGrid, kept: KeptWeights | undefined, aRowsPerOutRow: number, budget: number): Blocking | undefined {
  const first = kept?.refused === true ? undefined : kept?.blocking;
  if (first === undefined) return undefined;
  const tb = ctx.tileBytes;
  const bytes = (mb: number) => 2 * Math.ceil(mb * aRowsPerOutRow + 1) * first.cb * tb + mb * first.nb * tb * 2;
  let mb = Math.max(1, Math.min(first.mb, grid.rowChunk));
  while (mb > 1 && bytes(mb) > budget) mb--;
  return { ...first, mb, workingSetBytes: bytes(mb) + (first.workingSetBytes - bytes(first.mb)) };
}

/**
 * The first micro-batch of an op with kept weights: records its blocking and, when its weights
 * are resident, gives them a buffer on every core of the grid that outlives the micro-batch.
 */
export function keepWeights(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, blk: Blocking, bytes: number, kept: KeptWeights): void {
  if (!blk.weightsResident || grid.coreOf.some((c) => (kept.pool.bytes[c] ?? 0) + bytes > kept.pool.cap)) {
    kept.refused = true;
    return;
  }
  kept.blocking = blk;
  for (const core of grid.coreOf) {
    kept.pool.bytes[core] = (kept.pool.bytes[core] ?? 0) + bytes;
    const buf = weightBuffer(ctx, grp, core, bytes);
    kept.buffers.set(core, buf);
    const open = ctx.openOf.get(core);
    // Transfers into the core wait for its open task: now the one that also allocates the weights.
    ctx.openOf.set(core, ctx.b.compute({ core, op: grp.index, deps: open === undefined ? [] : [open], alloc: [buf] }, [], 0, 0, 0));
  }
}

/** A buffer of `bytes` for a core's weight slice, counted as resident until it is freed. */
function weightBuffer(ctx: LowerContext, grp: OpGroup, core: number, bytes: number): BufferId {
  ctx.residentBytes[core] = (ctx.residentBytes[core] ?? 0) + bytes;
  return ctx.b.buffer(core, bytes, `${grp.anchor.name}/weights`);
}

/**
 * Brings the group's constants (biases, scales, depthwise weights, embedding rows; but `except`,
 * a matmul's weights) to every core of `grid`: per grid column, the first core reads the column's
 * share from DRAM and multicasts it down the column (one read per column, not one per core: 56
 * cores reading the same few KB queue behind each other at the DRAM channels). Returns each
 * core's arrival tasks.
 */
export function fetchConstants(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, view: MatrixView, plan: OutputPlan, except?: TensorId): Map<number, TaskId[]> {
  const out = new Map<number, TaskId[]>(grid.coreOf.map((c) => [c, []]));
  const channels = ctx.arch.dram.channels.length;
  const columns = constantColumns(ctx, grp, grid, view, except);
  // Like weights, constants land in buffers of their own while earlier ops still run, when SRAM allows.
  const most = mostTiles(columns);
  const prefetch = most > 0 ? prefetchBuffers(ctx, grp, grid, most * ctx.tileBytes, plan) : undefined;
  const engine = prefetch !== undefined ? 'writer' : 'reader';
  const opensOf = (cores: readonly number[]) => cores.map((d) => (prefetch ?? ctx.openOf).get(d)).filter((t): t is TaskId => t !== undefined);
  for (const { cores, tiles: list } of columns) {
    const [leader, ...rest] = cores;
    for (const tiles of list) {
      const cview = { rows: 32, cols: tiles * 32, tileRows: 1, tileCols: tiles };
      const per = channelBytesOf(cview, { r0: 0, r1: 1, c0: 0, c1: tiles }, leader! % channels, channels, ctx.tileBytes);
      const read = ctx.b.dramRead({ core: leader!, op: grp.index, deps: prefetch !== undefined ? opensOf([leader!]) : [], ungated: prefetch !== undefined }, engine, per);
      out.get(leader!)!.push(read);
      if (rest.length === 0) continue;
      const sent = ctx.b.send({ core: leader!, op: grp.index, deps: [read, ...opensOf(rest)], ungated: prefetch !== undefined }, engine, rest, tiles * ctx.tileBytes);
      for (const d of rest) out.get(d)!.push(sent);
    }
  }
  return out;
}

/** Per grid column: its cores and the tiles of each constant fetchConstants brings them. */
function constantColumns(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, view: MatrixView, except?: TensorId): { cores: number[]; tiles: number[] }[] {
  const columns = [];
  for (let j = 0; j < grid.gridCols; j++) {
    const c0 = j * grid.colChunk;
    const c1 = Math.min(view.tileCols, c0 + grid.colChunk);
    if (c0 >= c1) continue;
    const coreOutBytes = tilesBytes(ctx, grid.rowChunk * (c1 - c0));
    const tiles = grp.constInputs.filter((c) => c !== except).map((c) => Math.min(constBytes(ctx, c), coreOutBytes)).filter((b) => b >= 64).map((b) => Math.max(1, Math.ceil(b / ctx.tileBytes)));
    if (tiles.length > 0) columns.push({ cores: Array.from({ length: grid.gridRows }, (_, i) => grid.coreOf[i * grid.gridCols + j]!), tiles });
  }
  return columns;
}

/** The most SRAM fetchConstants needs on a core of `grid`: what an op's working set must leave free. */
export function constantBytesPerCore(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, view: MatrixView, except?: TensorId): number {
  return ctx.tileBytes * mostTiles(constantColumns(ctx, grp, grid, view, except));
}

/** The most constant tiles any grid column's cores receive. */
function mostTiles(columns: readonly { readonly tiles: readonly number[] }[]): number {
  return Math.max(0, ...columns.map((c) => c.tiles.reduce((a, b) => a + b, 0)));
}
