// A minimal zip reader for .npz archives: the central directory (with zip64 sizes and offsets, as
// numpy.savez writes them), stored and deflated entries. Spec: PKWARE APPNOTE.TXT 6.3.
import { inflateRawSync } from 'node:zlib';
import { badTensorFile } from './tensor-file-errors.js';

/** One file of an archive, uncompressed. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
const U32_MAX = 0xffffffff;

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly localOffset: number;
}

/** Reads every entry of a zip archive held in memory. */
export function readZipEntries(bytes: Uint8Array, file: string): ZipEntry[] {
  const bad = (p: string) => badTensorFile(file, '.npz', p);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndRecord(view);
  if (eocd === undefined) throw bad('no zip end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_EOCD_LOCATOR_SIG) {
    const z64 = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(z64 + 32, true));
    dirOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries: CentralEntry[] = [];
  let pos = dirOffset;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== CENTRAL_SIG)
      throw bad(`central directory entry ${i} is damaged`);
    const nameLen = view.getUint16(pos + 28, true);
    const extraLen = view.getUint16(pos + 30, true);
    const commentLen = view.getUint16(pos + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(pos + 46, pos + 46 + nameLen));
    const extra = new DataView(bytes.buffer, bytes.byteOffset + pos + 46 + nameLen, extraLen);
    entries.push(
      withZip64(extra, {
        name,
        method: view.getUint16(pos + 10, true),
        compressedBytes: view.getUint32(pos + 20, true),
        uncompressedBytes: view.getUint32(pos + 24, true),
        localOffset: view.getUint32(pos + 42, true),
      }),
    );
    pos += 46 + nameLen + extraLen + commentLen;
  }
  return entries.map((e) => ({ name: e.name, data: entryData(bytes, view, e, bad) }));
}

function findEndRecord(view: DataView): number | undefined {
  for (let p = view.byteLength - 22; p >= Math.max(0, view.byteLength - 22 - 0xffff); p--)
    if (view.getUint32(p, true) === EOCD_SIG) return p;
  return undefined;
}

/** Replaces 0xffffffff fields by their 64-bit values from the zip64 extra field. */
function withZip64(extra: DataView, e: CentralEntry): CentralEntry {
  for (let p = 0; p + 4 <= extra.byteLength;) {
    const id = extra.getUint16(p, true);
    const size = extra.getUint16(p + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      let q = p + 4;
      const next = () => {
        const v = Number(extra.getBigUint64(q, true));
        q += 8;
        return v;
      };
      const uncompressedBytes = e.uncompressedBytes === U32_MAX ? next() : e.uncompressedBytes;
      const compressedBytes = e.compressedBytes === U32_MAX ? next() : e.compressedBytes;
      const localOffset = e.localOffset === U32_MAX ? next() : e.localOffset;
      return { ...e, uncompressedBytes, compressedBytes, localOffset };
    }
    p += 4 + size;
  }
  return e;
}

function entryData(
  bytes: Uint8Array,
  view: DataView,
  e: CentralEntry,
  bad: (p: string) => Error,
): Uint8Array {
  const p = e.localOffset;
  if (p + 30 > bytes.length || view.getUint32(p, true) !== LOCAL_SIG)
    throw bad(`entry "${e.name}" has no local header`);
  const start = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
  const raw = bytes.subarray(start, start + e.compressedBytes);
  if (raw.length !== e.compressedBytes) throw bad(`entry "${e.name}" is truncated`);
  if (e.method === 0) return raw;
  if (e.method !== 8) throw bad(`entry "${e.name}" uses compression method ${e.method}`);
  try {
    return inflateRawSync(raw);
  } catch (err) {
    throw bad(`entry "${e.name}" does not inflate (${(err as Error).message})`);
  }
}
