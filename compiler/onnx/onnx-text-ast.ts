// The ONNX text AST: what onnx-text.ohm recognised, in plain objects, before any checking.
// Every construct keeps `at`, its offset in the source text, so later errors can say line:col.

/** A number or string literal exactly as written (ints keep their digits for range checks). */
export type TextLiteral =
  | { readonly kind: 'int'; readonly value: number; readonly at: number }
  | { readonly kind: 'float'; readonly value: number; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number };

/** One dimension: a size, a symbolic name, or `?` (undefined). */
export type TextDim = number | string | undefined;

export type TextType =
  | {
      readonly kind: 'tensor';
      /** The element type as spelled (`float`, `int64`, `complex64`, …). */
      readonly elemType: string;
      /** undefined for `float[]` (unknown rank); [] for a bare `float` (a scalar). */
      readonly dims: readonly TextDim[] | undefined;
      readonly at: number;
    }
  /** seq(…), map(…), optional(…), sparse_tensor(…), opaque(…): parsed only to be refused. */
  | { readonly kind: 'other'; readonly text: string; readonly at: number };

export type TextTensorData =
  | { readonly kind: 'values'; readonly values: readonly TextLiteral[]; readonly at: number }
  | { readonly kind: 'external'; readonly at: number };

/** `type name [= data]`: a graph input/output, a value_info or an initializer. */
export interface TextValueDecl {
  readonly name: string;
  readonly type: TextType | undefined;
  readonly data: TextTensorData | undefined;
  readonly at: number;
}

/** A tensor literal in an attribute: `float[2] {1, 2}` (an optional name is ignored). */
export interface TextTensorConst {
  readonly type: TextType;
  readonly data: TextTensorData;
  readonly at: number;
}

export type TextAttrValue =
  | { readonly kind: 'literal'; readonly literal: TextLiteral }
  | { readonly kind: 'tensor'; readonly tensor: TextTensorConst }
  | { readonly kind: 'type'; readonly type: TextType }
  | { readonly kind: 'ref'; readonly name: string; readonly at: number }
  | { readonly kind: 'graph'; readonly at: number }
  | { readonly kind: 'list'; readonly items: readonly TextAttrValue[]; readonly at: number };

export interface TextAttr {
  readonly name: string;
  /** The `: type` annotation, when written. */
  readonly declaredType: string | undefined;
  readonly value: TextAttrValue;
  readonly at: number;
}

/** A node input or output; '' is an omitted optional one. */
export interface TextName {
  readonly name: string;
  readonly at: number;
}

export interface TextNode {
  readonly label: string | undefined;
  readonly outputs: readonly TextName[];
  /** `domain.Op` or `Op`, as written. */
  readonly opName: string;
  readonly attrs: readonly TextAttr[];
  readonly inputs: readonly TextName[];
  readonly at: number;
}

export interface TextGraph {
  readonly name: string;
  readonly inputs: readonly TextValueDecl[];
  readonly outputs: readonly TextValueDecl[];
  /** The `< … >` list after the signature: initializers (with data) and value_info (without). */
  readonly extras: readonly TextValueDecl[];
  readonly nodes: readonly TextNode[];
  readonly at: number;
}

export type TextHeaderValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | {
      readonly kind: 'opsets';
      readonly value: readonly { readonly domain: string; readonly version: number }[];
    }
  | { readonly kind: 'pairs'; readonly value: readonly (readonly [string, string])[] };

export interface TextHeaderEntry {
  readonly key: string;
  readonly value: TextHeaderValue;
  readonly at: number;
}

export interface TextModel {
  /** undefined when the file has no `< … >` header. */
  readonly header: readonly TextHeaderEntry[] | undefined;
  readonly graph: TextGraph;
  /** Model-local functions, by name (they are refused). */
  readonly functions: readonly TextName[];
}
