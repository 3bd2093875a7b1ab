// Sharding strategies for matmul-like ops (MatMul, Gemm, dense Conv) over the compute grid:
// - height: output rows over every core (Tenstorrent's height sharding / matmul_1d): each core
//   computes whole rows, the weights are multicast to all cores;
// - block: a 2D grid (matmul_2d): rows over grid rows, columns over grid columns, in0 multicast
//   along rows and in1 down columns;
// - width: output columns over every core: each core owns a slice of the weights and the
//   activation is multicast to all.
// - K-split: a block grid that leaves cores idle splits each output block's K-steps over them;
//   each helper sends its partial sums to the block's owner, which adds them.
// Block candidates: the grid with the fewest output tiles per core, then 2, 4, 16 and 32 grid rows.
// A gather-bound op (gatherBoundSplit) takes the first one K-split instead of trying candidates.
// `--strategy opbyop` runs every op height-sharded over the whole grid, `matmul2d` block-sharded,
// `auto` (the default) tries each candidate on the op, estimates it with the cost model
// (partition/cost.ts) and keeps the cheapest; ties keep the earlier candidate, so the choice is
// deterministic. The search stops trying alternatives once its budget of trial-lowered tasks is
// spent (`--compile-budget`), and later ops take the block candidate.

import type { LowerContext } from '../lower/context.js';
import { computeCycles, matmulTileCycles } from '../../arch/core-timing.js';
import { chooseMatmulGrid, MAX_K_STEP_TILES, packedK, type MatmulShape } from '../lower/matmul2d.js';
import type { GridChoice } from '../lower/op.js';

export const STRATEGIES = ['auto', 'opbyop', 'matmul2d', 'pipeline'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type { GridChoice };

/**
 * Trial-lowered tasks per second of compile budget: an assumption measured on the development
 * machine (the search lowers 35k-55k tasks/s on ResNet-50 since the builder books link load and
 * weighs both NoCs per transfer; 250k before), so that a budget in seconds maps to a
 * deterministic amount of search.
 */
export const TASKS_PER_BUDGET_SECOND = 50_000;

/** Grid (rows x cols of cores) as a balanced split of `mt` x `nt` output tiles. */
function balanced(mt: number, nt: number, gr: number, gc: number): { gr: number; gc: number } {
  return { gr: Math.ceil(mt / Math.ceil(mt / gr)), gc: Math.ceil(nt / Math.ceil(nt / gc)) };
}

/** The candidate grids of an op with `mt` x `nt` output tiles under `strategy` (block first). */
export function matmulCandidates(strategy: Strategy, ctx: LowerContext, mt: number, nt: number, alignRows?: number): GridChoice[] {
  const p = ctx.gridRows * ctx.gridCols;
  const block: GridChoice = { kind: 'block', ...chooseMatmulGrid(ctx, mt, nt) };
  const height: GridChoice = { kind: 'height', ...balanced(mt, nt, Math.min(p, mt), 1) };
  const width: GridChoice = { kind: 'width', ...balanced(mt, nt, 1, Math.min(p, nt)) };
  if (strategy === 'opbyop') return [height];
  if (strategy === 'matmul2d') return [block];
  const out: GridChoice[] = [block];
  // Other block shapes: 2, 4, 16 and 32 grid rows over every core.
  const shapes = [2, 4, 16, 32].filter((r) => r <= Math.min(p, mt)).map((r): GridChoice => ({ kind: 'block', ...balanced(mt, nt, r, Math.max(1, Math.min(nt, Math.floor(p / r)))) }));
  // Grids with the row blocks of the window op that reads the output (see per-op.ts windowFollower).
  const aligned = alignRows !== undefined && alignRows <= Math.min(p, mt)
    ? [{ kind: 'height' as const, ...balanced(mt, nt, alignRows, 1) }, { kind: 'block' as const, ...balanced(mt, nt, alignRows, Math.max(1, Math.min(nt, Math.floor(p / alignRows)))) }]
    : [];
  for (const c of [height, width, ...shapes, ...aligned]) if (!out.some((o) => o.gr === c.gr && o.gc === c.gc)) out.push(c);
  return out;
}

/**
 * Most K-chunks a K-split takes unless the balance in chunksFor is higher (an assumption: each
 * chunk adds a partial tile per output tile to move and add, and on the K-splits the search makes,
 * with 12-64 K-tiles, up to 4 measured best; taking the balance there instead, 3 chunks for
 * MobileNetV2's 30 K-tiles, measured 1.4% slower than 4).
 */
const K_SPLIT_CAP = 4;

/**
 * How many K-chunks a K-split takes: at most K_SPLIT_CAP, or more when a chunk's tile
 * products still outweigh the owner's adds of the other chunks' partial sums. With K tiles per
 * output tile, each taking t cycles on the matrix unit, and one element-wise add of a cycles per
 * partial tile, an owner's time per output tile is K t / g + (g - 1) a, least at
 * g = sqrt(K t / a): above 4 from about 58 K-tiles in bf16 HiFi2 (t 46.5, a 168). A one-tile
 * matmul with 1568 K-tiles takes 21 (its K-steps' limit; measured k4 77,961 cycles, k16 38,697,
 * k21 34,917, k32 31,913).
 */
function chunksFor(ctx: LowerContext, mm: MatmulShape): number {
  const fmt = { dtype: ctx.dtype, fidelity: ctx.fidelity };
  const aView = ctx.views(mm.a);
  const kTiles = packedK(mm, aView, 0, aView.tileCols);
  const add = computeCycles(ctx.arch, fmt, [{ unit: 'eltwise', tiles: 1 }]);
  return Math.max(K_SPLIT_CAP, Math.round(Math.sqrt((kTiles * matmulTileCycles(ctx.arch, fmt, mm.usefulRows)) / add)));
}

/**
 * The K-split of an op's block grid, when the search should take it without trying the others:
 * the grid leaves at least half the cores idle, and each core's activation operand (in0, gathered
 * from every core holding the input) is at least as large as its weight slice. Such gathers
 * (ResNet-50's 1x1 convolutions at batch 1: 2 tile rows, 64 K-tiles, from 64 holders) simulate
 * 3-5x slower than the builder predicts, since it books links first-come while both NoC models
 * queue crossing multicasts; splitting K over the idle cores divides each core's gather and
 * weights by the chunks, for one partial tile per output tile and helper. Measured (packet NoC,
 * auto) against the search without it: MobileNetV3-Large -9%, EfficientNet-B0 -5%, MobileNetV2
 * -2%, ResNet-50 b1 -0.6% (its layer4 1x1 convolutions 27k -> 16k and 37k -> 23k cycles), ResNet-18
 * +4%, BERT-base, GPT and ViT unchanged. Undefined: the search chooses among the candidates.
 */
export function gatherBoundSplit(ctx: LowerContext, mm: MatmulShape, mt: number, nt: number, block: GridChoice): GridChoice | undefined {
  const split = kSplit(ctx, mm, block);
  if (split === undefined) return undefined;
  const in0Tiles = Math.ceil(mt / block.gr) * ctx.views(mm.a).tileCols;
  const weightTiles = mm.bView.tileRows * Math.ceil(nt / block.gc);
  return in0Tiles >= weightTiles ? split : undefined;
}

/**
 * `block` with each output block's K-steps split over the cores it leaves idle (at most
 * chunksFor chunks, each with a K-step of its own), or undefined when it leaves too few idle or
 * is not a block grid.
 */
export function kSplit(ctx: LowerContext, mm: MatmulShape, block: GridChoice): GridChoice | undefined {
  const p = ctx.gridRows * ctx.gridCols;
  // Each chunk needs a K-step of its own: at least ceil(K tiles / widest K-step) of them.
  const gk = Math.min(chunksFor(ctx, mm), Math.floor(p / (block.gr * block.gc)), Math.ceil(ctx.views(mm.a).tileCols / MAX_K_STEP_TILES));
  return gk >= 2 && block.kind === 'block' && block.gk === undefined ? { ...block, gk } : undefined;
}

/**
 * A lower bound on a candidate's cycles for an op with `mt` x `nt` output tiles: its busiest core's
 * tile products (no grid finishes before that core has done them).
 */
export function computeBound(ctx: LowerContext, mm: MatmulShape, mt: number, nt: number): (c: GridChoice) => number {
  const tileCycles = matmulTileCycles(ctx.arch, { dtype: ctx.dtype, fidelity: ctx.fidelity }, mm.usefulRows);
  const aView = ctx.views(mm.a);
  const kTiles = packedK(mm, aView, 0, aView.tileCols);
  return (c) => Math.ceil(mt / c.gr) * Math.ceil(nt / c.gc) * Math.ceil(kTiles / (c.gk ?? 1)) * tileCycles;
}

/** The search's state across ops: its strategy and what is left of its budget. */
export class StrategySearch {
  private tasksLeft: number;
  readonly strategy: Strategy;

  constructor(strategy: Strategy, budgetSeconds: number) {
    this.strategy = strategy;
    this.tasksLeft = budgetSeconds * TASKS_PER_BUDGET_SECOND;
  }

  /**
   * Picks one of `cands`: with one candidate or no budget left, the first; otherwise each is tried
   * (`attempt` lowers it and returns its cost and the tasks it made), except those whose lower
   * bound (`bound`, the same units as the cost) already reaches the best cost found. An attempt
   * takes itself back, or returns `undo` to be taken back: then the choice's own attempt, when it
   * was the last one made, is kept (`kept`) instead of being taken back and lowered again.
   */
  choose(cands: readonly GridChoice[], bound: (c: GridChoice) => number, attempt: (c: GridChoice) => { cost: number; tasks: number; undo?: () => void }): { choice: GridChoice; kept: boolean } {
    if (cands.length === 1 || this.tasksLeft <= 0) return { choice: cands[0]!, kept: false };
    let best = cands[0]!;
    let bestCost = Infinity;
    // Most promising first (stable: equal bounds keep the candidates' order), so more are pruned.
    const order = cands.map((c, i) => ({ c, i, b: bound(c) })).sort((x, y) => x.b - y.b || x.i - y.i);
    for (let k = 0; k < order.length; k++) {
      const { c, b } = order[k]!;
      if (b >= bestCost) continue;
      const r = attempt(c);
      this.tasksLeft -= r.tasks;
      const better = r.cost < bestCost;
      if (better) {
        best = c;
        bestCost = r.cost;
      }
      if (better && r.undo !== undefined && !order.slice(k + 1).some((o) => o.b < bestCost)) return { choice: best, kept: true };
      r.undo?.();
    }
    return { choice: best, kept: false };
  }
}
