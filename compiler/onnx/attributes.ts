// Decodes AttributeProto into the IR's AttrValue. Graph-valued and other exotic attributes are
// reported back by kind so the importer can refuse the node with a precise message.
import type { AttrValue } from '../graph.js';
import { int64ToNumber, type AttributeProto, type Int64 } from './proto.js';
import { decodeTensor, type TensorDecodeContext } from './tensor-data.js';

/** AttributeProto.AttributeType codes (onnx.proto). */
const KIND_OF_TYPE: Readonly<Record<number, string>> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
  11: 'sparse_tensor',
  12: 'sparse_tensors',
  13: 'type_proto',
  14: 'type_protos',
};

/** The decoded attributes of one node: supported values, and unsupported ones by kind. */
export interface DecodedAttrs {
  readonly attrs: Record<string, AttrValue>;
  readonly unsupported: Record<string, string>;
}

/** Decodes a node's attribute list. */
export function decodeAttributes(
  list: readonly AttributeProto[],
  ctx: TensorDecodeContext,
): DecodedAttrs {
  const attrs: Record<string, AttrValue> = {};
  const unsupported: Record<string, string> = {};
  for (const a of list) {
    const name = a.name ?? '';
    const kind = KIND_OF_TYPE[a.type ?? 0] ?? guessKind(a);
    const value = decodeValue(a, kind, ctx);
    if (value) attrs[name] = value;
    else unsupported[name] = kind;
  }
  return { attrs, unsupported };
}

function decodeValue(
  a: AttributeProto,
  kind: string,
  ctx: TensorDecodeContext,
): AttrValue | undefined {
  switch (kind) {
    case 'float':
      return { kind, value: a.f ?? 0 };
    case 'int':
      return { kind, value: int64ToNumber(a.i as Int64) };
    case 'string':
      return { kind, value: utf8(a.s) };
    case 'floats':
      return { kind, value: [...(a.floats ?? [])] };
    case 'ints':
      return { kind, value: (a.ints ?? []).map((v) => int64ToNumber(v as Int64)) };
    case 'strings':
      return { kind, value: (a.strings ?? []).map(utf8) };
    case 'tensor': {
      if (!a.t) return undefined;
      const t = decodeTensor(a.t, ctx, a.name ?? '');
      return { kind, value: { dtype: t.dtype, shape: t.shape, values: t.values } };
    }
    default:
      return undefined;
  }
}

/** IR version 1 files may leave `type` unset; infer the kind from the populated field. */
function guessKind(a: AttributeProto): string {
  if (a.t) return 'tensor';
  if (a.g) return 'graph';
  if (a.s && a.s.length) return 'string';
  if (a.floats && a.floats.length) return 'floats';
  if (a.ints && a.ints.length) return 'ints';
  if (a.strings && a.strings.length) return 'strings';
  if (a.graphs && a.graphs.length) return 'graphs';
  if (a.f) return 'float';
  return 'int';
}

function utf8(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') : '';
}
