// Test helper: runs a model in onnxruntime-node (the oracle) and in the reference interpreter on
// the same seeded random inputs, and reports the largest error per output.
import * as ort from 'onnxruntime-node';
import type { DType, Graph } from '../../../compiler/graph.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { maxErrors } from '../../../compiler/reference/compare.js';
import { runReference, type TensorData } from '../../../compiler/reference/interpret.js';
import { allocValues } from '../../../compiler/ops/values.js';

/** A deterministic uniform generator in [-1, 1) (LCG; tests must not use Math.random). */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Seeded random values for every graph input (floats in [-1, 1), integers in [0, 10)). */
export function randomInputs(graph: Graph, seed = 1): Record<string, TensorData> {
  const next = seededUniform(seed);
  const inputs: Record<string, TensorData> = {};
  for (const id of graph.inputs) {
    const t = graph.tensors[id]!;
    const values = allocValues(
      t.dtype,
      t.shape.reduce((a, b) => a * b, 1),
    );
    const isFloat = t.dtype.startsWith('float') || t.dtype === 'bfloat16';
    for (let i = 0; i < values.length; i++)
      values[i] = isFloat ? next() : Math.floor((next() + 1) * 5);
    inputs[t.name] = { dtype: t.dtype, shape: t.shape, values };
  }
  return inputs;
}

const ORT_TYPE: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
  uint8: 'uint8',
};

function toOrt(t: TensorData): ort.Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new Error(`oracle: no onnxruntime tensor type for ${t.dtype}`);
  const v = t.values as ArrayLike<number>;
  const data =
    type === 'float32'
      ? Float32Array.from(v)
      : type === 'int32'
        ? Int32Array.from(v)
        : type === 'int64'
          ? BigInt64Array.from(Array.from(v, (x) => BigInt(x)))
          : Uint8Array.from(v);
  return new ort.Tensor(type, data, [...t.shape]);
}

/** Runs the model bytes in onnxruntime on `inputs`; outputs as plain numbers by name. */
export async function runOrt(
  model: Uint8Array,
  inputs: Readonly<Record<string, TensorData>>,
): Promise<Record<string, { shape: number[]; values: number[] }>> {
  const session = await ort.InferenceSession.create(model);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrt(t);
  const results = await session.run(feeds);
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, t] of Object.entries(results))
    out[name] = {
      shape: [...t.dims],
      values: Array.from(t.data as ArrayLike<number | bigint>, Number),
    };
  return out;
}

/** Largest relative error (to the largest |oracle value|) over all outputs, ref vs onnxruntime. */
export async function compareWithOrt(
  model: Uint8Array,
  seed = 1,
): Promise<{ rel: number; outputs: number }> {
  const graph = importOnnx(model);
  const inputs = randomInputs(graph, seed);
  const ref = runReference(graph, inputs);
  const want = await runOrt(model, inputs);
  let rel = 0;
  for (const [name, w] of Object.entries(want)) {
    const got = ref[name];
    if (!got) throw new Error(`oracle: the reference has no output "${name}"`);
    if (got.shape.join('x') !== w.shape.join('x'))
      throw new Error(`oracle: output "${name}" shape ${got.shape} vs onnxruntime ${w.shape}`);
    rel = Math.max(rel, maxErrors(got.values as ArrayLike<number>, w.values).rel);
  }
  return { rel, outputs: Object.keys(want).length };
}
