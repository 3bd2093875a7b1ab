// The layer-pipelined mapping (`--strategy pipeline`): consecutive op groups form stages, each
// stage owns a band of grid rows (its region), and the model runs in micro-batches (slices of
// every op's output rows: images of a batch, or bands of an image at batch 1). A stage lowers
// micro-batch m through all its ops while the next stage works on micro-batch m-1; tiles stream
// from region to region over the NoC as soon as the blocks they come from are computed (block
// readiness, lower/context.ts). Weights that fit stay in the region's SRAM from the first
// micro-batch to the last; those that do not stream from DRAM every micro-batch (spill).
//
// Stages and regions come from a dynamic programme over the groups in topological order
// (planStages): for each stage count S and micro-batch count M it minimises the slowest stage's
// time per micro-batch, where a stage's time is its ops' core cycles spread over its region, a
// fixed cost per op and micro-batch, and the DRAM time of weights that do not fit its SRAM; the
// latency estimate (M + S - 1) x slowest stage picks S and M.

import { computeCycles } from '../../arch/core-timing.js';
import { channelBytesPerCycle } from '../../noc/dram-channel.js';
import type { Graph, TensorId } from '../graph.js';
import type { BufferId, ProgramOp, TaskId } from '../program.js';
import { constBytes, NotYetProduced, type LowerContext } from '../lower/context.js';
import type { Grouping, OpGroup } from '../lower/group.js';
import type { CoreArea } from '../lower/layout.js';
import { anchorWork, canSplitCols, chooseMapGrid } from '../lower/map-op.js';
import { chooseMatmulGrid, type KeptWeights } from '../lower/matmul2d.js';
import { anchorInputsOf, firstRowNeeded, groupMacs, lastReaders, lowerOnGrid, matmulShape, resolveGroup, type GridChoice } from '../lower/op.js';
import { fusedWorkItems, lastTasksOn, releaseTensor } from '../lower/output.js';
import type { Session } from '../lower/session.js';
import { opRecord } from './per-op.js';

/**
 * Fixed cycles every op pays per micro-batch on top of its compute (opening and closing the op,
 * the first fetch's latency, the last block's drain). An assumption, of the order of the per-op
 * floor measured on MobileNetV2's smallest ops (2-5 k cycles each over the whole grid).
 */
export const OP_OVERHEAD_CYCLES = 2000;
/** Share of a core's SRAM budget a stage may fill with kept weights (the rest: activations, working sets). */
export const WEIGHT_SHARE = 0.5;
/**
 * Micro-batches of a tensor alive at once: the one being written, the one its reader works on,
 * and one for a window's halo (a holder frees a part before computing the next micro-batch once
 * its readers have moved past it).
 */
const LIVE_PARTS = 3;
/** Micro-batch counts the planner considers. */
const MICRO_BATCHES = [1, 2, 4, 8, 16];

export interface Stage {
  /** Groups [first, last] in topological order. */
  readonly first: number;
  readonly last: number;
  readonly area: CoreArea;
}

export interface PipelinePlan {
  readonly stages: readonly Stage[];
  readonly microBatches: number;
  /** The planner's latency estimate, in cycles. */
  readonly estimate: number;
}

/** Estimated core cycles and weight bytes of each group (whole output, whole batch). */
function groupCosts(ctx: LowerContext, groups: readonly OpGroup[]): { work: number[]; weights: number[] } {
  const fmt = { dtype: ctx.dtype, fidelity: ctx.fidelity };
  const work: number[] = [];
  const weights: number[] = [];
  for (const grp of groups) {
    const v = ctx.views(grp.output);
    const tiles = v.tileRows * v.tileCols;
    work.push(computeCycles(ctx.arch, fmt, [...anchorWork(grp.cls, tiles).work, ...fusedWorkItems(grp, tiles)]));
    weights.push(grp.constInputs.reduce((n, t) => n + constBytes(ctx, t), 0));
  }
  return { work, weights };
}

/** Stage and micro-batch counts fixed by the user (experiments); each is searched when absent. */
export interface PipelineForce {
  readonly stages?: number;
  readonly microBatches?: number;
}

/**
 * Plans stages and micro-batches for `groups` on the context's whole grid (bands of grid rows).
 * Forced counts are clamped to what the grid and the graph allow.
 */
export function planStages(ctx: LowerContext, groups: readonly OpGroup[], maxMicroBatches: number, force: PipelineForce = {}): PipelinePlan {
  const { work, weights } = groupCosts(ctx, groups);
  const g = groups.length;
  const rows = ctx.gridRows;
  const cols = ctx.gridCols;
  const pre = (xs: number[]) => xs.reduce<number[]>((acc, x) => [...acc, acc[acc.length - 1]! + x], [0]);
  const workSum = pre(work);
  const weightSum = pre(weights);
  const dramRate = channelBytesPerCycle(ctx.arch).reduce((a, b) => a + b, 0);
  const weightCap = WEIGHT_SHARE * ctx.sramBudgetBytes;
  let best: PipelinePlan = { stages: [{ first: 0, last: g - 1, area: ctx.area }], microBatches: 1, estimate: Infinity };
  const wantS = force.stages !== undefined ? Math.max(1, Math.min(force.stages, rows, g)) : undefined;
  const counts = force.microBatches !== undefined ? [Math.max(1, Math.floor(force.microBatches))] : MICRO_BATCHES.filter((x) => x <= Math.max(1, maxMicroBatches));
  for (const m of counts) {
    // Time per micro-batch of groups [j, i) on `r` grid rows.
    const stageTime = (j: number, i: number, r: number): number => {
      const cores = r * cols;
      const w = weightSum[i]! - weightSum[j]!;
      const spill = w / cores > weightCap ? w / dramRate : 0;
      return (workSum[i]! - workSum[j]!) / cores / m + (i - j) * OP_OVERHEAD_CYCLES + spill;
    };
    // dp[s][r][i]: the slowest stage when groups [0, i) form s stages on r grid rows; from[] rebuilds it.
    const maxS = Math.min(rows, g, wantS ?? rows);
    const dp = Array.from({ length: maxS + 1 }, () => Array.from({ length: rows + 1 }, () => new Float64Array(g + 1).fill(Infinity)));
    const from = Array.from({ length: maxS + 1 }, () => Array.from({ length: rows + 1 }, () => new Int32Array(g + 1).fill(-1)));
    dp[0]![0]![0] = 0;
    for (let s = 1; s <= maxS; s++) {
      for (let r = s; r <= rows; r++) {
        for (let i = s; i <= g; i++) {
          let bestV = Infinity;
          let bestK = -1;
          for (let rs = 1; rs <= r - s + 1; rs++) {
            const prev = dp[s - 1]![r - rs]!;
            for (let j = i - 1; j >= s - 1; j--) {
              if (prev[j] === Infinity) continue;
              const t = stageTime(j, i, rs);
              if (t >= bestV) break; // longer stages on the same rows only get slower
              const v = Math.max(prev[j]!, t);
              if (v < bestV) { bestV = v; bestK = j * (rows + 1) + rs; }
            }
          }
          dp[s]![r]![i] = bestV;
          from[s]![r]![i] = bestK;
        }
      }
      const slowest = dp[s]![rows]![g]!;
      const estimate = (m + s - 1) * slowest;
      if (wantS !== undefined && s !== wantS) continue;
      if (estimate < best.estimate) best = { stages: rebuild(from, s, rows, g, cols), microBatches: m, estimate };
    }
  }
  return best;
}

function rebuild(from: readonly (readonly Int32Array[])[], stages: number, rows: number, g: number, cols: number): Stage[] {
  const out: Stage[] = [];
  let r = rows;
  let i = g;
  for (let s = stages; s >= 1; s--) {
    const k = from[s]![r]![i]!;
    const j = Math.floor(k / (rows + 1));
    const rs = k % (rows + 1);
    out.unshift({ first: j, last: i - 1, area: { rows: rs, cols, row0: r - rs, col0: 0, stride: cols } });
    r -= rs;
    i = j;
  }
  return out;
}

/** The output tile rows of micro-batch `m` of `n` for an op with `tileRows` rows (may be empty). */
export function microBatchRows(tileRows: number, m: number, n: number): [number, number] {
  return [Math.floor((m * tileRows) / n), Math.floor(((m + 1) * tileRows) / n)];
}

/** Lowers the graph as `plan` says: micro-batch by micro-batch, each group on its stage's region. */
export function lowerPipelined(s: Session, graph: Graph, grouping: Grouping, plan: PipelinePlan, residentIo: boolean): ProgramOp[] {
  const groups = grouping.groups.map((grp) => resolveGroup(grp, grouping.rootOf));
  const stageOf = groups.map((grp) => plan.stages.findIndex((st) => grp.index >= st.first && grp.index <= st.last));
  const lastReader = lastReaders(grouping.groups, grouping.rootOf, graph);
  const outputs = new Set(graph.outputs.map((t) => grouping.rootOf[t] ?? t));
  const n = plan.microBatches;
  const choices = new Map<number, GridChoice>();
  const kept = new Map<number, KeptWeights>();
  const pool = { bytes: s.cores.map(() => 0), cap: WEIGHT_SHARE * s.ctx.sramBudgetBytes };
  const needs = new NeedLog(grouping, graph);
  const records: ProgramOp[] = [];
  // Per group: the first output tile row not lowered yet (rows wait when their inputs are not produced).
  const next = groups.map(() => 0);
  for (let m = 0; m < n; m++) {
    for (const grp of groups) {
      const stage = plan.stages[stageOf[grp.index]!]!;
      const ctx: LowerContext = { ...s.ctx, area: stage.area, gridRows: stage.area.rows, gridCols: stage.area.cols, partial: true };
      const view = ctx.views(grp.output);
      const rows: [number, number] = [next[grp.index]!, microBatchRows(view.tileRows, m, n)[1]];
      if (rows[1] > rows[0]) {
        if (!outputs.has(grp.output)) releaseDone(s.ctx, grp, needs);
        const mm = matmulShape(ctx, grp, view);
        let choice = choices.get(grp.index);
        if (choice === undefined) {
          const sliceRows = Math.ceil(view.tileRows / n);
          choice = mm !== undefined
            ? { kind: 'block', ...chooseMatmulGrid(ctx, sliceRows, view.tileCols) }
            : { kind: 'height', ...chooseMapGrid(ctx, { ...view, tileRows: sliceRows }, canSplitCols(grp.cls)) };
          choices.set(grp.index, choice);
        }
        let k = kept.get(grp.index);
        if (k === undefined && mm !== undefined) kept.set(grp.index, k = { arrived: new Map(), buffers: new Map(), pool });
        const snap = m < n - 1 ? { session: s.snapshot(), kept: k !== undefined ? saveKept(k) : undefined } : undefined;
        try {
          const r = lowerOnGrid(ctx, grp, mm, choice, outputs.has(grp.output), s.resident, residentIo, { rows, live: Math.min(n, LIVE_PARTS), ...(k !== undefined ? { kept: k } : {}) });
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
  for (const [core, buf] of kept.buffers) {
    ctx.b.compute({ core, op: grp.index, deps: lastTasksOn(ctx, core), free: [buf] }, [], 0, 0, 0);
    ctx.b.sendsSettled(core);
    ctx.residentBytes[core] = Math.max(0, (ctx.residentBytes[core] ?? 0) - (ctx.b.buffers[buf]?.bytes ?? 0));
  }
}
