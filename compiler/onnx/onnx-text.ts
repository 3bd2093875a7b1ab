// parseOnnxText: ONNX textual syntax (onnx.parser's format) → OnnxModel. The grammar lives in
// onnx-text.ohm; this file turns ohm's tree into the plain TextModel AST (onnx-text-ast.ts), and
// onnx-text-build.ts checks that and builds the OnnxModel that graphFromModel imports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ohm from 'ohm-js';
import { packageRoot } from '../../arch/package-root.js';
import { modelFileUnreadable } from './errors.js';
import type { OnnxModel } from './onnx-model.js';
import { buildOnnxModel } from './onnx-text-build.js';
import { locate, textSyntaxError } from './onnx-text-errors.js';
import { prescanTensorData } from './onnx-text-prescan.js';
import { textActions } from './onnx-text-semantics.js';
import type { TextModel } from './onnx-text-ast.js';

/** File extension that selects the text format in readOnnxModel / loadOnnxModel. */
export const ONNX_TEXT_EXTENSION = '.onnxtxt';

/** Options for parseOnnxText. */
export interface OnnxTextOptions {
  /** Name used in messages (`file:line:col`). */
  readonly file?: string;
}

const DEFAULT_ONNX_TEXT_OPTIONS = { file: '<text>' } as const;

/** What an empty file lacks (ohm would only say "a name"). */
const EXPECTED_MODEL =
  'a model such as < ir_version: 8, opset_import: ["" : 17] > g (float[2] x) => (float[2] y) { y = Relu (x) }';

/** True when `file` names an ONNX text model (by extension). */
export function isOnnxTextPath(file: string): boolean {
  return file.toLowerCase().endsWith(ONNX_TEXT_EXTENSION);
}

/** The grammar source path: found from source and from dist/ alike (see arch/package-root.ts). */
export function onnxTextGrammarPath(): string {
  return path.join(packageRoot(import.meta.url), 'compiler', 'onnx', 'onnx-text.ohm');
}

/** Compiles onnx-text.ohm and its AST semantics (ohm checks every action's arity here). */
export function compileOnnxTextGrammar(): { grammar: ohm.Grammar; semantics: ohm.Semantics } {
  const grammar = ohm.grammar(fs.readFileSync(onnxTextGrammarPath(), 'utf8'));
  const semantics = grammar.createSemantics().addOperation('ast(prescan)', textActions);
  return { grammar, semantics };
}

// Compiling the grammar takes 100-400 ms and its result is a pure function of onnx-text.ohm (which
// ships with the package), so it is compiled once, on first use, like arch/validate.ts's schema.
let compiled: ReturnType<typeof compileOnnxTextGrammar> | undefined;

function loadGrammar(): ReturnType<typeof compileOnnxTextGrammar> {
  compiled ??= compileOnnxTextGrammar();
  return compiled;
}

/** Options for parseOnnxTextAst. */
export interface OnnxTextAstOptions extends OnnxTextOptions {
  /** Read plain-number tensor bodies with a regular expression (fast; same result). Default true. */
  readonly isPrescanEnabled?: boolean;
}

/** Parses ONNX text into the unchecked AST; a syntax error throws E_ONNX_SYNTAX with file:line:col. */
export function parseOnnxTextAst(text: string, options: OnnxTextAstOptions = {}): TextModel {
  const file = options.file ?? DEFAULT_ONNX_TEXT_OPTIONS.file;
  const { grammar, semantics } = loadGrammar();
  const prescan = prescanTensorData(text, options.isPrescanEnabled ?? true);
  const match = grammar.match(prescan.text);
  if (match.failed()) {
    const offset = reportedOffset(text, prescan.toOriginal(match.getRightmostFailurePosition()));
    const isBlank = /^\s*(#[^\n]*\s*)*$/.test(text);
    throw textSyntaxError(
      locate(file, text, offset),
      isBlank ? EXPECTED_MODEL : match.getExpectedText(),
    );
  }
  return semantics(match)['ast'](prescan) as TextModel;
}

/** Parses ONNX text (as onnx.parser.parse_model accepts it) into an OnnxModel. */
export function parseOnnxText(text: string, options: OnnxTextOptions = {}): OnnxModel {
  const file = options.file ?? DEFAULT_ONNX_TEXT_OPTIONS.file;
  return buildOnnxModel(parseOnnxTextAst(text, { file }), (at) => locate(file, text, at));
}

/** Reads an .onnxtxt model from a path, or from its UTF-8 bytes (then `file` names it). */
export function readOnnxText(bytesOrPath: Uint8Array | string, file: string): OnnxModel {
  let text: string;
  if (typeof bytesOrPath === 'string') {
    try {
      text = fs.readFileSync(bytesOrPath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : String(code);
      throw modelFileUnreadable(file, reason);
    }
  } else {
    text = Buffer.from(bytesOrPath.buffer, bytesOrPath.byteOffset, bytesOrPath.length).toString(
      'utf8',
    );
  }
  return parseOnnxText(text, { file });
}

/**
 * Where to report a failure. Ohm fails at the next token, which after a line break is on a later
 * line; a missing `)` reads better right after the last token of the line it belongs to, so the
 * position moves back over blank lines, comments and trailing space.
 */
function reportedOffset(text: string, failAt: number): number {
  const isAtEnd = text.slice(failAt).trim() === '';
  let lineStart = text.lastIndexOf('\n', failAt - 1) + 1;
  let code = stripComment(text.slice(lineStart, failAt)).trimEnd();
  if (code.trim() !== '' && !isAtEnd) return failAt; // a token precedes it on its own line
  while (code.trim() === '' && lineStart > 0) {
    const lineEnd = lineStart - 1;
    lineStart = lineEnd > 0 ? text.lastIndexOf('\n', lineEnd - 1) + 1 : 0;
    code = stripComment(text.slice(lineStart, lineEnd)).trimEnd();
  }
  return code.trim() === '' ? failAt : lineStart + code.length;
}

/** The line without its `#` comment (a `#` inside a string does not start one). */
function stripComment(line: string): string {
  let inString = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k];
    if (c === '\\' && inString) k++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return line.slice(0, k);
  }
  return line;
}
