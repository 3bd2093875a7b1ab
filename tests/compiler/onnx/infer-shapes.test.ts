import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { c64, cf, f, floats, i, ints, s, x } from './build-model.js';
import { outShape, outputsOf } from './op-shapes.js';
import { thrown } from './thrown.js';

const W = (name: string, ...dims: number[]) =>
  cf(name, new Array(dims.reduce((a, b) => a * b, 1)).fill(0), dims);

const Conv = suite('infer: Conv and pools');
Conv('explicit pads, strides, dilations and groups', () => {
  assert.equal(
    outShape('Conv', [x('x', 1, 3, 224, 224), W('w', 64, 3, 7, 7)], {
      attrs: { pads: ints([3, 3, 3, 3]), strides: ints([2, 2]) },
    }),
    [1, 64, 112, 112],
  );
  assert.equal(
    outShape('Conv', [x('x', 1, 8, 10, 10), W('w', 8, 1, 3, 3)], {
      attrs: { group: i(8), dilations: ints([2, 2]) },
    }),
    [1, 8, 6, 6],
  );
  assert.equal(
    outShape('Conv', [x('x', 2, 4, 9), W('w', 6, 2, 3)], {
      attrs: { group: i(2), strides: ints([2]) },
    }),
    [2, 6, 4],
  );
});
Conv('auto_pad SAME_UPPER / SAME_LOWER / VALID', () => {
  for (const pad of ['SAME_UPPER', 'SAME_LOWER']) {
    assert.equal(
      outShape('Conv', [x('x', 1, 3, 15, 16), W('w', 4, 3, 3, 3)], {
        attrs: { auto_pad: s(pad), strides: ints([2, 2]) },
      }),
      [1, 4, 8, 8],
    );
  }
  assert.equal(
    outShape('Conv', [x('x', 1, 3, 15, 16), W('w', 4, 3, 3, 3)], {
      attrs: { auto_pad: s('VALID'), strides: ints([2, 2]) },
    }),
    [1, 4, 7, 7],
  );
});
Conv('group mismatch is a shape error', () => {
  const err = thrown(() =>
    outShape('Conv', [x('x', 1, 6, 8, 8), W('w', 4, 4, 3, 3)], { attrs: { group: i(2) } }),
  );
  assert.is(err.code, 'E_ONNX_SHAPE');
  assert.match(err.message, /expects 8 input channels, got 6/);
});
Conv('ConvTranspose: formula, output_padding and output_shape', () => {
  assert.equal(
    outShape('ConvTranspose', [x('x', 1, 8, 7, 7), W('w', 8, 4, 3, 3)], {
      attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) },
    }),
    [1, 4, 14, 14],
  );
  assert.equal(
    outShape('ConvTranspose', [x('x', 1, 8, 7, 7), W('w', 8, 2, 4, 4)], {
      attrs: { group: i(2), strides: ints([2, 2]), output_shape: ints([15, 15]) },
    }),
    [1, 4, 15, 15],
  );
});
Conv('MaxPool ceil_mode, dilations and the Indices output', () => {
  assert.equal(
    outShape('MaxPool', [x('x', 1, 1, 112, 112)], {
      attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    }),
    [1, 1, 56, 56],
  );
  assert.equal(
    outShape('MaxPool', [x('x', 1, 1, 6, 6)], {
      attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: i(1) },
    }),
    [1, 1, 3, 3],
  );
  assert.equal(
    outShape('MaxPool', [x('x', 1, 1, 6, 6)], {
      attrs: { kernel_shape: ints([3, 3]), strides: ints([2, 2]) },
    }),
    [1, 1, 2, 2],
  );
  // ceil_mode never starts a window in the right padding: 5 + pad 1 with k=2, s=2 gives 3 not 4.
  assert.equal(
    outShape('MaxPool', [x('x', 1, 1, 5, 5)], {
      attrs: {
        kernel_shape: ints([2, 2]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
        ceil_mode: i(1),
      },
    }),
    [1, 1, 3, 3],
  );
  assert.equal(
    outShape('MaxPool', [x('x', 1, 1, 10, 10)], {
      attrs: { kernel_shape: ints([3, 3]), dilations: ints([2, 2]) },
    }),
    [1, 1, 6, 6],
  );
  const outs = outputsOf('MaxPool', [x('x', 1, 2, 4, 4)], {
    outputs: 2,
    attrs: { kernel_shape: ints([2, 2]), strides: ints([2, 2]) },
  });
  assert.equal(
    outs.map((t) => [t.dtype, t.shape]),
    [
      ['float32', [1, 2, 2, 2]],
      ['int64', [1, 2, 2, 2]],
    ],
  );
});
Conv('AveragePool and global pools', () => {
  assert.equal(
    outShape('AveragePool', [x('x', 1, 3, 7, 7)], { attrs: { kernel_shape: ints([7, 7]) } }),
    [1, 3, 1, 1],
  );
  assert.equal(outShape('GlobalAveragePool', [x('x', 2, 5, 7, 9)]), [2, 5, 1, 1]);
  assert.equal(outShape('GlobalMaxPool', [x('x', 2, 5, 7)]), [2, 5, 1]);
});
Conv.run();

const MatMuls = suite('infer: MatMul, Gemm, Einsum');
MatMuls('MatMul broadcasts batch dims and handles 1-D operands', () => {
  assert.equal(outShape('MatMul', [x('a', 2, 1, 4, 8), x('b', 3, 8, 5)]), [2, 3, 4, 5]);
  assert.equal(outShape('MatMul', [x('a', 8), x('b', 2, 8, 5)]), [2, 5]);
  assert.equal(outShape('MatMul', [x('a', 2, 4, 8), x('b', 8)]), [2, 4]);
  assert.match(
    thrown(() => outShape('MatMul', [x('a', 4, 8), x('b', 7, 5)])).message,
    /inner dims 8 and 7 differ/,
  );
});
MatMuls('Gemm with transposes', () => {
  assert.equal(
    outShape('Gemm', [x('a', 4, 8), W('b', 10, 8), W('c', 10)], { attrs: { transB: i(1) } }),
    [4, 10],
  );
  assert.equal(
    outShape('Gemm', [x('a', 8, 4), W('b', 8, 10)], { attrs: { transA: i(1) } }),
    [4, 10],
  );
});
MatMuls('Einsum explicit, implicit and with ellipsis', () => {
  assert.equal(
    outShape('Einsum', [x('a', 2, 3, 4), x('b', 2, 4, 5)], {
      attrs: { equation: s('bij,bjk->bik') },
    }),
    [2, 3, 5],
  );
  assert.equal(
    outShape('Einsum', [x('a', 3, 4), x('b', 4, 5)], { attrs: { equation: s('ij,jk') } }),
    [3, 5],
  );
  assert.equal(
    outShape('Einsum', [x('a', 7, 2, 3, 4), x('b', 4, 5)], {
      attrs: { equation: s('...ij,jk->...ik') },
    }),
    [7, 2, 3, 5],
  );
  assert.equal(outShape('Einsum', [x('a', 3, 3)], { attrs: { equation: s('ii->i') } }), [3]);
});
MatMuls.run();

const Elementwise = suite('infer: elementwise and normalisation');
Elementwise('multidirectional broadcasting', () => {
  assert.equal(outShape('Add', [x('a', 2, 1, 5), x('b', 3, 1)]), [2, 3, 5]);
  assert.equal(
    outShape('Where', [{ name: 'c', dtype: 'bool', dims: [1, 4] }, x('a', 3, 1), x('b', 1)]),
    [3, 4],
  );
  assert.equal(outShape('Max', [x('a', 4), x('b', 2, 1), x('c', 1, 1)]), [2, 4]);
  assert.match(
    thrown(() => outShape('Mul', [x('a', 2, 3), x('b', 4, 3)])).message,
    /cannot broadcast shapes \[2, 3\] and \[4, 3\]/,
  );
  assert.is(outputsOf('Less', [x('a', 2), x('b', 2)])[0]!.dtype, 'bool');
});
Elementwise('Cast, LayerNormalization outputs, BatchNormalization', () => {
  assert.is(outputsOf('Cast', [x('a', 2)], { attrs: { to: i(7) } })[0]!.dtype, 'int64');
  const ln = outputsOf('LayerNormalization', [x('x', 2, 5, 8), W('g', 8), W('b', 8)], {
    outputs: 3,
    attrs: { axis: i(-1) },
  });
  assert.equal(
    ln.map((t) => t.shape),
    [
      [2, 5, 8],
      [2, 5, 1],
      [2, 5, 1],
    ],
  );
  assert.equal(
    outShape('BatchNormalization', [
      x('x', 1, 4, 3, 3),
      W('s', 4),
      W('b', 4),
      W('m', 4),
      W('v', 4),
    ]),
    [1, 4, 3, 3],
  );
  assert.equal(outShape('Clip', [x('x', 3, 3), cf('lo', [0], []), cf('hi', [6], [])]), [3, 3]);
});
Elementwise('Reduce axes as attribute (old opsets) or input (ReduceSum 13+, others 18+)', () => {
  assert.equal(
    outShape('ReduceMean', [x('x', 2, 3, 4)], { opset: 13, attrs: { axes: ints([-1]) } }),
    [2, 3, 1],
  );
  assert.equal(
    outShape('ReduceMean', [x('x', 2, 3, 4), c64('axes', [1])], {
      opset: 18,
      attrs: { keepdims: i(0) },
    }),
    [2, 4],
  );
  assert.equal(
    outShape('ReduceSum', [x('x', 2, 3, 4), c64('axes', [0, 2])], { opset: 13 }),
    [1, 3, 1],
  );
  assert.equal(
    outShape('ReduceSum', [x('x', 2, 3, 4)], {
      opset: 11,
      attrs: { axes: ints([1]), keepdims: i(0) },
    }),
    [2, 4],
  );
  assert.equal(
    outShape('ReduceMax', [x('x', 2, 3, 4)], { opset: 13, attrs: { keepdims: i(0) } }),
    [],
  );
  assert.equal(
    outShape('ArgMax', [x('x', 2, 3, 4)], { attrs: { axis: i(1), keepdims: i(0) } }),
    [2, 4],
  );
});
Elementwise.run();

const Layout = suite('infer: reshape, slice and layout ops');
Layout('Reshape with 0 and -1; allowzero', () => {
  assert.equal(outShape('Reshape', [x('x', 2, 3, 4), c64('s', [0, -1])]), [2, 12]);
  assert.equal(outShape('Reshape', [x('x', 2, 3, 4), c64('s', [-1, 0, 2])]), [4, 3, 2]);
  assert.equal(outShape('Flatten', [x('x', 2, 3, 4)], { attrs: { axis: i(0) } }), [1, 24]);
  assert.equal(outShape('Flatten', [x('x', 2, 3, 4)], { attrs: { axis: i(-1) } }), [6, 4]);
});
Layout('Squeeze/Unsqueeze axes as attribute before opset 13, input after', () => {
  assert.equal(
    outShape('Squeeze', [x('x', 1, 3, 1, 2)], { opset: 11, attrs: { axes: ints([0]) } }),
    [3, 1, 2],
  );
  assert.equal(outShape('Squeeze', [x('x', 1, 3, 1, 2)], { opset: 13 }), [3, 2]);
  assert.equal(outShape('Squeeze', [x('x', 1, 3, 1, 2), c64('a', [-2])], { opset: 13 }), [1, 3, 2]);
  assert.equal(
    outShape('Unsqueeze', [x('x', 3, 4)], { opset: 11, attrs: { axes: ints([0, 3]) } }),
    [1, 3, 4, 1],
  );
  assert.equal(
    outShape('Unsqueeze', [x('x', 3, 4), c64('a', [-1, 1])], { opset: 13 }),
    [3, 1, 4, 1],
  );
});
Layout(
  'Slice with negative, clamped and stepped indices (and the opset < 10 attribute form)',
  () => {
    const sl = (
      dims: number[],
      starts: number[],
      ends: number[],
      axes?: number[],
      steps?: number[],
    ) =>
      outShape('Slice', [
        x('x', ...dims),
        c64('st', starts),
        c64('en', ends),
        axes ? c64('ax', axes) : undefined,
        steps ? c64('sp', steps) : undefined,
      ]);
    assert.equal(sl([10, 8], [2], [-2]), [6, 8]);
    assert.equal(sl([10, 8], [0], [9.2e18], [1]), [10, 8]);
    assert.equal(sl([10, 8], [-1], [-1e18], [0], [-1]), [10, 8]);
    assert.equal(sl([10, 8], [1, 0], [1000, 8], [0, 1], [3, 2]), [3, 4]);
    assert.equal(sl([10], [20], [30]), [0]);
    assert.equal(
      outShape('Slice', [x('x', 10, 8)], {
        opset: 9,
        attrs: { starts: ints([1]), ends: ints([4]), axes: ints([1]) },
      }),
      [10, 3],
    );
  },
);
Layout('Split by attribute, input, num_outputs and evenly', () => {
  const shapes = (ts: { shape: readonly number[] }[]) => ts.map((t) => t.shape);
  assert.equal(
    shapes(
      outputsOf('Split', [x('x', 6, 4)], { opset: 11, outputs: 2, attrs: { split: ints([2, 4]) } }),
    ),
    [
      [2, 4],
      [4, 4],
    ],
  );
  assert.equal(
    shapes(
      outputsOf('Split', [x('x', 6, 4), c64('sp', [1, 3])], {
        opset: 13,
        outputs: 2,
        attrs: { axis: i(1) },
      }),
    ),
    [
      [6, 1],
      [6, 3],
    ],
  );
  assert.equal(shapes(outputsOf('Split', [x('x', 6, 4)], { opset: 13, outputs: 3 })), [
    [2, 4],
    [2, 4],
    [2, 4],
  ]);
  assert.equal(
    shapes(
      outputsOf('Split', [x('x', 7, 4)], { opset: 18, outputs: 3, attrs: { num_outputs: i(3) } }),
    ),
    [
      [3, 4],
      [3, 4],
      [1, 4],
    ],
  );
});
Layout('Transpose, Expand, Tile, Concat, Pad, Gather, DepthToSpace', () => {
  assert.equal(
    outShape('Transpose', [x('x', 2, 3, 4)], { attrs: { perm: ints([2, 0, 1]) } }),
    [4, 2, 3],
  );
  assert.equal(outShape('Transpose', [x('x', 2, 3, 4)]), [4, 3, 2]);
  assert.equal(outShape('Expand', [x('x', 3, 1), c64('s', [2, 1, 6])]), [2, 3, 6]);
  assert.equal(outShape('Tile', [x('x', 2, 3), c64('r', [2, 2])]), [4, 6]);
  assert.equal(
    outShape('Concat', [x('a', 2, 3), x('b', 2, 5)], { attrs: { axis: i(-1) } }),
    [2, 8],
  );
  assert.equal(
    outShape('Pad', [x('x', 1, 3, 4, 4), c64('p', [0, 0, 1, 2, 0, 0, 3, 4])]),
    [1, 3, 8, 10],
  );
  assert.equal(
    outShape('Pad', [x('x', 1, 3, 4, 4)], {
      opset: 2,
      attrs: { pads: ints([0, 0, 1, 1, 0, 0, 1, 1]) },
    }),
    [1, 3, 6, 6],
  );
  assert.equal(
    outShape('Pad', [x('x', 1, 3, 4, 4), c64('p', [1, 1]), undefined, c64('ax', [-1])], {
      opset: 18,
    }),
    [1, 3, 4, 6],
  );
  assert.equal(
    outShape('Gather', [x('d', 5, 6, 7), c64('i', [0, 1, 2, 3], [2, 2])], {
      attrs: { axis: i(1) },
    }),
    [5, 2, 2, 7],
  );
  assert.equal(outShape('Gather', [x('d', 5, 6), c64('i', [1], [])]), [6]);
  assert.equal(
    outShape('GatherElements', [x('d', 5, 6), { name: 'i', dtype: 'int64', dims: [5, 2] }], {
      attrs: { axis: i(1) },
    }),
    [5, 2],
  );
  assert.equal(
    outShape('DepthToSpace', [x('x', 1, 8, 3, 3)], { attrs: { blocksize: i(2) } }),
    [1, 2, 6, 6],
  );
  assert.equal(
    outShape('SpaceToDepth', [x('x', 1, 2, 6, 6)], { attrs: { blocksize: i(3) } }),
    [1, 18, 2, 2],
  );
});
Layout('Resize by scales or sizes, and Upsample', () => {
  assert.equal(
    outShape('Resize', [x('x', 1, 3, 10, 10), undefined, cf('sc', [1, 1, 2, 1.5])], {
      opset: 13,
      attrs: { mode: s('nearest') },
    }),
    [1, 3, 20, 15],
  );
  assert.equal(
    outShape(
      'Resize',
      [x('x', 1, 3, 10, 10), cf('roi', []), cf('sc', []), c64('sz', [1, 3, 32, 48])],
      { opset: 11 },
    ),
    [1, 3, 32, 48],
  );
  assert.equal(
    outShape('Resize', [x('x', 1, 3, 10, 20), undefined, undefined, c64('sz', [30, 30])], {
      opset: 18,
      attrs: { axes: ints([2, 3]), keep_aspect_ratio_policy: s('not_larger') },
    }),
    [1, 3, 15, 30],
  );
  assert.equal(
    outShape('Upsample', [x('x', 1, 3, 4, 4), cf('sc', [1, 1, 2, 2])], { opset: 9 }),
    [1, 3, 8, 8],
  );
  assert.equal(
    outShape('Upsample', [x('x', 1, 3, 4, 4)], {
      opset: 7,
      attrs: { scales: floats([1, 1, 3, 3]) },
    }),
    [1, 3, 12, 12],
  );
});
Layout('TopK, OneHot, Trilu, CumSum, QuantizeLinear', () => {
  const topk = outputsOf('TopK', [x('x', 3, 10), c64('k', [4])], { outputs: 2 });
  assert.equal(
    topk.map((t) => [t.dtype, t.shape]),
    [
      ['float32', [3, 4]],
      ['int64', [3, 4]],
    ],
  );
  assert.equal(
    outShape(
      'OneHot',
      [{ name: 'i', dtype: 'int64', dims: [2, 3] }, c64('d', [10], []), cf('v', [0, 1])],
      { attrs: { axis: i(1) } },
    ),
    [2, 10, 3],
  );
  assert.equal(outShape('Trilu', [x('x', 4, 4)]), [4, 4]);
  assert.equal(outShape('CumSum', [x('x', 4, 4), c64('a', [0], [])]), [4, 4]);
  const q = outputsOf('QuantizeLinear', [
    x('x', 4),
    cf('s', [0.1], []),
    { name: 'z', dtype: 'int8', dims: [], values: [0] },
  ]);
  assert.equal([q[0]!.dtype, q[0]!.shape], ['int8', [4]]);
});
Layout('a non-constant shape input is a clear shape error', () => {
  const err = thrown(() =>
    outShape('Reshape', [x('x', 2, 3), { name: 's', dtype: 'int64', dims: [2] }]),
  );
  assert.is(
    err.message,
    'node "n" (Reshape): input 1 (shape) must be a constant to infer static shapes',
  );
});
Layout('com.microsoft contrib ops', () => {
  const ms = { domain: 'com.microsoft' };
  assert.equal(outShape('FastGelu', [x('x', 2, 8), W('b', 8)], ms), [2, 8]);
  const sln = outputsOf(
    'SkipLayerNormalization',
    [x('x', 2, 4, 8), x('s', 2, 4, 8), W('g', 8), W('b', 8)],
    { ...ms, outputs: 4 },
  );
  assert.equal(
    sln.map((t) => t.shape),
    [
      [2, 4, 8],
      [2, 4, 1],
      [2, 4, 1],
      [2, 4, 8],
    ],
  );
  assert.equal(
    outShape('FusedMatMul', [x('a', 2, 8, 4), x('b', 2, 5, 8)], {
      ...ms,
      attrs: { transA: i(1), transB: i(1), alpha: f(0.5) },
    }),
    [2, 4, 5],
  );
});
Layout.run();
