import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import wormhole from '../../../arch/presets/wormhole_n150.json' with { type: 'json' };
import {
  bfpMax,
  bfpTileBytes,
  bitsToF32,
  decodeBfpTile,
  encodeBfpTile,
  quantizeTile,
  type RoundingSite,
} from '../../../sim/numerics/index.js';
import { randomNormal } from './helpers.js';

const HOST = { site: 'host' as RoundingSite, fp8: 'ocp-e4m3fn' as const };
const PACKER = { site: 'packer' as RoundingSite, fp8: 'ocp-e4m3fn' as const };

/** A 16-value block: the given leading values, then zeros. */
function block(...vals: number[]): Float32Array {
  const b = new Float32Array(16);
  b.set(vals);
  return b;
}

const Quantize = suite('quantizeTile (bfp8, bfp4)');

Quantize(
  'a block with one large value zeroes the tiny ones (they fall below the 7-bit / 3-bit magnitude)',
  () => {
    const q8 = quantizeTile(block(1024, 1e-3, -3, 0.5), 'bfp8');
    assert.equal(Array.from(q8.subarray(0, 4)), [1024, 0, -0, 0]);
    const q4 = quantizeTile(block(8, 0.9, 1, 6.5), 'bfp4'); // grid step 2: 1 is a tie -> 0
    assert.equal(Array.from(q4.subarray(0, 4)), [8, 0, 0, 6]);
  },
);

Quantize('values exactly representable on the block grid survive unchanged', () => {
  // Shared exponent of 64 is 2^6: bfp8 grid step 2^(6-6) = 1, bfp4 step 2^(6-2) = 16.
  const v8 = block(64, 127, -100, 1, 0, 33, -1);
  assert.equal(Array.from(quantizeTile(v8, 'bfp8')), Array.from(v8));
  const v4 = block(64, 112, -16, 48, 0, 96);
  assert.equal(Array.from(quantizeTile(v4, 'bfp4')), Array.from(v4));
});

Quantize('blocks are independent: one 16-value face row does not affect the next', () => {
  const v = new Float32Array(32);
  v[0] = 1e6;
  v[1] = 1;
  v[16] = 1;
  v[17] = 0.015625;
  const q = quantizeTile(v, 'bfp8');
  assert.is(q[1], 0);
  assert.is(q[16], 1);
  assert.is(q[17], 0.015625);
});

Quantize(
  'host rounding: ties go to even, the max saturates at 127 instead of bumping the exponent',
  () => {
    // max 1.0 (exp 127): grid 2^-6. 1 + 2^-7 is a tie between 1 and 1 + 2^-6 -> even (1).
    const q = quantizeTile(block(1, 1 + 2 ** -7, 1 + 3 * 2 ** -7, 1.9999), 'bfp8');
    assert.equal(Array.from(q.subarray(0, 4)), [1, 1, 1 + 4 * 2 ** -7, 127 / 64]);
    assert.is(quantizeTile(block(1.99), 'bfp4')[0], 1.75);
  },
);

Quantize(
  'host rounding aligns by truncation first (tt-metal): a sticky bit lost in the shift cannot break a tie',
  () => {
    // Block max 2 (grid 2^-5). x = 1 + 2^-6 + 2^-23 is just above the midpoint of 1 and 1 + 2^-5, but
    // its last bit is shifted out before rounding, leaving an exact tie -> even -> 1.
    assert.is(quantizeTile(block(2, 1 + 2 ** -6 + 2 ** -23), 'bfp8')[1], 1);
  },
);

Quantize(
  'packer rounding: E8M6 first (ties away), then ties away on the block grid; bfp4 truncates bfp8',
  () => {
    const q8 = quantizeTile(block(1, 1 + 2 ** -7, 1.9999), 'bfp8', PACKER);
    assert.equal(Array.from(q8.subarray(0, 3)), [1, 1 + 2 ** -5, 2]); // 1.9999 -> E8M6 2.0, shared exp 128
    const q4 = quantizeTile(block(1, 1.2, 0.3), 'bfp4', PACKER);
    assert.equal(Array.from(q4.subarray(0, 3)), [1, 1, 0.25]); // 1.2 -> bfp8 1.203125 -> trunc 1
  },
);

Quantize(
  'zeros, denormals and -0 encode as +0; Inf keeps its sign and zeroes the rest of its block',
  () => {
    const q = quantizeTile(block(-0, bitsToF32(0x00000005), -Infinity, 1e30), 'bfp8');
    assert.ok(Object.is(q[0], 0));
    assert.is(q[1], 0);
    assert.is(q[2], -Infinity);
    assert.is(q[3], 0);
  },
);

Quantize('the largest finite magnitude is 127/64 * 2^127 (bfp8) and 7/4 * 2^127 (bfp4)', () => {
  assert.is(quantizeTile(block(3.4e38), 'bfp8')[0], bfpMax(7));
  assert.is(quantizeTile(block(3.4e38), 'bfp4')[0], bfpMax(3));
});
Quantize.run();

const Tile = suite('encodeBfpTile / decodeBfpTile');

Tile('tiles take 1088 B (bfp8) and 576 B (bfp4), as the arch presets say', () => {
  assert.is(bfpTileBytes(7), 1088);
  assert.is(bfpTileBytes(3), 576);
  assert.is(bfpTileBytes(7), wormhole.core.dtypes.bfp8.tileBytes);
  assert.is(bfpTileBytes(3), wormhole.core.dtypes.bfp4.tileBytes);
});

Tile('the 64 exponent bytes come first, one per face row, faces in order TL, TR, BL, BR', () => {
  const t = new Float32Array(1024);
  // Value 2^(b - 40) in the first element of face-order block b.
  for (let b = 0; b < 64; b++) {
    const face = b >> 4,
      row = b & 15;
    t[((face >> 1) * 16 + row) * 32 + (face & 1) * 16] = 2 ** (b - 40);
  }
  const bytes = encodeBfpTile(t, 7, 'host');
  for (let b = 0; b < 64; b++) assert.is(bytes[b], 127 + b - 40, `exponent of block ${b}`);
  assert.is(bytes[64], 0x40); // first code: magnitude 64 = the leading 1, sign 0
});

Tile('bfp4 packs two codes per byte, the first in the low nibble, with the sign in bit 3', () => {
  const t = new Float32Array(1024);
  t.set([4, -2, 1, 3]);
  const bytes = encodeBfpTile(t, 3, 'host');
  assert.is(bytes[0], 129); // shared exponent of 4
  assert.is(bytes[64], 0x4 | ((0x8 | 0x2) << 4)); // 4 -> mag 4; -2 -> sign | mag 2
  assert.is(bytes[65], 0x1 | (0x3 << 4)); // 1 -> mag 1; 3 -> mag 3
});

Tile('decode(encode(tile)) equals quantizeTile for random tiles at both rounding sites', () => {
  for (const [magBits, format] of [
    [7, 'bfp8'],
    [3, 'bfp4'],
  ] as const) {
    for (const site of ['host', 'packer'] as const) {
      const t = randomNormal(1024, magBits + (site === 'host' ? 0 : 10), 3);
      const back = decodeBfpTile(encodeBfpTile(t, magBits, site), magBits);
      assert.equal(
        Array.from(back),
        Array.from(quantizeTile(t, format, site === 'host' ? HOST : PACKER)),
      );
    }
  }
});
Tile.run();
