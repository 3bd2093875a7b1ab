import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { MATH_FIDELITIES } from '../../../arch/spec.js';
import {
  f32ToBits,
  FIDELITY_PHASES,
  fidelityProduct,
  quantizeTile,
  roundBf16,
  srcAFidelityBits,
  srcBFidelityBits,
  toSrcBits,
} from '../../../sim/numerics/index.js';
import { randomNormal } from './helpers.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20240603);
// Normal bf16 values and zero (the FPU flushes denormal operands to zero, tested separately).
const arbBf16 = fc
  .float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) })
  .map((x) => roundBf16(x))
  .filter((x) => x === 0 || Math.abs(x) >= 2 ** -126);

const Phases = suite('FIDELITY_PHASES');
Phases('LoFi runs phase 0, HiFi2 phases 0-1, HiFi3 phases 0-2, HiFi4 all four', () => {
  assert.equal(FIDELITY_PHASES, {
    LoFi: [0],
    HiFi2: [0, 1],
    HiFi3: [0, 1, 2],
    HiFi4: [0, 1, 2, 3],
  });
});
Phases.run();

const Bits = suite('srcAFidelityBits / srcBFidelityBits');

Bits(
  'SrcA phase 0 keeps the implicit 1 and 4 mantissa bits, SrcB phase 0 the implicit 1 and 6',
  () => {
    const x = f32ToBits(1.9921875); // 1.1111111b
    assert.is(srcAFidelityBits(x, 0), 1.9375); // 1.1111b
    assert.is(srcAFidelityBits(x, 1), 0.0546875); // 0.0000111b
    assert.is(srcBFidelityBits(x, 0), 1.984375); // 1.111111b
    assert.is(srcBFidelityBits(x, 2), 0.0078125); // 0.0000001b
  },
);

Bits(
  'for bf16 the two parts of each operand add back to the value; for tf32 SrcA loses its last bit',
  () => {
    fc.assert(
      fc.property(arbBf16, (x) => {
        const b = toSrcBits(f32ToBits(x), 'bf16');
        return (
          srcAFidelityBits(b, 0) + srcAFidelityBits(b, 1) === x &&
          srcBFidelityBits(b, 0) + srcBFidelityBits(b, 2) === x
        );
      }),
      { seed: FC_SEED },
    );
    const t = toSrcBits(f32ToBits(1 + 2 ** -10 + 2 ** -9), 'tf32');
    assert.is(srcAFidelityBits(t, 0) + srcAFidelityBits(t, 1), 1 + 2 ** -9);
    assert.is(srcBFidelityBits(t, 0) + srcBFidelityBits(t, 2), 1 + 2 ** -10 + 2 ** -9);
  },
);
Bits.run();

const Product = suite('fidelityProduct');

Product('fidelityProduct(a, b, HiFi4) is the exact product of bf16 operands', () => {
  fc.assert(
    fc.property(arbBf16, arbBf16, (a, b) => {
      const exact = Math.fround(a * b);
      return (
        !Number.isFinite(exact) ||
        Math.abs(exact) < 1e-30 ||
        fidelityProduct(a, b, 'HiFi4') === exact
      );
    }),
    { seed: FC_SEED },
  );
});

Product('denormal operands are flushed to zero before multiplying', () => {
  assert.is(fidelityProduct(2 ** -130, 2 ** 100, 'HiFi4'), 0);
});

Product('1.9921875^2 loses the low operand bits phase by phase', () => {
  const x = 1.9921875;
  assert.equal(
    MATH_FIDELITIES.map((f) => fidelityProduct(x, x, f)),
    [1.984375 * 1.9375, 3.9532470703125, 3.9683837890625, x * x],
  );
});

Product(
  'HiFi2 is exact when in0 has at most 7 significant bits (bfp8 data), LoFi when both are bfp4',
  () => {
    const a8 = quantizeTile(randomNormal(256, 3), 'bfp8');
    const b = quantizeTile(randomNormal(256, 4), 'bf16');
    a8.forEach((a, i) => assert.is(fidelityProduct(a, b[i]!, 'HiFi2'), Math.fround(a * b[i]!)));
    const a4 = quantizeTile(randomNormal(256, 5), 'bfp4');
    const b4 = quantizeTile(randomNormal(256, 6), 'bfp4');
    a4.forEach((a, i) => assert.is(fidelityProduct(a, b4[i]!, 'LoFi'), Math.fround(a * b4[i]!)));
  },
);

Product(
  'on random bf16 data the mean relative error orders LoFi >= HiFi2 >= HiFi3 >= HiFi4 = 0',
  () => {
    const a = quantizeTile(randomNormal(4096, 7), 'bf16');
    const b = quantizeTile(randomNormal(4096, 8), 'bf16');
    const err = MATH_FIDELITIES.map((f) => {
      let s = 0;
      a.forEach(
        (x, i) =>
          (s += Math.abs(fidelityProduct(x, b[i]!, f) - x * b[i]!) / Math.abs(x * b[i]! || 1)),
      );
      return s / a.length;
    });
    console.log(
      `  mean relative product error LoFi ${err[0]!.toExponential(2)} HiFi2 ${err[1]!.toExponential(2)} HiFi3 ${err[2]!.toExponential(2)} HiFi4 ${err[3]!.toExponential(2)}`,
    );
    assert.ok(err[0]! >= err[1]! && err[1]! >= err[2]! && err[2]! >= err[3]!);
    assert.ok(err[0]! > 1e-2 && err[1]! < 5e-3);
    assert.is(err[3], 0);
  },
);
Product.run();
