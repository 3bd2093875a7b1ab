// NonMaxSuppression (opsets 10, 11): per batch and class, greedily keeps the highest-scoring box
// and drops the ones overlapping it by more than iou_threshold. The number of kept boxes depends
// on the data, so the output shape is static only when every input is a constant.
import type { TensorValues } from '../graph.js';
import { constValues, fail, input, intAttr } from './context.js';
import type { OpContext, OpDef, TensorType } from './op-def.js';
import { toNumbers } from './values.js';

/** Corners [y1, x1, y2, x2] with y1 ≤ y2 and x1 ≤ x2. */
function corners(b: readonly number[], isCenter: boolean): [number, number, number, number] {
  if (isCenter) {
    const [xc, yc, w, h] = b as [number, number, number, number];
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2];
  }
  const [y1, x1, y2, x2] = b as [number, number, number, number];
  return [Math.min(y1, y2), Math.min(x1, x2), Math.max(y1, y2), Math.max(x1, x2)];
}

function iou(a: readonly number[], b: readonly number[]): number {
  const areaA = (a[2]! - a[0]!) * (a[3]! - a[1]!);
  const areaB = (b[2]! - b[0]!) * (b[3]! - b[1]!);
  if (areaA <= 0 || areaB <= 0) return 0;
  const h = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const w = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = h * w;
  return inter / (areaA + areaB - inter);
}

const optionalScalar = (ctx: OpContext, i: number, what: string): number | undefined =>
  ctx.inputs[i] ? toNumbers(constValues(ctx, i, what))[0] : undefined;

/** The selected (batch, class, box) triples, flattened. */
function select(ctx: OpContext): number[] {
  const [batches, boxCount] = input(ctx, 0).shape as [number, number];
  const classes = input(ctx, 1).shape[1]!;
  const boxes = toNumbers(constValues(ctx, 0, 'boxes (NMS output size depends on data)'));
  const scores = toNumbers(constValues(ctx, 1, 'scores (NMS output size depends on data)'));
  const maxPerClass = optionalScalar(ctx, 2, 'max_output_boxes_per_class') ?? 0;
  const iouThreshold = optionalScalar(ctx, 3, 'iou_threshold') ?? 0;
  const scoreThreshold = optionalScalar(ctx, 4, 'score_threshold');
  const isCenter = intAttr(ctx, 'center_point_box', 0) === 1;
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const box = (i: number) =>
      corners(boxes.slice((b * boxCount + i) * 4, (b * boxCount + i) * 4 + 4), isCenter);
    for (let c = 0; c < classes; c++) {
      const score = (i: number) => scores[(b * classes + c) * boxCount + i]!;
      const candidates = Array.from({ length: boxCount }, (_, i) => i)
        .filter((i) => scoreThreshold === undefined || score(i) > scoreThreshold)
        .sort((i, j) => score(j) - score(i) || i - j);
      const kept: number[] = [];
      for (const i of candidates) {
        if (kept.length >= maxPerClass) break;
        if (kept.every((k) => iou(box(k), box(i)) <= iouThreshold)) kept.push(i);
      }
      for (const i of kept) out.push(b, c, i);
    }
  }
  return out;
}

function inferNms(ctx: OpContext): TensorType[] {
  if (input(ctx, 0).shape.length !== 3 || input(ctx, 1).shape.length !== 3)
    fail(ctx, 'boxes must be [batches, boxes, 4] and scores [batches, classes, boxes]');
  return [{ dtype: 'int64', shape: [select(ctx).length / 3, 3] }];
}

function evaluateNms(ctx: OpContext): TensorValues[] {
  return [Float64Array.from(select(ctx))];
}

/** NonMaxSuppression. */
export const NMS_OPS: readonly OpDef[] = [
  { op: 'NonMaxSuppression', domain: '', infer: inferNms, evaluate: evaluateNms },
];
