// Reference kernels for Conv, ConvTranspose and the pools, against hand-computed values and a
// naive direct convolution.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, f32, runOp, seeded, type Literal } from './nn-helpers.js';

/** Direct 2-D convolution: x [N, C, H, W], w [M, C/g, KH, KW], explicit pads [t, l, b, r]. */
function naiveConv2d(
  x: Literal,
  w: Literal,
  o: { group: number; strides: number[]; pads: number[]; dilations: number[] },
): number[] {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [m, cg, kh, kw] = w.shape as [number, number, number, number];
  const [sh, sw] = o.strides as [number, number];
  const [dh, dw] = o.dilations as [number, number];
  const oh = Math.floor((h + o.pads[0]! + o.pads[2]! - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + o.pads[1]! + o.pads[3]! - dw * (kw - 1) - 1) / sw) + 1;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let f = 0; f < m; f++) {
      const g = Math.floor(f / (m / o.group));
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let s = 0;
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - o.pads[0]! + i * dh;
                const iz = z * sw - o.pads[1]! + j * dw;
                if (iy < 0 || iy >= h || iz < 0 || iz >= wd) continue;
                s +=
                  x.values[((b * c + g * cg + ci) * h + iy) * wd + iz]! *
                  w.values[((f * cg + ci) * kh + i) * kw + j]!;
              }
          out.push(s);
        }
    }
  return out;
}

const X33 = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const ONES22 = f32([1, 1, 2, 2], [1, 1, 1, 1]);

const Conv = suite('Conv');
Conv('Conv with a 2×2 box filter sums each window', () => {
  const [y] = runOp('Conv', [X33, ONES22]);
  assert.equal(y!.shape, [1, 1, 2, 2]);
  assert.equal(y!.values, [12, 16, 24, 28]);
});
Conv('Conv pads with zeros, strides, and adds the bias per output channel', () => {
  const [y] = runOp('Conv', [X33, ONES22, f32([1], [10])], {
    attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
  });
  assert.equal(y!.values, [11, 15, 21, 38]);
});
Conv('Conv with auto_pad SAME_UPPER keeps the size and pads the end more', () => {
  const [y] = runOp('Conv', [X33, ONES22], { attrs: { auto_pad: 'SAME_UPPER' } });
  assert.equal(y!.values, [12, 16, 9, 24, 28, 15, 15, 17, 9]);
  const [lower] = runOp('Conv', [X33, ONES22], { attrs: { auto_pad: 'SAME_LOWER' } });
  assert.equal(lower!.values, [1, 3, 5, 5, 12, 16, 11, 24, 28]);
});
Conv(
  'Conv with groups, dilations, strides and asymmetric pads matches a direct convolution',
  () => {
    const x = seeded([2, 4, 7, 6], 11);
    const w = seeded([6, 2, 3, 2], 12);
    const o = { group: 2, strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1] };
    const [y] = runOp('Conv', [x, w], { attrs: o });
    assertClose(y!.values, naiveConv2d(x, w, o));
  },
);
Conv('Conv in 1-D and 3-D equals the 2-D kernel on unit dims', () => {
  const x1 = seeded([1, 2, 9], 3);
  const w1 = seeded([3, 2, 3], 4);
  const [y1] = runOp('Conv', [x1, w1], { attrs: { pads: [1, 1] } });
  const want1 = naiveConv2d(
    { ...x1, shape: [1, 2, 1, 9] },
    { ...w1, shape: [3, 2, 1, 3] },
    { group: 1, strides: [1, 1], pads: [0, 1, 0, 1], dilations: [1, 1] },
  );
  assertClose(y1!.values, want1);
  const x3 = seeded([1, 2, 1, 5, 4], 5);
  const w3 = seeded([2, 2, 1, 3, 3], 6);
  const [y3] = runOp('Conv', [x3, w3]);
  assertClose(
    y3!.values,
    naiveConv2d(
      { ...x3, shape: [1, 2, 5, 4] },
      { ...w3, shape: [2, 2, 3, 3] },
      { group: 1, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] },
    ),
  );
});
Conv('Conv with a 1×1 kernel multiplies channels at every position', () => {
  const x = f32([1, 2, 1, 2], [1, 2, 3, 4]);
  const [y] = runOp('Conv', [x, f32([1, 2, 1, 1], [10, 1])]);
  assert.equal(y!.values, [13, 24]);
});
Conv.run();

const ConvTranspose = suite('ConvTranspose');
ConvTranspose('ConvTranspose scatters each input through the kernel', () => {
  const [y] = runOp('ConvTranspose', [f32([1, 1, 2, 2], [1, 2, 3, 4]), ONES22]);
  assert.equal(y!.shape, [1, 1, 3, 3]);
  assert.equal(y!.values, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
});
ConvTranspose('ConvTranspose with stride 2 and output_padding places copies apart', () => {
  const [y] = runOp('ConvTranspose', [f32([1, 1, 1, 2], [1, 2]), f32([1, 1, 1, 2], [1, 10])], {
    attrs: { strides: [1, 2], output_padding: [0, 1] },
  });
  assert.equal(y!.values, [1, 10, 2, 20, 0]);
});
ConvTranspose('ConvTranspose is the adjoint of Conv: <conv(x), y> = <x, convT(y)>', () => {
  const x = seeded([1, 4, 6, 5], 21);
  const w = seeded([4, 2, 3, 3], 22); // ConvTranspose weight [C_in of convT = 4, M/group, k, k]
  const attrs = { strides: [2, 1], pads: [1, 0, 1, 1], group: 2 };
  const [cx] = runOp('Conv', [x, w], { attrs });
  const y = seeded(cx!.shape, 23);
  const [ty] = runOp('ConvTranspose', [y, w], { attrs: { ...attrs, output_padding: [1, 0] } });
  const dot = (a: readonly number[], b: readonly number[]) =>
    a.reduce((s, v, i) => s + v * b[i]!, 0);
  assertClose([dot(cx!.values, y.values)], [dot(x.values, ty!.values)], 1e-5);
});
ConvTranspose.run();

const Pools = suite('pools');
Pools('MaxPool returns the window maxima and their flat indices in both storage orders', () => {
  const x = f32([1, 1, 3, 3], [1, 9, 3, 4, 5, 6, 7, 8, 2]);
  const [y, idx] = runOp('MaxPool', [x], { attrs: { kernel_shape: [2, 2] }, outputCount: 2 });
  assert.equal(y!.values, [9, 9, 8, 8]);
  assert.equal(idx!.values, [1, 1, 7, 7]);
  const [, col] = runOp('MaxPool', [x], {
    attrs: { kernel_shape: [2, 2], storage_order: 1 },
    outputCount: 2,
  });
  assert.equal(col!.values, [3, 3, 5, 5]);
});
Pools('MaxPool ignores padding and honours ceil_mode and dilations', () => {
  const x = f32([1, 1, 1, 5], [-1, -2, -3, -4, -5]);
  const [y] = runOp('MaxPool', [x], {
    attrs: { kernel_shape: [1, 2], pads: [0, 1, 0, 1], strides: [1, 2] },
  });
  assert.equal(y!.values, [-1, -2, -4]);
  const [c] = runOp('MaxPool', [x], {
    attrs: { kernel_shape: [1, 2], strides: [1, 2], ceil_mode: 1 },
  });
  assert.equal(c!.values, [-1, -3, -5]);
  const [d] = runOp('MaxPool', [x], { attrs: { kernel_shape: [1, 2], dilations: [1, 3] } });
  assert.equal(d!.values, [-1, -2]);
});
Pools('AveragePool divides by the valid taps, or by all taps with count_include_pad', () => {
  const x = f32([1, 1, 1, 3], [3, 6, 9]);
  const attrs = { kernel_shape: [1, 2], pads: [0, 1, 0, 0] };
  assert.equal(runOp('AveragePool', [x], { attrs })[0]!.values, [3, 4.5, 7.5]);
  assert.equal(
    runOp('AveragePool', [x], { attrs: { ...attrs, count_include_pad: 1 } })[0]!.values,
    [1.5, 4.5, 7.5],
  );
});
Pools('LpPool takes the p-norm of each window', () => {
  const x = f32([1, 1, 1, 4], [3, 4, -6, 8]);
  assert.equal(
    runOp('LpPool', [x], { attrs: { kernel_shape: [1, 2], strides: [1, 2], p: 2 } })[0]!.values,
    [5, 10],
  );
});
Pools('Global pools reduce every channel plane to one value', () => {
  const x = f32([1, 2, 2, 1], [1, 3, -4, 3]);
  assert.equal(runOp('GlobalAveragePool', [x])[0]!.values, [2, -0.5]);
  assert.equal(runOp('GlobalMaxPool', [x])[0]!.values, [3, 3]);
  assert.equal(runOp('GlobalLpPool', [x])[0]!.shape, [1, 2, 1, 1]);
  assertClose(runOp('GlobalLpPool', [x])[0]!.values, [Math.sqrt(10), 5]);
});
Pools.run();
