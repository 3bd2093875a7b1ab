// importOnnx: ONNX bytes or path → Graph. Reads the model, pins dynamic input dims, sorts the
// nodes, then runs shape inference interleaved with constant folding and builds the dense IR.
import type { Graph } from '../graph.js';
import { findOp } from '../ops/registry.js';
import { inferAndFold } from '../passes/fold-constants.js';
import { scaleThroughMatmul } from '../passes/scale-through-matmul.js';
import { foldBatchNorm } from '../passes/fold-batchnorm.js';
import { fuseGelu } from '../passes/fuse-gelu.js';
import { fuseLayerNorm, fuseRmsNorm } from '../passes/fuse-norms.js';
import { fuseSharedMatmuls } from '../passes/fuse-shared-matmuls.js';
import {
  buildGraph,
  type WorkGraph,
  type WorkNode,
  type WorkTensor,
} from '../passes/work-graph.js';
import { invalidGraph, unsupportedOp, unsupportedUse } from './errors.js';
import { resolveInputShapes, type InputShapeOptions } from './input-shapes.js';
import type { OnnxModel, OnnxNode } from './onnx-model.js';
import { readOnnxModel } from './read-model.js';
import { sortNodes } from './topo-sort.js';

/**
 * The rewrites run on every imported graph after shape inference and constant folding, in order:
 * each recognises what exporters write out in primitive ops and puts the device's form in its
 * place, leaving the values unchanged (compiler/passes/).
 */
// fuseRmsNorm follows fuseLayerNorm: a layer norm's variance of (x - mean) would also read as an
// RMS norm of x - mean.
const REWRITES: readonly ((w: WorkGraph) => WorkGraph)[] = [foldBatchNorm, fuseGelu, fuseLayerNorm, fuseRmsNorm, scaleThroughMatmul, fuseSharedMatmuls];

/** Options for importOnnx / loadOnnxModel. */
export interface ImportOptions extends InputShapeOptions {
  /**
   * Size for a dynamic first dim of every input (--batch N). When absent, a dynamic first dim
   * defaults to 1; other dynamic dims must be pinned with inputShapes.
   */
  readonly batch?: number;
  /** Whole input shapes by name (--input-shape name=1x3x224x224); override the file. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** The model's path, for messages and external data when `bytesOrPath` is bytes. */
  readonly modelPath?: string;
}

/** Imports an ONNX model (bytes or a file path) into a static-shaped, constant-folded Graph. */
export function importOnnx(bytesOrPath: Uint8Array | string, options: ImportOptions = {}): Graph {
  const model = readOnnxModel(
    bytesOrPath,
    options.modelPath !== undefined ? { modelPath: options.modelPath } : {},
  );
  return graphFromModel(model, options);
}

/** Loads and imports the ONNX model at `path` (same as importOnnx with a path). */
export function loadOnnxModel(path: string, options: ImportOptions = {}): Graph {
  return importOnnx(path, options);
}

/** Turns a decoded OnnxModel into a Graph. */
export function graphFromModel(model: OnnxModel, options: ImportOptions = {}): Graph {
  const tensors = new Map<string, WorkTensor>();
  for (const t of model.initializers) tensors.set(t.name, { ...t, isInitializer: true });
  const inputs = model.inputs.filter((i) => !tensors.has(i.name)); // initializer inputs are constants
  const shapes = resolveInputShapes(inputs, options);
  for (const i of inputs) {
    if (!i.dtype) throw invalidGraph(model.file, `graph input "${i.name}" has no element type`);
    tensors.set(i.name, {
      name: i.name,
      dtype: i.dtype,
      shape: shapes.get(i.name)!,
      isInitializer: false,
    });
  }
  const sorted = sortNodes(model.file, model.nodes, new Set(tensors.keys()));
  const fileIndex = new Map(model.nodes.map((n, i) => [n, i]));
  const work: WorkGraph = {
    name: model.graphName,
    opsets: model.opsets,
    tensors,
    nodes: sorted.map((n) => toWorkNode(model, n, fileIndex.get(n)!)),
    inputs: inputs.map((i) => i.name),
    outputs: model.outputs.map((o) => o.name),
  };
  for (const o of work.outputs) {
    const isKnown = tensors.has(o) || sorted.some((n) => n.outputs.includes(o));
    if (!isKnown) throw invalidGraph(model.file, `graph output "${o}" is produced by no node`);
  }
  return buildGraph(REWRITES.reduce((w, pass) => pass(w), inferAndFold(work)));
}

/** Checks support and normalises names: unnamed nodes become `${op}_${index in file}`; omitted outputs are named or trimmed. */
function toWorkNode(model: OnnxModel, n: OnnxNode, index: number): WorkNode {
  const name = n.name || `${n.op}_${index}`;
  const opset = model.opsets[n.domain] ?? 1;
  if (!findOp(n.domain, n.op)) throw unsupportedOp(name, n.domain, n.op, opset);
  const [attr, kind] = Object.entries(n.unsupportedAttrs)[0] ?? [];
  if (attr !== undefined) throw unsupportedUse(name, n.op, `attribute "${attr}" of kind ${kind}`);
  let outputs = [...n.outputs];
  while (outputs.length > 0 && outputs[outputs.length - 1] === '') outputs.pop();
  outputs = outputs.map((o, i) => o || `${name}:unused_output_${i}`);
  return {
    name,
    op: n.op,
    domain: n.domain,
    opset,
    inputs: n.inputs.map((i) => (i === '' ? undefined : i)),
    outputs,
    attrs: n.attrs,
  };
}
