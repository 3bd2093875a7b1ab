// Einsum shape inference and MAC count. Supports explicit and implicit output, repeated letters
// and one "..." per term (broadcast batch dims).
import { broadcastShapes } from './broadcast.js';
import { fail, fmtShape, input, stringAttr } from './context.js';
import { evaluateEinsum } from './einsum-kernel.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

interface Term {
  readonly letters: string;
  /** Index in `letters` where "..." sits, or -1. */
  readonly ellipsisAt: number;
}

interface Einsum {
  readonly sizes: ReadonlyMap<string, number>;
  readonly ellipsis: readonly number[];
  readonly output: Term;
}

function parseTerm(ctx: OpContext, raw: string): Term {
  const t = raw.trim();
  const at = t.indexOf('...');
  const letters = t.replace('...', '');
  const hasTwoEllipses = at >= 0 && t.indexOf('...', at + 3) >= 0;
  if (!/^[A-Za-z]*$/.test(letters) || hasTwoEllipses) fail(ctx, `bad einsum term "${raw}"`);
  return { letters, ellipsisAt: at };
}

/** Binds every letter to a size and broadcasts the "..." dims of all operands. */
function analyse(ctx: OpContext): Einsum {
  const eq = stringAttr(ctx, 'equation', '').replace(/\s+/g, '');
  const [lhs = '', rhs] = eq.split('->');
  const terms = lhs.split(',').map((t) => parseTerm(ctx, t));
  if (terms.length !== ctx.inputs.length)
    fail(
      ctx,
      `equation "${eq}" has ${terms.length} operands but the node has ${ctx.inputs.length} inputs`,
    );
  const sizes = new Map<string, number>();
  const ellipses: number[][] = [];
  terms.forEach((term, i) => {
    const shape = input(ctx, i).shape;
    const nEll = shape.length - term.letters.length;
    if (nEll < 0 || (nEll > 0 && term.ellipsisAt < 0))
      fail(ctx, `term "${term.letters}" does not match input shape ${fmtShape(shape)}`);
    const at = term.ellipsisAt < 0 ? term.letters.length : term.ellipsisAt;
    ellipses.push(shape.slice(at, at + nEll));
    [...term.letters].forEach((ch, k) => bindLetter(ctx, sizes, ch, shape[k < at ? k : k + nEll]!));
  });
  const ellipsis = broadcastShapes(ellipses);
  if (!ellipsis) fail(ctx, `"..." dims ${ellipses.map(fmtShape).join(', ')} do not broadcast`);
  const output =
    rhs !== undefined ? parseTerm(ctx, rhs) : implicitOutput(terms, ellipsis.length > 0);
  return { sizes, ellipsis, output };
}

function bindLetter(ctx: OpContext, sizes: Map<string, number>, ch: string, size: number): void {
  const prev = sizes.get(ch);
  if (prev === undefined || prev === 1) sizes.set(ch, size);
  else if (size !== prev && size !== 1)
    fail(ctx, `index ${ch} is bound to both ${prev} and ${size}`);
}

/** Implicit mode: "..." first, then the letters used exactly once, in alphabetical order. */
function implicitOutput(terms: readonly Term[], hasEllipsis: boolean): Term {
  const counts = new Map<string, number>();
  for (const t of terms) for (const ch of t.letters) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const once = [...counts]
    .filter(([, n]) => n === 1)
    .map(([ch]) => ch)
    .sort();
  return { letters: once.join(''), ellipsisAt: hasEllipsis ? 0 : -1 };
}

function inferEinsum(ctx: OpContext): TensorType[] {
  const e = analyse(ctx);
  const dims = [...e.output.letters].map((ch) => {
    const size = e.sizes.get(ch);
    if (size === undefined) fail(ctx, `output index ${ch} appears in no input`);
    return size;
  });
  const at = e.output.ellipsisAt < 0 ? dims.length : e.output.ellipsisAt;
  const shape = [
    ...dims.slice(0, at),
    ...(e.output.ellipsisAt < 0 ? [] : e.ellipsis),
    ...dims.slice(at),
  ];
  return [{ dtype: input(ctx, 0).dtype, shape }];
}

/** A contraction of two or more operands costs one MAC per point of the full index space. */
function einsumMacs(ctx: OpContext): number {
  if (ctx.inputs.length < 2) return 0;
  const e = analyse(ctx);
  let macs = 1;
  for (const size of e.sizes.values()) macs *= size;
  for (const size of e.ellipsis) macs *= size;
  return macs;
}

/** Einsum. */
export const EINSUM_OP: OpDef = {
  op: 'Einsum',
  domain: '',
  infer: inferEinsum,
  macs: einsumMacs,
  evaluate: evaluateEinsum,
};
