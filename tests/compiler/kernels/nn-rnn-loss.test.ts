// Reference kernels for RNN, GRU, LSTM and the losses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, f32, runOp } from './nn-helpers.js';

const one = (v: number) => f32([1, 1, 1], [v]);

const Recurrent = suite('recurrent');
Recurrent('RNN computes tanh(x·W + h·R + Wb + Rb) for one step', () => {
  const [y, yh] = runOp(
    'RNN',
    [one(0.5), one(2), one(3), f32([1, 2], [0.1, 0.2]), undefined, one(1)],
    {
      attrs: { hidden_size: 1 },
      outputCount: 2,
    },
  );
  assert.equal(y!.shape, [1, 1, 1, 1]);
  assertClose(y!.values, [Math.tanh(4.3)]);
  assertClose(yh!.values, [Math.tanh(4.3)]);
});
Recurrent('RNN in reverse starts from the last step', () => {
  const x = f32([2, 1, 1], [1, 2]);
  const [y, yh] = runOp('RNN', [x, one(1), one(1)], {
    attrs: { hidden_size: 1, direction: 'reverse' },
    outputCount: 2,
  });
  const last = Math.tanh(2);
  assertClose(y!.values, [Math.tanh(1 + last), last]);
  assertClose(yh!.values, [Math.tanh(1 + last)]);
});
Recurrent('RNN freezes a sequence after its sequence_lens and zero-fills Y', () => {
  const x = f32([2, 2, 1], [1, 1, 2, 2]);
  const lens = { shape: [2], values: [2, 1], dtype: 'int32' as const };
  const [y, yh] = runOp('RNN', [x, one(1), one(0), undefined, lens], {
    attrs: { hidden_size: 1 },
    outputCount: 2,
  });
  assertClose(y!.values, [Math.tanh(1), Math.tanh(1), Math.tanh(2), 0]);
  assertClose(yh!.values, [Math.tanh(2), Math.tanh(1)]);
});
Recurrent('LSTM with zero weights halves the cell state through the forget gate', () => {
  const zeros = f32([1, 4, 1], [0, 0, 0, 0]);
  const [, yh, yc] = runOp(
    'LSTM',
    [one(1), zeros, zeros, undefined, undefined, undefined, one(2)],
    {
      attrs: { hidden_size: 1 },
      outputCount: 3,
    },
  );
  assertClose(yc!.values, [1]);
  assertClose(yh!.values, [0.5 * Math.tanh(1)]);
});
Recurrent('GRU with zero weights mixes the previous state through the update gate', () => {
  const zeros = f32([1, 3, 1], [0, 0, 0]);
  const [y] = runOp('GRU', [one(1), zeros, zeros, undefined, undefined, one(1)], {
    attrs: { hidden_size: 1 },
  });
  assertClose(y!.values, [0.5]);
});
Recurrent('bidirectional LSTM stacks both directions in Y', () => {
  const zeros = f32([2, 4, 1], new Array(8).fill(0));
  const [y] = runOp('LSTM', [one(1), zeros, zeros], {
    attrs: { hidden_size: 1, direction: 'bidirectional' },
  });
  assert.equal(y!.shape, [1, 2, 1, 1]);
});
Recurrent.run();

const Loss = suite('losses');
const logp = f32([2, 3], [-1, -2, -3, -4, -5, -6]);
const target = { shape: [2], values: [0, 2], dtype: 'int64' as const };
Loss('NegativeLogLikelihoodLoss reduces by mean, sum or not at all', () => {
  assert.equal(runOp('NegativeLogLikelihoodLoss', [logp, target])[0]!.values, [3.5]);
  assert.equal(
    runOp('NegativeLogLikelihoodLoss', [logp, target], { attrs: { reduction: 'sum' } })[0]!.values,
    [7],
  );
  assert.equal(
    runOp('NegativeLogLikelihoodLoss', [logp, target], { attrs: { reduction: 'none' } })[0]!.values,
    [1, 6],
  );
});
Loss(
  'NegativeLogLikelihoodLoss divides a weighted mean by the gathered weights and skips ignore_index',
  () => {
    const w = f32([3], [1, 1, 2]);
    assertClose(runOp('NegativeLogLikelihoodLoss', [logp, target, w])[0]!.values, [13 / 3]);
    assert.equal(
      runOp('NegativeLogLikelihoodLoss', [logp, target], { attrs: { ignore_index: 2 } })[0]!.values,
      [1],
    );
  },
);
Loss('SoftmaxCrossEntropyLoss applies log-softmax first and can return it', () => {
  const [loss, lp] = runOp(
    'SoftmaxCrossEntropyLoss',
    [f32([1, 2], [0, 0]), { shape: [1], values: [1], dtype: 'int64' }],
    { outputCount: 2 },
  );
  assertClose(loss!.values, [Math.LN2]);
  assertClose(lp!.values, [-Math.LN2, -Math.LN2]);
});
Loss.run();
