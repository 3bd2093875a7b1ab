// OnnxModel: the decoded .onnx file in plain objects, before any shape work. It is what
// readOnnxModel hands to importOnnx; nothing here depends on protobufjs types.
import type { AttrValue, DType, TensorValues } from '../graph.js';

/** One dimension as the file states it: a size, a symbolic name (dim_param), or unknown. */
export type OnnxDim = number | string | undefined;

/** A typed tensor name from graph.input / graph.output / graph.value_info. */
export interface OnnxValueInfo {
  readonly name: string;
  /** undefined when the file gives no tensor type. */
  readonly dtype?: DType;
  /** undefined when the file gives no shape at all (rank unknown). */
  readonly dims?: readonly OnnxDim[];
}

/** An initializer (or a tensor attribute) with its element values decoded. */
export interface OnnxTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: TensorValues;
}

export interface OnnxNode {
  /** The name in the file ('' when unnamed). */
  readonly name: string;
  readonly op: string;
  /** '' for the default ai.onnx domain ('ai.onnx' is normalised to ''). */
  readonly domain: string;
  /** Input names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Attributes the IR cannot carry (graph, sparse tensor, type protos), by name → kind. */
  readonly unsupportedAttrs: Readonly<Record<string, string>>;
}

export interface OnnxModel {
  /** The file it came from, or '<bytes>'; used in messages. */
  readonly file: string;
  readonly irVersion: number;
  readonly producer: string;
  readonly graphName: string;
  /** Imported opset version by domain ('' = ai.onnx). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxTensor[];
  readonly nodes: readonly OnnxNode[];
}
