import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx, loadOnnxModel } from '../../../compiler/onnx/import.js';
import { nodeMacs } from '../../../compiler/ops/node-macs.js';
import { cf, i, ints, s, singleOp, x } from './build-model.js';
import { fixture } from './fixtures.js';

const W = (name: string, ...dims: number[]) =>
  cf(name, new Array(dims.reduce((a, b) => a * b, 1)).fill(0), dims);

function macsOf(...args: Parameters<typeof singleOp>): number {
  const g = importOnnx(singleOp(...args));
  return g.nodes.reduce((sum, n) => sum + nodeMacs(g, n), 0);
}

const NodeMacs = suite('nodeMacs');
NodeMacs('Conv = N·Cout·Hout·Wout·(Cin/group)·kh·kw', () => {
  assert.is(
    macsOf('Conv', [x('x', 2, 3, 224, 224), W('w', 64, 3, 7, 7)], {
      attrs: { pads: ints([3, 3, 3, 3]), strides: ints([2, 2]) },
    }),
    2 * 64 * 112 * 112 * 3 * 7 * 7,
  );
  assert.is(
    macsOf('Conv', [x('x', 1, 32, 56, 56), W('w', 32, 1, 3, 3)], {
      attrs: { group: i(32), pads: ints([1, 1, 1, 1]) },
    }),
    32 * 56 * 56 * 1 * 9,
  );
  assert.is(
    macsOf('Conv', [x('x', 1, 8, 10, 10), W('w', 16, 4, 1, 1)], { attrs: { group: i(2) } }),
    16 * 100 * 4,
  );
});
NodeMacs('ConvTranspose = N·Cin·Hin·Win·(Cout/group)·kh·kw', () => {
  assert.is(
    macsOf('ConvTranspose', [x('x', 1, 8, 7, 7), W('w', 8, 4, 3, 3)], {
      attrs: { strides: ints([2, 2]) },
    }),
    8 * 49 * 4 * 9,
  );
});
NodeMacs(
  'MatMul = batch·M·K·N with broadcasting; Gemm = M·K·N; Einsum = product of all index sizes',
  () => {
    assert.is(macsOf('MatMul', [x('a', 2, 1, 4, 8), x('b', 3, 8, 5)]), 2 * 3 * 4 * 8 * 5);
    assert.is(macsOf('MatMul', [x('a', 8), x('b', 8, 5)]), 8 * 5);
    assert.is(
      macsOf('Gemm', [x('a', 4, 8), W('b', 10, 8)], { attrs: { transB: i(1) } }),
      4 * 8 * 10,
    );
    assert.is(
      macsOf('Einsum', [x('a', 2, 3, 4), x('b', 2, 4, 5)], {
        attrs: { equation: s('bij,bjk->bik') },
      }),
      2 * 3 * 4 * 5,
    );
    assert.is(macsOf('Einsum', [x('a', 3, 4)], { attrs: { equation: s('ij->ji') } }), 0);
  },
);
NodeMacs('elementwise, pooling and data movement cost no MACs', () => {
  assert.is(macsOf('Add', [x('a', 4, 4), x('b', 4, 4)]), 0);
  assert.is(macsOf('MaxPool', [x('a', 1, 1, 4, 4)], { attrs: { kernel_shape: ints([2, 2]) } }), 0);
});
NodeMacs('the tiny CNN totals its hand count', () => {
  const g = loadOnnxModel(fixture('tiny_cnn.onnx'), { batch: 2 });
  const conv1 = 8 * 32 * 32 * 3 * 9;
  const conv2 = 16 * 8 * 8 * 8 * 9;
  const fc = 16 * 10;
  assert.is(
    g.nodes.reduce((sum, n) => sum + nodeMacs(g, n), 0),
    2 * (conv1 + conv2 + fc),
  );
});
NodeMacs('the tiny transformer layer totals its hand count', () => {
  const g = loadOnnxModel(fixture('tiny_transformer.onnx'));
  const [seq, d, ff, heads] = [16, 64, 128, 4];
  const qkv = seq * d * 3 * d;
  const attention = 2 * heads * seq * seq * (d / heads);
  const expected = qkv + attention + seq * d * d + 2 * seq * d * ff;
  assert.is(
    g.nodes.reduce((sum, n) => sum + nodeMacs(g, n), 0),
    expected,
  );
});
NodeMacs.run();
