// Transformer ops of opset 23: Attention (MHA/GQA/MQA, 3-D or 4-D inputs, KV cache, boolean or
// additive masks, causal masking aligned bottom-right after the cache, softcap, the optional
// QK output) and RotaryEmbedding (half-split or interleaved, partial rotation, position ids).
import { numElements, type TensorValues } from '../graph.js';
import { broadcastStrides } from './broadcast.js';
import { fail, floatAttr, fmtShape, input, intAttr } from './context.js';
import { numbersOf, optionalNumbersOf, storeAs } from './kernel-util.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';

/** Sizes of one Attention node, with 3-D inputs read as [B, S, heads·size]. */
interface AttentionDims {
  readonly batch: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly qSeq: number;
  readonly kvSeq: number;
  readonly past: number;
  readonly headSize: number;
  readonly vHeadSize: number;
  readonly is3d: boolean;
}

function attentionDims(ctx: OpContext): AttentionDims {
  const q = input(ctx, 0).shape;
  const k = input(ctx, 1).shape;
  const v = input(ctx, 2).shape;
  const is3d = q.length === 3;
  if (!is3d && q.length !== 4) fail(ctx, `Q ${fmtShape(q)} must have rank 3 or 4`);
  const qHeads = is3d ? intAttr(ctx, 'q_num_heads', 0) : q[1]!;
  const kvHeads = is3d ? intAttr(ctx, 'kv_num_heads', 0) : k[1]!;
  if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads !== 0)
    fail(ctx, `q heads ${qHeads} must be a positive multiple of kv heads ${kvHeads}`);
  const past = ctx.inputs[4] ? input(ctx, 4).shape[2]! : 0;
  return {
    batch: q[0]!,
    qHeads,
    kvHeads,
    qSeq: is3d ? q[1]! : q[2]!,
    kvSeq: is3d ? k[1]! : k[2]!,
    past,
    headSize: is3d ? q[2]! / qHeads : q[3]!,
    vHeadSize: is3d ? v[2]! / kvHeads : v[3]!,
    is3d,
  };
}

function inferAttention(ctx: OpContext): TensorType[] {
  const d = attentionDims(ctx);
  const dtype = input(ctx, 0).dtype;
  const total = d.past + d.kvSeq;
  const y = d.is3d
    ? [d.batch, d.qSeq, d.qHeads * d.vHeadSize]
    : [d.batch, d.qHeads, d.qSeq, d.vHeadSize];
  const shapes = [
    y,
    [d.batch, d.kvHeads, total, d.headSize],
    [d.batch, d.kvHeads, total, d.vHeadSize],
    [d.batch, d.qHeads, d.qSeq, total],
  ];
  return shapes.slice(0, Math.max(1, ctx.outputCount)).map((shape) => ({ dtype, shape }));
}

/** Element (b, head, s, i) of a Q/K/V input in its own layout (3-D: [B, S, heads·size]). */
function headIndexer(is3d: boolean, heads: number, seq: number, size: number) {
  return (b: number, h: number, s: number, i: number): number =>
    is3d ? ((b * seq + s) * heads + h) * size + i : ((b * heads + h) * seq + s) * size + i;
}

/** past (if any) followed by the new K or V, as [B, kvHeads, total, size]. */
function present(ctx: OpContext, d: AttentionDims, at: 1 | 2, size: number): Float64Array {
  const total = d.past + d.kvSeq;
  const past = optionalNumbersOf(ctx, at + 3);
  const x = numbersOf(ctx, at);
  const idx = headIndexer(d.is3d, d.kvHeads, d.kvSeq, size);
  const out = new Float64Array(d.batch * d.kvHeads * total * size);
  for (let b = 0; b < d.batch; b++)
    for (let h = 0; h < d.kvHeads; h++)
      for (let s = 0; s < total; s++)
        for (let i = 0; i < size; i++) {
          const src =
            s < d.past
              ? past![((b * d.kvHeads + h) * d.past + s) * size + i]!
              : x[idx(b, h, s - d.past, i)]!;
          out[((b * d.kvHeads + h) * total + s) * size + i] = src;
        }
  return out;
}

/** Additive bias for (b, h, i, j): the mask (boolean → 0 / −∞, padded with −∞) plus causality. */
function biasOf(
  ctx: OpContext,
  d: AttentionDims,
): (b: number, h: number, i: number, j: number) => number {
  const total = d.past + d.kvSeq;
  const mask = optionalNumbersOf(ctx, 3);
  const isCausal = intAttr(ctx, 'is_causal', 0) === 1;
  const maskInfo = ctx.inputs[3];
  const isBool = maskInfo?.dtype === 'bool';
  const mShape = maskInfo?.shape ?? [];
  const width = mShape[mShape.length - 1] ?? total;
  const strides = broadcastStrides(mShape, [d.batch, d.qHeads, d.qSeq, width]);
  return (b, h, i, j) => {
    if (isCausal && j > i + d.past) return -Infinity;
    if (!mask) return 0;
    if (j >= width) return -Infinity;
    const m = mask[b * strides[0]! + h * strides[1]! + i * strides[2]! + j * strides[3]!]!;
    return isBool ? (m ? 0 : -Infinity) : m;
  };
}

function evaluateAttention(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const d = attentionDims(ctx);
  const total = d.past + d.kvSeq;
  const q = numbersOf(ctx, 0);
  const qIdx = headIndexer(d.is3d, d.qHeads, d.qSeq, d.headSize);
  const yIdx = headIndexer(d.is3d, d.qHeads, d.qSeq, d.vHeadSize);
  const k = present(ctx, d, 1, d.headSize);
  const v = present(ctx, d, 2, d.vHeadSize);
  const scale = floatAttr(ctx, 'scale', 1 / Math.sqrt(d.headSize));
  const softcap = floatAttr(ctx, 'softcap', 0);
  const mode = intAttr(ctx, 'qk_matmul_output_mode', 0);
  const bias = biasOf(ctx, d);
  const y = new Float64Array(numElements(outs[0]!.shape));
  const qk = new Float64Array(d.batch * d.qHeads * d.qSeq * total);
  const p = new Float64Array(total);
  for (let b = 0; b < d.batch; b++) {
    for (let h = 0; h < d.qHeads; h++) {
      const kv = b * d.kvHeads + Math.floor(h / (d.qHeads / d.kvHeads)); // GQA: heads share KV
      for (let i = 0; i < d.qSeq; i++) {
        let max = -Infinity;
        const row = ((b * d.qHeads + h) * d.qSeq + i) * total;
        for (let j = 0; j < total; j++) {
          let s = 0;
          for (let t = 0; t < d.headSize; t++)
            s += q[qIdx(b, h, i, t)]! * k[(kv * total + j) * d.headSize + t]!;
          s *= scale;
          const capped = softcap > 0 ? softcap * Math.tanh(s / softcap) : s;
          p[j] = capped + bias(b, h, i, j);
          qk[row + j] = mode === 0 ? s : mode === 1 ? p[j]! : capped;
          max = Math.max(max, p[j]!);
        }
        let sum = 0;
        for (let j = 0; j < total; j++) sum += p[j] = Math.exp(p[j]! - max);
        for (let j = 0; j < total; j++) {
          p[j]! /= sum;
          if (mode === 3) qk[row + j] = p[j]!;
        }
        for (let t = 0; t < d.vHeadSize; t++) {
          let acc = 0;
          for (let j = 0; j < total; j++) acc += p[j]! * v[(kv * total + j) * d.vHeadSize + t]!;
          y[yIdx(b, h, i, t)] = acc;
        }
      }
    }
  }
  const values = [y, k, v, qk].slice(0, outs.length);
  return values.map((data, n) => storeAs(outs[n]!.dtype, data));
}

function evaluateRotary(ctx: OpContext, outs: readonly TensorType[]): TensorValues[] {
  const shape = input(ctx, 0).shape;
  const is3d = shape.length === 3;
  const heads = is3d ? intAttr(ctx, 'num_heads', 0) : shape[1]!;
  if (heads <= 0) fail(ctx, 'a 3-D input needs the num_heads attribute');
  const [batch, seq] = is3d ? [shape[0]!, shape[1]!] : [shape[0]!, shape[2]!];
  const size = is3d ? shape[2]! / heads : shape[3]!;
  const rot = intAttr(ctx, 'rotary_embedding_dim', 0) || size;
  const half = rot / 2;
  const isInterleaved = intAttr(ctx, 'interleaved', 0) === 1;
  const x = numbersOf(ctx, 0);
  const cos = numbersOf(ctx, 1);
  const sin = numbersOf(ctx, 2);
  const positions = optionalNumbersOf(ctx, 3);
  const at = headIndexer(is3d, heads, seq, size);
  const y = Float64Array.from(x);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const row = (positions ? positions[b * seq + s]! : b * seq + s) * half;
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < half; i++) {
          const [i1, i2] = isInterleaved ? [2 * i, 2 * i + 1] : [i, i + half];
          const [x1, x2] = [x[at(b, h, s, i1)]!, x[at(b, h, s, i2)]!];
          const [c, sn] = [cos[row + i]!, sin[row + i]!];
          y[at(b, h, s, i1)] = c * x1 - sn * x2;
          y[at(b, h, s, i2)] = sn * x1 + c * x2;
        }
      }
    }
  }
  return [storeAs(outs[0]!.dtype, y)];
}

/** Attention and RotaryEmbedding (ai.onnx opset 23). */
export const ATTENTION_OPS: readonly OpDef[] = [
  {
    op: 'Attention',
    domain: '',
    infer: inferAttention,
    macs: (ctx) => {
      const d = attentionDims(ctx);
      return d.batch * d.qHeads * d.qSeq * (d.past + d.kvSeq) * (d.headSize + d.vHeadSize);
    },
    evaluate: evaluateAttention,
  },
  {
    op: 'RotaryEmbedding',
    domain: '',
    infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
    evaluate: evaluateRotary,
  },
];
