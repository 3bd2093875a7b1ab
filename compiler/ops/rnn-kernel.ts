// Reference kernels for RNN, GRU and LSTM: forward, reverse and bidirectional, sequence_lens,
// initial states, LSTM peepholes and input_forget, GRU linear_before_reset, clip, every
// activation the spec lists, and layout 1 (batch-major, opset 14). The input projection X·Wᵀ of
// all steps is one gemmNT; each step adds H·Rᵀ (R is already N×K for gemmNT).
import type { TensorValues } from '../graph.js';
import { fail, floatAttr, input, intAttr, stringAttr } from './context.js';
import { gemmNT } from './gemm-kernel.js';
import { numbersOf, optionalNumbersOf } from './kernel-util.js';
import type { OpContext, TensorType } from './op-def.js';
import { activations, type Act, type Cell } from './rnn-activations.js';

const GATES: Record<Cell, number> = { RNN: 1, GRU: 3, LSTM: 4 };

interface Dims {
  readonly seq: number;
  readonly batch: number;
  readonly inSize: number;
  readonly hidden: number;
  readonly dirs: number;
  readonly isBatchMajor: boolean;
}

/** Everything one direction's cell update reads. Gate pre-activations are proj + rec + biases. */
interface Direction {
  readonly cell: Cell;
  readonly hidden: number;
  readonly dir: number;
  readonly acts: readonly Act[];
  /** X·Wᵀ for every (t, b): [seq·batch, gates·hidden]. */
  readonly proj: Float64Array;
  /** H·Rᵀ of the current step: [batch, gates·hidden]. */
  readonly rec: Float64Array;
  readonly r: ArrayLike<number>;
  readonly bias: ArrayLike<number> | undefined;
  readonly peep: ArrayLike<number> | undefined;
  readonly clip: number;
  readonly isLinearBeforeReset: boolean;
  readonly isInputForget: boolean;
  readonly h: Float64Array;
  readonly c: Float64Array;
  /** Scratch: the GRU reset gate of one batch row. */
  readonly reset: Float64Array;
}

/** X·Wᵀ of every step in one gemmNT (X copied time-major first). */
function projectInputs(ctx: OpContext, d: Dims, dir: number, gates: number): Float64Array {
  const { seq, batch, inSize } = d;
  const x = numbersOf(ctx, 0);
  const xt = new Float64Array(seq * batch * inSize);
  for (let t = 0; t < seq; t++) {
    for (let b = 0; b < batch; b++) {
      const src = (d.isBatchMajor ? b * seq + t : t * batch + b) * inSize;
      for (let i = 0; i < inSize; i++) xt[(t * batch + b) * inSize + i] = x[src + i]!;
    }
  }
  const proj = new Float64Array(seq * batch * gates);
  const w = { data: numbersOf(ctx, 1), offset: dir * gates * inSize, stride: inSize };
  const size = { m: seq * batch, n: gates, k: inSize };
  gemmNT(
    { data: xt, offset: 0, stride: inSize },
    w,
    { data: proj, offset: 0, stride: gates },
    size,
  );
  return proj;
}

/** Index of (batch b, unit k) of direction `dir` in initial_h / initial_c / Y_h / Y_c. */
function stateIndex(d: Dims, dir: number, b: number, k: number): number {
  return d.isBatchMajor ? (b * d.dirs + dir) * d.hidden + k : (dir * d.batch + b) * d.hidden + k;
}

function prepare(
  ctx: OpContext,
  cell: Cell,
  d: Dims,
  dir: number,
  acts: readonly Act[],
): Direction {
  const gates = GATES[cell] * d.hidden;
  const h0 = optionalNumbersOf(ctx, 5);
  const c0 = cell === 'LSTM' ? optionalNumbersOf(ctx, 6) : undefined;
  const h = new Float64Array(d.batch * d.hidden);
  const c = new Float64Array(d.batch * d.hidden);
  for (let b = 0; b < d.batch; b++) {
    for (let k = 0; k < d.hidden; k++) {
      h[b * d.hidden + k] = h0 ? h0[stateIndex(d, dir, b, k)]! : 0;
      c[b * d.hidden + k] = c0 ? c0[stateIndex(d, dir, b, k)]! : 0;
    }
  }
  return {
    cell,
    hidden: d.hidden,
    dir,
    acts,
    proj: projectInputs(ctx, d, dir, gates),
    rec: new Float64Array(d.batch * gates),
    r: numbersOf(ctx, 2),
    bias: optionalNumbersOf(ctx, 3),
    peep: cell === 'LSTM' ? optionalNumbersOf(ctx, 7) : undefined,
    clip: floatAttr(ctx, 'clip', Infinity),
    isLinearBeforeReset: intAttr(ctx, 'linear_before_reset', 0) !== 0,
    isInputForget: intAttr(ctx, 'input_forget', 0) !== 0,
    h,
    c,
    reset: new Float64Array(d.hidden),
  };
}

/** Pre-activation of gate unit j (0 ≤ j < gates·hidden) for rows p (proj) and q (rec), clipped. */
function preActivation(s: Direction, p: number, q: number, j: number): number {
  const g = GATES[s.cell] * s.hidden;
  const bias = s.bias ? s.bias[s.dir * 2 * g + j]! + s.bias[s.dir * 2 * g + g + j]! : 0;
  const v = s.proj[p + j]! + s.rec[q + j]! + bias;
  return Math.max(-s.clip, Math.min(s.clip, v));
}

/** New hidden value of unit k of batch row b (LSTM also updates its cell state). */
function updateUnit(s: Direction, b: number, k: number, p: number, q: number): number {
  const [f, g, hAct] = s.acts as [Act, Act, Act];
  const n = s.hidden;
  const hb = b * n + k;
  if (s.cell === 'RNN') return f(preActivation(s, p, q, k));
  if (s.cell === 'GRU') {
    const z = f(preActivation(s, p, q, k));
    const j = 2 * n + k;
    const gates = 3 * n;
    const wb = s.bias ? s.bias[s.dir * 2 * gates + j]! : 0;
    const rb = s.bias ? s.bias[s.dir * 2 * gates + gates + j]! : 0;
    let pre: number;
    if (s.isLinearBeforeReset) pre = s.proj[p + j]! + wb + s.reset[k]! * (s.rec[q + j]! + rb);
    else {
      let sum = 0; // (r ⊙ H)·Rhᵀ
      const row = (s.dir * gates + j) * n;
      for (let u = 0; u < n; u++) sum += s.reset[u]! * s.h[b * n + u]! * s.r[row + u]!;
      pre = s.proj[p + j]! + wb + sum + rb;
    }
    return (1 - z) * g(Math.max(-s.clip, Math.min(s.clip, pre))) + z * s.h[hb]!;
  }
  const cPrev = s.c[hb]!;
  const peep = (i: number) => (s.peep ? s.peep[s.dir * 3 * n + i * n + k]! : 0);
  const ig = f(preActivation(s, p, q, k) + peep(0) * cPrev);
  const fg = s.isInputForget ? 1 - ig : f(preActivation(s, p, q, 2 * n + k) + peep(2) * cPrev);
  const cNew = fg * cPrev + ig * g(preActivation(s, p, q, 3 * n + k));
  const og = f(preActivation(s, p, q, n + k) + peep(1) * cNew);
  s.c[hb] = cNew;
  return og * hAct(cNew);
}

/** Runs one direction; writes Y (layout 0 order [seq, dir, batch, hidden]) and the final states. */
function runDirection(
  ctx: OpContext,
  s: Direction,
  d: Dims,
  y: Float64Array,
  finals: { h: Float64Array; c: Float64Array },
): void {
  const { seq, batch, hidden } = d;
  const gates = GATES[s.cell] * hidden;
  const lens = optionalNumbersOf(ctx, 4);
  const isReverse = s.dir === 1 || stringAttr(ctx, 'direction', 'forward') === 'reverse';
  const hNew = new Float64Array(hidden);
  const rView = { data: s.r, offset: s.dir * gates * hidden, stride: hidden };
  for (let step = 0; step < seq; step++) {
    const size = { m: batch, n: gates, k: hidden };
    gemmNT(
      { data: s.h, offset: 0, stride: hidden },
      rView,
      { data: s.rec, offset: 0, stride: gates },
      size,
    );
    for (let b = 0; b < batch; b++) {
      const len = lens ? lens[b]! : seq;
      if (step >= len) continue; // past this sequence's end: Y stays 0, the state is frozen
      const t = isReverse ? len - 1 - step : step;
      const [p, q] = [(t * batch + b) * gates, b * gates];
      if (s.cell === 'GRU')
        for (let u = 0; u < hidden; u++)
          s.reset[u] = s.acts[0]!(preActivation(s, p, q, hidden + u));
      for (let k = 0; k < hidden; k++) hNew[k] = updateUnit(s, b, k, p, q);
      for (let k = 0; k < hidden; k++) {
        s.h[b * hidden + k] = hNew[k]!;
        y[((t * d.dirs + s.dir) * batch + b) * hidden + k] = hNew[k]!;
      }
    }
  }
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < hidden; k++) {
      finals.h[stateIndex(d, s.dir, b, k)] = s.h[b * hidden + k]!;
      finals.c[stateIndex(d, s.dir, b, k)] = s.c[b * hidden + k]!;
    }
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
  const finals = {
    h: new Float64Array(d.dirs * d.batch * d.hidden),
    c: new Float64Array(d.dirs * d.batch * d.hidden),
  };
  const acts = activations(ctx, cell, d.dirs);
  for (let dir = 0; dir < d.dirs; dir++)
    runDirection(ctx, prepare(ctx, cell, d, dir, acts[dir]!), d, y, finals);
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
          out[((b * d.seq + t) * d.dirs + dir) * d.hidden + k] =
            y[((t * d.dirs + dir) * d.batch + b) * d.hidden + k]!;
  return out;
}
