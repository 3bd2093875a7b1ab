// What a compiled program moves: for footprint tests, the bytes an op's transfers bring of one
// tensor (DRAM reads of it, and sends of it counted once per unicast destination or once per
// multicast).
import type { Program } from '../../../compiler/program.js';

/** Bytes of tensor `tensor` (a Program tensor id) the transfers of op `op` move. */
export function bytesMovedInto(p: Program, op: number, tensor: number): number {
  let moved = 0;
  for (const t of p.tasks) {
    if (t.op !== op) continue;
    if (t.kind === 'dram-read' && (t.reads ?? []).some((r) => r.tensor === tensor)) moved += t.channelBytes.reduce((a, b) => a + b, 0);
    if (t.kind === 'send' && (t.reads ?? []).some((r) => r.tensor === tensor)) moved += t.bytes * (t.multicast ? 1 : t.dsts.length);
  }
  return moved;
}
