// Block floating point BFLOAT8_B / BFLOAT4_B: 16 values share one 8-bit exponent (the largest
// binary32 exponent of the 16), each value keeps a sign and a 7-bit (bfp8) or 3-bit (bfp4)
// magnitude with the leading 1 explicit, aligned to the shared exponent. Small values in a block
// with a large one lose bits and may flush to zero.
//
// A block is one 16-value row of a 16x16 face. On a row-major 32x32 tile the face rows are simply
// the 64 consecutive 16-value chunks, so quantizing needs no reordering; only the L1 byte layout
// (encodeBfpTile) visits them in face order.
//
// Host rounding (site 'host') is tt-metal's packer for host tensors: bfp_simd.hpp row_scalar and
// blockfloat_common.cpp convert_u32_to_bfp<Bfp8_b/Bfp4_b, truncate=false>:
//   shared = max exponent field of the 16 binary32 values (NaN/Inf count as 255);
//   a value with exponent field 0 (zero or denormal) encodes as 0;
//   mantissa = (1 << 23 | fraction) >> (shared - exponent)  (alignment truncates);
//   then round to the top 7 (bfp8) or 3 (bfp4) of those 24 bits, ties to even, on the bits left
//   after alignment (so bits lost in the alignment never break a tie); saturate at 127 / 7
//   (no exponent bump); the sign is dropped when the magnitude is 0.
// Packer rounding (site 'packer', Packers/FormatConversion.md): the early conversion rounds the Dst
// value to E8M6 (ties away from zero; denormals flush, NaN -> Inf), the late conversion rounds that
// to BFP8 against the shared exponent (ties away), and BFP4 is BFP8 truncated to its top 3 bits.
// Assumption: the packer's shared exponent is the max exponent after the E8M6 rounding.
//
// Decoding follows FloatBitPatterns.md BFP8ToBF16: normalise the magnitude, exponent = shared -
// leading zeros, i.e. value = ±mag / 2^(magBits-1) * 2^(shared-127). Sign 1 with magnitude 0 means
// -Infinity on the hardware (never produced by either encoder). Assumption: a normalised exponent
// <= 0 (only for |max| < 2^-119, where the hardware's 8-bit subtraction would wrap) decodes as 0.
//
// Tile bytes (tt-metal layout, pack_fp32_vec_as_bfp_tiles): 64 shared exponents, one byte per face
// row, in face order (faces TL, TR, BL, BR; rows 0..15 of each), then the codes in the same order:
// bfp8 1 byte per value (64 + 1024 = 1088 B), bfp4 two per byte, first in the low nibble
// (64 + 512 = 576 B). The 64-byte exponent section is already a multiple of the 16 B L1 alignment,
// so no padding is added.

import { assert } from '../../arch/errors.js';
import { bitView } from './bits.js';
import type { RoundingSite } from './types.js';

/** Magnitude bits of a BFP format: 7 for bfp8, 3 for bfp4. */
export type BfpMagBits = 7 | 3;

export const BFP_BLOCK_VALUES = 16;
const TILE_VALUES = 1024;
const TILE_BLOCKS = TILE_VALUES / BFP_BLOCK_VALUES;

/** Bytes of one 32x32 tile in a BFP format: 64 exponent bytes plus the packed codes. */
export function bfpTileBytes(magBits: BfpMagBits): number {
  return TILE_BLOCKS + (TILE_VALUES * (magBits + 1)) / 8;
}

/** Largest finite magnitude of a BFP format (shared exponent 254, all magnitude bits set). */
export function bfpMax(magBits: BfpMagBits): number {
  return (((1 << magBits) - 1) / (1 << (magBits - 1))) * 2 ** 127;
}

/** Encodes 16 binary32 patterns from `u[off..]` into `codes`; returns the shared exponent. */
function encodeBlockHost(
  u: Uint32Array,
  off: number,
  magBits: BfpMagBits,
  codes: Uint8Array,
): number {
  let shared = 0;
  for (let k = 0; k < BFP_BLOCK_VALUES; k++)
    shared = Math.max(shared, ((u[off + k] as number) >>> 23) & 0xff);
  const shift = 24 - magBits;
  const halfMinusOne = (1 << (shift - 1)) - 1;
  const limit = (1 << magBits) - 1;
  for (let k = 0; k < BFP_BLOCK_VALUES; k++) {
    const w = u[off + k] as number;
    const e = (w >>> 23) & 0xff;
    const d = shared - e;
    let m = e === 0 || d >= 24 ? 0 : ((w & 0x7fffff) | 0x800000) >>> d;
    m = (m + halfMinusOne + ((m >>> shift) & 1)) >>> shift;
    if (m > limit) m = limit;
    codes[k] = m === 0 ? 0 : m | ((w >>> 31) << magBits);
  }
  return shared;
}

/** Rounds a binary32 pattern to E8M6 as the packer's early conversion does (ties away). */
function roundE8m6Bits(w: number): number {
  const e = w & 0x7f800000;
  if (e === 0) return 0;
  if (e === 0x7f800000) return (w & 0xff800000) >>> 0;
  return ((w + 0x10000) & 0xfffe0000) >>> 0;
}

/** Packer-site twin of encodeBlockHost; `scratch` holds the 16 E8M6 patterns. */
function encodeBlockPacker(
  u: Uint32Array,
  off: number,
  magBits: BfpMagBits,
  codes: Uint8Array,
  scratch: Uint32Array,
): number {
  let shared = 0;
  for (let k = 0; k < BFP_BLOCK_VALUES; k++) {
    const r = roundE8m6Bits(u[off + k] as number);
    scratch[k] = r;
    shared = Math.max(shared, (r >>> 23) & 0xff);
  }
  for (let k = 0; k < BFP_BLOCK_VALUES; k++) {
    const r = scratch[k] as number;
    const e = (r >>> 23) & 0xff;
    const d = shared - e;
    const m7 = ((r >>> 17) & 0x3f) | 0x40;
    let m = e === 0 || d > 7 ? 0 : d === 0 ? m7 : (m7 + (1 << (d - 1))) >>> d;
    if (magBits === 3) m >>>= 4; // BFP4 = BFP8 truncated
    codes[k] = m === 0 ? 0 : m | ((r >>> 31) << magBits);
  }
  return shared;
}

/** The binary32 pattern a BFP code decodes to (FloatBitPatterns.md BFP8ToBF16). */
export function decodeBfpCodeBits(code: number, shared: number, magBits: BfpMagBits): number {
  const sign = (code >>> magBits) & 1;
  const m7 = (code & ((1 << magBits) - 1)) << (7 - magBits);
  if (m7 === 0) return sign ? 0xff800000 : 0;
  const lz = Math.clz32(m7) - 25;
  const e = shared - lz;
  if (e <= 0) return sign ? 0x80000000 : 0; // assumption: see header
  return ((sign << 31) | (e << 23) | (((m7 << lz) & 0x3f) << 17)) >>> 0;
}

/** Reusable buffers of one encode pass (allocated per call, never shared across calls). */
interface BlockScratch {
  readonly codes: Uint8Array;
  readonly e8m6: Uint32Array;
}

function newScratch(): BlockScratch {
  return { codes: new Uint8Array(BFP_BLOCK_VALUES), e8m6: new Uint32Array(BFP_BLOCK_VALUES) };
}

function encodeBlock(
  u: Uint32Array,
  off: number,
  magBits: BfpMagBits,
  site: RoundingSite,
  s: BlockScratch,
): number {
  return site === 'host'
    ? encodeBlockHost(u, off, magBits, s.codes)
    : encodeBlockPacker(u, off, magBits, s.codes, s.e8m6);
}

/** Replaces every 16-value block of `values` by what BFP storage holds; returns `values`. */
export function quantizeBfpInPlace(
  values: Float32Array,
  magBits: BfpMagBits,
  site: RoundingSite,
): Float32Array {
  assert(
    values.length % BFP_BLOCK_VALUES === 0,
    `bfp needs a multiple of 16 values, got ${values.length}`,
  );
  const u = bitView(values);
  const s = newScratch();
  for (let off = 0; off < u.length; off += BFP_BLOCK_VALUES) {
    const shared = encodeBlock(u, off, magBits, site, s);
    for (let k = 0; k < BFP_BLOCK_VALUES; k++)
      u[off + k] = decodeBfpCodeBits(s.codes[k] as number, shared, magBits);
  }
  return values;
}

/** Row-major start index of the face-order block `b` (0..63) of a 32x32 tile. */
function blockStart(b: number): number {
  const face = b >>> 4;
  const row = b & 15;
  return (((face >>> 1) << 4) + row) * 32 + ((face & 1) << 4);
}

/** Encodes a row-major 32x32 tile into tt-metal's BFP8_B / BFP4_B tile bytes (1088 / 576 B). */
export function encodeBfpTile(
  values: Float32Array,
  magBits: BfpMagBits,
  site: RoundingSite,
): Uint8Array {
  assert(values.length === TILE_VALUES, `a bfp tile has 1024 values, got ${values.length}`);
  const u = bitView(values);
  const out = new Uint8Array(bfpTileBytes(magBits));
  const s = newScratch();
  for (let b = 0; b < TILE_BLOCKS; b++) {
    out[b] = encodeBlock(u, blockStart(b), magBits, site, s);
    for (let k = 0; k < BFP_BLOCK_VALUES; k++) {
      const code = s.codes[k] as number;
      const v = b * BFP_BLOCK_VALUES + k;
      const at = TILE_BLOCKS + (magBits === 7 ? v : v >>> 1);
      out[at] = magBits === 7 ? code : (out[at] as number) | ((v & 1) === 0 ? code : code << 4);
    }
  }
  return out;
}

/** Decodes tt-metal BFP8_B / BFP4_B tile bytes into a row-major 32x32 float32 tile. */
export function decodeBfpTile(bytes: Uint8Array, magBits: BfpMagBits): Float32Array {
  assert(
    bytes.length === bfpTileBytes(magBits),
    `a bfp tile has ${bfpTileBytes(magBits)} bytes, got ${bytes.length}`,
  );
  const out = new Float32Array(TILE_VALUES);
  const u = bitView(out);
  for (let b = 0; b < TILE_BLOCKS; b++) {
    const shared = bytes[b] as number;
    const start = blockStart(b);
    for (let k = 0; k < BFP_BLOCK_VALUES; k++) {
      const v = b * BFP_BLOCK_VALUES + k;
      const byte = bytes[TILE_BLOCKS + (magBits === 7 ? v : v >>> 1)] as number;
      const code = magBits === 7 ? byte : (v & 1) === 0 ? byte & 0xf : byte >>> 4;
      u[start + k] = decodeBfpCodeBits(code, shared, magBits);
    }
  }
  return out;
}
