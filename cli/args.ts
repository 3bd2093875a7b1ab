// Command-line parsing for `spatialc`: one options object per command, every value validated with
// a one-line message that names the flag and what was expected.

import { parseArgs } from 'node:util';
import { DEVICE_DTYPES, MATH_FIDELITIES, type DeviceDtype, type MathFidelity } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import { STRATEGIES, type Strategy } from '../compiler/partition/strategy.js';
import { DEFAULT_WEIGHT_LAYOUT, WEIGHT_LAYOUTS, type WeightLayout } from '../compiler/lower/dram-placement.js';

export interface RunArgs {
  readonly model: string;
  readonly arch: string;
  readonly batch?: number;
  readonly inputShapes: Readonly<Record<string, number[]>>;
  readonly dtype?: DeviceDtype;
  readonly fidelity?: MathFidelity;
  readonly json: boolean;
  readonly verify: boolean;
  readonly output?: string;
  /** Run the program functionally and compare with the reference interpreter. */
  readonly check: boolean;
  /** Input tensor files (.pb, .npy, .npz) for --check; seeded random inputs otherwise. */
  readonly inputFiles: readonly string[];
  readonly seed: number;
  /** NoC model of the simulation: flit-level (default) or packet-level. */
  readonly nocModel: 'flit' | 'packet';
  /** Compile a deterministic program (the compiler owns the timing; the simulation is time-triggered). */
  readonly deterministic: boolean;
  /** Graph inputs start and outputs stay in SRAM, block-sharded (CompileOptions.residentIo). */
  readonly residentIo: boolean;
  /** Where weights are stored in DRAM (CompileOptions.weightLayout). */
  readonly weightLayout: WeightLayout;
  /** Sharding strategy for matmuls and convs (compiler/partition/strategy.ts). */
  readonly strategy: Strategy;
  /** Seconds of strategy search (deterministic: converted to an amount of trial lowering). */
  readonly compileBudgetSeconds?: number;
  /** Pipeline stage and micro-batch counts fixed for experiments (`--stages`, `--micro-batches`). */
  readonly pipeline?: { readonly stages?: number; readonly microBatches?: number };
  /** Seconds of refinement against simulations (`--refine`; compiler/partition/refine.ts); none when absent or 0. */
  readonly refineSeconds?: number;
}

const usage = (msg: string) => new SpatialcError('E_USAGE', msg, { hint: 'see `spatialc --help`' });

const RUN_OPTIONS = {
  arch: { type: 'string', default: 'wormhole_n150' },
  batch: { type: 'string' },
  'input-shape': { type: 'string', multiple: true },
  dtype: { type: 'string' },
  fidelity: { type: 'string' },
  json: { type: 'boolean', default: false },
  verify: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
  check: { type: 'boolean', default: false },
  inputs: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'noc-model': { type: 'string', default: 'flit' },
  deterministic: { type: 'boolean', default: false },
  'resident-io': { type: 'boolean', default: false },
  'weight-layout': { type: 'string', default: DEFAULT_WEIGHT_LAYOUT },
  strategy: { type: 'string', default: 'auto' },
  'compile-budget': { type: 'string' },
  stages: { type: 'string' },
  'micro-batches': { type: 'string' },
  refine: { type: 'string' },
} as const;

/**
 * `--flag -1` as `--flag=-1` for flags that take a value: node's parseArgs reads a value that
 * starts with '-' as an option ("argument is ambiguous"); joined, the flag's own check names it.
 */
function joinNegativeValues(argv: readonly string[], options: Record<string, { readonly type: string }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Parses the arguments of `run`, `compile` and `inspect` (a model path plus options). */
export function parseRunArgs(argv: readonly string[], command: string): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, RUN_OPTIONS), options: RUN_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usage(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw usage(`${command}: expected one model file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  return {
    model: positionals[0]!,
    arch: values.arch,
    ...(values.batch !== undefined ? { batch: parsePositiveInt(values.batch, '--batch') } : {}),
    inputShapes: parseInputShapes(values['input-shape'] ?? []),
    ...(values.dtype !== undefined ? { dtype: oneOf(values.dtype, DEVICE_DTYPES, '--dtype') } : {}),
    ...(values.fidelity !== undefined ? { fidelity: oneOf(values.fidelity, MATH_FIDELITIES, '--fidelity') } : {}),
    json: values.json,
    verify: values.verify,
    ...(values.output !== undefined ? { output: values.output } : {}),
    check: values.check,
    inputFiles: values.inputs ?? [],
    seed: values.seed === undefined ? 1 : parsePositiveInt(values.seed, '--seed'),
    nocModel: oneOf(values['noc-model'], ['flit', 'packet'] as const, '--noc-model'),
    deterministic: values.deterministic,
    residentIo: values['resident-io'],
    weightLayout: oneOf(values['weight-layout'], WEIGHT_LAYOUTS, '--weight-layout'),
    strategy: oneOf(values.strategy, STRATEGIES, '--strategy'),
    ...(values['compile-budget'] !== undefined ? { compileBudgetSeconds: parseSeconds(values['compile-budget'], '--compile-budget') } : {}),
    ...(values.refine !== undefined ? { refineSeconds: parseSeconds(values.refine, '--refine') } : {}),
    ...(values.stages !== undefined || values['micro-batches'] !== undefined ? {
      pipeline: {
        ...(values.stages !== undefined ? { stages: parsePositiveInt(values.stages, '--stages') } : {}),
        ...(values['micro-batches'] !== undefined ? { microBatches: parsePositiveInt(values['micro-batches'], '--micro-batches') } : {}),
      },
    } : {}),
  };
}

/** A non-negative number of seconds. */
export function parseSeconds(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw usage(`${flag}: expected a number of seconds >= 0, got "${text}"`);
  return n;
}

/** A positive integer flag value. */
export function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw usage(`${flag}: expected a positive integer, got "${text}"`);
  return n;
}

/** A flag value that must be one of `allowed` (case-insensitive). */
export function oneOf<T extends string>(text: string, allowed: readonly T[], flag: string): T {
  const hit = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (hit === undefined) throw usage(`${flag}: expected one of ${allowed.join(', ')}, got "${text}"`);
  return hit;
}

/** `--input-shape name=1x3x224x224` (repeatable). */
export function parseInputShapes(items: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const item of items) {
    const m = /^(.+)=(\d+(?:[x,]\d+)*)$/.exec(item);
    if (m === null) throw usage(`--input-shape: expected NAME=D1xD2x..., got "${item}"`);
    const dims = m[2]!.split(/[x,]/).map(Number);
    if (dims.some((d) => d < 1)) throw usage(`--input-shape: dimensions must be positive in "${item}"`);
    out[m[1]!] = dims;
  }
  return out;
}
