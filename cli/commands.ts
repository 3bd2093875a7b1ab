// The command bodies: each loads its inputs, runs the pipeline stages and returns the text to
// print. Data flows one way: Graph -> Program -> SimResult -> Report.

import { readFileSync } from 'node:fs';
import type { ArchSpec } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import { loadArch, archFingerprint } from '../arch/index.js';
import { parseListing } from '../compiler/listing/parse.js';
import { printListing } from '../compiler/listing/print.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { formatInspect, inspectGraph } from '../compiler/inspect.js';
import { compileGraph, compileRefined, type CompileOptions } from '../compiler/compile.js';
import { REFINE_TASKS_PER_SECOND, type Measured } from '../compiler/partition/refine.js';
import { scheduleDeterministic } from '../compiler/schedule/deterministic.js';
import { verifyProgram } from '../compiler/verify-program.js';
import type { Program } from '../compiler/program.js';
import { simulate, buildReport, formatReport, type SimResult } from '../sim/index.js';
import type { Graph } from '../compiler/graph.js';
import type { TensorData } from '../compiler/reference/interpret.js';
import { readTensorFile } from '../compiler/onnx/tensor-file.js';
import { checkProgram, randomInputs, type CheckReport } from './check.js';
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

/**
 * `--refine`: the search refined against the deterministic schedule (`--deterministic`), else a
 * packet-level simulation. A flit-level simulation costs some 40x a packet-level one (ResNet-50
 * b1: 11 s against 0.19 s), so on the flit model the refined program is checked against the
 * search's there instead; the faster one is kept, and the strategy line says which.
 */
function refinedFor(args: RunArgs, arch: ArchSpec, graph: Graph, opts: CompileOptions, seconds: number): Program {
  const measure = args.deterministic
    ? (p: Program): Measured => {
      const d = scheduleDeterministic(p, arch);
      return { cycles: d.predictedCycles, taskEndCycle: d.tasks.map((t) => t.predictedStartCycle + t.predictedCycles) };
    }
    : (p: Program): Measured => simulate(p, arch, { nocModel: 'packet' });
  const { program, refined } = compileRefined(graph, arch, opts, measure, { seconds, tasksPerSecond: REFINE_TASKS_PER_SECOND[args.deterministic ? 'deterministic' : 'packet'] });
  if (args.deterministic || args.nocModel === 'packet') return program;
  if (refined.steps.length === 0 && Object.keys(refined.prefetch).length === 0) return program;
  const before = simulate(refined.start, arch, { nocModel: 'flit' }).cycles;
  const after = simulate(program, arch, { nocModel: 'flit' }).cycles;
  return after < before
    ? { ...program, strategy: `${program.strategy} against the packet model; on the flit model ${before} -> ${after} cycles` }
    : { ...refined.start, strategy: `${refined.start.strategy}, refinement against the packet model dropped (on the flit model ${before} -> ${after} cycles)` };
}

function compileFor(args: RunArgs, arch: ArchSpec, graph: Graph = loadGraph(args)): Program {
  const opts: CompileOptions = {
    dtype: args.dtype ?? arch.defaults.dtype,
    fidelity: args.fidelity ?? arch.defaults.fidelity,
    model: basename(args.model),
    batch: batchOf(graph),
    archFingerprint: archFingerprint(arch),
    residentIo: args.residentIo,
    weightLayout: args.weightLayout,
    strategy: args.strategy,
    ...(args.compileBudgetSeconds !== undefined ? { compileBudgetSeconds: args.compileBudgetSeconds } : {}),
    ...(args.pipeline !== undefined ? { pipeline: args.pipeline } : {}),
  };
  const seconds = args.refineSeconds ?? 0;
  const compiled = seconds > 0 ? refinedFor(args, arch, graph, opts, seconds) : compileGraph(graph, arch, opts);
  const program = args.deterministic ? scheduleDeterministic(compiled, arch) : compiled;
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

function simulateAndReport(program: Program, arch: ArchSpec, args: { json: boolean; nocModel?: 'flit' | 'packet' }, io: Io, check?: (timing: SimResult) => CheckReport): string {
  const onProgress = progress(io);
  const result = simulate(program, arch, { fingerprint: archFingerprint(arch), nocModel: args.nocModel, ...(onProgress ? { onProgress } : {}) });
  const report = buildReport(program, arch, result);
  const checked = check?.(result);
  if (args.json) return JSON.stringify(checked === undefined ? report : { ...report, check: checked }, null, 2) + '\n';
  return formatReport(report) + (checked === undefined ? '' : formatCheck(checked, program));
}

function formatCheck(c: CheckReport, p: Program): string {
  const lines = [`\n  check (${p.dtype} ${p.fidelity} vs float32 reference): max abs error ${c.maxAbsError.toExponential(3)}, max rel error ${c.maxRelError.toExponential(3)}`];
  for (const o of c.outputs) lines.push(`    ${o.name}: abs ${o.maxAbsError.toExponential(3)}  rel ${o.maxRelError.toExponential(3)}`);
  return lines.join('\n') + '\n';
}

/**
 * The inputs of a --check run: the given files (.pb, .npy, .npz; a tensor named like a graph
 * input binds to it, an unnamed one to the next unbound input), else seeded random values.
 */
function checkInputs(args: RunArgs, graph: Graph): Record<string, TensorData> {
  if (args.inputFiles.length === 0) return randomInputs(graph, args.seed);
  const names = graph.inputs.map((i) => graph.tensors[i]!.name);
  const out: Record<string, TensorData> = {};
  for (const t of args.inputFiles.flatMap((f) => readTensorFile(f))) {
    const name = names.includes(t.name) ? t.name : names.find((n) => !(n in out)) ?? t.name;
    out[name] = { dtype: t.dtype, shape: t.shape, values: t.values };
  }
  return out;
}

/** `spatialc run`: load, compile, simulate, report (and with --check, compare with the reference). */
export function runModel(args: RunArgs, io: Io): string {
  const arch = loadArch(args.arch);
  const graph = loadGraph(args);
  const program = compileFor(args, arch, graph);
  const check = args.check ? (timing: SimResult) => checkProgram(program, graph, timing, checkInputs(args, graph)) : undefined;
  return simulateAndReport(program, arch, args, io, check);
}

/** `spatialc inspect`: per-op table and totals. */
export function runInspect(args: RunArgs): string {
  const result = inspectGraph(loadGraph(args));
  return args.json ? JSON.stringify(result, null, 2) + '\n' : formatInspect(result);
}

/** `spatialc compile`: the program as JSON, or as the readable listing when the output ends in .lst. */
export function runCompile(args: RunArgs): string {
  const arch = loadArch(args.arch);
  const program = compileFor(args, arch);
  return args.output !== undefined && isListingPath(args.output) ? printListing(program) : JSON.stringify(program) + '\n';
}

function isListingPath(file: string): boolean {
  return file.toLowerCase().endsWith('.lst');
}

/** `spatialc sim`: simulate a compiled program. */
export function runSim(args: RunArgs, io: Io): string {
  const arch = loadArch(args.arch);
  let program: Program;
  let text: string;
  try {
    text = readFileSync(args.model, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpatialcError('E_FILE', `${args.model}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  if (isListingPath(args.model)) program = parseListing(text, args.model);
  else {
    try {
      program = JSON.parse(text) as Program;
    } catch (e) {
      throw new SpatialcError('E_FILE', `${args.model}: not a program JSON file (${(e as Error).message})`);
    }
  }
  if (program?.format !== 'spatialc-program/1') {
    throw new SpatialcError('E_PROGRAM_INVALID', `${args.model}: field "format": expected "spatialc-program/1"`);
  }
  return simulateAndReport(program, arch, args, io);
}
