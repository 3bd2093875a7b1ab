// Errors shared by every layer. Users get SpatialcError (typed, one line, says where and what was
// expected); broken invariants are InternalError (a bug in spatialc). Only cli/ prints them.

export type ErrorCode =
  | 'E_USAGE'
  | 'E_FILE'
  | 'E_ARCH_SYNTAX'
  | 'E_ARCH_INVALID'
  | 'E_ARCH_UNKNOWN'
  | 'E_ONNX_DECODE'
  | 'E_ONNX_SYNTAX'
  | 'E_ONNX_INVALID'
  | 'E_ONNX_UNSUPPORTED_OP'
  | 'E_ONNX_SHAPE'
  | 'E_ONNX_EXTERNAL_DATA'
  | 'E_DTYPE'
  | 'E_SRAM_OVERFLOW'
  | 'E_DOES_NOT_FIT'
  | 'E_PROGRAM_INVALID'
  | 'E_SIM'
  | 'E_DEADLOCK'
  /** A deterministic program whose schedule does not hold (a late start or overlapping reservations). */
  | 'E_SCHEDULE';

export interface ErrorDetails {
  readonly where?: string;
  readonly hint?: string;
  readonly problems?: readonly string[];
}

/** A user-facing error: what went wrong, where, and how to fix it. */
export class SpatialcError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'SpatialcError';
    this.code = code;
    this.details = details;
  }
}

/** A broken invariant: always a bug in spatialc, never caught to be reworded. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`this is a bug in spatialc: ${message}`);
    this.name = 'InternalError';
  }
}

/** Throws InternalError when `cond` is false. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}

/** Exhaustiveness check for `switch` over a union's `kind`. */
export function unreachable(x: never): never {
  throw new InternalError(`unreachable case ${JSON.stringify(x)}`);
}
