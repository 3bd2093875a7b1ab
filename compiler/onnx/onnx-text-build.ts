// buildOnnxModel: checked TextModel → OnnxModel. Everything a parse tree cannot rule out is
// caught here with a line:col: missing header fields, names read but never defined, names
// defined twice, tensor literals that disagree with their shape, unsupported constructs.
import type { AttrValue } from '../graph.js';
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-model.js';
import type {
  TextGraph,
  TextHeaderEntry,
  TextModel,
  TextNode,
  TextValueDecl,
} from './onnx-text-ast.js';
import {
  textBadGraphOutput,
  textDuplicateKey,
  textDuplicateName,
  textFunctionsUnsupported,
  textMisplacedHeaderField,
  textMissingHeaderField,
  textOverloadUnsupported,
  textUndefinedName,
  textUntypedInitializer,
} from './onnx-text-errors.js';
import { attrFromText, dtypeOf, tensorFromText, type Locate } from './onnx-text-values.js';

interface Header {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: Record<string, number>;
}

/** Checks a parsed ONNX text model and converts it to the OnnxModel the importer takes. */
export function buildOnnxModel(ast: TextModel, loc: Locate): OnnxModel {
  const fn = ast.functions[0];
  if (fn) throw textFunctionsUnsupported(loc(fn.at), fn.name);
  const header = readHeader(ast.header ?? [], loc);
  const g = ast.graph;
  const inputs = g.inputs.map((d) => valueInfo(d, 'graph input', loc));
  const initializers = [...g.inputs, ...g.extras]
    .filter((d) => d.data !== undefined)
    .map((d) => initializer(d, loc));
  const valueInfos = g.extras
    .filter((d) => d.data === undefined)
    .map((d) => valueInfo(d, 'value_info', loc));
  const outputs = g.outputs.map((d) => {
    if (d.data) throw textBadGraphOutput(loc(d.data.at), d.name, 'cannot have a value');
    return valueInfo(d, 'graph output', loc);
  });
  const nodes = g.nodes.map((n, i) => node(n, i, loc));
  checkNames(g, loc);
  return {
    file: loc(0).file,
    irVersion: header.irVersion,
    producer: header.producer,
    graphName: g.name,
    opsets: header.opsets,
    inputs,
    outputs,
    valueInfo: valueInfos,
    initializers,
    nodes,
  };
}

function readHeader(entries: readonly TextHeaderEntry[], loc: Locate): Header {
  const seen = new Set<string>();
  let irVersion: number | undefined;
  let opsets: Record<string, number> | undefined;
  const producer = { name: '', version: '' };
  for (const e of entries) {
    if (seen.has(e.key)) throw textDuplicateKey(loc(e.at), 'header field', e.key);
    seen.add(e.key);
    const v = e.value;
    if (e.key === 'overload') throw textMisplacedHeaderField(loc(e.at), e.key);
    if (e.key === 'ir_version' && v.kind === 'int') irVersion = v.value;
    if (e.key === 'producer_name' && v.kind === 'string') producer.name = v.value;
    if (e.key === 'producer_version' && v.kind === 'string') producer.version = v.value;
    if (v.kind === 'opsets') {
      const byDomain = new Map<string, number>();
      for (const { domain, version } of v.value) {
        const d = domain === 'ai.onnx' ? '' : domain; // as read-model.ts normalises it
        if (byDomain.has(d)) throw textDuplicateKey(loc(e.at), 'opset_import domain', domain);
        byDomain.set(d, version);
      }
      if (!byDomain.has('')) byDomain.set('', 1); // as read-model.ts: no default-domain import is opset 1
      opsets = Object.fromEntries(byDomain);
    }
    // domain, model_version, doc_string, metadata_props: accepted; the IR has no use for them.
  }
  if (irVersion === undefined) throw textMissingHeaderField(loc(0), 'ir_version');
  if (opsets === undefined) throw textMissingHeaderField(loc(0), 'opset_import');
  return { irVersion, opsets, producer: `${producer.name} ${producer.version}`.trim() };
}

function valueInfo(d: TextValueDecl, what: string, loc: Locate): OnnxValueInfo {
  if (d.type === undefined) return { name: d.name };
  const dtype = dtypeOf(d.type, `${what} "${d.name}"`, loc);
  const dims = d.type.kind === 'tensor' ? d.type.dims : undefined;
  // dim 0 in a value type means "unknown" (read-model.ts reads dim_value 0 the same way)
  return dims === undefined
    ? { name: d.name, dtype }
    : { name: d.name, dtype, dims: dims.map((x) => (x === 0 ? undefined : x)) };
}

function initializer(d: TextValueDecl, loc: Locate): OnnxTensor {
  if (d.type === undefined) throw textUntypedInitializer(loc(d.at), d.name);
  return { name: d.name, ...tensorFromText(d.name, d.type, d.data!, loc) };
}

function nodeName(n: TextNode, index: number): string {
  return n.label || `${n.opName.split(':')[0]!.split('.').at(-1)}_${index}`;
}

function node(n: TextNode, index: number, loc: Locate): OnnxNode {
  const name = nodeName(n, index);
  if (n.opName.includes(':')) throw textOverloadUnsupported(loc(n.at), name);
  const parts = n.opName.split('.');
  const domain = parts.slice(0, -1).join('.');
  // Entries, not assignments: an attribute may be called `constructor` or even `__proto__`.
  const attrs: [string, AttrValue][] = [];
  const unsupportedAttrs: [string, string][] = [];
  const seen = new Set<string>();
  for (const a of n.attrs) {
    if (seen.has(a.name)) throw textDuplicateKey(loc(a.at), `node "${name}": attribute`, a.name);
    seen.add(a.name);
    const r = attrFromText(name, a, loc);
    if ('value' in r) attrs.push([a.name, r.value]);
    else unsupportedAttrs.push([a.name, r.unsupportedKind]);
  }
  return {
    name: n.label ?? '',
    op: parts.at(-1)!,
    domain: domain === 'ai.onnx' ? '' : domain,
    inputs: n.inputs.map((i) => i.name),
    outputs: n.outputs.map((o) => o.name),
    attrs: Object.fromEntries(attrs),
    unsupportedAttrs: Object.fromEntries(unsupportedAttrs),
  };
}

/** Every name read is defined once: by a graph input, an initializer or one node output. */
function checkNames(g: TextGraph, loc: Locate): void {
  const defined = new Map<string, number>();
  const define = (name: string, at: number) => {
    const first = defined.get(name);
    if (first !== undefined) throw textDuplicateName(loc(at), name, loc(first));
    defined.set(name, at);
  };
  for (const d of g.inputs) define(d.name, d.at);
  // An initializer may share its name with a graph input (the input's default), nothing else.
  const initializers = new Map<string, number>();
  for (const d of [...g.inputs, ...g.extras]) {
    if (!d.data) continue;
    const first = initializers.get(d.name);
    if (first !== undefined) throw textDuplicateName(loc(d.at), d.name, loc(first));
    initializers.set(d.name, d.at);
    if (!g.inputs.some((i) => i.name === d.name)) define(d.name, d.at);
  }
  for (const n of g.nodes) for (const o of n.outputs) if (o.name !== '') define(o.name, o.at);
  g.nodes.forEach((n, i) => {
    for (const x of n.inputs) {
      if (x.name !== '' && !defined.has(x.name))
        throw textUndefinedName(loc(x.at), nodeName(n, i), x.name);
    }
  });
  for (const o of g.outputs) {
    if (!defined.has(o.name))
      throw textBadGraphOutput(loc(o.at), o.name, 'is produced by no node, input or initializer');
  }
}
