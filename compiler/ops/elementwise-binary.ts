// Broadcasting elementwise ops: arithmetic, comparisons, logic, variadic Min/Max/Mean/Sum, Where.
import type { DType } from '../graph.js';
import { numElements } from '../graph.js';
import { broadcastShapes, mapBroadcast } from './broadcast.js';
import { constValues, fail, fmtShape, input, intAttr } from './context.js';
import type { OpContext, OpDef, TensorInfo, TensorType } from './op-def.js';
import { allocValues, converterTo } from './values.js';

type Combine = (...xs: number[]) => number;

function presentInputs(ctx: OpContext): TensorInfo[] {
  if (ctx.inputs.length === 0) fail(ctx, 'needs at least one input');
  return ctx.inputs.map((_, i) => input(ctx, i));
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
    const conv = converterTo(o.dtype);
    const g = f(ctx);
    return [
      mapBroadcast(allocValues(o.dtype, numElements(o.shape)), o.shape, ins, (...xs) =>
        conv(g(...xs)),
      ),
    ];
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
  const isInt = !['float32', 'float16', 'bfloat16', 'float64'].includes(input(ctx, 0).dtype);
  return isInt ? (a, b) => Math.trunc(a / b) : (a, b) => a / b;
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
