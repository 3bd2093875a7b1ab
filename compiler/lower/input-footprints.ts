// Chooses the footprint rule for every input an op group reads: window halos for convolution
// and pooling, whole images for global pooling, same rows for row-wise ops, broadcasting for
// element-wise ops, traced element maps for data movement, and the whole tensor otherwise.

import type { Node, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import type { LowerContext } from './context.js';
import {
  broadcastSource, convFootprint, groupColumns, imageFootprint, resizeFootprint, mappedFootprint, rowFootprint, sameImageFootprint, traceSource, wholeFootprint,
  transposedConvFootprint, volumeFootprint, windowFootprint, type Footprint, type PlacedShape,
} from './footprint.js';
import type { OpGroup } from './group.js';
import { TILE } from '../tensor-layout.js';

const TRACEABLE = new Set([
  'Transpose', 'Slice', 'Concat', 'Split', 'Gather', 'GatherElements', 'GatherND', 'Pad', 'Expand', 'Tile',
  'DepthToSpace', 'SpaceToDepth', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Trilu',
  'ReverseSequence', 'Compress',
]);

const GATHERS = new Set(['Gather', 'GatherElements', 'GatherND', 'Compress']);

/**
 * Element tracing needs every input that steers the data movement (indices, pads, repeats,
 * sequence lengths) to be a constant; only Concat's other inputs are data themselves.
 */
function isTraceable(ctx: LowerContext, node: Node, id: TensorId): boolean {
  if (GATHERS.has(node.op) && node.inputs[0] !== id) return false;
  if (node.op === 'Concat') return true;
  return node.inputs.every((i) => i === undefined || i === id || ctx.graph.tensors[i]!.isConstant);
}

/** What a traced footprint depends on: the op, its attributes, every input's shape (and small constants' values), the layouts. */
function traceKey(ctx: LowerContext, node: Node, id: TensorId, outputIndex: number, input: PlacedShape, output: PlacedShape): string {
  const inputs = node.inputs.map((i) => {
    if (i === undefined) return null;
    const t = ctx.graph.tensors[i]!;
    const values = t.isConstant && t.values !== undefined && t.values.length <= 4096 ? Array.from(t.values as ArrayLike<number>) : t.isConstant ? `#${i}` : null;
    return { shape: t.shape, traced: i === id, values };
  });
  return JSON.stringify([node.op, node.opset, node.attrs, inputs, outputIndex, input.layout, input.shape, output.layout, output.shape]);
}

/** Row-wise ops that work along the last axis only (softmax, layer norm, reductions over -1). */
function isLastAxisOp(node: Node, rank: number): boolean {
  const a = node.attrs['axis'];
  const axes = node.attrs['axes'];
  if (node.op === 'Softmax' || node.op === 'LogSoftmax' || node.op === 'Hardmax') {
    const axis = a !== undefined && a.kind === 'int' ? a.value : node.opset < 13 ? 1 : -1;
    return axis === -1 || axis === rank - 1 || (node.opset < 13 && axis === rank - 1);
  }
  if (node.op === 'LayerNormalization' || node.op === 'SkipLayerNormalization' || node.op === 'CumSum' || node.op === 'ArgMax' || node.op === 'ArgMin' || node.op === 'TopK') {
    if (node.op === 'CumSum' || node.op === 'TopK') return false;
    const axis = a !== undefined && a.kind === 'int' ? a.value : -1;
    return axis === -1 || axis === rank - 1;
  }
  if (node.op.startsWith('Reduce')) {
    if (axes === undefined || axes.kind !== 'ints') return false;
    return axes.value.length === 1 && (axes.value[0] === -1 || axes.value[0] === rank - 1);
  }
  return false;
}

/** The node input (graph tensor id) whose data is the root tensor `root`. */
function nodeInputFor(ctx: LowerContext, node: Node, root: TensorId): TensorId | undefined {
  return node.inputs.find((i) => i !== undefined && (ctx.rootOf[i] ?? i) === root);
}

/** Identity when shapes and layouts agree, else an element map by broadcasting. */
function elementwiseFootprint(ctx: LowerContext, input: PlacedShape, output: PlacedShape, outShape: readonly number[], inShape: readonly number[]): Footprint {
  const same = input.layout === output.layout && input.view.rows === output.view.rows && input.view.cols === output.view.cols;
  if (same && numElements(inShape) === numElements(outShape)) return (out) => [out];
  const count = numElements(outShape);
  const src = numElements(inShape) === count ? (e: number) => e : broadcastSource(outShape, inShape);
  void ctx;
  return mappedFootprint(input, output, count, src);
}

/** Footprint of one anchor input of a row-distributed op group. */
export function anchorFootprint(ctx: LowerContext, grp: OpGroup, root: TensorId, output: PlacedShape): Footprint {
  const input = ctx.shapeOf(root);
  const node = grp.anchor;
  const cls = grp.cls;
  const outShape = ctx.graph.tensors[node.outputs[grp.outputIndex]!]!.shape;
  const id = nodeInputFor(ctx, node, root);
  const inShape = id === undefined ? input.shape : ctx.graph.tensors[id]!.shape;
  switch (cls.kind) {
    case 'window':
      if (root !== cls.x || input.layout !== 'feature-map' || output.layout !== 'feature-map') return wholeFootprint(input);
      if (cls.volume !== undefined) return volumeFootprint(cls.volume, input, output, (o) => [o.c0, o.c1]);
      return cls.geometry !== undefined ? windowFootprint(cls.geometry, input, true) : wholeFootprint(input);
    case 'rowwise':
      if (root !== cls.x) return wholeFootprint(input);
      if (node.op === 'GlobalAveragePool' || node.op === 'GlobalMaxPool') {
        return input.layout === 'feature-map' && output.layout === 'feature-map' ? imageFootprint(input, output, true) : wholeFootprint(input);
      }
      if (node.op === 'BatchNormalization') {
        const training = node.attrs['training_mode'];
        if (training !== undefined && training.kind === 'int' && training.value === 1) return wholeFootprint(input);
        return elementwiseFootprint(ctx, input, output, outShape, inShape);
      }
      if (node.op === 'InstanceNormalization' || node.op === 'GroupNormalization') {
        return input.layout === 'feature-map' && output.layout === 'feature-map' ? sameImageFootprint(input, node.op === 'InstanceNormalization') : wholeFootprint(input);
      }
      return isLastAxisOp(node, outShape.length) ? rowFootprint(input, output) : wholeFootprint(input);
    case 'eltwise':
      return elementwiseFootprint(ctx, input, output, outShape, inShape);
    case 'matmul':
      if (root === cls.c) return elementwiseFootprint(ctx, input, output, outShape, inShape);
      if (cls.transA) return wholeFootprint(input);
      return batchedMatmulFootprint(input, output, root === cls.a, cls.m, cls.k, cls.batch);
    case 'data': {
      if (node.op === 'Einsum') return einsumFootprint(node, input, output, outShape) ?? wholeFootprint(input);
      // Resize of a feature map's H and W (not tf_crop_and_resize, whose ROI moves the window): the rows around the scaled block.
      if ((node.op === 'Resize' || node.op === 'Upsample') && id === node.inputs[0] && input.layout === 'feature-map' && output.layout === 'feature-map') {
        const mode = node.attrs['coordinate_transformation_mode'];
        if (mode === undefined || mode.kind !== 'string' || mode.value !== 'tf_crop_and_resize') return resizeFootprint(input, output) ?? wholeFootprint(input);
      }
      if (!TRACEABLE.has(node.op) || id === undefined || !isTraceable(ctx, node, id)) return wholeFootprint(input);
      // Layers repeat (a transformer's head reshapes and transposes): trace each distinct one once.
      const key = traceKey(ctx, node, id, grp.outputIndex, input, output);
      const cached = ctx.footprintCache.get(key);
      if (cached !== undefined) return cached;
      const src = traceSource(ctx.graph, node, id, grp.outputIndex);
      const fp = src === undefined ? wholeFootprint(input) : mappedFootprint(input, output, numElements(outShape), src);
      ctx.footprintCache.set(key, fp);
      return fp;
    }
    case 'conv': {
      // A transposed conv: the input rows that land on the block's output rows (explicit pads only).
      const autoPad = node.attrs['auto_pad'];
      const explicitPads = autoPad === undefined || (autoPad.kind === 'string' && autoPad.value === 'NOTSET');
      if (node.op === 'ConvTranspose' && root === cls.x && cls.geometry !== undefined && explicitPads && input.layout === 'feature-map' && output.layout === 'feature-map') {
        return transposedConvFootprint(cls.geometry, input, output);
      }
      // Row-distributed convs (grouped, 3D, or with weights computed at run time): window rows, the groups' channels.
      if (node.op !== 'Conv' || root !== cls.x || input.layout !== 'feature-map' || output.layout !== 'feature-map') return wholeFootprint(input);
      const a = node.attrs['group'];
      const groups = a !== undefined && a.kind === 'int' ? a.value : 1;
      if (cls.volume !== undefined) return volumeFootprint(cls.volume, input, output, (o) => groupColumns(o, input, groups, cls.cin, cls.cout / groups));
      return cls.geometry !== undefined ? convFootprint(cls.geometry, input, groups, cls.cin, cls.cout / groups) : wholeFootprint(input);
    }
    case 'view':
      return wholeFootprint(input);
  }
}

/**
 * Einsum whose terms all start with the same batch labels and end in two matrix labels
 * ("bghid,bghjd->bghij": attention written as einsum, as MaxViT's is): an output block's batch
 * items read those items' rows of each input, all its columns. Undefined for any other equation.
 */
function einsumFootprint(node: Node, input: PlacedShape, output: PlacedShape, outShape: readonly number[]): Footprint | undefined {
  const a = node.attrs['equation'];
  if (a === undefined || a.kind !== 'string' || input.layout !== 'rows' || output.layout !== 'rows') return undefined;
  const eq = a.value.replace(/\s+/g, '');
  if (eq.includes('.') || !eq.includes('->')) return undefined;
  const [lhs, out] = eq.split('->') as [string, string];
  const terms = [...lhs.split(','), out];
  const batchLabels = out.length - 2;
  if (batchLabels < 1 || terms.some((t) => t.length !== out.length || t.slice(0, batchLabels) !== out.slice(0, batchLabels))) return undefined;
  const batch = numElements(outShape.slice(0, batchLabels));
  const inPerItem = input.view.rows / batch;
  const outPerItem = output.view.rows / batch;
  if (!Number.isInteger(inPerItem) || !Number.isInteger(outPerItem)) return undefined;
  return itemsFootprint(input, output, outPerItem, inPerItem);
}

/**
 * The input rows of the batch items an output block's rows belong to (`outPerItem` output rows and
 * `inPerItem` input rows per item), every input column.
 */
function itemsFootprint(input: PlacedShape, output: PlacedShape, outPerItem: number, inPerItem: number): Footprint {
  return (o) => {
    const first = Math.floor((o.r0 * TILE) / outPerItem);
    const last = Math.ceil(Math.min(output.view.rows, o.r1 * TILE) / outPerItem);
    const r0 = Math.floor((first * inPerItem) / TILE);
    const r1 = Math.min(input.view.tileRows, Math.ceil((last * inPerItem) / TILE));
    return [{ r0, r1: Math.max(r0 + 1, r1), c0: 0, c1: input.view.tileCols }];
  };
}

/** Batched matmul: in0 rows are the output rows; in1 rows are the K rows of the same batch items. */
function batchedMatmulFootprint(input: PlacedShape, output: PlacedShape, isA: boolean, m: number, k: number, batch: number): Footprint {
  if (isA) return input.view.rows === output.view.rows ? rowFootprint(input, output) : wholeFootprint(input);
  if (input.view.rows !== batch * k) return wholeFootprint(input);
  return itemsFootprint(input, output, m, k);
}

/** Footprint of an extra input of a fused follower (e.g. a residual): element-wise. */
export function extraFootprint(ctx: LowerContext, grp: OpGroup, root: TensorId, output: PlacedShape): Footprint {
  const input = ctx.shapeOf(root);
  const follower = grp.nodes.find((n) => n !== grp.anchor && nodeInputFor(ctx, n, root) !== undefined);
  if (follower === undefined) return wholeFootprint(input);
  const id = nodeInputFor(ctx, follower, root)!;
  const outShape = ctx.graph.tensors[follower.outputs[0]!]!.shape;
  return elementwiseFootprint(ctx, input, output, outShape, ctx.graph.tensors[id]!.shape);
}
