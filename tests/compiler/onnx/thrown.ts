// Test helper: runs fn and returns the SpatialcError it throws (fails the test otherwise).
import { SpatialcError } from '../../../arch/errors.js';

/** The SpatialcError thrown by fn. */
export function thrown(fn: () => unknown): SpatialcError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SpatialcError) return err;
    throw err;
  }
  throw new Error('expected a SpatialcError, but nothing was thrown');
}
