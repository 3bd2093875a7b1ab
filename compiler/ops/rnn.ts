// Recurrent ops: RNN, GRU, LSTM (ai.onnx), shapes and MACs; kernels in rnn-kernel.ts.
import { fail, fmtShape, input } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { evaluateRecurrent, recurrentDims } from './rnn-kernel.js';

const GATES: Readonly<Record<string, number>> = { RNN: 1, GRU: 3, LSTM: 4 };

/** Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]), then the final states. */
function inferRecurrent(ctx: OpContext): TensorType[] {
  const d = recurrentDims(ctx);
  const w = input(ctx, 1).shape;
  if (w[0] !== d.dirs || w[1] !== GATES[ctx.op]! * d.hidden)
    fail(ctx, `W ${fmtShape(w)} does not fit ${d.dirs} direction(s) of hidden size ${d.hidden}`);
  const dtype = input(ctx, 0).dtype;
  const y = d.isBatchMajor
    ? [d.batch, d.seq, d.dirs, d.hidden]
    : [d.seq, d.dirs, d.batch, d.hidden];
  const state = d.isBatchMajor ? [d.batch, d.dirs, d.hidden] : [d.dirs, d.batch, d.hidden];
  const outs: TensorType[] = [{ dtype, shape: y }];
  for (let i = 1; i < ctx.outputCount; i++) outs.push({ dtype, shape: state });
  return outs;
}

/** Per step and direction: the input and recurrent projections, gates·hidden·(input + hidden). */
function recurrentMacs(ctx: OpContext): number {
  const d = recurrentDims(ctx);
  return d.seq * d.dirs * d.batch * GATES[ctx.op]! * d.hidden * (d.inSize + d.hidden);
}

/** Recurrent ops. */
export const RNN_OPS: readonly OpDef[] = ['RNN', 'GRU', 'LSTM'].map((op) => ({
  op,
  domain: '',
  infer: inferRecurrent,
  macs: recurrentMacs,
  evaluate: evaluateRecurrent,
}));
