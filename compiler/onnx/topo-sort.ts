// Orders ONNX nodes so every input is produced before use. Files are usually sorted already; the
// sort is stable (Kahn's algorithm, always taking the earliest ready node in file order).
import { invalidGraph } from './errors.js';
import type { OnnxNode } from './onnx-model.js';

/** Returns the nodes in a topological order; `available` are names known up front (inputs, initializers). */
export function sortNodes(
  file: string,
  nodes: readonly OnnxNode[],
  available: ReadonlySet<string>,
): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const waitingOn = nodes.map(() => 0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const name of new Set(n.inputs)) {
      if (!name || available.has(name)) continue;
      const p = producer.get(name);
      if (p === undefined)
        throw invalidGraph(
          file,
          `node "${n.name || `${n.op}_${i}`}" reads "${name}", which no node, initializer or graph input provides`,
        );
      waitingOn[i]!++;
      consumers[p]!.push(i);
    }
  });
  const ready = new MinQueue();
  waitingOn.forEach((w, i) => w === 0 && ready.push(i));
  const order: OnnxNode[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(nodes[i]!);
    for (const c of consumers[i]!) if (--waitingOn[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => waitingOn[i]! > 0)!;
    throw invalidGraph(file, `the graph has a cycle through node "${stuck.name || stuck.op}"`);
  }
  return order;
}

/** A binary min-heap of node indices (keeps the sort stable and O(n log n)). */
class MinQueue {
  private readonly heap: number[] = [];
  push(v: number): void {
    const h = this.heap;
    h.push(v);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
