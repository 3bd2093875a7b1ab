// Broadcasting elementwise ops: arithmetic, comparisons, logic, bit operations, variadic
// Min/Max/Mean/Sum, Where. Integer results wrap like C (cast-values.ts); integer Div truncates.
// Before opset 7 broadcasting was opt-in (attribute broadcast=1) and aligned B with A at `axis`
// instead of at the trailing dims; legacyShapes rewrites B's shape so numpy rules give the same.
import type { DType } from '../graph.js';
import { numElements } from '../graph.js';
import { broadcastShapes } from './broadcast.js';
import { mapOperands } from './broadcast-kernel.js';
import { castConverter } from './cast-values.js';
import { constValues, fail, fmtShape, input, intAttr, stringAttr } from './context.js';
import type { OpContext, OpDef, TensorInfo, TensorType } from './op-def.js';
import { allocValues, isFloatDtype } from './values.js';

type Combine = (...xs: number[]) => number;

function presentInputs(ctx: OpContext): TensorInfo[] {
  if (ctx.inputs.length === 0) fail(ctx, 'needs at least one input');
  const ins = ctx.inputs.map((_, i) => input(ctx, i));
  return ctx.opset < 7 && ins.length === 2 ? legacyShapes(ctx, ins[0]!, ins[1]!) : ins;
}

/**
 * Opset < 7 binary ops: with broadcast=1, B's dims line up with A's from `axis` (default: the
 * trailing dims); PRelu-6 applies a 1-D slope per channel (dim 1). B gets trailing 1s to match.
 */
function legacyShapes(ctx: OpContext, a: TensorInfo, b: TensorInfo): TensorInfo[] {
  const isChannelSlope =
    ctx.op === 'PRelu' && b.shape.length === 1 && a.shape.length > 2 && b.shape[0] === a.shape[1];
  const isBroadcast = intAttr(ctx, 'broadcast', 0) === 1 || isChannelSlope;
  if (!isBroadcast || b.shape.length >= a.shape.length) return [a, b];
  const rawAxis = isChannelSlope ? 1 : intAttr(ctx, 'axis', a.shape.length - b.shape.length);
  const axis = rawAxis < 0 ? rawAxis + a.shape.length : rawAxis;
  const trailing = a.shape.length - axis - b.shape.length;
  if (trailing < 0)
    fail(ctx, `B ${fmtShape(b.shape)} does not fit A ${fmtShape(a.shape)} at axis ${axis}`);
  return [a, { ...b, shape: [...b.shape, ...new Array<number>(trailing).fill(1)] }];
}

/** The broadcast shape of all inputs, or a shape error naming them. */
export function broadcastInputs(ctx: OpContext, ins: readonly TensorInfo[]): number[] {
  const shape = broadcastShapes(ins.map((t) => t.shape));
  if (!shape)
    fail(ctx, `cannot broadcast shapes ${ins.map((t) => fmtShape(t.shape)).join(' and ')}`);
  return shape;
}

function makeInfer(dtypeOf: (ins: readonly TensorInfo[]) => DType) {
  return (ctx: OpContext): TensorType[] => {
    const ins = presentInputs(ctx);
    return [{ dtype: dtypeOf(ins), shape: broadcastInputs(ctx, ins) }];
  };
}

function makeEvaluate(f: (ctx: OpContext) => Combine) {
  return (ctx: OpContext, outs: readonly TensorType[]) => {
    const o = outs[0]!;
    const ins = presentInputs(ctx).map((t, i) => ({
      shape: t.shape,
      values: constValues(ctx, i, `input ${i}`),
    }));
    const g = f(ctx);
    const out = allocValues(o.dtype, numElements(o.shape));
    // Float32/64 storage rounds on write; other dtypes wrap or round through the cast.
    if (o.dtype === 'float32' || o.dtype === 'float64') return [mapOperands(out, o.shape, ins, g)];
    const conv = castConverter(o.dtype);
    const h: Combine = ins.length === 2 ? (a, b) => conv(g(a, b)) : (...xs) => conv(g(...xs));
    return [mapOperands(out, o.shape, ins, h)];
  };
}

function elementwise(
  op: string,
  dtypeOf: (ins: readonly TensorInfo[]) => DType,
  f?: (ctx: OpContext) => Combine,
): OpDef {
  return { op, domain: '', infer: makeInfer(dtypeOf), ...(f ? { evaluate: makeEvaluate(f) } : {}) };
}

const firstDtype = (ins: readonly TensorInfo[]): DType => ins[0]!.dtype;
const boolDtype = (): DType => 'bool';
const arith = (op: string, f: Combine) => elementwise(op, firstDtype, () => f);
const compare = (op: string, f: Combine) => elementwise(op, boolDtype, () => f);

/** Integer Div truncates toward zero like C (onnxruntime); floats divide exactly. */
function divide(ctx: OpContext): Combine {
  return isFloatDtype(input(ctx, 0).dtype) ? (a, b) => a / b : (a, b) => Math.trunc(a / b);
}

const BITS: Partial<Record<DType, number>> = {
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int64: 64,
  uint64: 64,
};

/** BitShift (unsigned types): LEFT drops bits shifted past the type's width, RIGHT is logical. */
function bitShift(ctx: OpContext): Combine {
  const width = BigInt(BITS[input(ctx, 0).dtype] ?? 64);
  const isLeft = stringAttr(ctx, 'direction', '') === 'LEFT';
  return (a, b) => {
    const shift = BigInt(b);
    if (shift >= width) return 0;
    const x = BigInt(a);
    return Number(isLeft ? BigInt.asUintN(Number(width), x << shift) : x >> shift);
  };
}

/** Bitwise And/Or/Xor on two's-complement integers of any width up to 64 bits. */
function bitwise(op: (x: bigint, y: bigint) => bigint): Combine {
  return (a, b) => Number(BigInt.asIntN(64, op(BigInt(a), BigInt(b))));
}

/** Mod: fmod=1 keeps the dividend's sign (C fmod), fmod=0 the divisor's (Python %). */
function modulo(ctx: OpContext): Combine {
  return intAttr(ctx, 'fmod', 0) ? (a, b) => a % b : (a, b) => a - b * Math.floor(a / b);
}

/** Broadcasting elementwise ops of the ai.onnx domain. */
export const BINARY_OPS: readonly OpDef[] = [
  arith('Add', (a, b) => a! + b!),
  arith('Sub', (a, b) => a! - b!),
  arith('Mul', (a, b) => a! * b!),
  elementwise('Div', firstDtype, divide),
  arith('Pow', (a, b) => a! ** b!),
  elementwise('Mod', firstDtype, modulo),
  arith('PRelu', (x, s) => (x! < 0 ? s! * x! : x!)),
  compare('Equal', (a, b) => (a === b ? 1 : 0)),
  compare('Less', (a, b) => (a! < b! ? 1 : 0)),
  compare('Greater', (a, b) => (a! > b! ? 1 : 0)),
  compare('LessOrEqual', (a, b) => (a! <= b! ? 1 : 0)),
  compare('GreaterOrEqual', (a, b) => (a! >= b! ? 1 : 0)),
  compare('And', (a, b) => (a && b ? 1 : 0)),
  compare('Or', (a, b) => (a || b ? 1 : 0)),
  compare('Xor', (a, b) => (!a !== !b ? 1 : 0)),
  elementwise('BitShift', firstDtype, bitShift),
  arith(
    'BitwiseAnd',
    bitwise((x, y) => x & y),
  ),
  arith(
    'BitwiseOr',
    bitwise((x, y) => x | y),
  ),
  arith(
    'BitwiseXor',
    bitwise((x, y) => x ^ y),
  ),
  arith('Min', (...xs) => Math.min(...xs)),
  arith('Max', (...xs) => Math.max(...xs)),
  arith('Sum', (...xs) => xs.reduce((s, x) => s + x, 0)),
  arith('Mean', (...xs) => xs.reduce((s, x) => s + x, 0) / xs.length),
  elementwise(
    'Where',
    (ins) => ins[1]!.dtype,
    () => (c, x, y) => (c ? x! : y!),
  ),
];
