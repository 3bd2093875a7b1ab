// The pipeline planner (`--strategy pipeline`, partition/pipeline.ts lowers its plan): a dynamic
// programme over the op groups in topological order. For each stage count S and micro-batch
// count M it minimises the slowest stage's time per micro-batch, where a stage is a run of
// consecutive groups on a band of grid rows and its time is its ops' core cycles spread over
// the band, a fixed cost per op and micro-batch, and the DRAM time of weights that do not fit the
// band's SRAM (spill); the latency estimate (M + S - 1) x slowest stage picks S and M.

import { computeCycles } from '../../arch/core-timing.js';
import { channelBytesPerCycle } from '../../noc/dram-channel.js';
import { constBytes, type LowerContext } from '../lower/context.js';
import type { OpGroup } from '../lower/group.js';
import type { CoreArea } from '../lower/layout.js';
import { anchorWork } from '../lower/map-op.js';
import { fusedWorkItems } from '../lower/output.js';

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
export const LIVE_PARTS = 3;
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
 * Forced counts are clamped to what the grid and the graph allow; `minStages` (2 when the user
 * asked for a pipeline) keeps the one-stage plan, which is op by op, out unless nothing else fits.
 */
export function planStages(ctx: LowerContext, groups: readonly OpGroup[], maxMicroBatches: number, force: PipelineForce = {}, minStages = 1): PipelinePlan {
  const { work, weights } = groupCosts(ctx, groups);
  const g = groups.length;
  const rows = ctx.gridRows;
  const cols = ctx.gridCols;
  const pre = (xs: readonly number[]) => {
    const sums = [0];
    for (const x of xs) sums.push(sums[sums.length - 1]! + x);
    return sums;
  };
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
      if (wantS === undefined && s < Math.min(minStages, maxS)) continue;
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

