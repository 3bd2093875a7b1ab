// Reference kernels of the com.microsoft contrib ops, against onnxruntime's own implementations
// where onnxruntime registers the op in that domain, and against hand-computed values elsewhere.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { f as fAttr, i as iAttr, singleOp, x } from '../onnx/build-model.js';
import { compareWithOrt } from '../reference/oracle.js';
import { f32, float, rounded, run1, runOp } from './run-op.js';

const MS = 'com.microsoft';
const opts = (attrs = {}, outputs = 1) => ({ domain: MS, opset: 17, attrs, outputs });
const param = (name: string, ...dims: number[]) => x(name, ...dims);

const Oracle = suite('com.microsoft kernels vs onnxruntime');

const cases: [string, Uint8Array][] = [
  ['Gelu', singleOp('Gelu', [x('a', 2, 8)], opts())],
  ['FastGelu with bias', singleOp('FastGelu', [x('a', 2, 3, 8), param('b', 8)], opts())],
  ['BiasGelu', singleOp('BiasGelu', [x('a', 2, 3, 8), param('b', 8)], opts())],
  ['QuickGelu', singleOp('QuickGelu', [x('a', 4, 8)], opts({ alpha: fAttr(1.5) }))],
  [
    'SkipLayerNormalization with beta, bias and all outputs',
    singleOp(
      'SkipLayerNormalization',
      [x('a', 2, 3, 8), x('s', 2, 3, 8), param('g', 8), param('be', 8), param('bi', 8)],
      opts({ epsilon: fAttr(1e-5) }, 4),
    ),
  ],
  [
    'SkipSimplifiedLayerNormalization',
    singleOp(
      'SkipSimplifiedLayerNormalization',
      [x('a', 2, 3, 8), x('s', 2, 3, 8), param('g', 8)],
      opts(),
    ),
  ],
  [
    'FusedMatMul with transposes and alpha',
    singleOp(
      'FusedMatMul',
      [x('a', 2, 5, 3), x('b', 4, 5)],
      opts({ transA: iAttr(1), transB: iAttr(1), alpha: fAttr(0.5) }),
    ),
  ],
];

for (const [name, model] of cases) {
  Oracle(`${name} matches onnxruntime to 1e-5 relative`, async () => {
    const { rel, outputs } = await compareWithOrt(model);
    assert.ok(outputs >= 1);
    assert.ok(rel < 1e-5, `max relative error ${rel}`);
  });
}

const Hand = suite('com.microsoft kernels by hand');

Hand('LayerNormalization normalises the trailing dims, then scales and shifts', () => {
  const y = run1('LayerNormalization', [f32([1, 2], [1, 3]), f32([2], [2, 2]), f32([2], [1, 1])], {
    domain: MS,
    attrs: { epsilon: float(0) },
  });
  assert.equal(y, [-1, 3]);
});

Hand('SimplifiedLayerNormalization divides by the root mean square and returns inv_std_var', () => {
  const [y, inv] = runOp('SimplifiedLayerNormalization', [f32([1, 2], [3, 4]), f32([2], [1, 2])], {
    domain: MS,
    outputs: 2,
    attrs: { epsilon: float(0) },
  });
  const rms = Math.sqrt((9 + 16) / 2);
  assert.equal(rounded(y!.values), rounded([3 / rms, (2 * 4) / rms]));
  assert.equal(rounded(inv!.values), rounded([1 / rms]));
});

Oracle.run();
Hand.run();
