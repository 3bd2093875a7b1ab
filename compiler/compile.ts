// compileGraph: Graph + ArchSpec -> Program. The recipe: group nodes (fusing element-wise
// followers), then lower each group in topological order onto the whole compute grid (op by op,
// as Tenstorrent's stack runs), keeping outputs in SRAM when they fit and spilling to DRAM when
// they do not, then release inputs after their last reader. Routing (NoC choice, multicast) and
// the predicted schedule come from the ProgramBuilder.

import type { ArchSpec, Coord, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { matmulTileCycles, tileBytes } from '../arch/core-timing.js';
import { SpatialcError } from '../arch/errors.js';
import type { Graph, TensorId } from './graph.js';
import type { Program, ProgramTensor, TensorLayout } from './program.js';
import { matrixSize, TILE } from './tensor-layout.js';
import { ProgramBuilder } from './lower/builder.js';
import { checkTensorsFitDram, checkWeightsFitDram } from './lower/capacity.js';
import type { OpClass } from './lower/classify.js';
import { gridShards, placeConstant, placeResidentInput, type LowerContext } from './lower/context.js';
import { nodeMacs } from './ops/node-macs.js';
import { groupNodes, type OpGroup } from './lower/group.js';
import { shardGrid, type MatrixView } from './lower/layout.js';
import { anchorInputs, canSplitCols, chooseMapGrid, lowerMapOp } from './lower/map-op.js';
import { lowerMatmul2d, type MatmulShape } from './lower/matmul2d.js';
import { OpCostModel } from './partition/cost.js';
import { matmulCandidates, StrategySearch, type GridChoice, type Strategy } from './partition/strategy.js';
import type { BuilderCheckpoint } from './lower/builder.js';
import type { PlacedTensor } from './lower/context.js';
import type { TaskId } from './program.js';
import { closeOutput, planOutput, releaseTensor } from './lower/output.js';
import { findFeatureMaps } from './lower/views.js';

export interface CompileOptions {
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly model: string;
  readonly batch: number;
  readonly archFingerprint: string;
  /**
   * Graph inputs start in SRAM, block-sharded over the grid of the first op that reads them, and
   * graph outputs stay in SRAM where their op computed them (as when the model is one stage of a
   * longer on-device pipeline; tt-metal's sharded L1 operands). Default: both in DRAM.
   */
  readonly residentIo?: boolean;
  /** How matmuls and convs are sharded (compiler/partition/strategy.ts); default 'auto'. */
  readonly strategy?: Strategy;
  /** Seconds of strategy search (converted to a deterministic amount of trial lowering); default 2. */
  readonly compileBudgetSeconds?: number;
}

/** Fraction of the per-core budget an op's working set must keep for its output to stay in SRAM. */
const MIN_WORKING_SHARE = 0.25;

/** The program cores of the arch's compute grid, row-major (index = i * cols + j). */
export function computeCores(arch: ArchSpec): Coord[] {
  const out: Coord[] = [];
  for (const y of arch.computeGrid.rows) for (const x of arch.computeGrid.columns) out.push({ x, y });
  return out;
}

/** Compiles a graph for an arch, op by op over the whole compute grid. */
export function compileGraph(graph: Graph, arch: ArchSpec, opts: CompileOptions): Program {
  const cores = computeCores(arch);
  if (cores.length < 2) {
    throw new SpatialcError('E_DOES_NOT_FIT', `arch "${arch.name}" has a compute grid of ${cores.length} core(s); spatialc needs at least 2`);
  }
  const tb = tileBytes(arch, opts.dtype);
  checkWeightsFitDram(graph, arch, tb, opts.model);
  const b = new ProgramBuilder({ arch, dtype: opts.dtype, fidelity: opts.fidelity, cores });
  const grouping = groupNodes(graph);
  const featureMaps = findFeatureMaps(graph);
  const tensors: ProgramTensor[] = [];
  const viewCache = new Map<TensorId, MatrixView>();
  const layouts = new Map<TensorId, { layout: TensorLayout; shape: readonly number[] }>();
  const layoutOf = (t: TensorId) => layouts.get(t) ?? { layout: featureMaps.has(t) ? 'feature-map' as const : 'rows' as const, shape: graph.tensors[t]!.shape };
  const ctx: LowerContext = {
    arch, dtype: opts.dtype, fidelity: opts.fidelity, graph, b, rootOf: grouping.rootOf,
    gridRows: arch.computeGrid.rows.length, gridCols: arch.computeGrid.columns.length, tileBytes: tb,
    sramBudgetBytes: arch.core.sramBytes - arch.core.sramReservedBytes,
    placed: new Map(), openOf: new Map(), footprintCache: new Map(), residentBytes: cores.map(() => 0),
    views: (t) => {
      let v = viewCache.get(t);
      if (v === undefined) {
        const { layout, shape } = layoutOf(t);
        const [rows, cols] = matrixSize(layout, shape);
        v = { rows, cols, tileRows: Math.ceil(rows / TILE), tileCols: Math.ceil(cols / TILE) };
        viewCache.set(t, v);
      }
      return v;
    },
    shapeOf: (t) => ({ ...layoutOf(t), view: ctx.views(t) }),
    registerTensor: (t, home, layout, shape) => {
      if (layout !== undefined) {
        layouts.set(t, { layout, shape: shape ?? graph.tensors[t]!.shape });
        viewCache.delete(t);
      }
      const view = ctx.views(t);
      const l = layoutOf(t);
      tensors.push({
        id: tensors.length, name: graph.tensors[t]!.name, rows: view.rows, cols: view.cols,
        tileRows: view.tileRows, tileCols: view.tileCols, home, shape: l.shape, layout: l.layout,
      });
      return tensors.length - 1;
    },
    setShards: (i, shards) => { tensors[i] = { ...tensors[i]!, shards }; },
  };
  const resident = new Set<TensorId>(opts.residentIo === true ? graph.inputs : []);
  placeGraphInputs(ctx, resident);
  const strategy = opts.strategy ?? 'auto';
  const search: Search = {
    search: new StrategySearch(strategy, opts.compileBudgetSeconds ?? DEFAULT_BUDGET_SECONDS),
    model: new OpCostModel(arch, cores),
    snapshot: () => ({ b: b.checkpoint(), placed: new Map(ctx.placed), openOf: new Map(ctx.openOf), residentBytes: [...ctx.residentBytes], tensors: tensors.length, resident: new Set(resident) }),
    restore: (s) => {
      b.rollback(s.b);
      ctx.placed.clear();
      for (const [k, v] of s.placed) ctx.placed.set(k, v);
      ctx.openOf.clear();
      for (const [k, v] of s.openOf) ctx.openOf.set(k, v);
      s.residentBytes.forEach((v, i) => { ctx.residentBytes[i] = v; });
      tensors.length = s.tensors;
      resident.clear();
      for (const t of s.resident) resident.add(t);
    },
  };
  const lastReader = lastReaders(grouping.groups, grouping.rootOf, graph);
  const outputs = new Set(graph.outputs.map((o) => grouping.rootOf[o] ?? o));
  let macs = 0;
  const ops = grouping.groups.map((grp) => {
    const resolved = resolveGroup(grp, grouping.rootOf);
    const r = lowerGroup(ctx, resolved, outputs.has(grp.output), resident, opts.residentIo === true, search);
    macs += r.macs;
    for (const t of new Set(anchorInputsOf(grp, grouping.rootOf, graph))) if (lastReader.get(t) === grp.index) releaseTensor(ctx, grp.index, t);
    return {
      index: grp.index, name: grp.anchor.name, op: grp.anchor.op, fused: grp.nodes.map((n) => n.name),
      macs: r.macs, strategy: r.strategy, lowering: r.lowering, coresUsed: r.coresUsed, output: r.programIndex,
      outputIndex: grp.outputIndex,
    };
  });
  checkTensorsFitDram(tensors, arch, tb, opts.model);
  const programCores = cores.map((c, i) => ({
    x: c.x, y: c.y, reader: b.streams[i]![0]!, compute: b.streams[i]![1]!, writer: b.streams[i]![2]!,
  }));
  return {
    format: 'spatialc-program/1', archName: arch.name, archFingerprint: opts.archFingerprint, model: opts.model,
    dtype: opts.dtype, fidelity: opts.fidelity, batch: opts.batch, strategy,
    cores: programCores, tasks: b.tasks, buffers: b.buffers, tensors, ops, macs, predictedCycles: b.makespan(),
  };
}

/** Graph inputs start in DRAM, interleaved over every channel (resident ones are placed by their first reader). */
function placeGraphInputs(ctx: LowerContext, resident: ReadonlySet<TensorId>): void {
  let channel = 0;
  for (const t of ctx.graph.inputs) {
    if (resident.has(t)) continue;
    const view = ctx.views(t);
    const programIndex = ctx.registerTensor(t, 'dram');
    ctx.placed.set(t, { view, home: 'dram', readyOf: new Map(), bufferOf: new Map(), firstChannel: channel, programIndex });
    channel = (channel + 5) % ctx.arch.dram.channels.length;
  }
}

/** Rewrites a group's tensor references to root tensors (views resolved). */
function resolveGroup(grp: OpGroup, rootOf: readonly TensorId[]): OpGroup {
  const r = (t: TensorId) => rootOf[t] ?? t;
  const cls = grp.cls;
  const resolved: OpClass =
    cls.kind === 'matmul' ? { ...cls, a: r(cls.a), b: r(cls.b), ...(cls.c !== undefined ? { c: r(cls.c) } : {}) }
    : cls.kind === 'conv' ? { ...cls, x: r(cls.x) }
    : cls.kind === 'window' || cls.kind === 'rowwise' ? { ...cls, x: r(cls.x) }
    : cls.kind === 'eltwise' || cls.kind === 'data' ? { ...cls, inputs: cls.inputs.map(r) }
    : cls;
  return { ...grp, cls: resolved, extraInputs: grp.extraInputs.map(r) };
}

function anchorInputsOf(grp: OpGroup, rootOf: readonly TensorId[], graph: Graph): TensorId[] {
  const g = resolveGroup(grp, rootOf);
  return [...anchorInputs(g.cls, g.anchor, rootOf, graph), ...g.extraInputs];
}

/** For every root tensor, the index of the last group reading it. */
function lastReaders(groups: readonly OpGroup[], rootOf: readonly TensorId[], graph: Graph): Map<TensorId, number> {
  const last = new Map<TensorId, number>();
  for (const grp of groups) for (const t of anchorInputsOf(grp, rootOf, graph)) last.set(t, grp.index);
  return last;
}

interface Lowered {
  readonly lowering: 'matmul2d' | 'map';
  readonly macs: number;
  readonly strategy: string;
  readonly coresUsed: number;
  readonly programIndex: number;
}

/** The strategy search and how to try a lowering and take it back. */
interface Search {
  readonly search: StrategySearch;
  readonly model: OpCostModel;
  readonly snapshot: () => Snapshot;
  readonly restore: (s: Snapshot) => void;
}

interface Snapshot {
  readonly b: BuilderCheckpoint;
  readonly placed: Map<TensorId, PlacedTensor>;
  readonly openOf: Map<number, TaskId>;
  readonly residentBytes: readonly number[];
  readonly tensors: number;
  readonly resident: ReadonlySet<TensorId>;
}

const DEFAULT_BUDGET_SECONDS = 2;

/** Lowers a group: map ops row-distributed, matmul-like ops on the grid the strategy picks. */
function lowerGroup(ctx: LowerContext, grp: OpGroup, isGraphOutput: boolean, resident: Set<TensorId>, residentIo: boolean, s: Search): Lowered {
  const view = ctx.views(grp.output);
  const mm = matmulShape(ctx, grp, view);
  if (mm === undefined) {
    const { gr, gc } = chooseMapGrid(ctx, view, canSplitCols(grp.cls));
    return lowerOnGrid(ctx, grp, undefined, { kind: 'height', gr, gc }, isGraphOutput, resident, residentIo);
  }
  const cands = matmulCandidates(s.search.strategy, ctx, view.tileRows, view.tileCols);
  const ready = ctx.b.makespan();
  // A candidate cannot finish before its busiest core has done its tile products.
  const tileCycles = matmulTileCycles(ctx.arch, { dtype: ctx.dtype, fidelity: ctx.fidelity }, mm.usefulRows);
  const kTiles = ctx.views(mm.a).tileCols * mm.taps;
  const bound = (c: GridChoice) => ready + Math.ceil(view.tileRows / c.gr) * Math.ceil(view.tileCols / c.gc) * kTiles * tileCycles;
  const best = s.search.choose(cands, bound, (c) => {
    const snap = s.snapshot();
    lowerOnGrid(ctx, grp, mm, c, isGraphOutput, resident, residentIo);
    const cost = s.model.cost(ctx.b.tasks, snap.b.tasks, (id) => ctx.b.end(id as TaskId), ready).cycles;
    const tasks = ctx.b.tasks.length - snap.b.tasks;
    s.restore(snap);
    return { cost, tasks };
  });
  return lowerOnGrid(ctx, grp, mm, best, isGraphOutput, resident, residentIo);
}

function lowerOnGrid(
  ctx: LowerContext, grp: OpGroup, mm: MatmulShape | undefined, choice: GridChoice, isGraphOutput: boolean, resident: Set<TensorId>, residentIo: boolean,
): Lowered {
  const view = ctx.views(grp.output);
  const cls = grp.cls;
  const { gr, gc } = choice;
  const grid = shardGrid(ctx.gridRows, ctx.gridCols, view, gr, gc);
  for (const t of anchorInputs(cls, grp.anchor, ctx.rootOf, ctx.graph).concat(grp.extraInputs)) {
    if (!resident.has(t)) continue;
    resident.delete(t);
    const v = ctx.views(t);
    placeResidentInput(ctx, grp.index, t, shardGrid(ctx.gridRows, ctx.gridCols, v, Math.min(gr, v.tileRows), Math.min(gc, v.tileCols)));
  }
  const budgetAll = ctx.sramBudgetBytes - Math.max(0, ...grid.coreOf.map((c) => ctx.residentBytes[c] ?? 0));
  const shardBytes = grid.rowChunk * grid.colChunk * ctx.tileBytes;
  const toDram = (isGraphOutput && !residentIo) || budgetAll - shardBytes < MIN_WORKING_SHARE * ctx.sramBudgetBytes;
  const budget = toDram ? budgetAll : budgetAll - shardBytes;
  if (budget <= 0) {
    throw new SpatialcError('E_DOES_NOT_FIT', `node "${grp.anchor.name}" (${grp.anchor.op}): no SRAM left on the cores for its working set`);
  }
  const out = planOutput(ctx, grp, view, grid, budget, toDram);
  const macs = groupMacs(ctx, grp);
  const ws = mm !== undefined ? lowerMatmul2d(ctx, grp, mm, out, budget) : lowerMapOp(ctx, grp, out, budget, macs);
  for (const buf of out.workBuffers.values()) ctx.b.resizeBuffer(buf, Math.min(ws, budget));
  closeOutput(ctx, grp, out);
  if (isGraphOutput && out.home === 'sram') ctx.setShards(out.programIndex, gridShards(out.grid, view));
  const strategy = mm !== undefined ? `${choice.kind} ${gr}x${gc}` : `rows ${gr}x${gc}`;
  return { lowering: mm !== undefined ? 'matmul2d' : 'map', macs, strategy, coresUsed: grid.coreOf.length, programIndex: out.programIndex };
}

function intAttr(n: { readonly attrs: Graph['nodes'][number]['attrs'] }, name: string): number | undefined {
  const a = n.attrs[name];
  return a !== undefined && a.kind === 'int' ? a.value : undefined;
}

function groupMacs(ctx: LowerContext, grp: OpGroup): number {
  return grp.outputIndex === 0 ? nodeMacs(ctx.graph, grp.anchor) : 0;
}

/** The 2D-matmul description of a group, when its anchor is a matmul with a shared in1 or a conv. */
function matmulShape(ctx: LowerContext, grp: OpGroup, outView: MatrixView): MatmulShape | undefined {
  const cls = grp.cls;
  // Gemm with an activation C or a transposed A runs row-distributed (the reference kernel does it all).
  if (cls.kind === 'matmul' && cls.batch === 1 && cls.c === undefined && !cls.transA && (grp.anchor.op === 'MatMul' || grp.anchor.op === 'Gemm')) {
    if (cls.bIsConst) placeConstant(ctx, cls.b, grp.anchor.op === 'Gemm' && intAttr(grp.anchor, 'transB') === 1 ? 'weight-nk' : 'weight-kn');
    const bView = ctx.views(cls.b);
    return { a: cls.a, b: cls.b, bView, outView, usefulRows: Math.min(32, cls.m), taps: 1, macs: cls.m * cls.k * cls.n };
  }
  if (cls.kind === 'conv' && cls.geometry !== undefined && grp.anchor.op === 'Conv' && cls.isDense && ctx.graph.tensors[cls.w]!.isConstant) {
    placeConstant(ctx, cls.w, 'weight-conv');
    const bView = ctx.views(cls.w);
    const macs = cls.batch * cls.outHw * cls.cout * cls.cin * cls.taps;
    return { a: cls.x, b: cls.w, bView, outView, usefulRows: Math.min(32, outView.rows), taps: cls.taps, macs, ...(cls.geometry ? { geometry: cls.geometry } : {}) };
  }
  return undefined;
}
