// Helpers for oracle tests: compile a model for a mesh, run the program functionally, and run
// the same inputs through onnxruntime-node (the numerical oracle).
import * as ort from 'onnxruntime-node';
import { archFingerprint } from '../../arch/index.js';
import type { ArchSpec } from '../../arch/spec.js';
import type { Graph } from '../../compiler/graph.js';
import { compileGraph, type CompileOptions } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import type { TensorData } from '../../compiler/reference/interpret.js';
import { maxErrors } from '../../compiler/reference/compare.js';
import { simulate } from '../../sim/index.js';
import { randomInputs, runProgram } from '../../cli/check.js';
import { runReference } from '../../compiler/reference/interpret.js';

/** The arch with its compute grid cut to `cols` x `rows` cores (odd sizes included). */
export function withMesh(arch: ArchSpec, cols: number, rows: number): ArchSpec {
  return {
    ...arch,
    name: `${arch.name}-${cols}x${rows}`,
    computeGrid: { columns: arch.computeGrid.columns.slice(0, cols), rows: arch.computeGrid.rows.slice(0, rows) },
  };
}

/** Compiles (verified) and runs the program functionally in exact float32 (tile order from the given NoC model). */
export function runFunctionalFp32(
  graph: Graph, arch: ArchSpec, inputs: Readonly<Record<string, TensorData>>, nocModel: 'flit' | 'packet' = 'flit', opts: Partial<CompileOptions> = {},
): Record<string, TensorData> {
  const fp = archFingerprint(arch);
  const batch = graph.tensors[graph.inputs[0]!]?.shape[0] ?? 1;
  const program = compileGraph(graph, arch, { dtype: 'fp32', fidelity: 'HiFi4', model: graph.name, batch, archFingerprint: fp, ...opts });
  const problems = verifyProgram(program, arch);
  if (problems.length > 0) throw new Error(`verifier: ${problems.map((p) => p.message).join('; ')}`);
  return runProgram(program, graph, simulate(program, arch, { fingerprint: fp, nocModel }), inputs);
}

/** onnxruntime's outputs for the same inputs. */
export async function runOrt(file: string, inputs: Readonly<Record<string, TensorData>>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(file);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    const dims = [...t.shape];
    feeds[name] = t.dtype === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(t.values as ArrayLike<number>, (v) => BigInt(v)), dims)
      : new ort.Tensor('float32', Float32Array.from(t.values as ArrayLike<number>), dims);
  }
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data as ArrayLike<number>)]));
}

/** Largest relative error (max |diff| / max |oracle|) over every output. */
export function worstRelError(got: Record<string, TensorData>, want: Record<string, Float32Array>): number {
  let worst = 0;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (g === undefined) return Infinity;
    worst = Math.max(worst, maxErrors(g.values as ArrayLike<number>, w).rel);
  }
  return worst;
}

/**
 * Worst relative error of the program run in exact float32 on a `cols` x `rows` mesh against the
 * reference interpreter, on random inputs (`seed`).
 */
export function fp32ErrorAgainstReference(graph: Graph, arch: ArchSpec, cols: number, rows: number, seed = 5): number {
  const inputs = randomInputs(graph, seed);
  const want = Object.fromEntries(Object.entries(runReference(graph, inputs)).map(([k, v]) => [k, Float32Array.from(v.values as ArrayLike<number>)]));
  return worstRelError(runFunctionalFp32(graph, withMesh(arch, cols, rows), inputs), want);
}
