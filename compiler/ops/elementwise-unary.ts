// Ops whose output has the input's shape, element by element: activations, math functions, Cast,
// Identity, Dropout, Clip. Every one has a float32 reference kernel: the function is evaluated in
// double and rounded once into the output's storage (so float32 results are correctly rounded).
// Ops that work along an axis (Softmax, CumSum, ...) live in softmax.ts.
import { dtypeOfCode } from '../onnx/dtypes.js';
import { unsupportedUse } from '../onnx/errors.js';
import type { DType } from '../graph.js';
import { numElements } from '../graph.js';
import { castConverter } from './cast-values.js';
import {
  constValues,
  dtypeAttr,
  floatAttr,
  input,
  intAttr,
  optionalInput,
  stringAttr,
} from './context.js';
import { erf } from './erf.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { AXIS_OPS } from './softmax.js';
import { allocValues } from './values.js';

type Scalar = (x: number) => number;

function sameAsInput(ctx: OpContext): TensorType[] {
  const x = input(ctx, 0);
  return [{ dtype: x.dtype, shape: x.shape }];
}

function mapEval(make: (ctx: OpContext) => Scalar) {
  return (ctx: OpContext, outs: readonly TensorType[]) => {
    const x = constValues(ctx, 0, 'X') as ArrayLike<number>;
    const out = allocValues(outs[0]!.dtype, x.length);
    const f = make(ctx);
    const dtype = outs[0]!.dtype;
    if (dtype === 'float32' || dtype === 'float64') {
      for (let i = 0; i < x.length; i++) out[i] = f(x[i]!); // the storage rounds
    } else {
      const conv = castConverter(dtype);
      for (let i = 0; i < x.length; i++) out[i] = conv(f(x[i]!));
    }
    return [out];
  };
}

/** A same-shape op with an optional per-element evaluator built from the node's attributes. */
function unary(op: string, make?: (ctx: OpContext) => Scalar, domain = ''): OpDef {
  return { op, domain, infer: sameAsInput, ...(make ? { evaluate: mapEval(make) } : {}) };
}

const sigmoid: Scalar = (x) => 1 / (1 + Math.exp(-x));
const softplus: Scalar = (x) => (x > 20 ? x : Math.log1p(Math.exp(x)));
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, exact (erf) or with the tanh approximation (opset 20 attribute approximate="tanh"). */
export const geluErf: Scalar = (x) => 0.5 * x * (1 + erf(x * SQRT_HALF));
export const geluTanh: Scalar = (x) =>
  0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));

/** ~x on an integer dtype: -x-1 for signed types, (2^bits - 1) - x for unsigned ones. */
function bitwiseNot(ctx: OpContext): Scalar {
  const bits: Partial<Record<DType, number>> = { uint8: 8, uint16: 16, uint32: 32, uint64: 64 };
  const b = bits[input(ctx, 0).dtype];
  return b === undefined ? (x) => -x - 1 : (x) => 2 ** b - 1 - x;
}

const MATH: readonly OpDef[] = [
  unary('Relu', () => (x) => Math.max(0, x)),
  unary('LeakyRelu', (c) => {
    const a = floatAttr(c, 'alpha', 0.01);
    return (x) => (x < 0 ? a * x : x);
  }),
  unary('Elu', (c) => {
    const a = floatAttr(c, 'alpha', 1);
    return (x) => (x < 0 ? a * Math.expm1(x) : x);
  }),
  unary('Celu', (c) => {
    const a = floatAttr(c, 'alpha', 1);
    return (x) => Math.max(0, x) + Math.min(0, a * Math.expm1(x / a));
  }),
  unary('Selu', (c) => {
    const a = floatAttr(c, 'alpha', 1.67326319217681884765625);
    const g = floatAttr(c, 'gamma', 1.05070102214813232421875);
    return (x) => g * (x > 0 ? x : a * Math.expm1(x));
  }),
  unary('ThresholdedRelu', (c) => {
    const a = floatAttr(c, 'alpha', 1);
    return (x) => (x > a ? x : 0);
  }),
  unary('Sigmoid', () => sigmoid),
  unary('HardSigmoid', (c) => {
    const a = floatAttr(c, 'alpha', 0.2);
    const b = floatAttr(c, 'beta', 0.5);
    return (x) => Math.max(0, Math.min(1, a * x + b));
  }),
  unary('HardSwish', () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))),
  unary('Softplus', () => softplus),
  unary('Softsign', () => (x) => x / (1 + Math.abs(x))),
  unary('Mish', () => (x) => x * Math.tanh(softplus(x))),
  unary('Tanh', () => Math.tanh),
  unary('Erf', () => erf),
  unary('Gelu', (c) => (stringAttr(c, 'approximate', 'none') === 'tanh' ? geluTanh : geluErf)),
  unary('Exp', () => Math.exp),
  unary('Log', () => Math.log),
  unary('Abs', () => Math.abs),
  unary('Neg', () => (x) => -x),
  unary('Sqrt', () => Math.sqrt),
  unary('Reciprocal', () => (x) => 1 / x),
  unary('Floor', () => Math.floor),
  unary('Ceil', () => Math.ceil),
  unary('Round', () => roundHalfEven),
  unary('Sign', () => Math.sign),
  unary('Sin', () => Math.sin),
  unary('Cos', () => Math.cos),
  unary('Tan', () => Math.tan),
  unary('Asin', () => Math.asin),
  unary('Acos', () => Math.acos),
  unary('Atan', () => Math.atan),
  unary('Sinh', () => Math.sinh),
  unary('Cosh', () => Math.cosh),
  unary('Asinh', () => Math.asinh),
  unary('Acosh', () => Math.acosh),
  unary('Atanh', () => Math.atanh),
  unary('Not', () => (x) => (x ? 0 : 1)),
  unary('BitwiseNot', bitwiseNot),
  unary('Shrink', (c) => {
    const lambd = floatAttr(c, 'lambd', 0.5);
    const bias = floatAttr(c, 'bias', 0);
    return (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0);
  }),
];

/** Round half to even (numpy.round, ONNX Round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function predicate(op: string, f: Scalar): OpDef {
  const infer = (ctx: OpContext): TensorType[] => [{ dtype: 'bool', shape: input(ctx, 0).shape }];
  return { op, domain: '', infer, evaluate: mapEval(() => f) };
}

/** Cast-1..5 names the target type as a string ("FLOAT"); later opsets use the DataType code. */
const CAST_NAMES: Readonly<Record<string, DType>> = {
  FLOAT: 'float32',
  FLOAT16: 'float16',
  BFLOAT16: 'bfloat16',
  DOUBLE: 'float64',
  INT8: 'int8',
  UINT8: 'uint8',
  INT16: 'int16',
  UINT16: 'uint16',
  INT32: 'int32',
  UINT32: 'uint32',
  INT64: 'int64',
  UINT64: 'uint64',
  BOOL: 'bool',
  STRING: 'string',
};

function castTo(ctx: OpContext): DType {
  if (ctx.op === 'CastLike') return input(ctx, 1).dtype;
  const named = ctx.attrs['to'];
  if (named?.kind === 'string') {
    const dtype = CAST_NAMES[named.value.toUpperCase()];
    if (!dtype) throw unsupportedUse(ctx.node, ctx.op, `to "${named.value}"`);
    return dtype;
  }
  return dtypeAttr(ctx, 'to', input(ctx, 0).dtype, dtypeOfCode);
}

const CONVERSIONS: readonly OpDef[] = [
  predicate('IsNaN', (x) => (Number.isNaN(x) ? 1 : 0)),
  {
    op: 'IsInf',
    domain: '',
    infer: (ctx) => [{ dtype: 'bool', shape: input(ctx, 0).shape }],
    evaluate: mapEval((ctx) => {
      const isNeg = intAttr(ctx, 'detect_negative', 1) === 1;
      const isPos = intAttr(ctx, 'detect_positive', 1) === 1;
      return (x) => ((x === Infinity && isPos) || (x === -Infinity && isNeg) ? 1 : 0);
    }),
  },
  {
    op: 'Cast',
    domain: '',
    infer: (ctx) => [{ dtype: castTo(ctx), shape: input(ctx, 0).shape }],
    evaluate: mapEval(() => (x) => x),
  },
  {
    op: 'CastLike',
    domain: '',
    infer: (ctx) => [{ dtype: castTo(ctx), shape: input(ctx, 0).shape }],
    evaluate: mapEval(() => (x) => x),
  },
  {
    op: 'Identity',
    domain: '',
    infer: sameAsInput,
    evaluate: mapEval(() => (x) => x),
    isAlias: true,
  },
  {
    // Inference mode, or training mode with ratio 0 (nothing dropped, scale 1: what PyTorch exports
    // for a module that calls F.dropout with its default training=True and p=0, as torchvision's
    // Swin attention does): output = input; the optional mask output is all true.
    op: 'Dropout',
    domain: '',
    isAlias: true,
    infer: (ctx) => {
      const x = input(ctx, 0);
      const mode = optionalInput(ctx, 2); // training_mode (opset 12+)
      if (mode && (!mode.values || mode.values[0])) {
        const r = optionalInput(ctx, 1); // ratio (opset 12+; default 0.5)
        const ratio = r === undefined ? 0.5 : r.values !== undefined ? Number(r.values[0]) : NaN;
        if (ratio !== 0) throw unsupportedUse(ctx.node, ctx.op, `in training mode with ratio ${Number.isNaN(ratio) ? 'computed at run time' : ratio} (random; only ratio 0 is deterministic)`);
      }
      const outs: TensorType[] = [{ dtype: x.dtype, shape: x.shape }];
      if (ctx.outputCount > 1) outs.push({ dtype: 'bool', shape: x.shape });
      return outs;
    },
    evaluate: (ctx, outs) => {
      const x = constValues(ctx, 0, 'data');
      return outs.length > 1 ? [x, allocValues('bool', numElements(outs[1]!.shape)).fill(1)] : [x];
    },
  },
  {
    op: 'Clip',
    domain: '',
    infer: sameAsInput,
    evaluate: mapEval((ctx) => {
      const lo = clipBound(ctx, 1, 'min', -Infinity);
      const hi = clipBound(ctx, 2, 'max', Infinity);
      return (x) => Math.min(hi, Math.max(lo, x));
    }),
  },
];

/** Clip bounds are attributes before opset 11 and optional scalar inputs from 11 on. */
function clipBound(ctx: OpContext, i: number, name: string, fallback: number): number {
  if (ctx.opset < 11) return floatAttr(ctx, name, fallback);
  const t = optionalInput(ctx, i);
  return t ? (constValues(ctx, i, name) as ArrayLike<number>)[0]! : fallback;
}

/** Same-shape ops of the ai.onnx domain (plus the axis-wise ones of softmax.ts). */
export const UNARY_OPS: readonly OpDef[] = [...MATH, ...CONVERSIONS, ...AXIS_OPS];
