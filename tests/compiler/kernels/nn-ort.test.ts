// The NN reference kernels against onnxruntime-node on seeded random inputs, for attribute
// combinations the ONNX backend data does not cover (largest error relative to the largest value).
import { suite } from 'uvu';
import { c64, cf, f, i, ints, s, singleOp, x } from '../onnx/build-model.js';
import { check, seeded } from './nn-ort-helpers.js';

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
Ort('MaxRoiPool with a spatial scale, including rois that reach past the image', async () => {
  const rois = cf('r', [0, 0.5, 1.2, 4.6, 3.3, 0, 2, 2, 9, 9, 0, 3.5, 0, 3.5, 0.4], [3, 5]);
  await check(
    singleOp('MaxRoiPool', [x('x', 1, 2, 6, 7), rois], {
      attrs: { pooled_shape: ints([2, 3]), spatial_scale: f(0.8) },
    }),
  );
});
Ort.run();
