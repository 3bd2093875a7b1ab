// Tensor literals and attribute values of ONNX text, checked and converted to the IR's values.
// Element conventions follow onnx.parser: integer types (and bool) take integer literals, float
// and double take any number, float16/bfloat16 take their 16-bit patterns as integers (which is
// also how onnx.printer writes them).
import type { AttrValue, DType, TensorValues } from '../graph.js';
import { numElements } from '../graph.js';
import { bfloat16ToNumber, halfToNumber, valuesFrom } from '../ops/values.js';
import type {
  TextAttr,
  TextAttrValue,
  TextLiteral,
  TextTensorData,
  TextType,
} from './onnx-text-ast.js';
import {
  textBadAttribute,
  textBadElement,
  textExternalData,
  textTensorCount,
  textTensorNeedsShape,
  textUnsupportedType,
  type TextLocation,
} from './onnx-text-errors.js';

/** Maps a source offset to a location (file, line, column). */
export type Locate = (at: number) => TextLocation;

/** Element type spellings of ONNX text ↔ the IR's DType. */
export const DTYPE_OF_TEXT: Readonly<Record<string, DType>> = {
  float: 'float32',
  double: 'float64',
  float16: 'float16',
  bfloat16: 'bfloat16',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
  string: 'string',
};

/** The inclusive range of integer literals per dtype (int64/uint64 bounds as doubles round them). */
const INT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
  bool: [0, 1],
  float16: [0, 65535],
  bfloat16: [0, 65535],
};

/** The DType of a value's type; refuses types and element types the IR cannot carry. */
export function dtypeOf(type: TextType, what: string, loc: Locate): DType {
  const dtype = type.kind === 'tensor' ? DTYPE_OF_TEXT[type.elemType] : undefined;
  if (!dtype) {
    throw textUnsupportedType(
      loc(type.at),
      what,
      type.kind === 'tensor' ? type.elemType : type.text,
    );
  }
  return dtype;
}

/** A tensor literal's dtype, shape and values, checked against its type. */
export function tensorFromText(
  name: string,
  type: TextType,
  data: TextTensorData,
  loc: Locate,
): { dtype: DType; shape: number[]; values: TensorValues } {
  const dtype = dtypeOf(type, `tensor "${name}"`, loc);
  if (dtype === 'string') throw textUnsupportedType(loc(type.at), `tensor "${name}"`, 'string');
  const dims = type.kind === 'tensor' ? type.dims : undefined;
  if (dims === undefined || dims.some((d) => typeof d !== 'number')) {
    const spelled = `${type.kind === 'tensor' ? type.elemType : ''}[${(dims ?? []).map((d) => d ?? '?').join(', ')}]`;
    throw textTensorNeedsShape(loc(type.at), name, spelled);
  }
  const shape = dims as number[];
  if (data.kind === 'external') throw textExternalData(loc(data.at), name);
  const need = numElements(shape);
  if (data.values.length !== need) {
    throw textTensorCount(loc(data.at), name, data.values.length, shape, need);
  }
  const numbers = data.values.map((v) => elementValue(v, dtype, name, loc));
  return { dtype, shape, values: valuesFrom(dtype, numbers) };
}

function elementValue(v: TextLiteral, dtype: DType, tensor: string, loc: Locate): number {
  if (v.kind === 'string') {
    throw textBadElement(loc(v.at), tensor, dtype, `"${v.value}" is a string, not a number`);
  }
  if (dtype === 'float32' || dtype === 'float64') return v.value;
  const range = INT_RANGE[dtype];
  if (v.kind === 'float') {
    const why =
      dtype === 'float16' || dtype === 'bfloat16'
        ? ' (write the 16-bit pattern as an integer, as onnx.parser does)'
        : '';
    throw textBadElement(loc(v.at), tensor, dtype, `${v.value} is not an integer${why}`);
  }
  if (range && (v.value < range[0] || v.value > range[1])) {
    throw textBadElement(
      loc(v.at),
      tensor,
      dtype,
      `${v.value} is outside [${range[0]}, ${range[1]}]`,
    );
  }
  if (dtype === 'float16') return halfToNumber(v.value);
  if (dtype === 'bfloat16') return bfloat16ToNumber(v.value);
  return v.value;
}

/** An attribute's value, or the kind name of an attribute the IR cannot carry (graph, …). */
export type TextAttrResult = { readonly value: AttrValue } | { readonly unsupportedKind: string };

const ATTR_TYPES = new Set([
  'int',
  'float',
  'string',
  'tensor',
  'graph',
  'sparse_tensor',
  'type_proto',
  'ints',
  'floats',
  'strings',
  'tensors',
  'graphs',
  'sparse_tensors',
  'type_protos',
]);

/** Converts one attribute, checking it against its `: type` annotation when written. */
export function attrFromText(node: string, attr: TextAttr, loc: Locate): TextAttrResult {
  const bad = (problem: string, at = attr.at) =>
    textBadAttribute(loc(at), node, attr.name, problem);
  const declared = attr.declaredType;
  if (declared !== undefined && !ATTR_TYPES.has(declared))
    throw bad(`unknown attribute type "${declared}"`);
  const isListType = declared?.endsWith('s') === true; // ints, floats, …, type_protos
  if (declared !== undefined && (attr.value.kind === 'list') !== isListType) {
    throw bad(
      `the value is ${attr.value.kind === 'list' ? 'a list' : 'not a list'} but the type is ${declared}`,
    );
  }
  const inferred =
    attr.value.kind === 'list'
      ? listAttr(attr.value.items, declared, bad)
      : singleAttr(attr.name, attr.value, declared, loc, bad);
  const kind = 'value' in inferred ? inferred.value.kind : inferred.unsupportedKind;
  if (declared !== undefined && kind !== declared && kind !== 'attribute reference') {
    throw bad(`the value is of type ${kind} but the type is ${declared}`);
  }
  return inferred;
}

type Bad = (problem: string, at?: number) => Error;

function singleAttr(
  name: string,
  v: TextAttrValue,
  declared: string | undefined,
  loc: Locate,
  bad: Bad,
): TextAttrResult {
  switch (v.kind) {
    case 'literal': {
      const lit = v.literal;
      if (lit.kind === 'string') return { value: { kind: 'string', value: lit.value } };
      if (lit.kind === 'int' && declared !== 'float')
        return { value: { kind: 'int', value: lit.value } };
      return { value: { kind: 'float', value: Math.fround(lit.value) } };
    }
    case 'tensor': {
      const t = tensorFromText(name, v.tensor.type, v.tensor.data, loc);
      return { value: { kind: 'tensor', value: t } };
    }
    case 'type':
      return { unsupportedKind: 'type_proto' };
    case 'graph':
      return { unsupportedKind: 'graph' };
    case 'ref':
      return { unsupportedKind: 'attribute reference' };
    case 'list':
      throw bad('nested lists are not allowed', v.at);
  }
}

function listAttr(
  items: readonly TextAttrValue[],
  declared: string | undefined,
  bad: Bad,
): TextAttrResult {
  if (items.length === 0) {
    if (declared === undefined) throw bad('an empty list needs a type, e.g. "name: ints = []"');
    if (declared === 'ints' || declared === 'floats' || declared === 'strings') {
      return { value: { kind: declared, value: [] } };
    }
    return { unsupportedKind: declared };
  }
  const first = items[0]!;
  if (first.kind === 'tensor') return { unsupportedKind: 'tensors' };
  if (first.kind === 'graph') return { unsupportedKind: 'graphs' };
  if (first.kind === 'type') return { unsupportedKind: 'type_protos' };
  const lits = items.map((it) => {
    if (it.kind !== 'literal') throw bad('a list mixes numbers or strings with other values');
    return it.literal;
  });
  if (lits.every((l) => l.kind === 'string')) {
    return { value: { kind: 'strings', value: lits.map((l) => l.value as string) } };
  }
  const str = lits.find((l) => l.kind === 'string');
  if (str) throw bad('a list mixes strings and numbers', str.at);
  const nums = lits.map((l) => l.value as number);
  if (lits.every((l) => l.kind === 'int') && declared !== 'floats')
    return { value: { kind: 'ints', value: nums } };
  return { value: { kind: 'floats', value: nums.map((n) => Math.fround(n)) } };
}
