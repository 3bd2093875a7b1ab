// Index helpers shared by the gather / scatter / select kernels.
import { fail } from './context.js';
import type { OpContext } from './op-def.js';

/** An index into a dim of `size`, negative counting from the end; fails when out of range. */
export function wrapIndex(ctx: OpContext, raw: number, size: number): number {
  const i = raw < 0 ? raw + size : raw;
  if (!(i >= 0 && i < size)) fail(ctx, `index ${raw} is out of range for a dim of size ${size}`);
  return i;
}
