// One K-step of a 2D-sharded matmul or convolution on one core, with real data: the in0 and in1
// tiles must already be in the core's SRAM (delivered by the program's transfers). The last step
// adds the bias, runs the fused followers and stores the rounded output tiles.

import { SpatialcError } from '../../arch/errors.js';
import type { Node, TensorId } from '../../compiler/graph.js';
import type { ComputeTask, ProgramTensor, TileRegion } from '../../compiler/program.js';
import { TILE } from '../../compiler/tensor-layout.js';
import { blockElements, storeBlock } from './region.js';
import { opNodes, type FunctionalContext } from './context.js';
import { applyFollowers } from './followers.js';
import { TILE_ELEMS, type TileStore } from './tile-store.js';

interface ConvGeometry {
  readonly inH: number; readonly inW: number; readonly outH: number; readonly outW: number;
  readonly kH: number; readonly kW: number; readonly sH: number; readonly sW: number;
  readonly dH: number; readonly dW: number; readonly padTop: number; readonly padLeft: number;
}

function ints(n: Node, name: string): readonly number[] | undefined {
  const a = n.attrs[name];
  return a !== undefined && a.kind === 'ints' ? a.value : undefined;
}

function convGeometry(ctx: FunctionalContext, n: Node): ConvGeometry {
  const x = ctx.graph.tensors[n.inputs[0]!]!.shape;
  const w = ctx.graph.tensors[n.inputs[1]!]!.shape;
  const y = ctx.graph.tensors[n.outputs[0]!]!.shape;
  // A 1D convolution (NCW) runs as a 2D one of width 1 (the compiler lowers it so).
  const oneD = x.length === 3;
  if (x.length !== 4 && !oneD) throw new SpatialcError('E_SIM', `node "${n.name}": functional simulation supports 1D and 2D convolutions only`);
  const [sH, sW] = oneD ? [ints(n, 'strides')?.[0] ?? 1, 1] : ints(n, 'strides') ?? [1, 1];
  const [dH, dW] = oneD ? [ints(n, 'dilations')?.[0] ?? 1, 1] : ints(n, 'dilations') ?? [1, 1];
  const inH = x[2]!, inW = oneD ? 1 : x[3]!, outH = y[2]!, outW = oneD ? 1 : y[3]!, kH = w[2]!, kW = oneD ? 1 : w[3]!;
  const auto = n.attrs['auto_pad'];
  const mode = auto !== undefined && auto.kind === 'string' ? auto.value : 'NOTSET';
  let [padTop, padLeft] = oneD ? [ints(n, 'pads')?.[0] ?? 0, 0] : ints(n, 'pads') ?? [0, 0];
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    const th = Math.max(0, (outH - 1) * sH! + (kH - 1) * dH! + 1 - inH);
    const tw = Math.max(0, (outW - 1) * sW! + (kW - 1) * dW! + 1 - inW);
    padTop = mode === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
    padLeft = mode === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
  } else if (mode === 'VALID') [padTop, padLeft] = [0, 0];
  return { inH, inW, outH, outW, kH, kW, sH: sH!, sW: sW!, dH: dH!, dW: dW!, padTop: padTop!, padLeft: padLeft! };
}

function need(ctx: FunctionalContext, t: TensorId, who: string): ProgramTensor {
  const pt = ctx.programTensorOf(t);
  if (pt === undefined) throw new SpatialcError('E_SIM', `${who}: tensor "${ctx.graph.tensors[t]!.name}" is in no program tensor`);
  return pt;
}

/**
 * A K-split matmul's partial sums moving from core `from` to the region's owner `to`: rounded to the
 * device format (they travel packed), then added to the owner's accumulator.
 */
export function addPartial(ctx: FunctionalContext, op: number, from: number, to: number, region: TileRegion, who: string): void {
  const src = ctx.accumulators.get(accumulatorKey(op, from, region));
  if (src === undefined) throw new SpatialcError('E_SIM', `${who} sends partial sums of a region core ${from} never accumulated`);
  const key = accumulatorKey(op, to, region);
  let acc = ctx.accumulators.get(key);
  if (acc === undefined) ctx.accumulators.set(key, (acc = new Float32Array(src.length)));
  for (let t = 0; t < src.length; t += TILE_ELEMS) {
    const tile = ctx.model.store(src.slice(t, t + TILE_ELEMS));
    for (let e = 0; e < TILE_ELEMS; e++) acc[t + e]! += tile[e]!;
  }
  ctx.accumulators.delete(accumulatorKey(op, from, region));
}

function accumulatorKey(op: number, core: number, region: { readonly row0: number; readonly col0: number }): string {
  return `${op}:${core}:${region.row0}:${region.col0}`;
}

/** Executes one matmul/conv compute task on its core. */
export function runMatmulStep(ctx: FunctionalContext, task: ComputeTask): void {
  const region = task.region!;
  const [k0, k1] = task.kTiles!;
  const nodes = opNodes(ctx, task.op);
  const anchor = nodes[0]!;
  const store = ctx.cores[task.core]!;
  const who = `core(${ctx.program.cores[task.core]!.x},${ctx.program.cores[task.core]!.y}) node "${anchor.name}"`;
  const in0 = need(ctx, anchor.inputs[0]!, who);
  const in1 = need(ctx, anchor.inputs[1]!, who);
  const out = ctx.program.tensors[region.tensor]!;
  const key = accumulatorKey(task.op, task.core, region);
  let acc = ctx.accumulators.get(key);
  if (acc === undefined) ctx.accumulators.set(key, (acc = new Float32Array(region.rows * region.cols * TILE_ELEMS)));
  if (anchor.op === 'Conv') convStep(ctx, anchor, store, in0, in1, out, region, k0, k1, acc, who);
  else matmulStep(ctx, store, in0, in1, out, region, k0, k1, acc, who);
  if (task.produces !== undefined) {
    finishBlock(ctx, nodes, store, out, region, acc);
    ctx.accumulators.delete(key);
  }
}

function matmulStep(ctx: FunctionalContext, store: TileStore, in0: ProgramTensor, in1: ProgramTensor, out: ProgramTensor,
  region: ComputeTask['region'] & {}, k0: number, k1: number, acc: Float32Array, who: string): void {
  for (let ri = 0; ri < region.rows; ri++) {
    const rows = Math.min(TILE, out.rows - (region.row0 + ri) * TILE);
    for (let k = k0; k < k1; k++) {
      const a = store.need(in0, region.row0 + ri, k, who);
      for (let ci = 0; ci < region.cols; ci++) {
        const b = store.need(in1, k, region.col0 + ci, who);
        const base = (ri * region.cols + ci) * TILE_ELEMS;
        ctx.model.macTile(acc.subarray(base, base + TILE_ELEMS), a, b, rows);
      }
    }
  }
}

function convStep(ctx: FunctionalContext, node: Node, store: TileStore, in0: ProgramTensor, in1: ProgramTensor, out: ProgramTensor,
  region: ComputeTask['region'] & {}, k0: number, k1: number, acc: Float32Array, who: string): void {
  const g = convGeometry(ctx, node);
  const taps = g.kH * g.kW;
  const outHw = g.outH * g.outW;
  const a = new Float32Array(TILE_ELEMS);
  for (let ri = 0; ri < region.rows; ri++) {
    const row0 = (region.row0 + ri) * TILE;
    const rows = Math.min(TILE, out.rows - row0);
    for (let k = k0; k < k1; k++) {
      for (let tap = 0; tap < taps; tap++) {
        const kh = Math.floor(tap / g.kW), kw = tap % g.kW;
        a.fill(0); // implicit im2col: gather each output pixel's input channels for this tap
        for (let i = 0; i < rows; i++) {
          const r = row0 + i;
          const n = Math.floor(r / outHw), rem = r - n * outHw;
          const oh = Math.floor(rem / g.outW), ow = rem - oh * g.outW;
          const ih = oh * g.sH - g.padTop + kh * g.dH, iw = ow * g.sW - g.padLeft + kw * g.dW;
          if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
          const inRow = (n * g.inH + ih) * g.inW + iw;
          const tile = store.need(in0, Math.floor(inRow / TILE), k, who);
          a.set(tile.subarray((inRow % TILE) * TILE, (inRow % TILE) * TILE + TILE), i * TILE);
        }
        for (let ci = 0; ci < region.cols; ci++) {
          const b = store.need(in1, k * taps + tap, region.col0 + ci, who);
          const base = (ri * region.cols + ci) * TILE_ELEMS;
          ctx.model.macTile(acc.subarray(base, base + TILE_ELEMS), a, b, rows);
        }
      }
    }
  }
}

/** Bias (Conv B, Gemm alpha/beta/C), fused followers, rounding, and the output tiles. */
function finishBlock(ctx: FunctionalContext, nodes: readonly Node[], store: TileStore, out: ProgramTensor, region: ComputeTask['region'] & {}, acc: Float32Array): void {
  const anchor = nodes[0]!;
  const block = blockElements(out, region);
  const { flats, slots } = block;
  const cols = out.cols;
  const hw = Math.max(1, out.shape.slice(2).reduce((a, b) => a * b, 1));
  const values = new Float32Array(flats.length);
  const bias = biasOf(ctx, anchor);
  for (let i = 0; i < flats.length; i++) {
    const col = out.layout === 'feature-map' ? Math.floor(flats[i]! / hw) % cols : flats[i]! % cols;
    values[i] = bias.alpha * acc[slots[i]!]! + bias.at(flats[i]!, col);
  }
  const result = applyFollowers(ctx, nodes.slice(1), anchor.outputs[0]!, values, flats, store);
  storeBlock(store, out, region, block, result, ctx.model.store);
}

/** Conv bias per output channel; Gemm alpha * AB + beta * C (C broadcast over [M, N]). */
function biasOf(ctx: FunctionalContext, n: Node): { alpha: number; at: (flat: number, col: number) => number } {
  const attr = (name: string, d: number) => { const a = n.attrs[name]; return a !== undefined && a.kind === 'float' ? a.value : d; };
  const c = n.inputs[2] === undefined ? undefined : ctx.graph.tensors[n.inputs[2]]!;
  const alpha = n.op === 'Gemm' ? attr('alpha', 1) : 1;
  if (c === undefined || c.values === undefined) return { alpha, at: () => 0 };
  const beta = n.op === 'Gemm' ? attr('beta', 1) : 1;
  const v = c.values;
  const numel = v.length;
  if (n.op === 'Conv' || numel === 1) return { alpha, at: (_f, col) => beta * (v[numel === 1 ? 0 : col] as number) };
  const outN = ctx.graph.tensors[n.outputs[0]!]!.shape.at(-1) ?? 1;
  return { alpha, at: (f, col) => beta * (v[numel === outN ? col : f % numel] as number) };
}
