// Functional simulation: replays a program's tasks in the order the cycle simulation completed
// them, moving real tiles with every transfer (DRAM reads and writes, unicasts and multicasts)
// and computing on every core exactly the blocks its compute tasks name. The outputs come from
// DRAM as the program left them, so a wrong route, a missed tile or a bad shard shows up as a
// wrong answer or a "does not hold it" error.

import { SpatialcError } from '../../arch/errors.js';
import type { Graph, TensorValues } from '../../compiler/graph.js';
import { isFloatDtype } from '../../compiler/ops/values.js';
import type { Program, ProgramTensor, TileShard } from '../../compiler/program.js';
import type { SimResult } from '../engine.js';
import { createFunctionalContext, type FunctionalContext } from './context.js';
import { runMapStep } from './map-step.js';
import { addPartial, runMatmulStep } from './matmul-step.js';
import type { NumberModel } from './number-model.js';
import { copyRegions, tensorToTiles, TileStore, tilesToTensor } from './tile-store.js';

export interface FunctionalOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Runs the program on `inputs` (by graph input name); returns the graph outputs in order. */
export function runFunctional(
  program: Program, graph: Graph, model: NumberModel, timing: SimResult,
  inputs: Readonly<Record<string, TensorValues>>,
): FunctionalOutput[] {
  const ctx = executeProgram(program, graph, model, timing, inputs);
  return graph.outputs.map((o) => {
    const t = graph.tensors[o]!;
    // Outputs the compiler folded to constants (Shape, Size, ...) never reach the device.
    if (t.isConstant && t.values !== undefined) return { name: t.name, shape: t.shape, values: Float32Array.from(t.values as ArrayLike<number>) };
    const pt = ctx.programTensorOf(o);
    if (pt === undefined) throw new SpatialcError('E_SIM', `graph output "${t.name}" is in no program tensor`);
    return { name: t.name, shape: t.shape, values: tilesToTensor(pt, pt.shards === undefined ? ctx.dram : gatherShards(ctx, pt)) };
  });
}

/** Runs every task's data effect; returns the final state of every memory (for tests and debugging). */
export function executeProgram(
  program: Program, graph: Graph, model: NumberModel, timing: SimResult,
  inputs: Readonly<Record<string, TensorValues>>,
): FunctionalContext {
  const ctx = createFunctionalContext(program, graph, model);
  loadDram(ctx, inputs);
  const order = program.tasks.map((t) => t.id).sort((a, b) => timing.taskEndCycle[a]! - timing.taskEndCycle[b]! || a - b);
  for (const id of order) runTask(ctx, id);
  return ctx;
}

/** A resident graph output's tiles, collected from the cores holding its shards. */
function gatherShards(ctx: FunctionalContext, pt: ProgramTensor): TileStore {
  const store = new TileStore('outputs');
  for (const s of pt.shards ?? []) copyRegions(ctx.cores[s.core]!, [store], [{ tensor: pt.id, ...without(s) }], ctx.program.tensors, `output "${pt.name}"`);
  return store;
}

function without(s: TileShard): Omit<TileShard, 'core'> {
  return { row0: s.row0, rows: s.rows, col0: s.col0, cols: s.cols };
}

/**
 * Puts graph inputs and weights into DRAM, rounded to the device format; resident graph inputs
 * go straight to the SRAM of the cores holding their shards.
 */
function loadDram(ctx: FunctionalContext, inputs: Readonly<Record<string, TensorValues>>): void {
  const byName = new Map(ctx.graph.tensors.map((t) => [t.name, t]));
  for (const pt of ctx.program.tensors) {
    const g = byName.get(pt.name);
    if (g === undefined) continue;
    if (pt.home === 'sram' && pt.shards !== undefined && ctx.graph.inputs.includes(g.id)) {
      const values = inputs[g.name];
      if (values === undefined) throw new SpatialcError('E_SIM', `no value for graph input "${g.name}"`);
      const staged = new TileStore('inputs');
      tensorToTiles(pt, values as ArrayLike<number>, staged, isFloatDtype(g.dtype) ? ctx.model.load : (t) => t);
      for (const s of pt.shards) copyRegions(staged, [ctx.cores[s.core]!], [{ tensor: pt.id, ...without(s) }], ctx.program.tensors, `input "${pt.name}"`);
      continue;
    }
    if (pt.home !== 'dram') continue;
    const values = g.isConstant ? g.values : inputs[g.name];
    if (values === undefined) {
      if (ctx.graph.inputs.includes(g.id)) throw new SpatialcError('E_SIM', `no value for graph input "${g.name}"`);
      continue;
    }
    tensorToTiles(pt, values as ArrayLike<number>, ctx.dram, isFloatDtype(g.dtype) ? ctx.model.load : (t) => t);
  }
}

function runTask(ctx: FunctionalContext, id: number): void {
  const t = ctx.program.tasks[id]!;
  const core = ctx.cores[t.core]!;
  const who = `task ${id} (${t.kind} on ${core.name})`;
  switch (t.kind) {
    case 'dram-read':
      if (t.reads !== undefined) copyRegions(ctx.dram, [core], t.reads, ctx.program.tensors, who);
      return;
    case 'dram-write':
      if (t.writes !== undefined) copyRegions(core, [ctx.dram], [t.writes], ctx.program.tensors, who);
      return;
    case 'send':
      if (t.reads !== undefined) copyRegions(core, t.dsts.map((d) => ctx.cores[d]!), t.reads, ctx.program.tensors, who);
      if (t.partial !== undefined) for (const d of t.dsts) addPartial(ctx, t.op, t.core, d, t.partial, who);
      return;
    case 'compute':
      if (t.region === undefined) return;
      if (ctx.program.ops[t.op]!.lowering === 'matmul2d') runMatmulStep(ctx, t);
      else runMapStep(ctx, t);
      return;
  }
}
