// Shared option types of the number-format emulation.

/**
 * Where a value is converted, which decides the rounding rule:
 * - 'host': tt-metal's host-side converters (tilize + pack on the CPU before a tensor is written to
 *   DRAM): bf16 and bfp round to nearest, ties to even (tt_metal/impl/data_format/bfloat16.cpp,
 *   blockfloat_common.cpp, bfp_simd.hpp).
 * - 'packer': the Tensix packer writing a result from Dst to L1: round to nearest, ties away from
 *   zero; bfp4 is truncated from bfp8 (tt-isa-documentation WormholeB0/TensixTile/
 *   TensixCoprocessor/Packers/FormatConversion.md).
 * Tensors that come from the host use 'host'; tensors a kernel produces use 'packer'.
 */
export type RoundingSite = 'host' | 'packer';

/**
 * Which 8-bit float the 'fp8' DeviceDtype means:
 * - 'ocp-e4m3fn': OCP FP8 E4M3FN (bias 7, max ±448, subnormals down to 2^-9, S.1111.111 = NaN,
 *   no infinity), saturating, round to nearest even. What issue 3 asks for.
 * - 'tt-metal-e4m3': tt-metal's host float8_e4m3 (tt_metal/impl/data_format/float8.cpp): exponent
 *   15 is all NaN so the max is ±240, subnormals flush to zero, round to nearest even, saturating.
 * - 'lf8': what the Wormhole packer/unpacker actually call FP8 (tt-metal DataFormat::Lf8 = 10 =
 *   ISA encoding 0b1010): e5m2 with FP16-style bit patterns, no NaN/Inf, exponent saturates and
 *   the mantissa is truncated (Packers/FormatConversion.md, late conversion).
 */
export type Fp8Variant = 'ocp-e4m3fn' | 'tt-metal-e4m3' | 'lf8';

/** Affine int8 quantization: real = (q - zeroPoint) * scale, q in [-128, 127]. */
export interface Int8Params {
  readonly scale: number;
  readonly zeroPoint: number;
}
