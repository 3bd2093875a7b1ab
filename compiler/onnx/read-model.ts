// readOnnxModel: .onnx bytes or path → OnnxModel (plain objects, tensors decoded). Protobuf work
// is delegated to onnx-proto; this file only validates and converts.
import * as fs from 'node:fs';
import { dtypeOfCode } from './dtypes.js';
import { decodeAttributes } from './attributes.js';
import { modelFileUnreadable, notValidOnnx } from './errors.js';
import { makeExternalReader } from './external-data.js';
import type { OnnxDim, OnnxModel, OnnxNode, OnnxValueInfo } from './onnx-model.js';
import { isOnnxTextPath, readOnnxText } from './onnx-text.js';
import {
  int64ToNumber,
  onnx,
  type GraphProto,
  type Int64,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from './proto.js';
import { decodeTensor, type TensorDecodeContext } from './tensor-data.js';

/** Options for readOnnxModel. */
export interface ReadModelOptions {
  /** Path of the model, for messages and for resolving external data when bytes are given. */
  readonly modelPath?: string;
}

/** Reads and decodes an ONNX model from a path or from its bytes (.onnxtxt: the text format). */
export function readOnnxModel(
  bytesOrPath: Uint8Array | string,
  options: ReadModelOptions = {},
): OnnxModel {
  const modelPath = typeof bytesOrPath === 'string' ? bytesOrPath : options.modelPath;
  const file = modelPath ?? '<bytes>';
  if (modelPath !== undefined && isOnnxTextPath(modelPath)) return readOnnxText(bytesOrPath, file);
  const bytes = typeof bytesOrPath === 'string' ? readModelFile(bytesOrPath) : bytesOrPath;
  const proto = decodeProto(file, bytes);
  const graph = proto.graph!;
  const ctx: TensorDecodeContext = {
    file,
    readExternal: makeExternalReader(file, modelPath),
    mayRealignInPlace: typeof bytesOrPath === 'string', // we read these bytes, nobody else sees them
  };
  return {
    file,
    irVersion: int64ToNumber(proto.irVersion as Int64),
    producer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim(),
    graphName: graph.name ?? '',
    opsets: readOpsets(proto),
    inputs: (graph.input ?? []).map(readValueInfo),
    outputs: (graph.output ?? []).map(readValueInfo),
    valueInfo: (graph.valueInfo ?? []).map(readValueInfo),
    initializers: (graph.initializer ?? []).map((t) => decodeTensor(t, ctx)),
    nodes: (graph.node ?? []).map((n) => readNode(n, ctx)),
  };
}

function readModelFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw modelFileUnreadable(
      file,
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code),
    );
  }
}

function decodeProto(file: string, bytes: Uint8Array): ModelProto {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw notValidOnnx(file, `protobuf decode failed: ${(err as Error).message}`);
  }
  const problem = sanityProblem(proto);
  if (problem) throw notValidOnnx(file, problem);
  return proto;
}

/** Random bytes sometimes decode "successfully"; reject results no exporter would write. */
function sanityProblem(proto: ModelProto): string | undefined {
  const graph: GraphProto | null | undefined = proto.graph;
  if (!graph) return 'no graph';
  const nodes = graph.node ?? [];
  if (nodes.length === 0) return 'the graph has no nodes';
  if (nodes.some((n) => !n.opType)) return 'a node has no op type';
  if (int64ToNumber(proto.irVersion as Int64) <= 0) return 'no IR version';
  return undefined;
}

function readOpsets(proto: ModelProto): Record<string, number> {
  const opsets: Record<string, number> = {};
  for (const o of proto.opsetImport ?? []) {
    opsets[normaliseDomain(o.domain ?? '')] = int64ToNumber(o.version as Int64);
  }
  // IR version 2 models predate opset_import; they are opset 1.
  if (opsets[''] === undefined) opsets[''] = 1;
  return opsets;
}

function normaliseDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

function readValueInfo(v: ValueInfoProto): OnnxValueInfo {
  const tensorType = v.type?.tensorType;
  const dtype = tensorType ? dtypeOfCode(tensorType.elemType ?? 0) : undefined;
  const shape = tensorType?.shape;
  const dims: OnnxDim[] | undefined = shape
    ? (shape.dim ?? []).map((d) =>
        d.dimParam ? d.dimParam : d.dimValue != null ? dimValue(d.dimValue as Int64) : undefined,
      )
    : undefined;
  return { name: v.name ?? '', ...(dtype ? { dtype } : {}), ...(dims ? { dims } : {}) };
}

/** dim_value 0 in a value_info is how some exporters write "unknown"; treat it as symbolic. */
function dimValue(v: Int64): number | undefined {
  const n = int64ToNumber(v);
  return n > 0 ? n : undefined;
}

function readNode(n: NodeProto, ctx: TensorDecodeContext): OnnxNode {
  const { attrs, unsupported } = decodeAttributes(n.attribute ?? [], ctx);
  return {
    name: n.name ?? '',
    op: n.opType ?? '',
    domain: normaliseDomain(n.domain ?? ''),
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs,
    unsupportedAttrs: unsupported,
  };
}
