// printOnnxText: OnnxModel → ONNX text that parseOnnxText (and onnx.parser) read back into the
// same model. Numbers print in their shortest exact form: float32 values need at most 9 digits,
// float16/bfloat16 print as 16-bit patterns (as onnx.printer does), int64 saturates at its limits.
import type { AttrValue, DType, TensorValues } from '../graph.js';
import { roundToBfloat16, roundToHalf } from '../ops/values.js';
import type { OnnxDim, OnnxModel, OnnxNode, OnnxValueInfo } from './onnx-model.js';
import { DTYPE_OF_TEXT } from './onnx-text-values.js';

const TEXT_OF_DTYPE = Object.fromEntries(
  Object.entries(DTYPE_OF_TEXT).map(([text, dtype]) => [dtype, text]),
) as Record<DType, string>;

/** Words the grammar reads as types or special floats; names spelled like them are quoted. */
const RESERVED = new Set([
  ...Object.keys(DTYPE_OF_TEXT),
  ...['seq', 'map', 'optional', 'sparse_tensor', 'opaque', 'inf', 'infinity', 'nan'],
]);

const INDENT = '  ';

/** Prints a model as ONNX text (header, signature, initializers and value_info, nodes). */
export function printOnnxText(model: OnnxModel): string {
  const extras = [
    ...model.initializers.map(
      (t) => `${INDENT}${tensorText(t)} ${printName(t.name)} = ${dataText(t)}`,
    ),
    ...model.valueInfo.map((v) => `${INDENT}${valueInfoText(v)}`),
  ];
  return [
    headerText(model),
    `${printName(model.graphName)} (${model.inputs.map(valueInfoText).join(', ')}) => (${model.outputs.map(valueInfoText).join(', ')})`,
    ...(extras.length > 0 ? ['<', extras.join(',\n'), '>'] : []),
    '{',
    ...model.nodes.map((n) => `${INDENT}${nodeText(n)}`),
    '}',
    '',
  ].join('\n');
}

function headerText(model: OnnxModel): string {
  const opsets = Object.entries(model.opsets).map(([d, v]) => `${quote(d)} : ${v}`);
  const fields = [`ir_version: ${model.irVersion}`, `opset_import: [${opsets.join(', ')}]`];
  if (model.producer !== '') fields.push(`producer_name: ${quote(model.producer)}`);
  return `<\n${fields.map((f) => INDENT + f).join(',\n')}\n>`;
}

/** A name as written in ONNX text: bare when it is a plain identifier, quoted otherwise. */
export function printName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase())
    ? name
    : quote(name);
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function dimText(d: OnnxDim): string {
  return d === undefined ? '?' : typeof d === 'number' ? String(d) : printName(d);
}

function valueInfoText(v: OnnxValueInfo): string {
  if (v.dtype === undefined) return printName(v.name);
  const dims =
    v.dims === undefined ? '[]' : v.dims.length === 0 ? '' : `[${v.dims.map(dimText).join(', ')}]`;
  return `${TEXT_OF_DTYPE[v.dtype]}${dims} ${printName(v.name)}`;
}

function tensorText(t: { readonly dtype: DType; readonly shape: readonly number[] }): string {
  return `${TEXT_OF_DTYPE[t.dtype]}${t.shape.length === 0 ? '' : `[${t.shape.join(', ')}]`}`;
}

function dataText(t: { readonly dtype: DType; readonly values: TensorValues }): string {
  const values = Array.from(t.values as ArrayLike<number>, (x) => elementText(t.dtype, x));
  return `{${values.join(', ')}}`;
}

/** Node inputs/outputs; an omitted one prints empty, or as "" when last (a trailing `,` is dropped). */
function namesText(names: readonly string[]): string {
  return names
    .map((n, i) => (n !== '' ? printName(n) : i === names.length - 1 ? '""' : ''))
    .join(', ');
}

function nodeText(n: OnnxNode): string {
  const label = n.name !== '' ? `[${printName(n.name)}] ` : '';
  const op = n.domain !== '' ? `${n.domain}.${n.op}` : n.op;
  const attrs = Object.entries(n.attrs).map(([k, v]) => attrText(k, v));
  const attrList = attrs.length > 0 ? ` <${attrs.join(', ')}>` : '';
  const lost = Object.entries(n.unsupportedAttrs).map(([k, kind]) => `${k} (${kind})`);
  const note = lost.length > 0 ? `   # not representable: ${lost.join(', ')}` : '';
  return `${label}${namesText(n.outputs)} = ${op}${attrList} (${namesText(n.inputs)})${note}`;
}

function attrText(name: string, a: AttrValue): string {
  switch (a.kind) {
    case 'int':
      return `${name} = ${a.value}`;
    case 'float':
      return `${name} = ${floatAttrText(a.value)}`;
    case 'string':
      return `${name} = ${quote(a.value)}`;
    case 'ints':
      return a.value.length === 0 ? `${name}: ints = []` : `${name} = [${a.value.join(', ')}]`;
    case 'floats':
      return a.value.length === 0
        ? `${name}: floats = []`
        : `${name} = [${a.value.map(floatAttrText).join(', ')}]`;
    case 'strings':
      return a.value.length === 0
        ? `${name}: strings = []`
        : `${name} = [${a.value.map(quote).join(', ')}]`;
    case 'tensor':
      return `${name} = ${tensorText(a.value)} ${dataText(a.value)}`;
  }
}

/** A float attribute: float32-exact, and always spelled as a float so its type is inferred. */
function floatAttrText(x: number): string {
  const s = float32Text(Math.fround(x));
  return /[.en]/.test(s) ? s : `${s}.0`;
}

function specialText(x: number): string | undefined {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return undefined;
}

/** The shortest decimal that rounds to the same float32. */
function float32Text(x: number): string {
  const special = specialText(x);
  if (special !== undefined) return special;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}

const INT64_MAX_TEXT = '9223372036854775807';

function elementText(dtype: DType, x: number): string {
  switch (dtype) {
    case 'float32':
      return float32Text(x);
    case 'float64':
      return specialText(x) ?? String(x);
    case 'float16':
      return String(halfBits(roundToHalf(x)));
    case 'bfloat16':
      return String(bfloat16Bits(roundToBfloat16(x)));
    case 'int64':
      return x >= 2 ** 63
        ? INT64_MAX_TEXT
        : x <= -(2 ** 63)
          ? `-${INT64_MAX_TEXT.slice(0, -1)}8`
          : String(x);
    case 'uint64':
      return x >= 2 ** 64 ? '18446744073709551615' : String(x);
    default:
      return String(x);
  }
}

/** The IEEE half bit pattern of a value that is already a half. */
function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24); // subnormal (or zero)
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bfloat16 bit pattern of a value that is already a bfloat16. */
function bfloat16Bits(x: number): number {
  f32[0] = x;
  return u32[0]! >>> 16;
}
