// Which Src register format each storage format reaches the FPU in.

import { unreachable } from '../../arch/errors.js';
import type { DeviceDtype } from '../../arch/spec.js';
import type { SrcFormat } from './fidelity.js';

/**
 * The Src format the unpacker produces for a stored format (Unpackers/FormatConversion.md):
 * bf16, bfp8, bfp4 unpack losslessly to BF16; OCP e4m3 values are all exactly BF16 too
 * (3 mantissa bits, exponents -9..8); fp32 goes to TF32.
 * Assumption: int8 tiles are dequantized (q - zp) * scale and enter as TF32; the hardware's
 * integer path (INT8 Src, INT32 Dst) is exact with all phases, which TF32 approximates.
 */
export function srcFormatFor(format: DeviceDtype): SrcFormat {
  switch (format) {
    case 'fp32':
    case 'int8':
      return 'tf32';
    case 'bf16':
    case 'bfp8':
    case 'bfp4':
    case 'fp8':
      return 'bf16';
    default:
      return unreachable(format);
  }
}
