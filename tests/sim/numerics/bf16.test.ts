import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bitsToF32,
  decodeBf16,
  encodeBf16,
  f32ToBits,
  roundBf16,
  roundBf16Bits,
} from '../../../sim/numerics/index.js';

const hex = (u: number): string => `0x${(u >>> 0).toString(16).padStart(8, '0')}`;
const RoundBits = suite('roundBf16Bits');

RoundBits('host rounding breaks ties to even on the upper 16 bits', () => {
  const cases: [number, number][] = [
    [0x3f808000, 0x3f800000], // 1 + 2^-8: halfway, lsb 0 -> down
    [0x3f818000, 0x3f820000], // halfway, lsb 1 -> up
    [0x3f808001, 0x3f810000], // just above halfway -> up
    [0x3f807fff, 0x3f800000], // just below halfway -> down
    [0xbf808000, 0xbf800000], // negative tie, even -> towards zero
    [0xbf818000, 0xbf820000], // negative tie, odd -> away from zero
    [0x7f7f8000, 0x7f800000], // tie at the top of the range rounds up to +Inf (IEEE overflow)
    [0x00008000, 0x00000000], // denormal tie -> even (0)
  ];
  for (const [input, want] of cases)
    assert.is(hex(roundBf16Bits(input, 'host')), hex(want), hex(input));
});

RoundBits('host rounding keeps Inf and turns any NaN into the canonical quiet NaN 0x7FC0', () => {
  assert.is(hex(roundBf16Bits(0x7f800000, 'host')), '0x7f800000');
  assert.is(hex(roundBf16Bits(0xff800000, 'host')), '0xff800000');
  assert.is(hex(roundBf16Bits(0x7f800001, 'host')), '0x7fc00000');
  assert.is(hex(roundBf16Bits(0xffc12345, 'host')), '0x7fc00000');
});

RoundBits(
  'packer rounding breaks ties away from zero, flushes denormals and -0 to +0, and turns NaN into Inf',
  () => {
    assert.is(hex(roundBf16Bits(0x3f808000, 'packer')), '0x3f810000');
    assert.is(hex(roundBf16Bits(0xbf808000, 'packer')), '0xbf810000');
    assert.is(hex(roundBf16Bits(0x3f807fff, 'packer')), '0x3f800000');
    assert.is(hex(roundBf16Bits(0x00400000, 'packer')), '0x00000000');
    assert.is(hex(roundBf16Bits(0x80000000, 'packer')), '0x00000000');
    assert.is(hex(roundBf16Bits(0x7fc00000, 'packer')), '0x7f800000');
    assert.is(hex(roundBf16Bits(0xffc00001, 'packer')), '0xff800000');
  },
);
RoundBits.run();

const Round = suite('roundBf16');
Round(
  'roundBf16(x) returns a float whose low 16 bits are zero and that is the nearest bf16',
  () => {
    const x = 3.14159265;
    const r = roundBf16(x);
    assert.is(f32ToBits(r) & 0xffff, 0);
    assert.is(r, 3.140625);
    assert.ok(Number.isNaN(roundBf16(NaN)));
    assert.is(roundBf16(-Infinity), -Infinity);
  },
);
Round.run();

const Codec = suite('encodeBf16 / decodeBf16');
Codec(
  'encodeBf16 stores the upper 16 bits of the rounded value and decodeBf16 widens them exactly',
  () => {
    const v = new Float32Array([1, -2.5, bitsToF32(0x3f818000), 65504]);
    const codes = encodeBf16(v, 'host');
    assert.equal(Array.from(codes), [0x3f80, 0xc020, 0x3f82, 0x4780]);
    assert.equal(Array.from(decodeBf16(codes)), [1, -2.5, bitsToF32(0x3f820000), 65536]);
  },
);
Codec.run();
