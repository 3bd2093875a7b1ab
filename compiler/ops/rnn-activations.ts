// Activation functions of the recurrent ops (RNN, GRU, LSTM), by their spec names, with the
// per-direction defaults and the in-order consumption of activation_alpha / activation_beta.
import { fail, floatsAttr } from './context.js';
import type { OpContext } from './op-def.js';

/** One activation function. */
export type Act = (x: number) => number;
/** The recurrent op types. */
export type Cell = 'RNN' | 'GRU' | 'LSTM';
const DEFAULT_ACTS: Record<Cell, readonly string[]> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

const sigmoid: Act = (x) => 1 / (1 + Math.exp(-x));

/** An activation by its spec name, with alpha/beta when it takes them. */
function activation(ctx: OpContext, name: string, alpha?: number, beta?: number): Act {
  switch (name.toLowerCase()) {
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'relu':
      return (x) => Math.max(0, x);
    case 'affine':
      return (x) => (alpha ?? 1) * x + (beta ?? 0);
    case 'leakyrelu':
      return (x) => (x >= 0 ? x : (alpha ?? 0.01) * x);
    case 'thresholdedrelu':
      return (x) => (x > (alpha ?? 1) ? x : 0);
    case 'scaledtanh':
      return (x) => (alpha ?? 1) * Math.tanh((beta ?? 1) * x);
    case 'hardsigmoid':
      return (x) => Math.max(0, Math.min(1, (alpha ?? 0.2) * x + (beta ?? 0.5)));
    case 'elu':
      return (x) => (x >= 0 ? x : (alpha ?? 1) * (Math.exp(x) - 1));
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'softplus':
      return (x) => Math.log1p(Math.exp(x));
    default:
      return fail(ctx, `activation "${name}" is not supported`);
  }
}

const TAKES_ALPHA = new Set([
  'affine',
  'leakyrelu',
  'thresholdedrelu',
  'scaledtanh',
  'hardsigmoid',
  'elu',
]);
const TAKES_BETA = new Set(['affine', 'scaledtanh', 'hardsigmoid']);

/** The activations of each direction; alpha/beta lists are consumed in order by those that take them. */
export function activations(ctx: OpContext, cell: Cell, dirs: number): Act[][] {
  const a = ctx.attrs['activations'];
  const names = a?.kind === 'strings' ? a.value : [];
  const per = DEFAULT_ACTS[cell].length;
  const all =
    names.length >= per * dirs
      ? names
      : names.length === per
        ? [...names, ...names]
        : [...DEFAULT_ACTS[cell], ...DEFAULT_ACTS[cell]];
  const alphas = [...(floatsAttr(ctx, 'activation_alpha') ?? [])];
  const betas = [...(floatsAttr(ctx, 'activation_beta') ?? [])];
  const acts = all.slice(0, per * dirs).map((n) => {
    const key = n.toLowerCase();
    return activation(
      ctx,
      n,
      TAKES_ALPHA.has(key) ? alphas.shift() : undefined,
      TAKES_BETA.has(key) ? betas.shift() : undefined,
    );
  });
  return Array.from({ length: dirs }, (_, d) => acts.slice(d * per, (d + 1) * per));
}
