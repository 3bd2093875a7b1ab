// Graph: the compiler's model IR after ONNX import. Dense ids, topologically sorted nodes, every
// tensor with a known dtype and a fully static shape (dynamic dims resolved at import).

export type TensorId = number & { readonly brand: 'TensorId' };
export type NodeId = number & { readonly brand: 'NodeId' };

/** ONNX element types the IR carries (names as in onnx.TensorProto.DataType, lower-case). */
export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

/** Element data of a constant tensor. int64 values are kept as numbers (exact up to 2^53). */
export type TensorValues = Float32Array | Float64Array | Int32Array | Uint8Array | readonly number[];

export interface Tensor {
  readonly id: TensorId;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Node producing it; undefined for graph inputs and initializers. */
  readonly producer?: NodeId;
  /** True for initializers (weights) and folded constants. */
  readonly isConstant: boolean;
  /** Element values, present for constants (row-major, length = product of shape). */
  readonly values?: TensorValues;
  /**
   * True for ONNX initializers and for constants folded from at least one of them, i.e. weights;
   * false or absent for inputs, activations and constants made by Constant/Shape nodes.
   */
  readonly isInitializer?: boolean;
}

export type AttrValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: { readonly dtype: DType; readonly shape: readonly number[]; readonly values: TensorValues } };

export interface Node {
  readonly id: NodeId;
  /** The ONNX node name (or a generated `op_<index>` when the file has none). */
  readonly name: string;
  /** ONNX op type, e.g. 'Conv'. */
  readonly op: string;
  /** ONNX domain ('' for the default ai.onnx domain). */
  readonly domain: string;
  /** Opset version of the node's domain that the model imports. */
  readonly opset: number;
  /** Input tensor ids; undefined marks an omitted optional input. */
  readonly inputs: readonly (TensorId | undefined)[];
  readonly outputs: readonly TensorId[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface Graph {
  readonly name: string;
  /** Imported opsets by domain ('' = ai.onnx). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly tensors: readonly Tensor[];
  /** Topologically sorted; node.id === index. */
  readonly nodes: readonly Node[];
  /** Non-constant graph inputs, in ONNX order. */
  readonly inputs: readonly TensorId[];
  readonly outputs: readonly TensorId[];
}

/** Bytes per element of an ONNX dtype in host memory. */
export function dtypeBytes(dtype: DType): number {
  switch (dtype) {
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'float32': case 'int32': case 'uint32': return 4;
    case 'float16': case 'bfloat16': case 'int16': case 'uint16': return 2;
    case 'int8': case 'uint8': case 'bool': return 1;
    case 'string': return 8;
  }
}

/** Number of elements of a shape. */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Ops whose output is the input's elements in the same row-major order (reshape-like views). */
export const VIEW_OPS: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

/**
 * True when node `n` only re-shapes its first input (its elements keep their row-major order):
 * a view op, or a Transpose that moves only size-1 axes ([128,1,768] -> [1,128,768]).
 */
export function isViewNode(g: Graph, n: Node): boolean {
  if (n.outputs.length !== 1) return false;
  if (VIEW_OPS.has(n.op)) return true;
  if (n.op !== 'Transpose' || n.inputs[0] === undefined) return false;
  const shape = g.tensors[n.inputs[0]]!.shape;
  const a = n.attrs['perm'];
  const perm = a !== undefined && a.kind === 'ints' ? a.value : shape.map((_, i) => shape.length - 1 - i);
  const moved = perm.filter((axis) => (shape[axis] ?? 1) !== 1);
  return moved.every((axis, i) => i === 0 || axis > moved[i - 1]!);
}
