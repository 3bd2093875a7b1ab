// One lowering of a graph: the builder, the lowering context over the whole compute grid, the
// Program tensors registered so far, and how to checkpoint and roll all of it back (the strategy
// search tries candidates this way). compile.ts may run several sessions and keep the best.

import type { ArchSpec, Coord, DeviceDtype, MathFidelity } from '../../arch/spec.js';
import type { Graph, TensorId } from '../graph.js';
import type { ProgramTensor, TaskId, TensorLayout } from '../program.js';
import { matrixSize, TILE } from '../tensor-layout.js';
import { ProgramBuilder, type BuilderCheckpoint } from './builder.js';
import { prefetchSettings, type LowerContext, type OpOnCore, type PlacedTensor, type PrefetchTuning } from './context.js';
import type { Grouping } from './group.js';
import { wholeGrid, type MatrixView } from './layout.js';
import { findFeatureMaps } from './views.js';
import { DEFAULT_WEIGHT_LAYOUT, type WeightLayout } from './dram-placement.js';

export interface Session {
  readonly ctx: LowerContext;
  readonly cores: readonly Coord[];
  readonly b: ProgramBuilder;
  readonly tensors: ProgramTensor[];
  /** Graph inputs still to be placed in SRAM by their first reader (residentIo). */
  readonly resident: Set<TensorId>;
  readonly snapshot: () => Snapshot;
  readonly restore: (s: Snapshot) => void;
}

export interface Snapshot {
  readonly b: BuilderCheckpoint;
  readonly placed: Map<TensorId, PlacedTensor>;
  readonly openOf: Map<number, TaskId>;
  readonly residentBytes: readonly number[];
  readonly recentOps: readonly (readonly OpOnCore[])[];
  readonly tensors: number;
  readonly resident: ReadonlySet<TensorId>;
}

export interface SessionOptions {
  readonly arch: ArchSpec;
  readonly dtype: DeviceDtype;
  readonly fidelity: MathFidelity;
  readonly cores: readonly Coord[];
  readonly tileBytes: number;
  readonly residentIo: boolean;
  /** Default DEFAULT_WEIGHT_LAYOUT. */
  readonly weightLayout?: WeightLayout;
  /** Prefetch settings other than the layout's defaults (CompileOptions.prefetch). */
  readonly prefetch?: PrefetchTuning;
}

/** A fresh lowering of `graph`: graph inputs placed (in DRAM, or left for their first reader). */
export function createSession(graph: Graph, grouping: Grouping, o: SessionOptions): Session {
  const { arch, cores } = o;
  const weightLayout = o.weightLayout ?? DEFAULT_WEIGHT_LAYOUT;
  const pf = prefetchSettings(weightLayout, o.prefetch);
  const b = new ProgramBuilder({
    arch, dtype: o.dtype, fidelity: o.fidelity, cores, postedReadsInFlight: pf.postedInFlight,
    ...(pf.readsPerChannel !== undefined ? { prefetchReadsPerChannel: pf.readsPerChannel } : {}),
  });
  const featureMaps = findFeatureMaps(graph);
  const tensors: ProgramTensor[] = [];
  const viewCache = new Map<TensorId, MatrixView>();
  const layouts = new Map<TensorId, { layout: TensorLayout; shape: readonly number[] }>();
  const layoutOf = (t: TensorId) => layouts.get(t) ?? { layout: featureMaps.has(t) ? 'feature-map' as const : 'rows' as const, shape: graph.tensors[t]!.shape };
  const rows = arch.computeGrid.rows.length;
  const cols = arch.computeGrid.columns.length;
  const ctx: LowerContext = {
    arch, dtype: o.dtype, fidelity: o.fidelity, graph, b, rootOf: grouping.rootOf, aliases: grouping.aliases,
    area: wholeGrid(rows, cols), gridRows: rows, gridCols: cols, tileBytes: o.tileBytes,
    sramBudgetBytes: arch.core.sramBytes - arch.core.sramReservedBytes,
    placed: new Map(), openOf: new Map(), footprintCache: new Map(), residentBytes: cores.map(() => 0),
    recentOps: cores.map(() => []), prefetchDepth: pf.depth, weightLayout,
    views: (t) => {
      let v = viewCache.get(t);
      if (v === undefined) {
        const { layout, shape } = layoutOf(t);
        const [r, c] = matrixSize(layout, shape);
        v = { rows: r, cols: c, tileRows: Math.ceil(r / TILE), tileCols: Math.ceil(c / TILE) };
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
    setAlias: (i, alias) => { tensors[i] = { ...tensors[i]!, alias }; },
    setDramHome: (i) => { if (tensors[i]!.home !== 'dram') tensors[i] = { ...tensors[i]!, home: 'dram' }; },
  };
  const resident = new Set<TensorId>(o.residentIo ? graph.inputs : []);
  placeGraphInputs(ctx, resident);
  return {
    ctx, cores, b, tensors, resident,
    snapshot: () => ({ b: b.checkpoint(), placed: new Map(ctx.placed), openOf: new Map(ctx.openOf), residentBytes: [...ctx.residentBytes], recentOps: copyRecent(ctx.recentOps), tensors: tensors.length, resident: new Set(resident) }),
    restore: (s) => {
      b.rollback(s.b);
      ctx.placed.clear();
      for (const [k, v] of s.placed) ctx.placed.set(k, v);
      ctx.openOf.clear();
      for (const [k, v] of s.openOf) ctx.openOf.set(k, v);
      s.residentBytes.forEach((v, i) => { ctx.residentBytes[i] = v; });
      copyRecent(s.recentOps).forEach((v, i) => { ctx.recentOps[i] = v; });
      tensors.length = s.tensors;
      resident.clear();
      for (const t of s.resident) resident.add(t);
    },
  };
}

/** Graph inputs start in DRAM, interleaved over every channel (resident ones are placed by their first reader). */
function placeGraphInputs(ctx: LowerContext, resident: ReadonlySet<TensorId>): void {
  let channel = 0;
  for (const t of ctx.graph.inputs) {
    if (resident.has(t)) continue;
    const view = ctx.views(t);
    const programIndex = ctx.registerTensor(t, 'dram');
    ctx.placed.set(t, { view, parts: [], firstChannel: channel, programIndex, rowMajor: true });
    channel = (channel + 5) % ctx.arch.dram.channels.length;
  }
}

/** A deep copy (prefetch raises the entries' busy bytes in place). */
function copyRecent(r: readonly (readonly OpOnCore[])[]): OpOnCore[][] {
  return r.map((list) => list.map((e) => ({ ...e })));
}
