// The one place that touches the onnx-proto package (protobufjs code generated from onnx.proto).
// onnx-proto is CommonJS: its module.exports is the protobufjs root holding the `onnx` namespace.
import onnxProto from 'onnx-proto';

/** The generated ONNX protobuf namespace (ModelProto, TensorProto, ...). */
export const onnx = onnxProto.onnx;

export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** A protobuf int64 as decoded by protobufjs: a number, or a Long when `long` is installed. */
export type Int64 = number | { toNumber(): number; low: number; high: number; unsigned: boolean };

/** Converts a decoded int64 to a JS number (exact up to 2^53). */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
