// `--check`: the compiled program run functionally (real tiles through the simulated NoC, the
// cores' number formats and fidelity) against the float32 reference interpreter. Also the
// functional simulation as an `eval --sim` backend, and seeded random inputs.

import type { ArchSpec, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { archFingerprint, SpatialcError } from '../arch/index.js';
import type { Graph } from '../compiler/graph.js';
import { numElements } from '../compiler/graph.js';
import { compileGraph } from '../compiler/compile.js';
import type { Program } from '../compiler/program.js';
import { maxErrors } from '../compiler/reference/compare.js';
import { runReference, type TensorData } from '../compiler/reference/interpret.js';
import { allocValues, isFloatDtype } from '../compiler/ops/values.js';
import { simulate, type SimResult } from '../sim/index.js';
import { runFunctional } from '../sim/functional/run.js';
import { FP32_MODEL, tensixModel, type NumberModel } from '../sim/functional/number-model.js';
import type { EvalBackend } from './eval.js';

export interface OutputError {
  readonly name: string;
  readonly maxAbsError: number;
  readonly maxRelError: number;
}

export interface CheckReport {
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly outputs: readonly OutputError[];
}

/** The number model of a run: exact float32 for fp32 at HiFi4, else the Tensix formats. */
export function numberModelFor(dtype: DeviceDtype, fidelity: MathFidelity): NumberModel {
  return dtype === 'fp32' && fidelity === 'HiFi4' ? FP32_MODEL : tensixModel(dtype, fidelity);
}

/** Deterministic pseudo-random inputs: floats uniform in [-1, 1), indices within their tables. */
export function randomInputs(graph: Graph, seed = 1): Record<string, TensorData> {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const out: Record<string, TensorData> = {};
  for (const id of graph.inputs) {
    const t = graph.tensors[id]!;
    const n = numElements(t.shape);
    const values = allocValues(t.dtype, n);
    const limit = isFloatDtype(t.dtype) ? 0 : indexLimit(graph, id);
    for (let i = 0; i < n; i++) values[i] = isFloatDtype(t.dtype) ? next() * 2 - 1 : Math.floor(next() * limit);
    out[t.name] = { dtype: t.dtype, shape: t.shape, values };
  }
  return out;
}

/** For an integer input used as Gather indices: the smallest table it indexes (else 2). */
function indexLimit(graph: Graph, id: number): number {
  let limit = Infinity;
  for (const n of graph.nodes) {
    if ((n.op === 'Gather' || n.op === 'GatherElements') && n.inputs[1] === id) {
      const data = graph.tensors[n.inputs[0]!]!;
      const axis = n.attrs['axis'];
      const a = axis !== undefined && axis.kind === 'int' ? axis.value : 0;
      limit = Math.min(limit, data.shape[a < 0 ? a + data.shape.length : a] ?? 2);
    }
  }
  return Number.isFinite(limit) ? limit : 2;
}

/** Runs the program functionally on `inputs`; returns outputs by name. */
export function runProgram(program: Program, graph: Graph, timing: SimResult, inputs: Readonly<Record<string, TensorData>>): Record<string, TensorData> {
  const values = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.values]));
  const outs = runFunctional(program, graph, numberModelFor(program.dtype, program.fidelity), timing, values);
  const dtypeOf = new Map(graph.outputs.map((o) => [graph.tensors[o]!.name, graph.tensors[o]!.dtype]));
  return Object.fromEntries(outs.map((o) => {
    const dtype = dtypeOf.get(o.name) ?? 'float32';
    const values = isFloatDtype(dtype) ? o.values : allocValues(dtype, o.values.length).map((_, i) => o.values[i]!);
    return [o.name, { dtype, shape: o.shape, values }];
  }));
}

/** Compares the functional outputs with the reference interpreter's. */
export function checkProgram(program: Program, graph: Graph, timing: SimResult, inputs: Readonly<Record<string, TensorData>>): CheckReport {
  const want = runReference(graph, inputs); // first: it rejects inputs of the wrong shape or type
  const got = runProgram(program, graph, timing, inputs);
  const outputs = Object.keys(want).map((name) => {
    const e = maxErrors(got[name]!.values as ArrayLike<number>, want[name]!.values as ArrayLike<number>);
    return { name, maxAbsError: e.abs, maxRelError: e.rel };
  });
  return {
    maxAbsError: Math.max(0, ...outputs.map((o) => o.maxAbsError)),
    maxRelError: Math.max(0, ...outputs.map((o) => o.maxRelError)),
    outputs,
  };
}

/** `eval --sim`: compile for the arch and run the program functionally. */
export function functionalBackend(arch: ArchSpec, dtype: DeviceDtype, fidelity: MathFidelity, model: string, nocModel: 'flit' | 'packet' = 'flit'): EvalBackend {
  return (graph, inputs) => {
    const wide = graph.tensors.find((t) => !t.isConstant && (t.dtype === 'float64' || t.dtype === 'uint64'));
    if (wide !== undefined) {
      throw new SpatialcError('E_DTYPE', `tensor "${wide.name}" is ${wide.dtype}, which no device number format holds`);
    }
    const fp = archFingerprint(arch);
    const batch = graph.inputs.length > 0 ? graph.tensors[graph.inputs[0]!]!.shape[0] ?? 1 : 1;
    const program = compileGraph(graph, arch, { dtype, fidelity, model, batch, archFingerprint: fp });
    return runProgram(program, graph, simulate(program, arch, { fingerprint: fp, nocModel }), inputs);
  };
}
