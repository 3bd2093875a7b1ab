// Reference kernels of recent opsets (18-23), com.microsoft quantised ops and DeformConv against
// onnxruntime-node on seeded random inputs.
import { suite } from 'uvu';
import { c64, cf, f, i, ints, singleOp, x } from '../onnx/build-model.js';
import { check, checkQuantized, seeded } from './nn-ort-helpers.js';

const Recent = suite('recent-opset NN kernels vs onnxruntime');
Recent('RMSNormalization (opset 23) over the last two dims', async () => {
  await check(
    singleOp('RMSNormalization', [x('x', 2, 3, 4), cf('g', seeded(12, 20), [3, 4])], {
      opset: 23,
      attrs: { axis: i(-2) },
    }),
  );
});
Recent('AffineGrid (opset 20) in 2-D and 3-D, with and without align_corners', async () => {
  await check(singleOp('AffineGrid', [x('t', 2, 2, 3), c64('size', [2, 1, 3, 4])], { opset: 20 }));
  await check(
    singleOp('AffineGrid', [x('t', 1, 3, 4), c64('size', [1, 1, 2, 3, 4])], {
      opset: 20,
      attrs: { align_corners: i(1) },
    }),
  );
});
Recent('Col2Im (opset 18) with strides, dilations and pads', async () => {
  const attrs = { strides: ints([1, 2]), dilations: ints([2, 1]), pads: ints([1, 0, 0, 1]) };
  // image 5×6, block 2×2: positions ((5+1-2-1)/1+1) × ((6+1-1-1)/2+1) = 4 × 3
  await check(
    singleOp('Col2Im', [x('x', 1, 2 * 4, 12), c64('image', [5, 6]), c64('block', [2, 2])], {
      opset: 18,
      attrs,
    }),
  );
});
Recent.run();

const Transformer = suite('opset-23 transformer kernels vs onnxruntime');
Transformer(
  'Attention: GQA in 4-D with a KV cache, causal masking and all four outputs',
  async () => {
    const inputs = [
      x('q', 1, 4, 3, 8),
      x('k', 1, 2, 3, 8),
      x('v', 1, 2, 3, 6),
      undefined,
      x('pk', 1, 2, 2, 8),
      x('pv', 1, 2, 2, 6),
    ];
    await check(
      singleOp('Attention', inputs, { opset: 23, outputs: 3, attrs: { is_causal: i(1) } }),
    );
  },
);
Transformer(
  'Attention: 3-D inputs with heads attributes, an additive mask and a custom scale',
  async () => {
    const inputs = [x('q', 2, 3, 12), x('k', 2, 5, 4), x('v', 2, 5, 8), x('m', 3, 5)];
    const attrs = { q_num_heads: i(3), kv_num_heads: i(1), scale: f(0.3) };
    await check(singleOp('Attention', inputs, { opset: 23, attrs }));
  },
);
Transformer('Attention: a boolean mask, broadcast over batch and heads', async () => {
  const mask = {
    name: 'm',
    dtype: 'bool' as const,
    dims: [3, 4],
    values: [1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1],
  };
  await check(
    singleOp('Attention', [x('q', 1, 2, 3, 4), x('k', 1, 2, 4, 4), x('v', 1, 2, 4, 4), mask], {
      opset: 23,
    }),
  );
});
Transformer('Attention: softcap', async () => {
  await check(
    singleOp('Attention', [x('q', 1, 2, 3, 4), x('k', 1, 2, 4, 4), x('v', 1, 2, 4, 4)], {
      opset: 23,
      attrs: { softcap: f(0.7), scale: f(2) },
    }),
  );
});
Transformer(
  'RotaryEmbedding: 3-D half-split with position ids, 4-D interleaved partial rotation',
  async () => {
    const cache = (name: string, seed: number) => cf(name, seeded(6 * 4, seed), [6, 4]);
    await check(
      singleOp(
        'RotaryEmbedding',
        [x('x', 2, 3, 16), cache('c', 30), cache('s', 31), c64('p', [0, 2, 4, 1, 3, 5], [2, 3])],
        { opset: 23, attrs: { num_heads: i(2) } },
      ),
    );
    const cs = (name: string, seed: number) => cf(name, seeded(2 * 3 * 2, seed), [2, 3, 2]);
    await check(
      singleOp('RotaryEmbedding', [x('x', 2, 2, 3, 6), cs('c', 32), cs('s', 33)], {
        opset: 23,
        attrs: { interleaved: i(1), rotary_embedding_dim: i(4) },
      }),
    );
  },
);
Transformer.run();

const Contrib = suite('com.microsoft quantised kernels vs onnxruntime');
const u8 = (name: string, dims: number[], seed: number) => ({
  name,
  dtype: 'uint8' as const,
  dims,
  values: seeded(
    dims.reduce((a, b) => a * b, 1),
    seed,
  ).map((v) => Math.round((v + 1) * 127)),
});
const sc = (name: string, v: number) => cf(name, [v], []);
const zp = (name: string, v: number) => ({ name, dtype: 'uint8' as const, dims: [], values: [v] });
const ms = { domain: 'com.microsoft' };
Contrib('QLinearAdd and QLinearMul broadcast and requantise', async () => {
  const ins = [
    u8('a', [2, 3, 4], 40),
    sc('sa', 0.02),
    zp('za', 120),
    u8('b', [3, 1], 41),
    sc('sb', 0.03),
    zp('zb', 130),
    sc('sc', 0.05),
    zp('zc', 125),
  ];
  await checkQuantized(singleOp('QLinearAdd', ins, ms));
  await checkQuantized(singleOp('QLinearMul', ins, ms));
});
Contrib('QLinearSigmoid, QLinearLeakyRelu and QLinearGlobalAveragePool', async () => {
  const ins = [
    u8('x', [1, 3, 4, 4], 42),
    sc('sx', 0.05),
    zp('zx', 128),
    sc('sy', 1 / 255),
    zp('zy', 0),
  ];
  await checkQuantized(singleOp('QLinearSigmoid', ins, ms));
  await checkQuantized(
    singleOp('QLinearLeakyRelu', ins.slice(0, 3).concat([sc('sy', 0.04), zp('zy', 100)]), {
      ...ms,
      attrs: { alpha: f(0.2) },
    }),
  );
  await checkQuantized(
    singleOp(
      'QLinearGlobalAveragePool',
      ins.slice(0, 3).concat([sc('sy', 0.01), zp('zy', 128)]),
      ms,
    ),
  );
});
Contrib('QLinearAveragePool (NHWC) and QLinearConcat', async () => {
  const pool = [
    u8('x', [1, 5, 5, 2], 43),
    sc('sx', 0.05),
    zp('zx', 128),
    sc('sy', 0.04),
    zp('zy', 120),
  ];
  await checkQuantized(
    singleOp('QLinearAveragePool', pool, {
      ...ms,
      attrs: { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), channels_last: i(1) },
    }),
  );
  const cat = [
    sc('sy', 0.04),
    zp('zy', 120),
    u8('a', [1, 2, 3], 44),
    sc('sa', 0.02),
    zp('za', 100),
    u8('b', [1, 4, 3], 45),
    sc('sb', 0.05),
    zp('zb', 140),
  ];
  await checkQuantized(singleOp('QLinearConcat', cat, { ...ms, attrs: { axis: i(1) } }));
});
Contrib('QGemm, MatMulIntegerToFloat and DynamicQuantizeMatMul', async () => {
  const bias = { name: 'c', dtype: 'int32' as const, dims: [5], values: [100, -200, 300, 0, 50] };
  const qgemm = [
    u8('a', [3, 4], 46),
    sc('sa', 0.02),
    zp('za', 120),
    u8('b', [5, 4], 47),
    sc('sb', 0.03),
    zp('zb', 128),
    bias,
    sc('sy', 0.1),
    zp('zy', 128),
  ];
  await checkQuantized(singleOp('QGemm', qgemm, { ...ms, attrs: { transB: i(1), alpha: f(0.8) } }));
  await check(singleOp('QGemm', qgemm.slice(0, 7), { ...ms, attrs: { transB: i(1) } }));
  const m2f = [
    u8('a', [2, 3, 4], 48),
    u8('b', [4, 5], 49),
    sc('sa', 0.02),
    sc('sb', 0.03),
    zp('za', 120),
    zp('zb', 128),
    cf('bias', seeded(5, 50)),
  ];
  await check(singleOp('MatMulIntegerToFloat', m2f, ms));
  await check(
    singleOp(
      'DynamicQuantizeMatMul',
      [x('a', 3, 4), u8('b', [4, 5], 51), sc('sb', 0.03), zp('zb', 128), cf('bias', seeded(5, 52))],
      ms,
    ),
  );
});
Contrib.run();

const Deform = suite('DeformConv');
Deform('DeformConv with fractional offsets, a mask, groups and offset groups', async () => {
  const w = cf('w', seeded(4 * 1 * 3 * 3, 60), [4, 1, 3, 3]);
  const attrs = { group: i(2), pads: ints([1, 1, 1, 1]), strides: ints([1, 2]) };
  const offsets = cf(
    'o',
    seeded(1 * 2 * 18 * 5 * 3, 61).map((v) => v * 1.5),
    [1, 2 * 18, 5, 3],
  );
  const mask = cf(
    'm',
    seeded(1 * 2 * 9 * 5 * 3, 62).map((v) => (v + 1) / 2),
    [1, 2 * 9, 5, 3],
  );
  const model = singleOp(
    'DeformConv',
    [x('x', 1, 2, 5, 6), w, offsets, cf('b', seeded(4, 63)), mask],
    {
      opset: 19,
      attrs: { ...attrs, offset_group: i(2) },
    },
  );
  await check(model);
});
Deform.run();
