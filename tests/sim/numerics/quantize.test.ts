import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { DEVICE_DTYPES, type DeviceDtype } from '../../../arch/spec.js';
import wormhole from '../../../arch/presets/wormhole_n150.json' with { type: 'json' };
import {
  encodeTile,
  maxRepresentable,
  quantizeTile,
  quantizeTileInPlace,
  TILE_BYTES,
  tileRoundTrip,
  type QuantizeOptions,
} from '../../../sim/numerics/index.js';
import { randomNormal } from './helpers.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20240603);
const INT8 = { scale: 0.03125, zeroPoint: 5 };
const OPTION_SETS: readonly QuantizeOptions[] = [
  { site: 'host', fp8: 'ocp-e4m3fn', int8: INT8 },
  { site: 'packer', fp8: 'tt-metal-e4m3', int8: INT8 },
  { site: 'packer', fp8: 'lf8', int8: INT8 },
];

/** Bit-level equality (so NaN equals NaN and -0 differs from +0). */
function sameBits(x: Float32Array, y: Float32Array): boolean {
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Float32 tiles of 16-value blocks whose magnitudes spread over many binades. */
const arbBlocks = fc.float32Array({ minLength: 16, maxLength: 128 }).map((v) => {
  const n = Math.ceil(v.length / 16) * 16;
  const out = new Float32Array(n);
  out.set(v);
  return out;
});
const arbTile = fc.float32Array({ minLength: 1024, maxLength: 1024 });
const arbFormat = fc.constantFrom<DeviceDtype>(...DEVICE_DTYPES);
const arbOpts = fc.constantFrom(...OPTION_SETS);

const Quantize = suite('quantizeTile');

Quantize('quantizeTile is idempotent for every format, rounding site and fp8 variant', () => {
  fc.assert(
    fc.property(arbBlocks, arbFormat, arbOpts, (v, format, opts) => {
      const once = quantizeTile(v, format, opts);
      return sameBits(quantizeTile(once, format, opts), once);
    }),
    { seed: FC_SEED, numRuns: 400 },
  );
});

Quantize(
  '|quantizeTile(x)| <= maxRepresentable(format) whenever |x| <= maxRepresentable(format)',
  () => {
    fc.assert(
      fc.property(arbBlocks, arbFormat, arbOpts, (v, format, opts) => {
        const max = maxRepresentable(format, opts);
        const inRange = v.map((x) => (Number.isNaN(x) || Math.abs(x) > max ? 0 : x));
        return quantizeTile(inRange, format, opts).every((q) => Math.abs(q) <= max);
      }),
      { seed: FC_SEED, numRuns: 400 },
    );
  },
);

Quantize('quantizeTile never flips a sign: a nonzero result has the sign of its input', () => {
  fc.assert(
    fc.property(arbBlocks, arbFormat, arbOpts, (v, format, opts) => {
      const q = quantizeTile(v, format, opts);
      return q.every(
        (y, i) =>
          Number.isNaN(y) || y === 0 || Number.isNaN(v[i]!) || Math.sign(y) === Math.sign(v[i]!),
      );
    }),
    { seed: FC_SEED, numRuns: 400 },
  );
});

Quantize('quantizeTile leaves its input alone; quantizeTileInPlace overwrites it', () => {
  const v = randomNormal(1024, 1);
  const copy = new Float32Array(v);
  const q = quantizeTile(v, 'bfp4');
  assert.ok(sameBits(v, copy));
  assert.ok(sameBits(quantizeTileInPlace(v, 'bfp4'), q));
  assert.ok(sameBits(v, q));
  assert.ok(sameBits(quantizeTile(copy, 'fp32'), copy));
});
Quantize.run();

const RoundTrip = suite('encodeTile / decodeTile / tileRoundTrip');

RoundTrip('encodeTile gives TILE_BYTES[format] bytes, which match the wormhole preset', () => {
  const v = randomNormal(1024, 2);
  for (const format of DEVICE_DTYPES) {
    assert.is(encodeTile(v, format).bytes.length, TILE_BYTES[format], format);
    assert.is(TILE_BYTES[format], wormhole.core.dtypes[format].tileBytes, format);
  }
});

RoundTrip('tileRoundTrip (through the stored bytes) equals quantizeTile bit for bit', () => {
  fc.assert(
    fc.property(arbTile, arbFormat, arbOpts, (v, format, opts) =>
      sameBits(tileRoundTrip(v, format, opts), quantizeTile(v, format, opts)),
    ),
    { seed: FC_SEED, numRuns: 120 },
  );
});
RoundTrip.run();
