// The layer-pipelined mapping (`--strategy pipeline`): consecutive op groups form stages, each
// stage owns a band of grid rows (its region), and the model runs in micro-batches (slices of
// every op's output rows: images of a batch, or bands of an image at batch 1). A stage lowers
// micro-batch m through all its ops while the next stage works on micro-batch m-1; tiles stream
// from region to region over the NoC as soon as the blocks they come from are computed (block
// readiness, lower/context.ts). Weights that fit stay in the region's SRAM from the first
// micro-batch to the last; those that do not stream from DRAM every micro-batch (spill).
//
// A limit at batch 1: a window op's band (a 3x3 conv's, a pool's) reads halo rows past the band,
// which its producer makes with the next micro-batch, so the band waits for it (NotYetProduced);
// the next band's halo is past that one too, so in practice all its rows, and those of every op
// after it that reads them, go with the last micro-batch. MobileNetV2 forced to 4 stages x 8
// bands of its first 18 ops: features.1's depthwise conv ran as 13 tasks, one per core. Lowering
// each band's rows whose inputs are ready instead (a bisection over the footprints) made them
// stream, and measured slower (packet NoC: that plan 237.7k -> 312.4k cycles; ResNet-18's
// planned 2 stages x 2 bands 329.0k -> 419.7k): each op's band opens and closes on its stage's
// cores, and a close waits for the core's sends to land in the next stage's buffers, opened only
// when that stage's cores close their previous band, so the stages move in lock step, paying every
// op's fixed latency once per band. Streaming needs buffers between stages that outlive a band.
//
// Stages, regions and the micro-batch count come from the planner (pipeline-plan.ts). Each
// matmul-like op's grid on its region is searched on its first micro-batch like the per-op search
// does (height, width and block candidates, lowered on a checkpoint and costed), then kept for
// every micro-batch (its kept weights stay on the same cores).

import { assert, SpatialcError } from '../../arch/errors.js';
import type { Graph, TensorId } from '../graph.js';
import type { BufferId, ProgramOp, TaskId } from '../program.js';
import { NotYetProduced, type LowerContext } from '../lower/context.js';
import type { Grouping, OpGroup } from '../lower/group.js';
import type { KeptWeights, MatmulShape } from '../lower/matmul2d.js';
import { anchorInputsOf, firstRowNeeded, groupMacs, lastReaders, lowerOnGrid, mapGrid, matmulShape, resolveGroup, type GridChoice, type MicroBatch } from '../lower/op.js';
import { freeBuffer, releaseTensor } from '../lower/output.js';
import type { Session } from '../lower/session.js';
import { OpCostModel } from './cost.js';
import { LIVE_PARTS, WEIGHT_SHARE, type PipelinePlan } from './pipeline-plan.js';
import { computeBound, matmulCandidates, StrategySearch } from './strategy.js';
import { opRecord } from './per-op.js';

/** The output tile rows of micro-batch `m` of `n` for an op with `tileRows` rows (may be empty). */
export function microBatchRows(tileRows: number, m: number, n: number): [number, number] {
  return [Math.floor((m * tileRows) / n), Math.floor(((m + 1) * tileRows) / n)];
}

/** Lowers the graph as `plan` says: micro-batch by micro-batch, each group on its stage's region. */
export function lowerPipelined(s: Session, graph: Graph, grouping: Grouping, plan: PipelinePlan, residentIo: boolean, budgetSeconds: number): ProgramOp[] {
  // Micro-batches are bands of tile rows; a tile alias maps rows elsewhere (compile.ts groups the
  // pipeline's graph without them).
  assert(grouping.aliases.size === 0, 'the pipeline lowers a grouping without tile aliases');
  const groups = grouping.groups.map((grp) => resolveGroup(grp, grouping.rootOf));
  const stageOf = groups.map((grp) => plan.stages.findIndex((st) => grp.index >= st.first && grp.index <= st.last));
  const lastReader = lastReaders(grouping.groups, grouping.rootOf, graph);
  const outputs = new Set(graph.outputs.map((t) => grouping.rootOf[t] ?? t));
  const n = plan.microBatches;
  const choices = new Map<number, GridChoice>();
  const kept = new Map<number, KeptWeights>();
  const pool = { bytes: s.cores.map(() => 0), cap: WEIGHT_SHARE * s.ctx.sramBudgetBytes };
  const needs = new NeedLog(grouping, graph);
  const search = new StrategySearch('auto', budgetSeconds);
  const model = new OpCostModel(s.ctx.arch, s.cores);
  const records: ProgramOp[] = [];
  // Per group: the first output tile row not lowered yet (rows wait when their inputs are not produced).
  const next = groups.map(() => 0);
  for (let m = 0; m < n; m++) {
    for (const grp of groups) {
      const stage = plan.stages[stageOf[grp.index]!]!;
      const ctx: LowerContext = { ...s.ctx, area: stage.area, gridRows: stage.area.rows, gridCols: stage.area.cols, partial: true, prefetchWeights: true };
      const view = ctx.views(grp.output);
      const rows: [number, number] = [next[grp.index]!, microBatchRows(view.tileRows, m, n)[1]];
      if (rows[1] > rows[0]) {
        if (!outputs.has(grp.output)) releaseDone(s.ctx, grp, needs);
        const mm = matmulShape(ctx, grp, view);
        let choice = choices.get(grp.index);
        let k = kept.get(grp.index);
        // One micro-batch keeps nothing across micro-batches: its weights are prefetched instead.
        if (k === undefined && mm !== undefined && n > 1) kept.set(grp.index, k = { arrived: new Map(), buffers: new Map(), pool });
        const mb: MicroBatch = { rows, live: Math.min(n, LIVE_PARTS), ...(k !== undefined ? { kept: k } : {}) };
        if (choice === undefined) {
          const sliceRows = Math.ceil(view.tileRows / n);
          choice = mm !== undefined
            ? searchGrid(s, ctx, grp, mm, sliceRows, mb, search, model, outputs.has(grp.output), residentIo)
            : { kind: 'height', ...mapGrid(ctx, grp, { ...view, tileRows: sliceRows }) };
          choices.set(grp.index, choice);
        }
        const snap = m < n - 1 ? { session: s.snapshot(), kept: k !== undefined ? saveKept(k) : undefined } : undefined;
        try {
          const r = lowerOnGrid(ctx, grp, mm, choice, outputs.has(grp.output), s.resident, residentIo, mb);
          next[grp.index] = rows[1];
          for (const t of new Set(anchorInputsOf(grp, grouping.rootOf, graph))) needs.update(t, grp.index, firstRowNeeded(ctx, grp, t, rows[1]));
          records[grp.index] ??= opRecord(grp, { ...r, macs: groupMacs(ctx, grp), strategy: `stage ${stageOf[grp.index]} rows ${stage.area.row0}-${stage.area.row0 + stage.area.rows - 1}, ${n} micro-batches: ${r.strategy}` });
        } catch (e) {
          // Its window reaches rows the producer's next micro-batch makes: they go with that one.
          if (!(e instanceof NotYetProduced) || snap === undefined) throw e;
          s.restore(snap.session);
          if (k !== undefined && snap.kept !== undefined) restoreKept(k, snap.kept);
        }
      }
      if (m === n - 1) {
        freeKept(s.ctx, grp, kept.get(grp.index));
        for (const t of new Set(anchorInputsOf(grp, grouping.rootOf, graph))) if (lastReader.get(t) === grp.index) releaseTensor(s.ctx, grp.index, t);
      }
    }
  }
  return records;
}

/**
 * The grid of a matmul-like op on its region: each candidate is lowered for the first micro-batch
 * on a checkpoint, costed from the earliest start of its gated tasks, and taken back (a candidate whose
 * window is not produced yet costs nothing to try and is skipped).
 */
function searchGrid(
  s: Session, ctx: LowerContext, grp: OpGroup, mm: MatmulShape, sliceRows: number, mb: MicroBatch,
  search: StrategySearch, model: OpCostModel, isOutput: boolean, residentIo: boolean,
): GridChoice {
  const view = ctx.views(grp.output);
  const cands = matmulCandidates('auto', ctx, sliceRows, view.tileCols);
  return search.choose(cands, computeBound(ctx, mm, sliceRows, view.tileCols), (c) => {
    const snap = s.snapshot();
    const kept = mb.kept !== undefined ? saveKept(mb.kept) : undefined;
    let cost = Infinity;
    try {
      lowerOnGrid(ctx, grp, mm, c, isOutput, s.resident, residentIo, mb);
      let start = Infinity;
      // Prefetches start while earlier ops run: the op's own time begins with its first gated task.
      for (let i = snap.b.tasks; i < ctx.b.tasks.length; i++) if (!ctx.b.isUngated(i as TaskId)) start = Math.min(start, ctx.b.tasks[i]!.predictedStartCycle);
      cost = model.cost(ctx.b.tasks, snap.b.tasks, (id) => ctx.b.end(id as TaskId), start).cycles - start;
    } catch (e) {
      // Not produced yet, or not fitting (a resident graph input on too few cores): no choice.
      if (!(e instanceof NotYetProduced) && !(e instanceof SpatialcError && e.code === 'E_DOES_NOT_FIT')) throw e;
    }
    const tasks = ctx.b.tasks.length - snap.b.tasks;
    s.restore(snap);
    if (mb.kept !== undefined && kept !== undefined) restoreKept(mb.kept, kept);
    return { cost, tasks };
  }).choice;
}

/**
 * For every tensor, the first tile row each reader still needs (from the footprint of the output
 * rows it has not lowered yet; 0 before it starts): rows below all of them are never read again.
 */
class NeedLog {
  private readonly need = new Map<TensorId, Map<number, number>>();
  private readonly readers = new Map<TensorId, number[]>();

  constructor(grouping: Grouping, graph: Graph) {
    for (const grp of grouping.groups) {
      for (const t of new Set(anchorInputsOf(grp, grouping.rootOf, graph))) this.readers.set(t, [...(this.readers.get(t) ?? []), grp.index]);
    }
  }

  update(t: TensorId, reader: number, firstRow: number): void {
    let m = this.need.get(t);
    if (m === undefined) this.need.set(t, m = new Map());
    m.set(reader, firstRow);
  }

  /** Rows of `t` below this one no reader needs any more. */
  doneBelow(t: TensorId): number {
    let low = Infinity;
    for (const r of this.readers.get(t) ?? []) low = Math.min(low, this.need.get(t)?.get(r) ?? 0);
    return low;
  }
}

/**
 * Before a group lowers its next micro-batch: frees the parts of its output that every reader is
 * done with, except the newest (its readers may still be fetching it: double buffering). The free
 * waits on the holders for those reads, so a stage runs at most two micro-batches ahead of its readers.
 */
function releaseDone(ctx: LowerContext, grp: OpGroup, needs: NeedLog): void {
  const p = ctx.placed.get(grp.output);
  if (p === undefined) return;
  const below = needs.doneBelow(grp.output);
  const done: number[] = [];
  for (let k = 0; k < p.parts.length - 1; k++) if (p.parts[k]!.grid.rowEnd <= below) done.push(k);
  if (done.length > 0) releaseTensor(ctx, grp.index, grp.output, done);
}

interface SavedKept {
  readonly blocking: KeptWeights['blocking'];
  readonly refused: boolean | undefined;
  readonly buffers: Map<number, BufferId>;
  readonly arrived: Map<string, Map<number, TaskId[]>>;
  readonly pool: number[];
}

function saveKept(k: KeptWeights): SavedKept {
  return { blocking: k.blocking, refused: k.refused, buffers: new Map(k.buffers), arrived: new Map(k.arrived), pool: [...k.pool.bytes] };
}

function restoreKept(k: KeptWeights, saved: SavedKept): void {
  k.blocking = saved.blocking;
  k.refused = saved.refused;
  k.buffers.clear();
  for (const [c, b] of saved.buffers) k.buffers.set(c, b);
  k.arrived.clear();
  for (const [key, v] of saved.arrived) k.arrived.set(key, v);
  saved.pool.forEach((b, c) => { k.pool.bytes[c] = b; });
}

/** Frees the weights an op kept in SRAM across its micro-batches. */
function freeKept(ctx: LowerContext, grp: OpGroup, kept: KeptWeights | undefined): void {
  if (kept === undefined) return;
  for (const [core, buf] of kept.buffers) freeBuffer(ctx, grp.index, core, buf);
}
