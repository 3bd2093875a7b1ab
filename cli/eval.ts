// `spatialc eval MODEL --input NAME=FILE ... --out DIR`: runs a model on given inputs like a
// runtime and writes each output as DIR/OUTPUTNAME.pb (an ONNX TensorProto carrying the output's
// name). Inputs are TensorProto .pb files (as in the ONNX backend suites), .npy, or .npz archives
// (one input per array). Dynamic input dims are pinned from the files unless --batch or
// --input-shape say otherwise; a file that contradicts a static dim is rejected in one line.
//
// The outputs come from an EvalBackend: the reference interpreter by default. A functional
// simulation of the compiled program plugs in as another backend (e.g. behind `--sim`).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpatialcError } from '../arch/errors.js';
import type { Graph } from '../compiler/graph.js';
import { graphFromModel } from '../compiler/onnx/import.js';
import type { OnnxModel } from '../compiler/onnx/onnx-model.js';
import { readOnnxModel } from '../compiler/onnx/read-model.js';
import {
  encodeTensorProto,
  readTensorFile,
  type NamedTensor,
} from '../compiler/onnx/tensor-file.js';
import { runReference, type TensorData } from '../compiler/reference/interpret.js';
import { oneOf, parseInputShapes, parsePositiveInt } from './args.js';
import { DEVICE_DTYPES, MATH_FIDELITIES, type DeviceDtype, type MathFidelity } from '../arch/spec.js';

/** Computes a graph's outputs (by name) from its inputs (by name). */
export type EvalBackend = (
  graph: Graph,
  inputs: Readonly<Record<string, TensorData>>,
) => Record<string, TensorData>;

/** The default backend: the float32 reference interpreter. */
export const referenceBackend: EvalBackend = (graph, inputs) => runReference(graph, inputs);

/** One --input: a file, bound to `name` when given (NAME=FILE). */
export interface InputSpec {
  readonly name?: string;
  readonly file: string;
}

export interface EvalArgs {
  readonly model: string;
  readonly inputs: readonly InputSpec[];
  readonly batch?: number;
  readonly inputShapes: Readonly<Record<string, number[]>>;
  readonly out: string;
  /** `--sim`: run the compiled program functionally on this arch instead of the reference. */
  readonly sim?: { readonly arch: string; readonly dtype?: DeviceDtype; readonly fidelity?: MathFidelity };
}

const usage = (msg: string) => new SpatialcError('E_USAGE', msg, { hint: 'see `spatialc --help`' });

const EVAL_OPTIONS = {
  input: { type: 'string', multiple: true, short: 'i' },
  batch: { type: 'string' },
  'input-shape': { type: 'string', multiple: true },
  out: { type: 'string', short: 'o' },
  sim: { type: 'boolean', default: false },
  arch: { type: 'string' },
  dtype: { type: 'string' },
  fidelity: { type: 'string' },
} as const;

/** Parses `eval` arguments: a model path, --input (repeatable), --out, --batch, --input-shape. */
export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: EVAL_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usage(`eval: ${(e as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw usage(
      `eval: expected one model file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  if (values.out === undefined) throw usage('eval: --out DIR is required');
  if (!values.sim && (values.arch ?? values.dtype ?? values.fidelity) !== undefined) {
    throw usage('eval: --arch, --dtype and --fidelity need --sim');
  }
  const sim = values.sim
    ? {
        arch: values.arch ?? 'wormhole_n150',
        ...(values.dtype !== undefined ? { dtype: oneOf(values.dtype, DEVICE_DTYPES, '--dtype') } : {}),
        ...(values.fidelity !== undefined ? { fidelity: oneOf(values.fidelity, MATH_FIDELITIES, '--fidelity') } : {}),
      }
    : undefined;
  return {
    model: positionals[0]!,
    inputs: (values.input ?? []).map(parseInputSpec),
    ...(values.batch !== undefined ? { batch: parsePositiveInt(values.batch, '--batch') } : {}),
    inputShapes: parseInputShapes(values['input-shape'] ?? []),
    out: values.out,
    ...(sim !== undefined ? { sim } : {}),
  };
}

/** NAME=FILE, or just FILE (names come from the file: the proto's name, the .npy stem, .npz keys). */
function parseInputSpec(text: string): InputSpec {
  const m = /^([^=]+)=(.+)$/.exec(text);
  return m ? { name: m[1]!, file: m[2]! } : { file: text };
}

/** Reads every --input file into tensors keyed by input name. */
export function readInputs(specs: readonly InputSpec[]): Map<string, NamedTensor> {
  const byName = new Map<string, NamedTensor>();
  for (const spec of specs) {
    const tensors = readTensorFile(spec.file);
    if (spec.name !== undefined && tensors.length !== 1)
      throw usage(`--input ${spec.name}=${spec.file}: the file holds ${tensors.length} arrays`);
    for (const t of tensors) {
      const name = spec.name ?? t.name;
      if (byName.has(name)) throw usage(`--input: "${name}" is given twice`);
      byName.set(name, { ...t, name });
    }
  }
  return byName;
}

/**
 * Shapes to import with: the user's --input-shape, else a dynamic input takes its file's shape
 * when the file agrees with every static dim (otherwise the interpreter reports the mismatch).
 */
function pinnedShapes(
  model: OnnxModel,
  given: ReadonlyMap<string, NamedTensor>,
  args: EvalArgs,
): Record<string, number[]> {
  const shapes: Record<string, number[]> = { ...args.inputShapes };
  if (args.batch !== undefined) return shapes;
  for (const v of model.inputs) {
    const t = given.get(v.name);
    if (!t || shapes[v.name] || !v.dims || v.dims.length !== t.shape.length) continue;
    const isDynamic = v.dims.some((d) => typeof d !== 'number');
    const fits = v.dims.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
    if (isDynamic && fits && t.shape.every((d) => d > 0)) shapes[v.name] = [...t.shape];
  }
  return shapes;
}

/** File name for an output: its name with path separators replaced. */
export function outputFileName(name: string): string {
  return `${name.replace(/[/\\]/g, '_').replace(/^\.+/, '_') || '_'}.pb`;
}

/** `spatialc eval`: runs the model and writes the outputs; returns the lines to print. */
export function runEval(args: EvalArgs, backend: EvalBackend = referenceBackend): string {
  const given = readInputs(args.inputs);
  const model = readOnnxModel(args.model);
  const graph = graphFromModel(model, {
    ...(args.batch !== undefined ? { batch: args.batch } : {}),
    inputShapes: pinnedShapes(model, given, args),
    modelPath: args.model,
  });
  const inputs = bindByPosition(graph, given);
  const outputs = backend(graph, inputs);
  try {
    mkdirSync(args.out, { recursive: true });
  } catch (e) {
    throw new SpatialcError('E_FILE', `${args.out}: cannot create folder (${errCode(e)})`);
  }
  const lines: string[] = [];
  for (const [name, t] of Object.entries(outputs)) {
    const file = join(args.out, outputFileName(name));
    try {
      writeFileSync(file, encodeTensorProto({ name, ...t }));
    } catch (e) {
      if (e instanceof SpatialcError) throw e;
      throw new SpatialcError('E_FILE', `${file}: cannot write (${errCode(e)})`);
    }
    lines.push(`${file}  ${t.dtype}[${t.shape.join('x') || 'scalar'}]`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Inputs by graph input name: a tensor named like a graph input binds to it; one with another
 * name (e.g. input_0.pb of the ONNX backend suites) binds to the next unbound input, in order.
 */
function bindByPosition(graph: Graph, given: ReadonlyMap<string, NamedTensor>): Record<string, TensorData> {
  const names = graph.inputs.map((i) => graph.tensors[i]!.name);
  const out: Record<string, TensorData> = {};
  for (const [name, t] of given) if (names.includes(name)) out[name] = t;
  for (const [name, t] of given) {
    if (names.includes(name)) continue;
    const free = names.find((n) => !(n in out));
    out[free ?? name] = t;
  }
  return out;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
