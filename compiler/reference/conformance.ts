// The ONNX backend conformance check: runs one backend test folder (model.onnx plus
// test_data_set_*/input_*.pb and output_*.pb) through the importer and the reference interpreter
// and classifies it. "unsupported" means the model needs an op the registry lacks or a type the
// IR cannot hold; anything going wrong with a registered op (no kernel, an exception, a wrong
// value) is "failed". The driver (scripts/conformance.ts) lists, times and prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InternalError, SpatialcError } from '../../arch/errors.js';
import type { Graph } from '../graph.js';
import { dtypeOfCode } from '../onnx/dtypes.js';
import { graphFromModel } from '../onnx/import.js';
import type { OnnxModel, OnnxTensor, OnnxValueInfo } from '../onnx/onnx-model.js';
import { onnx } from '../onnx/proto.js';
import { readOnnxModel } from '../onnx/read-model.js';
import { decodeTensorProto, type NamedTensor } from '../onnx/tensor-file.js';
import { findOp } from '../ops/registry.js';
import { isFloatDtype } from '../ops/values.js';
import { DEFAULT_TOLERANCE, firstMismatch, type Tolerance } from './compare.js';
import { runReference, type TensorData } from './interpret.js';

/** The suites of Debian's libonnx-testdata that run (real/ needs downloaded models). */
export const CONFORMANCE_FOLDERS = [
  'node',
  'pytorch-converted',
  'pytorch-operator',
  'simple',
] as const;

/** Where Debian's libonnx-testdata installs the suites. */
export const DEFAULT_TESTDATA_ROOT = '/usr/share/libonnx-testdata/data';

export interface ConformanceCase {
  readonly folder: string;
  readonly name: string;
  readonly dir: string;
}

export type Outcome =
  | { readonly status: 'passed'; readonly note?: string }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'unsupported'; readonly reason: string };

/** Computes a graph's outputs by name from its inputs by name (the reference interpreter by default). */
export type ConformanceBackend = (graph: Graph, inputs: Readonly<Record<string, TensorData>>) => Record<string, TensorData>;

export interface ConformanceOptions {
  /** Larger models are reported unsupported, keeping the run short. */
  readonly maxModelBytes: number;
  /** What runs the model: the reference interpreter, or e.g. a compiled program run functionally. */
  readonly backend?: ConformanceBackend;
}

export const DEFAULT_CONFORMANCE_OPTIONS: ConformanceOptions = { maxModelBytes: 32 << 20 };

/** Every test folder (holding a model.onnx) of the given suites, sorted by suite then name. */
export function listCases(root: string, folders: readonly string[]): ConformanceCase[] {
  return folders.flatMap((folder) => {
    const base = path.join(root, folder);
    if (!fs.existsSync(base)) return [];
    return fs
      .readdirSync(base)
      .sort()
      .filter((name) => fs.existsSync(path.join(base, name, 'model.onnx')))
      .map((name) => ({ folder, name, dir: path.join(base, name) }));
  });
}

/** Thrown inside runCase to report the case unsupported. */
class Unsupported extends Error {}

/** Runs every data set of one case. */
export function runCase(c: ConformanceCase, options = DEFAULT_CONFORMANCE_OPTIONS): Outcome {
  try {
    const modelPath = path.join(c.dir, 'model.onnx');
    const size = fs.statSync(modelPath).size;
    if (size > options.maxModelBytes)
      throw new Unsupported(
        `model is ${(size / 2 ** 20).toFixed(1)} MiB (limit ${options.maxModelBytes / 2 ** 20} MiB)`,
      );
    const bytes = fs.readFileSync(modelPath);
    checkOutputTypes(bytes);
    const model = readModel(bytes, modelPath);
    checkSupported(model);
    const tol = toleranceOf(c.dir);
    const sets = fs
      .readdirSync(c.dir)
      .filter((d) => d.startsWith('test_data_set_'))
      .sort();
    if (sets.length === 0) return { status: 'failed', reason: 'no test_data_set_* folder' };
    const notes = new Set<string>();
    for (const set of sets) {
      const problem = runDataSet(model, path.join(c.dir, set), tol, notes, options.backend ?? runReference);
      if (problem) return { status: 'failed', reason: `${set}: ${problem}` };
    }
    return notes.size ? { status: 'passed', note: [...notes].join('; ') } : { status: 'passed' };
  } catch (e) {
    if (e instanceof Unsupported) return { status: 'unsupported', reason: e.message };
    // A backend that cannot hold a number format (a device without float64) is not a failure.
    if (e instanceof SpatialcError && e.code === 'E_DTYPE') return { status: 'unsupported', reason: firstLine(e) };
    return { status: 'failed', reason: firstLine(e) };
  }
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!;
}

function readModel(bytes: Uint8Array, modelPath: string): OnnxModel {
  try {
    return readOnnxModel(bytes, { modelPath });
  } catch (e) {
    if (e instanceof SpatialcError && /data type \d+ is not supported/.test(e.message))
      throw new Unsupported(firstLine(e));
    throw e;
  }
}

/** Registered ops only; inputs typed as tensors of a dtype the IR holds (not string). */
function checkSupported(model: OnnxModel): void {
  const missing = new Set<string>();
  for (const n of model.nodes)
    if (!findOp(n.domain, n.op)) missing.add(n.domain ? `${n.domain}/${n.op}` : n.op);
  if (missing.size) throw new Unsupported(`unregistered ops: ${[...missing].sort().join(', ')}`);
  for (const v of model.inputs) {
    if (!v.dtype) throw new Unsupported(`"${v.name}" is not a tensor of a supported element type`);
    if (v.dtype === 'string') throw new Unsupported(`"${v.name}" is a string tensor`);
  }
}

/**
 * Graph outputs may be untyped (their types are inferred), but a declared sequence, optional or
 * map type, or a tensor of an element type the IR lacks, makes the case unsupported.
 */
function checkOutputTypes(bytes: Uint8Array): void {
  for (const v of onnx.ModelProto.decode(bytes).graph?.output ?? []) {
    if (!v.type) continue;
    const code = v.type.tensorType?.elemType ?? undefined;
    const dtype = code === undefined || code === null ? undefined : dtypeOfCode(code);
    if (!v.type.tensorType || (code && !dtype))
      throw new Unsupported(`"${v.name}" is not a tensor of a supported element type`);
    if (dtype === 'string') throw new Unsupported(`"${v.name}" is a string tensor`);
  }
}

/** rtol/atol from the case's data.json when present (real/ models), else the runner default. */
function toleranceOf(dir: string): Tolerance {
  const file = path.join(dir, 'data.json');
  if (!fs.existsSync(file)) return DEFAULT_TOLERANCE;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { rtol?: number; atol?: number };
  return { rtol: data.rtol ?? DEFAULT_TOLERANCE.rtol, atol: data.atol ?? DEFAULT_TOLERANCE.atol };
}

function readTensors(dir: string, prefix: string): NamedTensor[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
    .map((f) => {
      try {
        return decodeTensorProto(fs.readFileSync(path.join(dir, f)), f);
      } catch (e) {
        if (e instanceof SpatialcError && e.code === 'E_DTYPE') throw new Unsupported(firstLine(e));
        throw e;
      }
    });
}

/** Runs one data set; returns the first problem, or undefined when every output matches. */
function runDataSet(
  model: OnnxModel,
  dir: string,
  tol: Tolerance,
  notes: Set<string>,
  backend: ConformanceBackend,
): string | undefined {
  const free = freeInputs(model);
  const given = readTensors(dir, 'input_');
  const wanted = readTensors(dir, 'output_');
  if (given.length > free.length)
    return `${given.length} input files for ${free.length} graph inputs`;
  const byName = new Map(free.map((v, i) => [v.name, asBfloat16(v, given[i])] as const));
  const { graph, bound } = importBound(model, byName);
  if (bound !== 'none') notes.add(`${bound} inputs bound as constants (data-dependent shapes)`);
  for (const node of graph.nodes)
    if (!findOp(node.domain, node.op)?.evaluate)
      return `node "${node.name}": op ${node.op} has no reference kernel`;
  const feeds: Record<string, TensorData> = {};
  for (const id of graph.inputs) {
    const t = byName.get(graph.tensors[id]!.name);
    if (!t) return `graph input "${graph.tensors[id]!.name}" has no input file`;
    feeds[graph.tensors[id]!.name] = t;
  }
  const outputs = backend(graph, feeds);
  if (wanted.length !== model.outputs.length)
    return `${wanted.length} output files for ${model.outputs.length} graph outputs`;
  for (let k = 0; k < wanted.length; k++) {
    const name = model.outputs[k]!.name;
    const want = asBfloat16(model.outputs[k]!, wanted[k]!);
    const problem = firstMismatch(name, outputs[name]!, want, tol);
    if (problem) return problem;
  }
  return undefined;
}

/** Graph inputs that are not initializers, in file order. */
function freeInputs(model: OnnxModel): OnnxValueInfo[] {
  const inits = new Set(model.initializers.map((t) => t.name));
  return model.inputs.filter((i) => !inits.has(i.name));
}

/**
 * ONNX 1.12 stores bfloat16 test tensors as uint16 bit patterns; read them as the model's
 * bfloat16. Any other mismatch is left for the interpreter to reject.
 */
function asBfloat16(v: OnnxValueInfo, t: NamedTensor): NamedTensor;
function asBfloat16(v: OnnxValueInfo, t: NamedTensor | undefined): NamedTensor | undefined;
function asBfloat16(v: OnnxValueInfo, t: NamedTensor | undefined): NamedTensor | undefined {
  if (!t || v.dtype !== 'bfloat16' || t.dtype !== 'uint16') return t;
  const bits = t.values as ArrayLike<number>;
  const out = new Float32Array(bits.length);
  const u32 = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) u32[i] = bits[i]! << 16;
  return { ...t, dtype: 'bfloat16', values: out };
}

type Binding = 'none' | 'integer' | 'all';

/** Test data must fit the model's declared input shape (as onnxruntime checks before running). */
function checkDeclaredShape(model: OnnxModel, name: string, t: NamedTensor): void {
  const dims = model.inputs.find((v) => v.name === name)?.dims;
  if (!dims) return;
  const fits =
    dims.length === t.shape.length &&
    dims.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!fits)
    throw new Error(
      `input "${name}": the test data has shape [${t.shape.join(', ')}] but the model declares [${dims.map((d) => d ?? '?').join(', ')}]`,
    );
}

/**
 * Imports the model at the data's shapes. Ops with data-dependent output shapes (Reshape from a
 * computed shape, Range, NonZero, ...) need constant inputs, so when import asks for one the
 * integer inputs, then all inputs, are bound as initializers and folded with the same kernels.
 */
function importBound(
  model: OnnxModel,
  given: ReadonlyMap<string, NamedTensor | undefined>,
): { graph: Graph; bound: Binding } {
  for (const bound of ['none', 'integer', 'all'] as const) {
    const isConst = (t: NamedTensor) =>
      bound === 'all' || (bound === 'integer' && !isFloatDtype(t.dtype));
    const extra: OnnxTensor[] = [];
    const inputShapes: Record<string, number[]> = {};
    for (const [name, t] of given) {
      if (!t) continue;
      checkDeclaredShape(model, name, t);
      if (t.shape.includes(0))
        throw new Unsupported(`input "${name}" has a zero-size dim (the importer needs dims >= 1)`);
      if (isConst(t)) extra.push({ ...t, name });
      else inputShapes[name] = [...t.shape];
    }
    try {
      const graph = graphFromModel(
        { ...model, initializers: [...model.initializers, ...extra] },
        {
          inputShapes,
        },
      );
      return { graph, bound };
    } catch (e) {
      if (!(e instanceof SpatialcError)) throw e;
      if (e.code === 'E_ONNX_UNSUPPORTED_OP') throw new Unsupported(firstLine(e));
      const isConstNeeded = /must be a constant|depends on data|has no constant value/.test(
        e.message,
      );
      if (!isConstNeeded || bound === 'all') throw e;
    }
  }
  throw new InternalError('importBound: no binding left to try');
}
