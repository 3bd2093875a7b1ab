// Public names of the number-format emulation: storage formats (quantize / encode / decode a
// tile), math fidelity, the FPU tile matmul and element-wise FPU/SFPU math.

export type { RoundingSite, Fp8Variant, Int8Params } from './types.js';
export { f32ToBits, bitsToF32 } from './bits.js';
export {
  BF16_MAX,
  roundBf16,
  roundBf16Bits,
  truncateBf16Bits,
  encodeBf16,
  decodeBf16,
} from './bf16.js';
export {
  bfpTileBytes,
  bfpMax,
  quantizeBfpInPlace,
  encodeBfpTile,
  decodeBfpTile,
  decodeBfpCodeBits,
} from './bfp.js';
export type { BfpMagBits } from './bfp.js';
export {
  FP8_MAX,
  roundFp8,
  encodeFp8,
  decodeFp8,
  e4m3Byte,
  e4m3Value,
  lf8Byte,
  lf8Value,
} from './fp8.js';
export {
  int8Params,
  quantizeInt8,
  dequantizeInt8,
  quantizeInt8Value,
  roundHalfToEven,
  INT8_MIN,
  INT8_MAX,
  DEFAULT_INT8_PARAMS_OPTIONS,
} from './int8.js';
export type { Int8ParamsOptions } from './int8.js';
export {
  quantizeTile,
  quantizeTileInPlace,
  encodeTile,
  decodeTile,
  tileRoundTrip,
  maxRepresentable,
  TILE_BYTES,
  DEFAULT_QUANTIZE_OPTIONS,
} from './quantize.js';
export type { QuantizeOptions, EncodedTile } from './quantize.js';
export {
  FIDELITY_PHASES,
  fidelityProduct,
  srcAFidelityBits,
  srcBFidelityBits,
  toSrcBits,
  DEFAULT_FIDELITY_PRODUCT_OPTIONS,
} from './fidelity.js';
export type { FidelityPhase, SrcFormat, FidelityProductOptions } from './fidelity.js';
export { srcFormatFor } from './src-format.js';
export { matmulTile, DEFAULT_MATMUL_OPTIONS } from './matmul.js';
export type { MatmulOptions } from './matmul.js';
export {
  eltwiseTile,
  sfpuTile,
  sfpuFunction,
  SFPU_FUNCTIONS,
  DEFAULT_ELTWISE_OPTIONS,
} from './eltwise.js';
export type { EltwiseOp, SfpuFunction, EltwiseOptions } from './eltwise.js';
