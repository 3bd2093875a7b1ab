// Reference kernels for RNN, GRU and LSTM: forward, reverse and bidirectional, sequence_lens,
// initial states, LSTM peepholes and input_forget, GRU linear_before_reset, clip, every
// activation the spec lists, and layout 1 (batch-major, opset 14). The input projection X·Wᵀ of
// all steps is one gemmNT; each step adds H·Rᵀ (R is already N×K for gemmNT).
import type { TensorValues } from '../graph.js';
import { fail, floatAttr, floatsAttr, input, intAttr, stringAttr } from './context.js';
import { gemmNT } from './gemm-kernel.js';
import { numbersOf, optionalNumbersOf } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';

type Act = (x: number) => number;
type Cell = 'RNN' | 'GRU' | 'LSTM';

const GATES: Record<Cell, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTS: Record<Cell, readonly string[]> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

const sigmoid: Act = (x) => 1 / (1 + Math.exp(-x));

/** An activation by its spec name, with alpha/beta when it takes them. */
function activation(ctx: OpContext, name: string, alpha?: number, beta?: number): Act {
  switch (name.toLowerCase()) {
    case 'sigmoid': return sigmoid;
    case 'tanh': return Math.tanh;
    case 'relu': return (x) => Math.max(0, x);
    case 'affine': return (x) => (alpha ?? 1) * x + (beta ?? 0);
    case 'leakyrelu': return (x) => (x >= 0 ? x : (alpha ?? 0.01) * x);
    case 'thresholdedrelu': return (x) => (x > (alpha ?? 1) ? x : 0);
    case 'scaledtanh': return (x) => (alpha ?? 1) * Math.tanh((beta ?? 1) * x);
    case 'hardsigmoid': return (x) => Math.max(0, Math.min(1, (alpha ?? 0.2) * x + (beta ?? 0.5)));
    case 'elu': return (x) => (x >= 0 ? x : (alpha ?? 1) * (Math.exp(x) - 1));
    case 'softsign': return (x) => x / (1 + Math.abs(x));
    case 'softplus': return (x) => Math.log1p(Math.exp(x));
    default: return fail(ctx, `activation "${name}" is not supported`);
  }
}

const TAKES_ALPHA = new Set(['affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu']);
const TAKES_BETA = new Set(['affine', 'scaledtanh', 'hardsigmoid']);

/** The activations of each direction; alpha/beta lists are consumed in order by those that take them. */
function activations(ctx: OpContext, cell: Cell, dirs: number): Act[][] {
  const a = ctx.attrs['activations'];
  const names = a?.kind === 'strings' ? a.value : [];
  const per = DEFAULT_ACTS[cell].length;
  const all = names.length >= per * dirs ? names : names.length === per ? [...names, ...names] : [...DEFAULT_ACTS[cell], ...DEFAULT_ACTS[cell]];
  const alphas = [...(floatsAttr(ctx, 'activation_alpha') ?? [])];
  const betas = [...(floatsAttr(ctx, 'activation_beta') ?? [])];
  const acts = all.slice(0, per * dirs).map((n) => {
    const key = n.toLowerCase();
    return activation(ctx, n, TAKES_ALPHA.has(key) ? alphas.shift() : undefined, TAKES_BETA.has(key) ? betas.shift() : undefined);
  });
  return Array.from({ length: dirs }, (_, d) => acts.slice(d * per, (d + 1) * per));
}

interface Dims {
  readonly seq: number;
  readonly batch: number;
  readonly inSize: number;
  readonly hidden: number;
  readonly dirs: number;
  readonly isBatchMajor: boolean;
}

/** Runs one direction; writes Y (layout 0 order [seq, dir, batch, hidden]) and the final states. */
function runDirection(
  ctx: OpContext,
  cell: Cell,
  d: Dims,
  dir: number,
  acts: readonly Act[],
  y: Float64Array,
  finals: { h: Float64Array; c: Float64Array },
): void {
  const { seq, batch, inSize, hidden } = d;
  const g = GATES[cell] * hidden;
  const x = numbersOf(ctx, 0);
  // Time-major copy of X, so step t's rows are contiguous.
  const xt = new Float64Array(seq * batch * inSize);
  for (let t = 0; t < seq; t++)
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < inSize; i++)
        xt[(t * batch + b) * inSize + i] = x[(d.isBatchMajor ? b * seq + t : t * batch + b) * inSize + i]!;
  const proj = new Float64Array(seq * batch * g);
  const w = numbersOf(ctx, 1);
  const r = numbersOf(ctx, 2);
  gemmNT({ data: xt, offset: 0, stride: inSize }, { data: w, offset: dir * g * inSize, stride: inSize }, { data: proj, offset: 0, stride: g }, { m: seq * batch, n: g, k: inSize });
  const bias = optionalNumbersOf(ctx, 3);
  const lens = optionalNumbersOf(ctx, 4);
  const stateAt = (i: number, b: number, k: number) => (d.isBatchMajor ? (b * d.dirs + dir) * hidden + k : (dir * batch + b) * hidden + k);
  const h0 = optionalNumbersOf(ctx, 5);
  const c0 = cell === 'LSTM' ? optionalNumbersOf(ctx, 6) : undefined;
  const peep = cell === 'LSTM' ? optionalNumbersOf(ctx, 7) : undefined;
  const h = new Float64Array(batch * hidden);
  const c = new Float64Array(batch * hidden);
  for (let b = 0; b < batch; b++)
    for (let k = 0; k < hidden; k++) {
      h[b * hidden + k] = h0 ? h0[stateAt(0, b, k)]! : 0;
      c[b * hidden + k] = c0 ? c0[stateAt(0, b, k)]! : 0;
    }
  const rec = new Float64Array(batch * g);
  const clip = floatAttr(ctx, 'clip', Infinity);
  const cl = (v: number) => Math.max(-clip, Math.min(clip, v));
  const isLinearBeforeReset = intAttr(ctx, 'linear_before_reset', 0) !== 0;
  const isInputForget = intAttr(ctx, 'input_forget', 0) !== 0;
  const wb = (j: number) => (bias ? bias[dir * 2 * g + j]! : 0);
  const rb = (j: number) => (bias ? bias[dir * 2 * g + g + j]! : 0);
  const reverse = dir === 1 || stringAttr(ctx, 'direction', 'forward') === 'reverse';
  const [f, gAct, hAct] = acts as [Act, Act, Act];
  const hNew = new Float64Array(hidden);
  const reset = new Float64Array(hidden);
  for (let step = 0; step < seq; step++) {
    gemmNT({ data: h, offset: 0, stride: hidden }, { data: r, offset: dir * g * hidden, stride: hidden }, { data: rec, offset: 0, stride: g }, { m: batch, n: g, k: hidden });
    for (let b = 0; b < batch; b++) {
      const len = lens ? lens[b]! : seq;
      if (step >= len) continue; // past this sequence's end: Y stays 0, the state is frozen
      const t = reverse ? len - 1 - step : step;
      const p = (t * batch + b) * g;
      const q = b * g;
      if (cell === 'GRU') {
        for (let u = 0; u < hidden; u++) {
          const n = hidden + u;
          reset[u] = f(cl(proj[p + n]! + rec[q + n]! + wb(n) + rb(n)));
        }
      }
      for (let k = 0; k < hidden; k++) {
        const hb = b * hidden + k;
        if (cell === 'RNN') {
          hNew[k] = f(cl(proj[p + k]! + rec[q + k]! + wb(k) + rb(k)));
        } else if (cell === 'GRU') {
          const z = f(cl(proj[p + k]! + rec[q + k]! + wb(k) + rb(k)));
          const j = 2 * hidden + k;
          let pre: number;
          if (isLinearBeforeReset) pre = proj[p + j]! + wb(j) + reset[k]! * (rec[q + j]! + rb(j));
          else {
            let s = 0; // (r ⊙ H)·Rhᵀ
            const row = dir * g * hidden + j * hidden;
            for (let u = 0; u < hidden; u++) s += reset[u]! * h[b * hidden + u]! * r[row + u]!;
            pre = proj[p + j]! + wb(j) + s + rb(j);
          }
          hNew[k] = (1 - z) * gAct(cl(pre)) + z * h[hb]!;
        } else {
          const cPrev = c[hb]!;
          const pi = peep ? peep[dir * 3 * hidden + k]! : 0;
          const po = peep ? peep[dir * 3 * hidden + hidden + k]! : 0;
          const pf = peep ? peep[dir * 3 * hidden + 2 * hidden + k]! : 0;
          const gate = (n: number) => cl(proj[p + n * hidden + k]! + rec[q + n * hidden + k]! + wb(n * hidden + k) + rb(n * hidden + k));
          const ig = f(gate(0) + pi * cPrev);
          const fg = isInputForget ? 1 - ig : f(gate(2) + pf * cPrev);
          const cc = gAct(gate(3));
          const cNew = fg * cPrev + ig * cc;
          const og = f(gate(1) + po * cNew);
          c[hb] = cNew;
          hNew[k] = og * hAct(cNew);
        }
      }
      for (let k = 0; k < hidden; k++) {
        h[b * hidden + k] = hNew[k]!;
        y[((t * d.dirs + dir) * batch + b) * hidden + k] = hNew[k]!;
      }
    }
  }
  for (let b = 0; b < batch; b++)
    for (let k = 0; k < hidden; k++) {
      finals.h[stateAt(0, b, k)] = h[b * hidden + k]!;
      finals.c[stateAt(0, b, k)] = c[b * hidden + k]!;
    }
}

/** Sizes of a recurrent node from its inputs. */
export function recurrentDims(ctx: OpContext): Dims {
  const x = input(ctx, 0).shape;
  const r = input(ctx, 2).shape;
  const isBatchMajor = intAttr(ctx, 'layout', 0) === 1;
  const dirs = stringAttr(ctx, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  if (x.length !== 3 || r.length !== 3) fail(ctx, 'X and R must have rank 3');
  return {
    seq: isBatchMajor ? x[1]! : x[0]!,
    batch: isBatchMajor ? x[0]! : x[1]!,
    inSize: x[2]!,
    hidden: intAttr(ctx, 'hidden_size', r[2]!),
    dirs,
    isBatchMajor,
  };
}

/** RNN / GRU / LSTM: Y, Y_h (and LSTM's Y_c). */
export function evaluateRecurrent(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const cell = ctx.op as Cell;
  const d = recurrentDims(ctx);
  const y = new Float64Array(d.seq * d.dirs * d.batch * d.hidden);
  const finals = { h: new Float64Array(d.dirs * d.batch * d.hidden), c: new Float64Array(d.dirs * d.batch * d.hidden) };
  const acts = activations(ctx, cell, d.dirs);
  for (let dir = 0; dir < d.dirs; dir++) runDirection(ctx, cell, d, dir, acts[dir]!, y, finals);
  const yOut = d.isBatchMajor ? toBatchMajor(y, d) : y;
  return [yOut, finals.h, finals.c].slice(0, outs.length).map((v) => Float32Array.from(v));
}

/** [seq, dirs, batch, hidden] → [batch, seq, dirs, hidden]. */
function toBatchMajor(y: Float64Array, d: Dims): Float64Array {
  const out = new Float64Array(y.length);
  for (let t = 0; t < d.seq; t++)
    for (let dir = 0; dir < d.dirs; dir++)
      for (let b = 0; b < d.batch; b++)
        for (let k = 0; k < d.hidden; k++)
          out[((b * d.seq + t) * d.dirs + dir) * d.hidden + k] = y[((t * d.dirs + dir) * d.batch + b) * d.hidden + k]!;
  return out;
}
