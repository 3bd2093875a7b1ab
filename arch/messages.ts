// Every message text about arch files, in one place: the diagnostics that validateArch collects
// (each is `<json path>: <message>`) and the SpatialcErrors that loadArch throws. One factory per
// failure, so each text is written exactly once and tests can quote it.

import type { Coord } from './spec.js';
import { SpatialcError } from './errors.js';

/** One problem found in an arch description: the JSON path of the bad field and what is wrong. */
export interface ArchDiagnostic {
  readonly where: string;
  readonly message: string;
}

/** `noc.linkBytesPerCycle: expected a number > 0, got -32`. */
export function formatDiagnostic(d: ArchDiagnostic): string {
  return `${d.where}: ${d.message}`;
}

/** A short, quoted rendering of a JSON value for messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 37))}... (a string)` : `${JSON.stringify(v)} (a string)`;
  return String(v);
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const xy = (c: Coord) => `(${c.x},${c.y})`;
const quoteAll = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x));

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

// ---- schema-level problems -------------------------------------------------------------------

/** Texts of the problems found by the JSON Schema stage (shapes, types, ranges). */
export const schemaMessages = {
  wrongType: (type: string, got: unknown) => `expected ${article(type)}, got ${describeValue(got)}`,
  outOfRange: (type: string, op: string, limit: number, got: unknown) =>
    `expected ${article(type)} ${op} ${limit}, got ${describeValue(got)}`,
  notOneOf: (allowed: readonly unknown[], got: unknown) =>
    `expected ${orList(quoteAll(allowed))}, got ${describeValue(got)}`,
  unknownKey: (key: string, allowed: readonly unknown[]) =>
    `unknown key ${JSON.stringify(key)} (expected ${orList(quoteAll(allowed))})`,
  missingField: () => 'missing required field',
  unknownField: (suggestion: string | undefined) =>
    suggestion === undefined ? 'unknown field' : `unknown field (did you mean "${suggestion}"?)`,
  tooFewItems: (min: number, got: number) => `expected at least ${min} item${min === 1 ? '' : 's'}, got ${got}`,
  duplicateItems: (first: number, second: number) => `items ${first} and ${second} are equal (expected unique items)`,
  emptyString: () => 'expected a non-empty string',
  tooFewEntries: (min: number) => `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}`,
  other: (text: string) => text,
} as const;

// ---- semantic problems -------------------------------------------------------------------------

/** Texts of the problems found by the semantic stage (relations between fields). */
export const semanticMessages = {
  outsideGrid: (c: Coord, cols: number, rows: number) => `${xy(c)} is outside the ${cols}x${rows} grid`,
  rowOutsideGrid: (row: number, rows: number) => `row ${row} is outside the grid (rows 0..${rows - 1})`,
  columnOutsideGrid: (col: number, cols: number) => `column ${col} is outside the grid (columns 0..${cols - 1})`,
  duplicateCoord: (c: Coord, first: string) => `${xy(c)} is listed twice (first at ${first})`,
  onHarvestedRow: (c: Coord) => `${xy(c)} is on harvested row ${c.y}`,
  alsoTensix: (c: Coord) => `${xy(c)} is also listed as a tensix tile`,
  dramOnTensix: (c: Coord) => `${xy(c)} is a tensix tile, not a DRAM tile`,
  dramSharedByControllers: (c: Coord, other: number) => `${xy(c)} also serves DRAM controller ${other}`,
  computeColumnEmpty: (col: number) => `column ${col} has no usable tensix tile in the compute grid's rows`,
  computeRowEmpty: (row: number) => `row ${row} has no usable tensix tile in the compute grid's columns`,
  computeTileNotTensix: (col: number, row: number) =>
    `(${col},${row}) (column ${col}, row ${row}) is not a usable tensix tile`,
  channelIdOrder: (expected: number, got: number) =>
    `expected ${expected} (channel ids are dense and in order), got ${got}`,
  dtypeNotInCore: (dtype: string, have: readonly string[]) =>
    `number format ${dtype} is not in core.dtypes (it has: ${have.join(', ')})`,
  macPjMissing: (dtype: string) => `missing an entry for ${dtype} (listed in core.dtypes)`,
  fidelityOrder: (name: string, lower: string, lowerPhases: number, got: number) =>
    `expected at least ${lower}'s ${lowerPhases} phase${lowerPhases === 1 ? '' : 's'} (${name} is the more precise setting), got ${got}`,
  notLessThan: (what: string, limit: number, got: number) => `expected less than ${what} (${limit}), got ${got}`,
  greaterThan: (what: string, limit: number, got: number) => `expected at most ${what} (${limit}), got ${got}`,
  notMultipleOf: (what: string, unit: number, got: number) => `expected a multiple of ${what} (${unit}), got ${got}`,
  duplicateName: (name: string) => `${JSON.stringify(name)} is used twice`,
  sourceKeyMalformed: () => 'is not a JSON path (write e.g. "noc.hopLatencyCycles" or "dram.channels[*].bytesPerSecond")',
  sourceKeyUnknown: (key: string) => `no field ${key} in this arch`,
} as const;

// ---- errors thrown by the loader ---------------------------------------------------------------

/** The name is neither a file nor a preset (nor an alias of one). */
export function archUnknown(name: string, presets: readonly string[], aliases: readonly string[]): SpatialcError {
  return new SpatialcError(
    'E_ARCH_UNKNOWN',
    `unknown arch "${name}": not a file, and not a preset (presets: ${presets.join(', ')})`,
    { where: name, hint: `pass a path to an arch JSON file, a preset, or an alias (${aliases.join(', ')})` },
  );
}

/** The file is not JSON; `line`/`col` are 1-based. */
export function archSyntax(file: string, line: number, col: number, reason: string): SpatialcError {
  return new SpatialcError('E_ARCH_SYNTAX', `${file}:${line}:${col}: invalid JSON: ${reason}`, {
    where: `${file}:${line}:${col}`,
    hint: 'arch files are strict JSON: double-quoted keys, no comments, no trailing commas',
  });
}

/** The file is JSON but not a valid arch; one line listing every problem. */
export function archInvalid(file: string, problems: readonly ArchDiagnostic[]): SpatialcError {
  const lines = problems.map(formatDiagnostic);
  const n = lines.length;
  return new SpatialcError('E_ARCH_INVALID', `${file}: ${n} problem${n === 1 ? '' : 's'}: ${lines.join('; ')}`, {
    where: file,
    problems: lines,
    hint: 'arch/schema.json describes every field; add "$schema" to the file for editor checks',
  });
}

/** The file exists but cannot be read. */
export function archUnreadable(file: string, reason: string): SpatialcError {
  return new SpatialcError('E_FILE', `${file}: cannot read arch file: ${reason}`, { where: file });
}
