// The `spatialc` command line. The only place that prints, reads the environment and sets exit
// codes: user errors are one line on stderr with exit code 2; bugs (InternalError) exit 70.

import { writeFileSync, renameSync } from 'node:fs';
import { SpatialcError } from '../arch/errors.js';
import { parseRunArgs } from './args.js';
import { runCompile, runInspect, runModel, runSim } from './commands.js';
import { parseEvalArgs, referenceBackend, runEval, type EvalArgs } from './eval.js';
import { functionalBackend } from './check.js';
import { runNoc } from './noc.js';
import { loadArch } from '../arch/index.js';
import { basename } from 'node:path';

const HELP = `spatialc: compile and simulate ONNX models on spatial-dataflow accelerators

usage:
  spatialc run MODEL.onnx [--arch A] [--batch N] [--input-shape NAME=1x3x224x224]
               [--dtype fp32|bf16|bfp8|bfp4|fp8|int8] [--fidelity LoFi|HiFi2|HiFi3|HiFi4] [--json] [--verify]
               [--noc-model flit|packet]   (flit-level NoC by default; packet-level is faster)
               [--deterministic]   (the compiler fixes every start cycle and reserves links and
                                    DRAM channels; the simulation is time-triggered and must match)
               [--resident-io]   (inputs start and outputs stay in SRAM, block-sharded)
               [--weight-layout near-readers|interleaved]   (matmul weights in DRAM: each tile on a
                                    channel near its reader (default), or tile by tile over every channel)
               [--strategy auto|opbyop|matmul2d|pipeline] [--compile-budget SECONDS]
                 (opbyop: every op height-sharded over the whole grid; matmul2d: 2D blocks;
                  pipeline: stages of ops on bands of grid rows, run in micro-batches;
                  auto: the per-op search with the cost model, or the pipeline if faster)
               [--stages N] [--micro-batches N]   (fix the pipeline's counts; else planned)
               [--refine SECONDS]   (then retune prefetch and re-grid ops one at a time, each try
                                    simulated, keeping what shortens the run; flit runs refine on
                                    the packet model and keep the result only if flit agrees)
  spatialc inspect MODEL.onnx [--batch N] [--input-shape ...] [--json]
  spatialc compile MODEL.onnx --arch A [options as for run] -o PROGRAM.json|PROGRAM.lst
  spatialc sim PROGRAM.json|PROGRAM.lst --arch A [--json] [--noc-model flit|packet]
  spatialc eval MODEL --input NAME=FILE.pb|.npy ... --out DIR [--sim --arch A --dtype D --fidelity F]
  spatialc noc [--booksim FILE.cfg] [key=value ...] [--arch A]
               [--topology mesh|torus --k N --n 1|2|3 --vcs N --buffer FLITS --routing dor|xy_yx --axis-order yx]
               [--traffic uniform|transpose|bitcomp|bitrev|shuffle|tornado|neighbor|hotspot] [--rate R]
               [--packet-size P] [--seed N] [--sweep FROM:TO:STEP [--plot FILE.svg]] [--json]

run --check simulates the program functionally (real data through the NoC, the cores' number
formats and fidelity) and compares the outputs with the float32 reference interpreter; inputs
are seeded random (--seed N) or --inputs FILE.npz|.pb. MODEL may be .onnx or .onnxtxt.
  spatialc eval MODEL.onnx --input NAME=FILE.pb|.npy [--input FILE.npz ...] --out DIR
               [--batch N] [--input-shape ...]   (reference interpreter; writes DIR/OUTPUT.pb)

--arch takes a preset name (wormhole_n150, wormhole_n300, blackhole_p150; wormhole = wormhole_n150)
or the path of an arch JSON file (arch/schema.json describes it). Defaults: bf16, HiFi2 (as
Tenstorrent's stack), batch from the model or 1.`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly isTty: boolean;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: process.stderr.isTTY === true,
};

/** Runs one command; returns the process exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined: case 'help': case '--help': case '-h':
        io.out(HELP + '\n');
        return command === undefined ? 2 : 0;
    }
    // `spatialc COMMAND --help` (or -h) anywhere in its options: the usage, nothing run.
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(HELP + '\n');
      return 0;
    }
    switch (command) {
      case 'run':
        io.out(runModel(parseRunArgs(rest, 'run'), io));
        return 0;
      case 'inspect':
        io.out(runInspect(parseRunArgs(rest, 'inspect')));
        return 0;
      case 'compile': {
        const args = parseRunArgs(rest, 'compile');
        const text = runCompile(args);
        if (args.output === undefined) io.out(text);
        else writeAtomically(args.output, text);
        return 0;
      }
      case 'sim':
        io.out(runSim(parseRunArgs(rest, 'sim'), io));
        return 0;
      case 'noc':
        io.out(runNoc(rest));
        return 0;
      case 'eval': {
        const args = parseEvalArgs(rest);
        io.out(runEval(args, args.sim === undefined ? referenceBackend : simBackend(args.sim, args.model)));
        return 0;
      }
      default:
        throw new SpatialcError('E_USAGE', `unknown command "${command}" (commands: run, inspect, compile, sim, eval, noc)`);
    }
  } catch (e) {
    return reportError(e, io);
  }
}

/** The `eval --sim` backend: compile for the arch and run the program functionally. */
function simBackend(sim: NonNullable<EvalArgs['sim']>, model: string) {
  const arch = loadArch(sim.arch);
  return functionalBackend(arch, sim.dtype ?? arch.defaults.dtype, sim.fidelity ?? arch.defaults.fidelity, basename(model));
}

/** Writes a file completely or not at all (temp file + rename). */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    throw new SpatialcError('E_FILE', `${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function reportError(e: unknown, io: Io): number {
  if (e instanceof SpatialcError) {
    io.err(`spatialc: error: ${e.message.split('\n')[0]}\n`);
    return 2;
  }
  if (e instanceof RangeError && /Array buffer allocation|Invalid typed array length|heap/i.test(e.message)) {
    io.err(`spatialc: error: out of memory (${e.message})\n`);
    return 2;
  }
  const err = e as Error;
  io.err(`spatialc: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env['SPATIALC_DEBUG']) io.err(`${err?.stack ?? ''}\n`);
  return 70;
}
