// ONNX TensorProto.DataType codes ↔ the IR's DType names.
import type { DType } from '../graph.js';

const DTYPE_OF_CODE: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

/** The DType of an ONNX data type code, or undefined for codes the IR cannot carry (complex, fp8). */
export function dtypeOfCode(code: number): DType | undefined {
  return DTYPE_OF_CODE[code];
}

/** The ONNX data type code of a DType (inverse of dtypeOfCode). */
export function codeOfDtype(dtype: DType): number {
  for (const [code, d] of Object.entries(DTYPE_OF_CODE)) if (d === dtype) return Number(code);
  return 0;
}
