// Public names of the arch layer: the ArchSpec contract, loading and validating arch files,
// fingerprints, core timing and the shared error types.

export * from './spec.js';
export { SpatialcError, InternalError, assert, unreachable } from './errors.js';
export type { ErrorCode, ErrorDetails } from './errors.js';
export { loadArch, parseArch, listPresets, resolvePresetName, ARCH_ALIASES } from './load-arch.js';
export type { LoadArchOptions } from './load-arch.js';
export { validateArch, isArchSpec, compileArchSchema, archSchemaPath } from './validate.js';
export { formatDiagnostic } from './messages.js';
export type { ArchDiagnostic } from './messages.js';
export { archFingerprint, canonicalJson } from './fingerprint.js';
export { uncoveredConstants, isAssumption } from './sources.js';
export { matmulTileCycles, computeCycles, dtypeSpec, tileBytes } from './core-timing.js';
export type { CoreWork, NumberFormat } from './core-timing.js';
