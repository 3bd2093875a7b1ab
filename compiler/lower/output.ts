// The output side of an op group: where its result lives (SRAM shards when they fit beside the
// resident tensors, else interleaved in DRAM), the per-core buffers, and what happens when an
// output block is complete (fused follower work, DRAM write-back, readiness for consumers).

import type { TensorId } from '../graph.js';
import type { BufferId, TaskId, WorkItem } from '../program.js';
import { channelBytesOf, type MatrixView, type ShardGrid, type TileRect } from './layout.js';
import { tilesBytes, type LowerContext, type PlacedTensor, type ReadyBlock, type TensorPart } from './context.js';
import type { OpGroup } from './group.js';

export interface OutputPlan {
  readonly tensor: TensorId;
  readonly view: MatrixView;
  readonly grid: ShardGrid;
  readonly home: 'sram' | 'dram';
  readonly programIndex: number;
  readonly workBuffers: ReadonlyMap<number, BufferId>;
  readonly ready: Map<number, ReadyBlock[]>;
  readonly bufferOf: Map<number, BufferId>;
  /** Buffers the op's close also frees (prefetched weights), per core. */
  readonly freeAtClose: Map<number, BufferId[]>;
  /** Inputs fetched ahead into buffers of their own (weights.ts prefetchInputs): per tensor, each core's buffer-opening task. */
  readonly earlyInputs: Map<TensorId, ReadonlyMap<number, TaskId>>;
}

/**
 * Decides the output's home and declares the op's per-core buffers. A later micro-batch of an
 * output already placed (pipeline mode) keeps its Program tensor; each micro-batch's part has a
 * home of its own.
 */
export function planOutput(
  ctx: LowerContext, grp: OpGroup, view: MatrixView, grid: ShardGrid, workingSetBytes: number, forceDram: boolean,
  helpers: readonly number[] = [],
): OutputPlan {
  const shardBytes = tilesBytes(ctx, grid.rowChunk * grid.colChunk);
  const worstResident = Math.max(0, ...grid.coreOf.map((c) => ctx.residentBytes[c] ?? 0));
  const fits = worstResident + shardBytes + workingSetBytes <= ctx.sramBudgetBytes;
  const home: 'sram' | 'dram' = !forceDram && fits ? 'sram' : 'dram';
  const earlier = ctx.placed.get(grp.output);
  const programIndex = earlier?.programIndex ?? ctx.registerTensor(grp.output, home);
  if (home === 'dram') ctx.setDramHome(programIndex);
  const bufferOf = new Map<number, BufferId>();
  const workBuffers = new Map<number, BufferId>();
  const name = grp.anchor.name;
  for (const c of grid.coreOf) {
    workBuffers.set(c, ctx.b.buffer(c, workingSetBytes, `${name}/work`));
    if (home === 'sram') {
      bufferOf.set(c, ctx.b.buffer(c, shardBytes, `${name}/out`));
      ctx.residentBytes[c] = (ctx.residentBytes[c] ?? 0) + shardBytes;
    }
  }
  // A K-split matmul's helper cores (matmul2d.ts) hold a working set and no output.
  for (const c of helpers) workBuffers.set(c, ctx.b.buffer(c, workingSetBytes, `${name}/work`));
  // Each core opens the op by allocating its buffers; every transfer into the core waits for it.
  ctx.openOf.clear();
  for (const c of [...grid.coreOf, ...helpers]) {
    const alloc = [workBuffers.get(c), bufferOf.get(c)].filter((b): b is BufferId => b !== undefined);
    ctx.openOf.set(c, ctx.b.compute({ core: c, op: grp.index, deps: [], alloc }, [], 0, 0, 0));
  }
  return {
    tensor: grp.output, view, grid, home, programIndex, workBuffers, bufferOf,
    ready: new Map(), freeAtClose: new Map(), earlyInputs: new Map(),
  };
}

/** Per-tile work of the fused element-wise followers for `tiles` output tiles. */
export function fusedWorkItems(grp: OpGroup, tiles: number): WorkItem[] {
  const out: WorkItem[] = [];
  if (grp.fusedWork.eltwise > 0) out.push({ unit: 'eltwise', tiles: tiles * grp.fusedWork.eltwise });
  for (const f of grp.fusedWork.sfpu) out.push({ unit: 'sfpu', fn: f.fn, tiles: Math.ceil(tiles * f.passes) });
  return out;
}

/** After the compute task that completes an output block: write it back if DRAM-resident. */
export function finishOutputBlock(ctx: LowerContext, grp: OpGroup, out: OutputPlan, core: number, rect: TileRect, computed: TaskId): void {
  const ready = out.ready.get(core) ?? [];
  out.ready.set(core, ready);
  if (out.home === 'sram') {
    ready.push({ rect, task: computed });
    return;
  }
  const bytes = channelBytesOf(out.view, rect, 0, ctx.arch.dram.channels.length, ctx.tileBytes);
  const writes = { tensor: out.programIndex, row0: rect.r0, rows: rect.r1 - rect.r0, col0: rect.c0, cols: rect.c1 - rect.c0 };
  const w = ctx.b.dramWrite({ core, op: grp.index, deps: [computed] }, 'writer', bytes, writes);
  ready.push({ rect, task: w });
}

/** Ends the op on every core: frees the working set, publishes the output for consumers. */
export function closeOutput(ctx: LowerContext, grp: OpGroup, out: OutputPlan): PlacedTensor {
  for (const [core, buf] of out.workBuffers) {
    const deps = lastTasksOn(ctx, core);
    const extra = out.freeAtClose.get(core) ?? [];
    const recent = ctx.recentOps[core]!;
    recent.push({ open: ctx.openOf.get(core), busyBytes: (ctx.residentBytes[core] ?? 0) + (ctx.b.buffers[buf]?.bytes ?? 0) });
    if (recent.length > ctx.prefetchDepth) recent.shift();
    const closed = ctx.b.compute({ core, op: grp.index, deps, free: [buf, ...extra] }, [], 0, 0, 0);
    ctx.b.setGate(core, closed);
    for (const b of extra) ctx.residentBytes[core] = Math.max(0, (ctx.residentBytes[core] ?? 0) - (ctx.b.buffers[b]?.bytes ?? 0));
  }
  const part = { home: out.home, grid: out.grid, ready: out.ready, bufferOf: out.bufferOf };
  const earlier = ctx.placed.get(out.tensor);
  const placed: PlacedTensor = {
    view: out.view, parts: [...(earlier?.parts ?? []), part], firstChannel: 0, programIndex: out.programIndex,
  };
  ctx.placed.set(out.tensor, placed);
  return placed;
}

/**
 * The last task of each engine on a core, and its sends since the op began (posted writes may land
 * after their engine's later tasks end): completing them all means the core is idle.
 */
export function lastTasksOn(ctx: LowerContext, core: number): TaskId[] {
  const out: TaskId[] = [...ctx.b.sendsInFlight(core)];
  for (const stream of ctx.b.streams[core] ?? []) {
    const last = stream[stream.length - 1];
    if (last !== undefined && !out.includes(last)) out.push(last);
  }
  return out;
}

/**
 * Frees the SRAM shards of a tensor (or only of `parts`, by index) on every holder once all
 * their readers are done. Each buffer is freed once.
 */
export function releaseTensor(ctx: LowerContext, op: number, t: TensorId, parts?: readonly number[]): void {
  const p = ctx.placed.get(t);
  if (p === undefined) return;
  const chosen = parts === undefined ? p.parts : parts.map((k) => p.parts[k]!);
  for (const part of chosen) releasePart(ctx, op, part);
}

const released = new WeakSet<object>();

/** True once a part's SRAM shards were freed (reading them again would be a compiler bug). */
export function isReleased(part: TensorPart): boolean {
  return released.has(part);
}

function releasePart(ctx: LowerContext, op: number, part: TensorPart): void {
  if (part.home !== 'sram' || released.has(part)) return;
  released.add(part);
  for (const [core, buf] of part.bufferOf) freeBuffer(ctx, op, core, buf);
}

/** Frees a resident buffer on `core` once everything the core has issued is done. */
export function freeBuffer(ctx: LowerContext, op: number, core: number, buf: BufferId): void {
  ctx.b.compute({ core, op, deps: lastTasksOn(ctx, core), free: [buf] }, [], 0, 0, 0);
  // Later tasks of the compute stream complete after this one, hence after those sends.
  ctx.b.sendsSettled(core);
  const size = ctx.b.buffers[buf]?.bytes ?? 0;
  ctx.residentBytes[core] = Math.max(0, (ctx.residentBytes[core] ?? 0) - size);
}
