// The NN reference kernels against onnxruntime-node on seeded random inputs, for attribute
// combinations the ONNX backend data does not cover (largest error relative to the largest value).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { c64, cf, f, i, ints, s, singleOp, x } from '../onnx/build-model.js';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { runReference } from '../../../compiler/reference/interpret.js';
import { compareWithOrt, randomInputs, runOrt } from '../reference/oracle.js';

const TOLERANCE = 1e-4;
const seeded = (n: number, seed: number) =>
  Array.from({ length: n }, (_, k) => Math.sin(seed * 7.31 + k * 1.73));

async function check(model: Uint8Array): Promise<void> {
  const { rel } = await compareWithOrt(model);
  assert.ok(rel <= TOLERANCE, `relative error ${rel} exceeds ${TOLERANCE}`);
}

const Ort = suite('NN kernels vs onnxruntime');
Ort('Conv with groups, dilations, strides and asymmetric pads', async () => {
  const w = cf('w', seeded(6 * 2 * 3 * 3, 1), [6, 2, 3, 3]);
  await check(
    singleOp('Conv', [x('x', 2, 4, 9, 8), w, cf('b', seeded(6, 2))], {
      attrs: {
        group: i(2),
        dilations: ints([2, 1]),
        strides: ints([1, 2]),
        pads: ints([1, 0, 2, 1]),
      },
    }),
  );
});
Ort('Conv in 3-D with SAME_LOWER padding', async () => {
  const w = cf('w', seeded(3 * 2 * 2 * 3 * 2, 3), [3, 2, 2, 3, 2]);
  await check(
    singleOp('Conv', [x('x', 1, 2, 4, 5, 6), w], {
      attrs: { auto_pad: s('SAME_LOWER'), strides: ints([1, 2, 2]) },
    }),
  );
});
Ort('ConvTranspose with groups, strides, pads and output_padding', async () => {
  const w = cf('w', seeded(4 * 3 * 3 * 2, 4), [4, 3, 3, 2]);
  await check(
    singleOp('ConvTranspose', [x('x', 1, 4, 5, 4), w, cf('b', seeded(6, 5))], {
      attrs: {
        group: i(2),
        strides: ints([2, 3]),
        pads: ints([1, 0, 0, 1]),
        output_padding: ints([1, 2]),
        dilations: ints([1, 2]),
      },
    }),
  );
});
Ort('MaxPool with ceil_mode, dilations and pads, and AveragePool counting pads', async () => {
  await check(
    singleOp('MaxPool', [x('x', 1, 2, 9, 7)], {
      outputs: 2,
      attrs: {
        kernel_shape: ints([3, 2]),
        strides: ints([2, 2]),
        dilations: ints([2, 1]),
        pads: ints([1, 1, 1, 0]),
        ceil_mode: i(1),
      },
    }),
  );
  await check(
    singleOp('AveragePool', [x('x', 1, 2, 7, 7)], {
      attrs: {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
        count_include_pad: i(1),
      },
    }),
  );
});
Ort('MatMul with broadcast batch dims, Gemm with transposes and Einsum', async () => {
  await check(singleOp('MatMul', [x('a', 2, 1, 5, 7), x('b', 3, 7, 6)]));
  await check(
    singleOp('Gemm', [x('a', 7, 5), x('b', 6, 7), x('c', 6)], {
      attrs: { transA: i(1), transB: i(1), alpha: f(0.5), beta: f(2) },
    }),
  );
  await check(
    singleOp('Einsum', [x('a', 2, 3, 4), x('b', 2, 5, 4)], {
      attrs: { equation: s('bij,bkj->bik') },
    }),
  );
});
Ort('LayerNormalization on the last two dims, InstanceNormalization and LRN', async () => {
  await check(
    singleOp(
      'LayerNormalization',
      [x('x', 2, 3, 4), cf('g', seeded(12, 6), [3, 4]), cf('b', seeded(12, 7), [3, 4])],
      { attrs: { axis: i(-2) } },
    ),
  );
  await check(
    singleOp('InstanceNormalization', [
      x('x', 2, 3, 4, 5),
      cf('g', seeded(3, 8)),
      cf('b', seeded(3, 9)),
    ]),
  );
  await check(
    singleOp('LRN', [x('x', 1, 6, 3, 3)], {
      attrs: { size: i(5), alpha: f(0.1), beta: f(0.6), bias: f(1.5) },
    }),
  );
});
Ort(
  'Resize: cubic with exclude_outside, and antialiased linear downscaling (opset 18)',
  async () => {
    await check(
      singleOp('Resize', [x('x', 1, 2, 6, 7), undefined, cf('s', [1, 1, 1.5, 0.6])], {
        opset: 13,
        attrs: { mode: s('cubic'), exclude_outside: i(1), cubic_coeff_a: f(-0.5) },
      }),
    );
    await check(
      singleOp('Resize', [x('x', 1, 1, 9, 11), undefined, cf('s', [1, 1, 0.5, 0.35])], {
        opset: 18,
        attrs: { mode: s('linear'), antialias: i(1) },
      }),
    );
    await check(
      singleOp('Resize', [x('x', 1, 1, 9, 11), undefined, cf('s', [1, 1, 0.6, 0.4])], {
        opset: 18,
        attrs: { mode: s('cubic'), antialias: i(1) },
      }),
    );
  },
);
Ort(
  'LSTM bidirectional with peepholes and sequence_lens, GRU with its default reset placement',
  async () => {
    const h = 3;
    const lstm = [
      x('x', 4, 2, 5),
      cf('w', seeded(2 * 4 * h * 5, 10), [2, 4 * h, 5]),
      cf('r', seeded(2 * 4 * h * h, 11), [2, 4 * h, h]),
      cf('b', seeded(2 * 8 * h, 12), [2, 8 * h]),
      { name: 'l', dtype: 'int32' as const, dims: [2], values: [4, 2] },
      cf('h0', seeded(2 * 2 * h, 13), [2, 2, h]),
      cf('c0', seeded(2 * 2 * h, 14), [2, 2, h]),
      cf('p', seeded(2 * 3 * h, 15), [2, 3 * h]),
    ];
    await check(
      singleOp('LSTM', lstm, {
        outputs: 3,
        attrs: { hidden_size: i(h), direction: s('bidirectional') },
      }),
    );
    const gru = [
      x('x', 3, 2, 5),
      cf('w', seeded(3 * h * 5, 16), [1, 3 * h, 5]),
      cf('r', seeded(3 * h * h, 17), [1, 3 * h, h]),
      cf('b', seeded(6 * h, 18), [1, 6 * h]),
    ];
    await check(
      singleOp('GRU', gru, { outputs: 2, attrs: { hidden_size: i(h), direction: s('reverse') } }),
    );
  },
);
Ort('GridSample bicubic with reflection padding, RoiAlign max mode', async () => {
  await check(
    singleOp(
      'GridSample',
      [
        x('x', 1, 2, 4, 5),
        cf(
          'g',
          seeded(2 * 3 * 2, 19).map((v) => v * 1.4),
          [1, 2, 3, 2],
        ),
      ],
      { opset: 16, attrs: { mode: s('bicubic'), padding_mode: s('reflection') } },
    ),
  );
  await check(
    singleOp(
      'RoiAlign',
      [x('x', 1, 2, 6, 6), cf('r', [0.5, 0.5, 4.2, 3.1, 1, 0, 5, 5.5], [2, 4]), c64('bi', [0, 0])],
      {
        opset: 16,
        attrs: {
          output_height: i(2),
          output_width: i(3),
          sampling_ratio: i(2),
          spatial_scale: f(0.9),
        },
      },
    ),
  );
});
Ort.run();

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

/**
 * Quantised outputs: within one step of the integer grid of onnxruntime's, since requantising
 * rounds float results whose last bits depend on the order the runtime sums in.
 */
async function checkQuantized(model: Uint8Array): Promise<void> {
  const graph = importOnnx(model);
  const inputs = randomInputs(graph, 1);
  const ref = runReference(graph, inputs);
  for (const [name, want] of Object.entries(await runOrt(model, inputs))) {
    const got = Array.from(ref[name]!.values as ArrayLike<number>);
    want.values.forEach((w, k) =>
      assert.ok(Math.abs(w - got[k]!) <= 1, `${name}[${k}]: ${got[k]} vs ${w}`),
    );
  }
}

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
