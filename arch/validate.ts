// Arch validation in two stages: the JSON Schema (arch/schema.json, checked by ajv) for shapes,
// types and ranges, then semantic checks across fields (check-semantics.ts). The semantic stage
// runs only on a value that passed the schema, because it relies on the shapes being right.
// Both stages collect every problem; nothing here throws for bad input.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ArchSpec } from './spec.js';
import { checkSemantics } from './check-semantics.js';
import { formatJsonPath, segmentsOfPointer, type PathSegment } from './json-path.js';
import { schemaMessages as M, type ArchDiagnostic } from './messages.js';
import { packageRoot } from './package-root.js';

/** Absolute path of arch/schema.json in this package. */
export function archSchemaPath(): string {
  return path.join(packageRoot(), 'arch', 'schema.json');
}

/** Compiles arch/schema.json. Strict, so a schema mistake fails loudly instead of passing files. */
export function compileArchSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(archSchemaPath(), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, logger: false });
  return ajv.compile(schema);
}

// Compiling the schema takes ~100 ms, and its result is a pure function of arch/schema.json (which
// ships with the package), so it is compiled once, on first use. This is the layer's only memo.
let compiledSchema: ValidateFunction | undefined;

/** The compiled arch schema, shared by every validateArch call. */
export function archSchemaValidator(): ValidateFunction {
  compiledSchema ??= compileArchSchema();
  return compiledSchema;
}

/** Every problem of `value` as an arch description; empty when it is a valid ArchSpec. */
export function validateArch(value: unknown): ArchDiagnostic[] {
  const validate = archSchemaValidator();
  if (!validate(value)) return schemaDiagnostics(validate.errors ?? []);
  return checkSemantics(value as ArchSpec);
}

/** Type guard form of validateArch. */
export function isArchSpec(value: unknown): value is ArchSpec {
  return validateArch(value).length === 0;
}

/** Turns ajv errors into diagnostics, one per problem, in document order. */
function schemaDiagnostics(errors: readonly ErrorObject[]): ArchDiagnostic[] {
  const out: ArchDiagnostic[] = [];
  const seen = new Set<string>();
  // A value of the wrong type also fails its range checks; the type error alone says it best.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) continue;
    const d = diagnosticOf(e);
    if (d === undefined) continue;
    const key = `${d.where}\u0000${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

type Schema = Record<string, unknown>;

function diagnosticOf(e: ErrorObject): ArchDiagnostic | undefined {
  const at = segmentsOfPointer(e.instancePath);
  const where = (extra: PathSegment[] = []) => formatJsonPath([...at, ...extra]);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Schema;
  const type = typeof parent['type'] === 'string' ? (parent['type'] as string) : 'number';
  switch (e.keyword) {
    case 'propertyNames':
      return undefined; // reported by the inner error, which names the key
    case 'required':
      return { where: where([String(params['missingProperty'])]), message: M.missingField() };
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      return { where: where([key]), message: M.unknownField(suggestKey(key, parent)) };
    }
    case 'type':
      return { where: where(), message: M.wrongType(String(params['type']), e.data) };
    case 'enum':
      if (e.propertyName !== undefined) {
        return { where: where([e.propertyName]), message: M.unknownKey(e.propertyName, e.schema as unknown[]) };
      }
      return { where: where(), message: M.notOneOf(e.schema as unknown[], e.data) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { where: where(), message: M.outOfRange(type, String(params['comparison']), Number(params['limit']), e.data) };
    case 'minItems':
      return { where: where(), message: M.tooFewItems(Number(params['limit']), (e.data as unknown[]).length) };
    case 'uniqueItems':
      return { where: where(), message: M.duplicateItems(Number(params['j']), Number(params['i'])) };
    case 'minLength':
      return { where: where(), message: M.emptyString() };
    case 'minProperties':
      return { where: where(), message: M.tooFewEntries(Number(params['limit'])) };
    default:
      return { where: where(), message: M.other(e.message ?? e.keyword) };
  }
}

/** A declared key close to the unknown one (a typo or a case slip), if there is one. */
function suggestKey(key: string, parent: Schema): string | undefined {
  const props = parent['properties'];
  if (props === null || typeof props !== 'object') return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const candidate of Object.keys(props)) {
    const [a, b] = [candidate.toLowerCase(), key.toLowerCase()];
    const d = a === b ? 0 : a.startsWith(b) || b.startsWith(a) ? 1 : editDistance(candidate, key);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
