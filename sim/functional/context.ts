// What the functional simulation knows while it runs: the program, the graph it was compiled
// from (node semantics and constants), every memory's tiles, and the number model.

import { isViewNode } from '../../compiler/graph.js';
import { SpatialcError } from '../../arch/errors.js';
import type { Graph, Node, TensorId } from '../../compiler/graph.js';
import type { Program, ProgramTensor } from '../../compiler/program.js';
import type { NumberModel } from './number-model.js';
import { TileStore } from './tile-store.js';

export interface FunctionalContext {
  readonly program: Program;
  readonly graph: Graph;
  readonly model: NumberModel;
  readonly cores: readonly TileStore[];
  readonly dram: TileStore;
  readonly nodeByName: ReadonlyMap<string, Node>;
  /** Partial sums of matmul output blocks, by `${op}:${core}:${row0}:${col0}`. */
  readonly accumulators: Map<string, Float32Array>;
  /** The program tensor holding a graph tensor's data (views resolve to their source). */
  readonly programTensorOf: (t: TensorId) => ProgramTensor | undefined;
}

/** Builds the context: empty memories, name lookups, view resolution. */
export function createFunctionalContext(program: Program, graph: Graph, model: NumberModel): FunctionalContext {
  const byName = new Map<string, ProgramTensor>(program.tensors.map((t) => [t.name, t]));
  const nodeByName = new Map(graph.nodes.map((n) => [n.name, n]));
  const programTensorOf = (t: TensorId): ProgramTensor | undefined => {
    let id: TensorId | undefined = t;
    for (let guard = 0; id !== undefined && guard < 64; guard++) {
      const tensor: Graph['tensors'][number] = graph.tensors[id]!;
      const hit = byName.get(tensor.name);
      if (hit !== undefined) return hit;
      const producer: Node | undefined = tensor.producer === undefined ? undefined : graph.nodes[tensor.producer];
      if (producer === undefined || !isViewNode(graph, producer)) return undefined;
      id = producer.inputs[0];
    }
    return undefined;
  };
  return {
    program, graph, model, nodeByName, programTensorOf,
    cores: program.cores.map((c) => new TileStore(`core(${c.x},${c.y})`, program.tensors)),
    dram: new TileStore('DRAM', program.tensors),
    accumulators: new Map(),
  };
}

/** The graph nodes of a program op, anchor first. */
export function opNodes(ctx: FunctionalContext, opIndex: number): Node[] {
  const op = ctx.program.ops[opIndex]!;
  return op.fused.map((name) => {
    const n = ctx.nodeByName.get(name);
    if (n === undefined) throw new SpatialcError('E_PROGRAM_INVALID', `program op "${op.name}" names node "${name}", which the model does not have`);
    return n;
  });
}
