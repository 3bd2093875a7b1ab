// The op registry: the single list of ops spatialc supports. Everything else about an op
// (inference, MACs, folding, later kernels) hangs off its OpDef here.
import { assert } from '../../arch/errors.js';
import { ATTENTION_OPS } from './attention.js';
import { COL2IM_OPS } from './col2im.js';
import { DEFORM_CONV_OPS } from './deform-conv.js';
import { BINARY_OPS } from './elementwise-binary.js';
import { UNARY_OPS } from './elementwise-unary.js';
import { CONV_POOL_OPS } from './conv-pool.js';
import { GENERATOR_OPS } from './generators.js';
import { INDEXING_OPS } from './indexing.js';
import { LAYOUT_OPS } from './layout.js';
import { LINALG_OPS } from './det.js';
import { LOSS_OPS } from './loss.js';
import { MATMUL_OPS } from './matmul.js';
import { MICROSOFT_OPS } from './microsoft.js';
import { NMS_OPS } from './nms.js';
import { NORMALIZATION_OPS } from './normalization.js';
import type { OpDef } from './op-def.js';
import { QLINEAR_OPS } from './qlinear.js';
import { QLINEAR_CONTRIB_OPS } from './qlinear-contrib.js';
import { QUANTIZE_OPS } from './quantize.js';
import { REDUCE_OPS } from './reduce.js';
import { RESHAPE_OPS } from './reshape.js';
import { RESIZE_OPS } from './resize.js';
import { RNN_OPS } from './rnn.js';
import { ROI_POOL_OPS } from './roi-pool.js';
import { SAMPLING_OPS } from './sampling.js';
import { SIGNAL_OPS } from './signal.js';
import { SLICE_PAD_OPS } from './slice-pad.js';
import { UNPOOL_OPS } from './unpool.js';

/** Every supported op, ai.onnx first, then contrib domains. */
export const OPS: readonly OpDef[] = [
  ...CONV_POOL_OPS,
  ...MATMUL_OPS,
  ...NORMALIZATION_OPS,
  ...UNARY_OPS,
  ...BINARY_OPS,
  ...REDUCE_OPS,
  ...RESHAPE_OPS,
  ...LAYOUT_OPS,
  ...SLICE_PAD_OPS,
  ...INDEXING_OPS,
  ...GENERATOR_OPS,
  ...LINALG_OPS,
  ...RESIZE_OPS,
  ...QUANTIZE_OPS,
  ...QLINEAR_OPS,
  ...RNN_OPS,
  ...LOSS_OPS,
  ...SIGNAL_OPS,
  ...SAMPLING_OPS,
  ...UNPOOL_OPS,
  ...NMS_OPS,
  ...COL2IM_OPS,
  ...ATTENTION_OPS,
  ...QLINEAR_CONTRIB_OPS,
  ...DEFORM_CONV_OPS,
  ...ROI_POOL_OPS,
  ...MICROSOFT_OPS,
];

const key = (domain: string, op: string): string => `${domain}/${op}`;

/** Builds a lookup table over an op list, rejecting duplicates. */
export function indexOps(ops: readonly OpDef[]): ReadonlyMap<string, OpDef> {
  const table = new Map<string, OpDef>();
  for (const def of ops) {
    assert(!table.has(key(def.domain, def.op)), `op ${key(def.domain, def.op)} is registered twice`);
    table.set(key(def.domain, def.op), def);
  }
  return table;
}

const TABLE = indexOps(OPS);

/** The OpDef of an op ('' or 'ai.onnx' = default domain), or undefined when unsupported. */
export function findOp(domain: string, op: string): OpDef | undefined {
  return TABLE.get(key(domain === 'ai.onnx' ? '' : domain, op));
}

/** Names of all supported ops, as 'Op' or 'domain/Op', sorted. */
export function supportedOps(): string[] {
  return OPS.map((d) => (d.domain ? `${d.domain}/${d.op}` : d.op)).sort();
}
