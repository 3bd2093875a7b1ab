// Weights kept in SRAM beyond one lowering of a matmul: across the micro-batches of a pipelined
// op (KeptWeights), or prefetched into buffers of their own while the previous op still runs
// (op by op). Both move the weight slices out of the op's working set into separate buffers.

import type { BufferId, TaskId } from '../program.js';
import type { LowerContext, OpOnCore } from './context.js';
import type { OpGroup } from './group.js';
import type { ShardGrid } from './layout.js';
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
 * Weight prefetch (op by op): the slices get buffers of their own, allocated as early as SRAM
 * allows, and their DRAM reads and multicasts ignore the cores' gates. On each core of the grid
 * the buffer opens with the earliest of the core's last PREFETCH_DEPTH ops during which it fits
 * beside everything else held then (that op's SRAM at its close plus weights already prefetched
 * across it, plus the slice), as long as it fits beside every later op there too; on a core no op
 * used yet, at once. The reads overlap those ops instead of following them (in each engine's
 * order: after the earlier weight fetches). The op's close frees the buffers. Returns the
 * allocating tasks per core, or undefined (no prefetch: the slice fits beside none of them).
 */
export function prefetchWeights(ctx: LowerContext, grp: OpGroup, grid: ShardGrid, bytes: number, out: OutputPlan): Map<number, TaskId> | undefined {
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
