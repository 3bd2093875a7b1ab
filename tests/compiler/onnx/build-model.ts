// Test helper: encodes small ONNX models in memory with onnx-proto, so op tests need no files.
import { onnx } from '../../../compiler/onnx/proto.js';
import { codeOfDtype } from '../../../compiler/onnx/dtypes.js';
import type { DType } from '../../../compiler/graph.js';

type AttrProto = ReturnType<typeof onnx.AttributeProto.create>;
type T = typeof onnx.AttributeProto.AttributeType;
const K: T = onnx.AttributeProto.AttributeType;

/** Attribute builders: i(1), f(0.5), s('x'), ints([1, 2]), floats([..]), tensor(...). */
export const i =
  (v: number) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.INT, i: v });
export const f =
  (v: number) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.FLOAT, f: v });
export const s =
  (v: string) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.STRING, s: Buffer.from(v) });
export const ints =
  (v: number[]) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.INTS, ints: v });
export const floats =
  (v: number[]) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.FLOATS, floats: v });
export const tensorAttr =
  (dtype: DType, dims: number[], values: number[]) =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({ name, type: K.TENSOR, t: tensorProto('', dtype, dims, values) });
export const graphAttr =
  () =>
  (name: string): AttrProto =>
    onnx.AttributeProto.create({
      name,
      type: K.GRAPH,
      g: onnx.GraphProto.create({ name: 'body' }),
    });

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attrs?: Readonly<Record<string, (name: string) => AttrProto>>;
}

export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  /** number = dim_value, string = dim_param, null = unknown. */
  readonly dims: readonly (number | string | null)[];
}

export interface InitSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export interface ModelSpec {
  readonly opset?: number;
  readonly opsets?: Readonly<Record<string, number>>;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly string[];
  readonly initializers?: readonly InitSpec[];
  readonly nodes: readonly NodeSpec[];
}

function tensorProto(
  name: string,
  dtype: DType,
  dims: readonly number[],
  values: readonly number[],
) {
  const base = { name, dataType: codeOfDtype(dtype), dims: [...dims] };
  if (dtype === 'float32') return onnx.TensorProto.create({ ...base, floatData: [...values] });
  if (dtype === 'float64') return onnx.TensorProto.create({ ...base, doubleData: [...values] });
  if (dtype === 'int64') return onnx.TensorProto.create({ ...base, int64Data: [...values] });
  return onnx.TensorProto.create({ ...base, int32Data: [...values] });
}

function valueInfo(v: ValueSpec | string) {
  if (typeof v === 'string') return onnx.ValueInfoProto.create({ name: v });
  const dim = v.dims.map((d) =>
    typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
  );
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: { tensorType: { elemType: codeOfDtype(v.dtype), shape: { dim } } },
  });
}

/** Encodes a model spec as .onnx bytes. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const opsets = spec.opsets ?? { '': spec.opset ?? 17 };
  const graph = onnx.GraphProto.create({
    name: 'test',
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
    initializer: (spec.initializers ?? []).map((t) =>
      tensorProto(t.name, t.dtype, t.dims, t.values),
    ),
    node: spec.nodes.map((n) =>
      onnx.NodeProto.create({
        name: n.name ?? '',
        opType: n.op,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs ?? {}).map(([k, make]) => make(k)),
      }),
    ),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'spatialc-tests',
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A one-node model: inputs x0..xn (given shapes) or constants, outputs y0..ym. */
export function singleOp(
  op: string,
  inputs: readonly (ValueSpec | InitSpec | undefined)[],
  options: { outputs?: number; attrs?: NodeSpec['attrs']; opset?: number; domain?: string } = {},
): Uint8Array {
  const outputs = Array.from({ length: options.outputs ?? 1 }, (_, k) => `y${k}`);
  const isInit = (v: ValueSpec | InitSpec): v is InitSpec => 'values' in v;
  const present = inputs.filter((v): v is ValueSpec | InitSpec => v !== undefined);
  return buildModel({
    ...(options.domain
      ? { opsets: { '': options.opset ?? 17, [options.domain]: 1 } }
      : { opset: options.opset ?? 17 }),
    inputs: present.filter((v) => !isInit(v)) as ValueSpec[],
    initializers: present.filter(isInit),
    outputs,
    nodes: [
      {
        op,
        name: 'n',
        inputs: inputs.map((v) => v?.name ?? ''),
        outputs,
        ...(options.domain ? { domain: options.domain } : {}),
        ...(options.attrs ? { attrs: options.attrs } : {}),
      },
    ],
  });
}

/** A float32 graph input. */
export const x = (name: string, ...dims: number[]): ValueSpec => ({ name, dtype: 'float32', dims });
/** An int64 constant initializer. */
export const c64 = (
  name: string,
  values: number[],
  dims: number[] = [values.length],
): InitSpec => ({ name, dtype: 'int64', dims, values });
/** A float32 constant initializer. */
export const cf = (name: string, values: number[], dims: number[] = [values.length]): InitSpec => ({
  name,
  dtype: 'float32',
  dims,
  values,
});
