// The command bodies: each loads its inputs, runs the pipeline stages and returns the text to
// print. Data flows one way: Graph -> Program -> SimResult -> Report.

import { readFileSync } from 'node:fs';
import type { ArchSpec } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import { loadArch, archFingerprint } from '../arch/index.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { formatInspect, inspectGraph } from '../compiler/inspect.js';
import { compileGraph } from '../compiler/compile.js';
import { verifyProgram } from '../compiler/verify-program.js';
import type { Program } from '../compiler/program.js';
import { simulate, buildReport, formatReport } from '../sim/index.js';
import type { RunArgs } from './args.js';
import type { Io } from './main.js';
import { basename } from 'node:path';

function loadGraph(args: RunArgs) {
  return loadOnnxModel(args.model, {
    ...(args.batch !== undefined ? { batch: args.batch } : {}),
    inputShapes: args.inputShapes,
  });
}

/** The batch size a graph runs at: the first dim of its first input. */
function batchOf(graph: ReturnType<typeof loadGraph>): number {
  const first = graph.inputs[0];
  return first === undefined ? 1 : graph.tensors[first]?.shape[0] ?? 1;
}

function compileFor(args: RunArgs, arch: ArchSpec): Program {
  const graph = loadGraph(args);
  const program = compileGraph(graph, arch, {
    dtype: args.dtype ?? arch.defaults.dtype,
    fidelity: args.fidelity ?? arch.defaults.fidelity,
    model: basename(args.model),
    batch: batchOf(graph),
    archFingerprint: archFingerprint(arch),
  });
  if (args.verify) {
    const problems = verifyProgram(program, arch);
    if (problems.length > 0) {
      throw new SpatialcError('E_PROGRAM_INVALID', `compiled program fails verification: ${problems.map((p) => p.message).join('; ')}`, { problems: problems.map((p) => p.message) });
    }
  }
  return program;
}

function progress(io: Io): ((fraction: number) => void) | undefined {
  if (!io.isTty) return undefined;
  return (f) => io.err(`\rsimulating ${(f * 100).toFixed(0).padStart(3)}%${f >= 1 ? '\n' : ''}`);
}

function simulateAndReport(program: Program, arch: ArchSpec, args: { json: boolean }, io: Io): string {
  const onProgress = progress(io);
  const result = simulate(program, arch, { fingerprint: archFingerprint(arch), ...(onProgress ? { onProgress } : {}) });
  const report = buildReport(program, arch, result);
  return args.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report);
}

/** `spatialc run`: load, compile, simulate, report. */
export function runModel(args: RunArgs, io: Io): string {
  const arch = loadArch(args.arch);
  return simulateAndReport(compileFor(args, arch), arch, args, io);
}

/** `spatialc inspect`: per-op table and totals. */
export function runInspect(args: RunArgs): string {
  const result = inspectGraph(loadGraph(args));
  return args.json ? JSON.stringify(result, null, 2) + '\n' : formatInspect(result);
}

/** `spatialc compile`: the program as JSON. */
export function runCompile(args: RunArgs): string {
  const arch = loadArch(args.arch);
  return JSON.stringify(compileFor(args, arch)) + '\n';
}

/** `spatialc sim`: simulate a compiled program. */
export function runSim(args: RunArgs, io: Io): string {
  const arch = loadArch(args.arch);
  let program: Program;
  try {
    program = JSON.parse(readFileSync(args.model, 'utf8')) as Program;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpatialcError('E_FILE', `${args.model}: ${code === 'ENOENT' ? 'no such file' : `not a program JSON file (${(e as Error).message})`}`);
  }
  if (program?.format !== 'spatialc-program/1') {
    throw new SpatialcError('E_PROGRAM_INVALID', `${args.model}: field "format": expected "spatialc-program/1"`);
  }
  return simulateAndReport(program, arch, args, io);
}
