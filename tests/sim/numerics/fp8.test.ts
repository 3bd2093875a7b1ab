import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeFp8,
  e4m3Byte,
  e4m3Value,
  encodeFp8,
  FP8_MAX,
  lf8Byte,
  lf8Value,
  roundFp8,
} from '../../../sim/numerics/index.js';

const Round = suite('roundFp8');

Round('OCP E4M3FN saturates to ±448 (also for ±Inf) and keeps NaN', () => {
  assert.equal(
    [500, 449, 464, 1e9, Infinity, -Infinity, -1e4].map((x) => roundFp8(x)),
    [448, 448, 448, 448, 448, -448, -448],
  );
  assert.ok(Number.isNaN(roundFp8(NaN)));
  assert.is(FP8_MAX['ocp-e4m3fn'], 448);
});

Round('OCP E4M3FN rounds to nearest even with 3 mantissa bits', () => {
  assert.is(roundFp8(17), 16); // 17 = 16 + 1, step 2: tie -> even (16)
  assert.is(roundFp8(19), 20); // 19 = 18 + 1: tie -> even (20)
  assert.is(roundFp8(1.0625), 1); // halfway between 1 and 1.125 -> 1
  assert.is(roundFp8(1.0626), 1.125);
  assert.is(roundFp8(-416), -416);
  assert.is(roundFp8(432), 448); // tie between 416 and 448 -> even mantissa (448 = 1.75 * 2^8)
});

Round('OCP E4M3FN keeps subnormals down to 2^-9 and rounds below to even', () => {
  assert.is(roundFp8(2 ** -9), 2 ** -9);
  assert.is(roundFp8(7 * 2 ** -9), 7 * 2 ** -9); // largest subnormal
  assert.is(roundFp8(2 ** -10), 0); // tie between 0 and 2^-9 -> 0
  assert.is(roundFp8(3 * 2 ** -10), 2 ** -8); // tie between 2^-9 and 2^-8 -> 2^-8 (even)
  assert.is(roundFp8(2 ** -10 + 2 ** -20), 2 ** -9);
  assert.ok(Object.is(roundFp8(-1e-9), -0));
});

Round('tt-metal e4m3 saturates to ±240 and flushes everything below 2^-6 before rounding', () => {
  assert.is(roundFp8(300, 'tt-metal-e4m3'), 240);
  assert.is(roundFp8(-Infinity, 'tt-metal-e4m3'), -240);
  assert.is(roundFp8(2 ** -7, 'tt-metal-e4m3'), 0);
  assert.is(roundFp8(0.0155, 'tt-metal-e4m3'), 0); // would round up to 2^-6, but flushes first
  assert.is(roundFp8(17, 'tt-metal-e4m3'), 16);
});

Round(
  'Lf8 (Wormhole e5m2) truncates the mantissa, saturates to 1.75 * 2^16 and flushes below 2^-14',
  () => {
    assert.is(roundFp8(1.9, 'lf8'), 1.75);
    assert.is(roundFp8(-1.2, 'lf8'), -1);
    assert.is(roundFp8(1e6, 'lf8'), 114688);
    assert.is(roundFp8(NaN, 'lf8'), 114688);
    assert.is(roundFp8(2 ** -15, 'lf8'), 0);
    assert.is(roundFp8(2 ** -14, 'lf8'), 2 ** -14);
  },
);
Round.run();

const Bytes = suite('e4m3Byte / e4m3Value / lf8Byte / lf8Value');

Bytes(
  'every E4M3FN byte decodes to a value that encodes back to the same byte (NaN is 0x7F / 0xFF)',
  () => {
    for (let b = 0; b < 256; b++) {
      const v = e4m3Value(b);
      if ((b & 0x7f) === 0x7f) assert.ok(Number.isNaN(v));
      else assert.is(e4m3Byte(v), b, `byte ${b}`);
    }
    assert.is(e4m3Value(0x7e), 448);
    assert.is(e4m3Value(0x01), 2 ** -9);
  },
);

Bytes('every Lf8 byte with a nonzero exponent decodes and re-encodes to itself', () => {
  for (let b = 0; b < 256; b++)
    if (((b >> 2) & 0x1f) !== 0) assert.is(lf8Byte(lf8Value(b)), b, `byte ${b}`);
  assert.is(lf8Value(0x7f), 114688);
});

Bytes('encodeFp8 then decodeFp8 equals roundFp8 for each variant', () => {
  const v = new Float32Array([0, -0.3, 1.7, 300, -1e5, 2 ** -8, 3e-3]);
  for (const variant of ['ocp-e4m3fn', 'tt-metal-e4m3', 'lf8'] as const) {
    assert.equal(
      Array.from(decodeFp8(encodeFp8(v, variant), variant)),
      Array.from(v, (x) => Math.fround(roundFp8(x, variant))),
      variant,
    );
  }
});
Bytes.run();
