// Reference kernels for MaxPool (with Indices), AveragePool, LpPool and the Global pools, in 1-3
// spatial dims (padded to 3 like the convolutions).
import { numElements, type TensorValues } from '../graph.js';
import { floatAttr, input, intAttr, intsAttr } from './context.js';
import { convSpec, coordTable, type ConvSpec } from './conv-kernel.js';
import { numbersOf, scratchFor, storeAs } from './kernel-util.js';
import type { EvaluateFn, OpContext, TensorType } from './op-def.js';
import { readWindow, resolvePads } from './window.js';

interface PoolTaps {
  /** Input coordinate of each (output position, tap) per dim, −1 outside the input. */
  readonly coords: readonly Int32Array[];
  /** Taps per (output position) per dim that lie inside input + explicit pads. */
  readonly padded: readonly Int32Array[];
}

function poolSpec(
  ctx: OpContext,
  outShape: readonly number[],
): { spec: ConvSpec; padsEnd: number[] } {
  const x = input(ctx, 0).shape;
  const win = readWindow(ctx, intsAttr(ctx, 'kernel_shape') ?? []);
  const inSizes = x.slice(2);
  const outSizes = outShape.slice(2);
  const pads = resolvePads(win, inSizes, outSizes);
  const spec = convSpec(
    ctx,
    { batch: x[0]!, inChannels: x[1]!, outChannels: x[1]!, group: x[1]! },
    { ...win, inSizes, outSizes, padsBegin: pads.begin },
  );
  return { spec, padsEnd: [...new Array<number>(3 - inSizes.length).fill(0), ...pads.end] };
}

function poolTaps(s: ConvSpec, padsEnd: readonly number[]): PoolTaps {
  const coords = [0, 1, 2].map((d) =>
    coordTable(
      s.outSizes[d]!,
      s.kernel[d]!,
      s.strides[d]!,
      s.dilations[d]!,
      s.padsBegin[d]!,
      s.inSizes[d]!,
    ),
  );
  const padded = [0, 1, 2].map((d) => {
    const counts = new Int32Array(s.outSizes[d]!);
    for (let o = 0; o < counts.length; o++) {
      for (let t = 0; t < s.kernel[d]!; t++) {
        const c = o * s.strides[d]! - s.padsBegin[d]! + t * s.dilations[d]!;
        if (c >= -s.padsBegin[d]! && c < s.inSizes[d]! + padsEnd[d]!) counts[o]!++;
      }
    }
    return counts;
  });
  return { coords, padded };
}

/** Visits each output element with the flat input indices of its in-bounds taps (padding skipped). */
function forEachWindow(
  s: ConvSpec,
  taps: PoolTaps,
  visit: (
    outFlat: number,
    plane: number,
    inOffsets: Int32Array,
    count: number,
    padded: number,
  ) => void,
): void {
  const [ID, IH, IW] = s.inSizes as [number, number, number];
  const [OD, OH, OW] = s.outSizes as [number, number, number];
  const [KD, KH, KW] = s.kernel as [number, number, number];
  const [tD, tH, tW] = taps.coords as [Int32Array, Int32Array, Int32Array];
  const [nD, nH, nW] = taps.padded as [Int32Array, Int32Array, Int32Array];
  const offsets = new Int32Array(KD * KH * KW);
  const plane = ID * IH * IW;
  let outFlat = 0;
  for (let nc = 0; nc < s.batch * s.inChannels; nc++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let count = 0;
          for (let kd = 0; kd < KD; kd++) {
            const id = tD[od * KD + kd]!;
            if (id < 0) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = tH[oh * KH + kh]!;
              if (ih < 0) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = tW[ow * KW + kw]!;
                if (iw >= 0) offsets[count++] = (id * IH + ih) * IW + iw;
              }
            }
          }
          visit(outFlat++, nc * plane, offsets, count, nD[od]! * nH[oh]! * nW[ow]!);
        }
      }
    }
  }
}

/** Position of an input index within its (n, c) plane in column-major spatial order. */
function columnMajor(s: ConvSpec, inPlane: number): number {
  const [ID, IH, IW] = s.inSizes as [number, number, number];
  const iw = inPlane % IW;
  const ih = Math.floor(inPlane / IW) % IH;
  const id = Math.floor(inPlane / (IW * IH));
  return id + ID * (ih + IH * iw);
}

function evaluateMaxPool(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const { spec, padsEnd } = poolSpec(ctx, outs[0]!.shape);
  const x = numbersOf(ctx, 0);
  const n = numElements(outs[0]!.shape);
  const out = scratchFor(outs[0]!.dtype, n);
  const indices = new Float64Array(outs.length > 1 ? n : 0);
  const isColumnMajor = intAttr(ctx, 'storage_order', 0) === 1;
  forEachWindow(spec, poolTaps(spec, padsEnd), (o, plane, offs, count) => {
    let best = -Infinity;
    let at = -1;
    for (let t = 0; t < count; t++) {
      const v = x[plane + offs[t]!]!;
      if (v > best || at < 0) {
        best = v;
        at = offs[t]!;
      }
    }
    out[o] = best;
    if (indices.length > 0) indices[o] = plane + (isColumnMajor ? columnMajor(spec, at) : at);
  });
  const values: TensorValues[] = [storeAs(outs[0]!.dtype, out)];
  if (outs.length > 1) values.push(indices);
  return values;
}

function evaluateAveragePool(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const { spec, padsEnd } = poolSpec(ctx, outs[0]!.shape);
  const x = numbersOf(ctx, 0);
  const out = scratchFor(outs[0]!.dtype, numElements(outs[0]!.shape));
  const isIncludePad = intAttr(ctx, 'count_include_pad', 0) === 1;
  forEachWindow(spec, poolTaps(spec, padsEnd), (o, plane, offs, count, padded) => {
    let sum = 0;
    for (let t = 0; t < count; t++) sum += x[plane + offs[t]!]!;
    out[o] = sum / (isIncludePad ? padded : count);
  });
  return [storeAs(outs[0]!.dtype, out)];
}

/** LpPool's p: a float attribute in opset 1, an int after (default 2 in both). */
function pAttr(ctx: OpContext): number {
  return ctx.opset < 2 ? floatAttr(ctx, 'p', 2) : intAttr(ctx, 'p', 2);
}

function evaluateLpPool(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const { spec, padsEnd } = poolSpec(ctx, outs[0]!.shape);
  const x = numbersOf(ctx, 0);
  const p = pAttr(ctx);
  const out = scratchFor(outs[0]!.dtype, numElements(outs[0]!.shape));
  forEachWindow(spec, poolTaps(spec, padsEnd), (o, plane, offs, count) => {
    let sum = 0;
    for (let t = 0; t < count; t++) sum += Math.abs(x[plane + offs[t]!]!) ** p;
    out[o] = sum ** (1 / p);
  });
  return [storeAs(outs[0]!.dtype, out)];
}

/** A global pool: reduce every (n, c) plane to one value. */
function globalPool(
  reduce: (x: ArrayLike<number>, from: number, to: number, ctx: OpContext) => number,
): EvaluateFn {
  return (ctx, outs) => {
    const x = numbersOf(ctx, 0);
    const shape = input(ctx, 0).shape;
    const planes = shape[0]! * shape[1]!;
    const size = numElements(shape.slice(2));
    const out = scratchFor(outs[0]!.dtype, planes);
    for (let i = 0; i < planes; i++) out[i] = reduce(x, i * size, (i + 1) * size, ctx);
    return [storeAs(outs[0]!.dtype, out)];
  };
}

/** Pooling kernels by op type. */
export const POOL_KERNELS = {
  MaxPool: evaluateMaxPool,
  AveragePool: evaluateAveragePool,
  LpPool: evaluateLpPool,
  GlobalAveragePool: globalPool((x, a, b) => {
    let s = 0;
    for (let i = a; i < b; i++) s += x[i]!;
    return s / (b - a);
  }),
  GlobalMaxPool: globalPool((x, a, b) => {
    let m = -Infinity;
    for (let i = a; i < b; i++) m = Math.max(m, x[i]!);
    return m;
  }),
  GlobalLpPool: globalPool((x, a, b, ctx) => {
    const p = pAttr(ctx);
    let s = 0;
    for (let i = a; i < b; i++) s += Math.abs(x[i]!) ** p;
    return s ** (1 / p);
  }),
} as const;
