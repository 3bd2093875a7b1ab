// JSON paths as arch diagnostics and `sources` keys write them: object keys joined by dots, array
// indices in brackets, and keys that are not plain identifiers quoted: `noc.linkBytesPerCycle`,
// `dram.channels[3].endpoints[0]`, `sources["noc.hopLatencyCycles"]`. In `sources` keys an index
// may be `[*]`, meaning every element of that array.

/** One step of a JSON path: an object key (string) or an array index (number, or '*' for all). */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats path segments; the empty path is `(root)`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number' || s === '*') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Segments of an ajv `instancePath` (a JSON pointer such as `/dram/channels/3/id`). */
export function segmentsOfPointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** Segments of a `sources` key written as formatJsonPath writes paths; undefined if malformed. */
export function parseSourceKey(key: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  const token = /\.?([A-Za-z_$][A-Za-z0-9_$]*)|\[(\*|0|[1-9][0-9]*|"(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < key.length) {
    token.lastIndex = at;
    const m = token.exec(key);
    if (m === null || (at === 0 && m[0].startsWith('.'))) return undefined;
    const [, name, index] = m;
    if (name !== undefined) segments.push(name);
    else if (index === '*') segments.push('*');
    else if (index !== undefined && index.startsWith('"')) segments.push(JSON.parse(index) as string);
    else segments.push(Number(index));
    at = token.lastIndex;
  }
  return segments.length > 0 ? segments : undefined;
}

/** True if `segments` (which may hold '*') names at least one existing value inside `root`. */
export function pathExists(root: unknown, segments: readonly PathSegment[]): boolean {
  if (segments.length === 0) return true;
  const [head, ...rest] = segments;
  if (Array.isArray(root)) {
    if (head === '*') return root.some((item) => pathExists(item, rest));
    return typeof head === 'number' && head < root.length && pathExists(root[head], rest);
  }
  if (root === null || typeof root !== 'object' || typeof head !== 'string') return false;
  return Object.hasOwn(root, head) && pathExists((root as Record<string, unknown>)[head], rest);
}

/** A numeric leaf of a JSON value, with the arrays that enclose it (outermost first). */
export interface NumericLeaf {
  readonly path: readonly PathSegment[];
  /** Lengths of the path prefixes that end at an array (so `path.slice(0, n)` is an array). */
  readonly arrayPrefixLengths: readonly number[];
}

/** Every numeric leaf of a JSON value, in document order. */
export function numericLeaves(root: unknown): NumericLeaf[] {
  const out: NumericLeaf[] = [];
  const visit = (v: unknown, path: PathSegment[], arrays: number[]): void => {
    if (typeof v === 'number') out.push({ path: [...path], arrayPrefixLengths: [...arrays] });
    else if (Array.isArray(v)) {
      const inner = [...arrays, path.length];
      v.forEach((item, i) => visit(item, [...path, i], inner));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) visit(item, [...path, k], arrays);
    }
  };
  visit(root, [], []);
  return out;
}

/** The same path with every array index replaced by '*'. */
export function wildcardIndices(segments: readonly PathSegment[]): PathSegment[] {
  return segments.map((s) => (typeof s === 'number' ? '*' : s));
}
