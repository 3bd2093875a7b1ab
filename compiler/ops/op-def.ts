// OpDef: everything the compiler knows about one ONNX op, in one record. The registry
// (registry.ts) is the single list of supported ops; later stages extend OpDef with new optional
// fields (e.g. a reference kernel) rather than keeping parallel tables.
import type { AttrValue, DType, TensorValues } from '../graph.js';

/** dtype and static shape of a tensor. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A node input during inference: its type, plus its elements when it is a constant. */
export interface TensorInfo extends TensorType {
  readonly values?: TensorValues;
}

/** What an OpDef sees of one node. */
export interface OpContext {
  /** Display name of the node, for messages. */
  readonly node: string;
  readonly op: string;
  readonly domain: string;
  /** Opset version of the node's domain. */
  readonly opset: number;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Inputs in ONNX order; undefined for an omitted optional input. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  /** Number of outputs the node declares (trailing optional outputs may be absent). */
  readonly outputCount: number;
}

/** Shape and dtype inference: one TensorType per declared output. Throws E_ONNX_SHAPE on bad input. */
export type InferFn = (ctx: OpContext) => readonly TensorType[];

/** Multiply-accumulate count of one node, given its inferred outputs. */
export type MacsFn = (ctx: OpContext, outputs: readonly TensorType[]) => number;

/** Computes output elements from constant inputs (used by constant folding). */
export type EvaluateFn = (
  ctx: OpContext,
  outputs: readonly TensorType[],
) => readonly TensorValues[];

export interface OpDef {
  readonly op: string;
  /** '' for ai.onnx, else e.g. 'com.microsoft'. */
  readonly domain: string;
  readonly infer: InferFn;
  /** Absent = the op does no multiply-accumulates (elementwise, data movement, ...). */
  readonly macs?: MacsFn;
  /** Absent = never folded. */
  readonly evaluate?: EvaluateFn;
  /** Folds whenever shapes are known, even with non-constant inputs (Shape, Size). */
  readonly foldsOnShapes?: boolean;
  /** Output 0 is input 0 at inference time (Identity, inference-mode Dropout), so it may be bypassed. */
  readonly isAlias?: boolean;
}
