// The `ast` operation over onnx-text.ohm: one action per rule, each returning a piece of the
// TextModel AST. Ohm checks every action's arity against the grammar when the semantics is
// built, and the typed helpers below (`ast`, `list`, `opt`) are the only casts.
import type { ActionDict, Node } from 'ohm-js';
import { numberLiteral, type Prescan } from './onnx-text-prescan.js';
import type {
  TextAttr,
  TextAttrValue,
  TextDim,
  TextGraph,
  TextHeaderEntry,
  TextLiteral,
  TextModel,
  TextName,
  TextNode,
  TextTensorConst,
  TextTensorData,
  TextType,
  TextValueDecl,
} from './onnx-text-ast.js';

type Ast = unknown;

/** The prescan of the text being read: the `ast` operation's argument. */
function prescanOf(self: Node): Prescan {
  return self['args'].prescan as Prescan;
}

/** The AST of child `n`, passing on the operation's argument (`self` is the calling node). */
function ast<T>(self: Node, n: Node): T {
  return n['ast'](prescanOf(self)) as T;
}

/** The elements of a ListOf / NonemptyListOf node. */
function list<T>(self: Node, n: Node): T[] {
  return n.asIteration().children.map((c) => ast<T>(self, c));
}

/** The value of an optional (`x?`) node, or undefined. */
function opt<T>(self: Node, n: Node): T | undefined {
  return n.children.length === 0 ? undefined : ast<T>(self, n.children[0]!);
}

/** The source offset where `n` starts (`self` is the calling node). */
function at(self: Node, n: Node): number {
  return prescanOf(self).toOriginal(n.source.startIdx);
}

/**
 * Node inputs/outputs as onnx.parser reads them: items may be empty (an omitted optional value),
 * and one trailing empty item is dropped, so `()` is none, `(x,)` is [x] and `(,)` is [''].
 */
function names(items: readonly (TextName & { readonly isOmitted: boolean })[]): TextName[] {
  const kept = items.at(-1)?.isOmitted ? items.slice(0, -1) : items;
  return kept.map(({ name, at: offset }) => ({ name, at: offset }));
}

/** onnx.parser's escapes: a backslash keeps the next character as is (`\"`, `\\`). */
function unescape(body: string): string {
  return body.replace(/\\([\s\S])/g, '$1');
}

export const textActions: ActionDict<Ast> = {
  Model(header, graph, functions, _end): TextModel {
    const h = opt<TextHeaderEntry[]>(this, header);
    return {
      header: h,
      graph: ast<TextGraph>(this, graph),
      functions: ast<TextName[]>(this, functions),
    };
  },
  Header(_open, entries, _close): TextHeaderEntry[] {
    return list<TextHeaderEntry>(this, entries);
  },
  HeaderField_irVersion(key, _colon, value): TextHeaderEntry {
    return {
      key: 'ir_version',
      value: { kind: 'int', value: ast(this, value) },
      at: at(this, key),
    };
  },
  HeaderField_modelVersion(key, _colon, value): TextHeaderEntry {
    return {
      key: 'model_version',
      value: { kind: 'int', value: ast(this, value) },
      at: at(this, key),
    };
  },
  HeaderField_opsetImport(key, _colon, _open, entries, _close): TextHeaderEntry {
    return {
      key: 'opset_import',
      value: { kind: 'opsets', value: list(this, entries) },
      at: at(this, key),
    };
  },
  HeaderField_metadataProps(key, _colon, _open, pairs, _close): TextHeaderEntry {
    return {
      key: 'metadata_props',
      value: { kind: 'pairs', value: list(this, pairs) },
      at: at(this, key),
    };
  },
  HeaderField_text(key, _colon, value): TextHeaderEntry {
    return {
      key: key.sourceString,
      value: { kind: 'string', value: ast(this, value) },
      at: at(this, key),
    };
  },
  HeaderEntry(_key, field): TextHeaderEntry {
    return ast(this, field);
  },
  OpsetEntry(domain, _colon, version) {
    return { domain: ast<string>(this, domain), version: ast<number>(this, version) };
  },
  StringPair(key, _colon, value) {
    return [ast<string>(this, key), ast<string>(this, value)] as const;
  },

  Graph(name, _o1, inputs, _c1, _arrow, _o2, outputs, _c2, extras, nodes): TextGraph {
    return {
      name: ast(this, name),
      inputs: list(this, inputs),
      outputs: list(this, outputs),
      extras: opt<TextValueDecl[]>(this, extras) ?? [],
      nodes: ast(this, nodes),
      at: at(this, name),
    };
  },
  Extras(_open, decls, _close): TextValueDecl[] {
    return list(this, decls);
  },
  ValueDecl(type, name, init): TextValueDecl {
    return {
      name: ast(this, name),
      type: opt(this, type),
      data: opt(this, init),
      at: at(this, name),
    };
  },
  Initializer(_eq, data): TextTensorData {
    return ast(this, data);
  },
  TensorType(prim, shape): TextType {
    // No brackets is a scalar (rank 0); `float[]` is unknown rank (Shape gives undefined).
    const dims =
      shape.children.length === 0 ? [] : ast<TextDim[] | undefined>(this, shape.children[0]!);
    return { kind: 'tensor', elemType: prim.sourceString, dims, at: at(this, prim) };
  },
  Shape(_open, dims, _close): TextDim[] | undefined {
    const ds = list<TextDim>(this, dims);
    return ds.length === 0 ? undefined : ds; // `float[]`: rank unknown
  },
  Dim_unknown(_q): TextDim {
    return undefined;
  },
  Dim_value(n): TextDim {
    return ast<number>(this, n);
  },
  Dim_param(n): TextDim {
    return ast<string>(this, n);
  },
  OtherType(_kw, _open, _args, _close): TextType {
    return { kind: 'other', text: this.sourceString, at: at(this, this) };
  },
  TensorData_values(open, values, _close): TextTensorData {
    const prescanned = prescanOf(this).values.get(open.source.startIdx);
    return { kind: 'values', values: prescanned ?? list(this, values), at: at(this, this) };
  },
  TensorData_external(_open, _pairs, _close): TextTensorData {
    return { kind: 'external', at: at(this, this) };
  },

  NodeList(_open, nodes, _close): TextNode[] {
    return ast(this, nodes);
  },
  Node(label, outputs, _eq, op, args): TextNode {
    const { attrs, inputs } = ast<{ attrs: TextAttr[]; inputs: TextName[] }>(this, args);
    return {
      label: opt(this, label),
      outputs: ast(this, outputs),
      opName: op.sourceString,
      attrs,
      inputs,
      at: at(this, this),
    };
  },
  NodeArgs_attrsFirst(attrs, _open, inputs, _close) {
    return { attrs: ast<TextAttr[]>(this, attrs), inputs: ast<TextName[]>(this, inputs) };
  },
  NodeArgs_attrsLast(_open, inputs, _close, attrs) {
    return { attrs: opt<TextAttr[]>(this, attrs) ?? [], inputs: ast<TextName[]>(this, inputs) };
  },
  NodeLabel(_open, name, _close): string {
    return ast(this, name);
  },
  Names(items): TextName[] {
    return names(list(this, items));
  },
  OptionalName(name) {
    const n = opt<string>(this, name);
    return { name: n ?? '', at: at(this, this), isOmitted: n === undefined };
  },
  Attrs(_open, attrs, _close): TextAttr[] {
    return list(this, attrs);
  },
  Attr(name, type, _eq, value): TextAttr {
    return {
      name: ast(this, name),
      declaredType: opt(this, type),
      value: ast(this, value),
      at: at(this, name),
    };
  },
  AttrType(_colon, name): string {
    return ast(this, name);
  },
  AttrValue_list(_open, items, _close): TextAttrValue {
    return { kind: 'list', items: list(this, items), at: at(this, this) };
  },
  SingleAttrValue(v): TextAttrValue {
    switch (v.ctorName) {
      case 'TensorConst':
        return { kind: 'tensor', tensor: ast(this, v) };
      case 'Type':
        return { kind: 'type', type: ast(this, v) };
      case 'AttrRef':
        return { kind: 'ref', name: ast(this, v), at: at(this, v) };
      case 'Graph':
        return { kind: 'graph', at: at(this, v) };
      default:
        return { kind: 'literal', literal: ast(this, v) };
    }
  },
  TensorConst(type, _name, _eq, data): TextTensorConst {
    return { type: ast(this, type), data: ast(this, data), at: at(this, this) };
  },
  AttrRef(_at, name): string {
    return ast(this, name);
  },

  Function(
    _header,
    name,
    _attrs,
    _o1,
    _ins,
    _c1,
    _arrow,
    _o2,
    _outs,
    _c2,
    _extras,
    _nodes,
  ): TextName {
    return { name: ast(this, name), at: at(this, name) };
  },

  name(n): string {
    return ast(this, n);
  },
  ident(_start, _rest): string {
    return this.sourceString;
  },
  string(_open, _chars, _close): string {
    return unescape(this.sourceString.slice(1, -1));
  },
  literal(v): TextLiteral {
    return v.ctorName === 'string'
      ? { kind: 'string', value: ast(this, v), at: at(this, this) }
      : ast(this, v);
  },
  number(_minus, _body): TextLiteral {
    return numberLiteral(this.sourceString, at(this, this));
  },
  int(_digits): number {
    return Number(this.sourceString);
  },
  _iter(...children): unknown[] {
    return children.map((c) => ast(this, c));
  },
};
