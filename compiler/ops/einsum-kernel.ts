// Reference kernel for Einsum, any equation (repeated letters, implicit output, "..." broadcast).
// Each operand becomes a strided view with one letter per axis ("..." dims become placeholder
// letters). Letters no later term needs are summed out early, and two operands are contracted as
// a batched product on gemmNT: batch letters (in both and kept), M (first only), N (second only),
// K (both, summed away).
import { numElements, type TensorValues } from '../graph.js';
import { gatherStrided, stridesOf } from './broadcast.js';
import { fail, input, stringAttr } from './context.js';
import { gemmNT } from './gemm-kernel.js';
import { numbersOf, storeAs } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';

interface View {
  readonly data: ArrayLike<number>;
  readonly offset: number;
  readonly letters: readonly string[];
  readonly sizes: readonly number[];
  readonly strides: readonly number[];
}

/** Placeholder letter for "..." dim i (outside A-Z, a-z so it cannot collide). */
const ell = (i: number): string => String.fromCharCode(0x100 + i);

/** Terms as letter lists with "..." expanded, and the output term. */
function parseEquation(ctx: OpContext): { terms: string[][]; output: string[] } {
  const eq = stringAttr(ctx, 'equation', '').replace(/\s+/g, '');
  const [lhs = '', rhs] = eq.split('->');
  const raw = lhs.split(',');
  const ranks = raw.map((_, i) => input(ctx, i).shape.length);
  const ellRank = Math.max(0, ...raw.map((t, i) => ranks[i]! - t.replace('...', '').length));
  const expand = (t: string, rank: number) => {
    const n = rank - t.replace('...', '').length;
    const dots = Array.from({ length: n }, (_, k) => ell(ellRank - n + k));
    const at = t.indexOf('...');
    return at < 0 ? [...t] : [...t.slice(0, at), ...dots, ...t.slice(at + 3)];
  };
  const terms = raw.map((t, i) => expand(t, ranks[i]!));
  if (rhs !== undefined)
    return { terms, output: expand(rhs, rhs.replace('...', '').length + ellRank) };
  const counts = new Map<string, number>();
  for (const t of raw)
    for (const ch of t.replace('...', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const once = [...counts]
    .filter(([, n]) => n === 1)
    .map(([ch]) => ch)
    .sort();
  return { terms, output: [...Array.from({ length: ellRank }, (_, k) => ell(k)), ...once] };
}

/** The operand as a view; repeated letters take the diagonal (their strides add up). */
function viewOf(
  data: ArrayLike<number>,
  shape: readonly number[],
  letters: readonly string[],
): View {
  const own = stridesOf(shape);
  const out: { letters: string[]; sizes: number[]; strides: number[] } = {
    letters: [],
    sizes: [],
    strides: [],
  };
  letters.forEach((ch, i) => {
    const at = out.letters.indexOf(ch);
    if (at >= 0) out.strides[at]! += own[i]!;
    else {
      out.letters.push(ch);
      out.sizes.push(shape[i]!);
      out.strides.push(own[i]!);
    }
  });
  return { data, offset: 0, ...out };
}

/** Broadcasts size-1 axes to the letter's global size (stride 0). */
function broadcastView(v: View, sizes: ReadonlyMap<string, number>): View {
  return {
    ...v,
    sizes: v.letters.map((ch, i) => sizes.get(ch) ?? v.sizes[i]!),
    strides: v.letters.map((ch, i) => (v.sizes[i] === 1 && sizes.get(ch)! > 1 ? 0 : v.strides[i]!)),
  };
}

/** A contiguous copy of the view with axes in `order`, summing over the view's other letters. */
function materialize(v: View, order: readonly string[]): View {
  const summed = v.letters.filter((ch) => !order.includes(ch));
  const all = [...order, ...summed];
  const pick = (ch: string) => v.letters.indexOf(ch);
  const sizes = all.map((ch) => v.sizes[pick(ch)]!);
  const full = new Float64Array(numElements(sizes));
  gatherStrided(
    full,
    v.data as TensorValues,
    sizes,
    all.map((ch) => v.strides[pick(ch)]!),
    v.offset,
  );
  const keptSizes = sizes.slice(0, order.length);
  const kept = numElements(keptSizes);
  const block = full.length / Math.max(1, kept);
  const data = summed.length === 0 ? full : new Float64Array(kept);
  if (summed.length > 0) {
    for (let i = 0; i < kept; i++) {
      let s = 0;
      for (let j = 0; j < block; j++) s += full[i * block + j]!;
      data[i] = s;
    }
  }
  return { data, offset: 0, letters: order, sizes: keptSizes, strides: stridesOf(keptSizes) };
}

/** Contracts two views, keeping the letters in `keep`, as a batched A·Bᵀ. */
function contract(
  a: View,
  b: View,
  keep: readonly string[],
  sizes: ReadonlyMap<string, number>,
): View {
  const inA = new Set(a.letters);
  const inB = new Set(b.letters);
  const batch = keep.filter((ch) => inA.has(ch) && inB.has(ch));
  const m = a.letters.filter((ch) => keep.includes(ch) && !inB.has(ch));
  const n = b.letters.filter((ch) => keep.includes(ch) && !inA.has(ch));
  const k = a.letters.filter((ch) => inB.has(ch) && !keep.includes(ch));
  const size = (ls: readonly string[]) => ls.reduce((p, ch) => p * sizes.get(ch)!, 1);
  const [B, M, N, K] = [size(batch), size(m), size(n), size(k)];
  // Letters only one side carries and nobody keeps are summed out by materialize.
  const am = materialize(a, [...batch, ...m, ...k]);
  const bm = materialize(b, [...batch, ...n, ...k]);
  const out = new Float64Array(B * M * N);
  for (let t = 0; t < B; t++) {
    gemmNT(
      { data: am.data, offset: t * M * K, stride: K },
      { data: bm.data, offset: t * N * K, stride: K },
      { data: out, offset: t * M * N, stride: N },
      { m: M, n: N, k: K },
    );
  }
  const letters = [...batch, ...m, ...n];
  const outSizes = letters.map((ch) => sizes.get(ch)!);
  return { data: out, offset: 0, letters, sizes: outSizes, strides: stridesOf(outSizes) };
}

/** Einsum. */
export function evaluateEinsum(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const { terms, output } = parseEquation(ctx);
  if (terms.length !== ctx.inputs.length) fail(ctx, 'equation and inputs differ in operand count');
  const sizes = new Map<string, number>();
  terms.forEach((t, i) =>
    t.forEach((ch, d) => sizes.set(ch, Math.max(sizes.get(ch) ?? 1, input(ctx, i).shape[d]!))),
  );
  const views = terms.map((t, i) =>
    broadcastView(viewOf(numbersOf(ctx, i), input(ctx, i).shape, t), sizes),
  );
  let acc = views[0]!;
  for (let i = 1; i < views.length; i++) {
    const later = new Set([...output, ...terms.slice(i + 1).flat()]);
    const keep = [...new Set([...acc.letters, ...views[i]!.letters])].filter((ch) => later.has(ch));
    acc = contract(acc, views[i]!, keep, sizes);
  }
  const result = materialize(acc, output);
  const values = result.data instanceof Float64Array ? result.data : Float64Array.from(result.data);
  return [storeAs(outs[0]!.dtype, values)];
}
