// Every ONNX-text (.onnxtxt) message, written once. The first line of each is self-sufficient
// (`file:line:col: what`, the CLI prints only that line); the lines after it show the source line
// with a caret under the column.
import { SpatialcError, type ErrorCode } from '../../arch/errors.js';

/** A position in a text file, 1-based, with the text of its line. */
export interface TextLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly lineText: string;
}

/** The line, column and line text of `offset` in `text`. */
export function locate(file: string, text: string, offset: number): TextLocation {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) line++;
  const lineText = text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
  return { file, line, col: offset - start + 1, lineText };
}

const MAX_QUOTE_CHARS = 50;

/** The text just before the column (what parsed), or the line itself when nothing precedes it. */
function quoteLine(loc: TextLocation): string {
  const before = loc.lineText.slice(0, loc.col - 1).trim();
  if (before !== '') {
    const cut = before.length > MAX_QUOTE_CHARS ? `…${before.slice(-MAX_QUOTE_CHARS)}` : before;
    return `after "${cut}"`;
  }
  const line = loc.lineText.trim();
  if (line === '') return 'at the end of the file';
  return `at "${line.length > MAX_QUOTE_CHARS ? `${line.slice(0, MAX_QUOTE_CHARS)}…` : line}"`;
}

function caretExcerpt(loc: TextLocation): string {
  const gutter = String(loc.line).length;
  const pad = loc.lineText.slice(0, loc.col - 1).replace(/[^\t]/g, ' ');
  return `  ${loc.line} | ${loc.lineText}\n  ${' '.repeat(gutter)} | ${pad}^`;
}

function errorAt(
  code: ErrorCode,
  loc: TextLocation,
  message: string,
  hint?: string,
): SpatialcError {
  const where = `${loc.file}:${loc.line}:${loc.col}`;
  return new SpatialcError(code, `${where}: ${message}\n${caretExcerpt(loc)}`, {
    where,
    ...(hint !== undefined ? { hint } : {}),
  });
}

/** The text does not match the grammar; `expected` is ohm's summary of what would have fit. */
export const textSyntaxError = (loc: TextLocation, expected: string): SpatialcError =>
  errorAt('E_ONNX_SYNTAX', loc, `expected ${expected} ${quoteLine(loc)}`);

/** The model header lacks a field spatialc needs (ir_version, opset_import). */
export const textMissingHeaderField = (loc: TextLocation, field: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `the model header gives no ${field}: start the file with < ir_version: 8, opset_import: ["" : 17] >`,
  );

/** A header field, attribute or opset domain appears twice. */
export const textDuplicateKey = (loc: TextLocation, what: string, key: string): SpatialcError =>
  errorAt('E_ONNX_INVALID', loc, `${what} "${key}" is given twice`);

/** A function-header field (overload) in the model header. */
export const textMisplacedHeaderField = (loc: TextLocation, field: string): SpatialcError =>
  errorAt('E_ONNX_INVALID', loc, `"${field}" is a function header field, not a model header field`);

/** The file defines model-local functions. */
export const textFunctionsUnsupported = (loc: TextLocation, name: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `function "${name}": model-local functions are not supported; write the nodes in the graph`,
  );

/** A type or element type the IR cannot carry (seq, map, complex64, float8, …). */
export const textUnsupportedType = (loc: TextLocation, what: string, type: string): SpatialcError =>
  errorAt('E_ONNX_INVALID', loc, `${what}: type ${type} is not supported`);

/** A tensor literal refers to external data. */
export const textExternalData = (loc: TextLocation, tensor: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `tensor "${tensor}": external data is not supported in ONNX text; write the values in { }`,
  );

/** A tensor literal's type has no concrete shape. */
export const textTensorNeedsShape = (
  loc: TextLocation,
  tensor: string,
  type: string,
): SpatialcError =>
  errorAt('E_ONNX_INVALID', loc, `tensor "${tensor}" needs a shape of numbers, not ${type}`);

/** An initializer written without a type (`W = {1, 2}`). */
export const textUntypedInitializer = (loc: TextLocation, tensor: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `initializer "${tensor}" has values but no type: write e.g. float[2] ${tensor} = {1, 2}`,
  );

/** A tensor literal's value count disagrees with its shape. */
export const textTensorCount = (
  loc: TextLocation,
  tensor: string,
  count: number,
  shape: readonly number[],
  need: number,
): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `tensor "${tensor}" has ${count} value${count === 1 ? '' : 's'} but its shape [${shape.join(', ')}] needs ${need}`,
  );

/** One element of a tensor literal does not fit its element type. */
export const textBadElement = (
  loc: TextLocation,
  tensor: string,
  dtype: string,
  problem: string,
): SpatialcError => errorAt('E_ONNX_INVALID', loc, `tensor "${tensor}" (${dtype}): ${problem}`);

/** A node reads a name that nothing defines. */
export const textUndefinedName = (loc: TextLocation, node: string, name: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `node "${node}" reads "${name}", which no graph input, initializer or node output defines`,
  );

/** A name is defined twice (node outputs, graph inputs, initializers). */
export const textDuplicateName = (
  loc: TextLocation,
  name: string,
  first: TextLocation,
): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `"${name}" is defined twice (first at line ${first.line}, column ${first.col})`,
  );

/** A graph output that nothing defines, or one written with a value. */
export const textBadGraphOutput = (
  loc: TextLocation,
  name: string,
  problem: string,
): SpatialcError => errorAt('E_ONNX_INVALID', loc, `graph output "${name}" ${problem}`);

/** An attribute value that does not fit its declared or inferred type. */
export const textBadAttribute = (
  loc: TextLocation,
  node: string,
  attr: string,
  problem: string,
): SpatialcError =>
  errorAt('E_ONNX_INVALID', loc, `node "${node}" attribute "${attr}": ${problem}`);

/** `Op:overload` names a function overload, which needs functions. */
export const textOverloadUnsupported = (loc: TextLocation, node: string): SpatialcError =>
  errorAt(
    'E_ONNX_INVALID',
    loc,
    `node "${node}": op overloads (Op:name) need functions, which are not supported`,
  );
