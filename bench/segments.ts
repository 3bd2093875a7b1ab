// Diagnostic: how much a simulated run could gain at most from overlapping the ops of each stretch
// of the model, the question a streaming mapping (consecutive ops resident at once, tiles flowing
// between them) must answer before it is built. The ops are cut into segments, maximal runs of
// consecutive ops whose outputs have the same number of tile rows (a CNN's stages at one image
// resolution; a transformer's layers at one sequence length). For each segment it gives the
// simulated span (its first compute task's start to its last one's end), the busy cycles of its
// compute tasks spread evenly over every compute core, and their difference: the span no
// overlap of these same tasks can beat is the busy share, so span - busy share bounds what
// streaming the segment saves (without changing the work itself). Used by bench/critical-path.ts
// --segments.

import type { Program } from '../compiler/program.js';
import type { SimResult } from '../sim/index.js';

export interface Segment {
  /** Ops [first, last] in program order. */
  readonly first: number;
  readonly last: number;
  /** Tile rows of the outputs of its ops. */
  readonly tileRows: number;
  /** First compute start to last compute end, simulated cycles (0 without compute). */
  readonly spanCycles: number;
  /** Compute busy cycles of its ops' tasks, summed over cores, over the program's core count. */
  readonly busyShareCycles: number;
}

/** The segments of `p` as simulated in `s`; ops without an output tensor join the segment before. */
export function segments(p: Program, s: Pick<SimResult, 'taskStartCycle' | 'taskEndCycle'>): Segment[] {
  const rowsOf = p.ops.map((o) => (o.output !== undefined ? p.tensors[o.output]?.tileRows : undefined));
  const start = new Float64Array(p.ops.length).fill(Infinity);
  const end = new Float64Array(p.ops.length);
  const busy = new Float64Array(p.ops.length);
  p.tasks.forEach((t, i) => {
    if (t.kind !== 'compute' || t.work.length === 0) return;
    const a = s.taskStartCycle[i]!;
    const b = s.taskEndCycle[i]!;
    start[t.op] = Math.min(start[t.op]!, a);
    end[t.op] = Math.max(end[t.op]!, b);
    busy[t.op] = busy[t.op]! + (b - a);
  });
  const out: Segment[] = [];
  let first = 0;
  for (let o = 1; o <= p.ops.length; o++) {
    const rows = rowsOf[o];
    if (o < p.ops.length && (rows === undefined || rows === rowsOf[first])) continue;
    let a = Infinity;
    let b = 0;
    let sum = 0;
    for (let k = first; k < o; k++) {
      a = Math.min(a, start[k]!);
      b = Math.max(b, end[k]!);
      sum += busy[k]!;
    }
    out.push({ first, last: o - 1, tileRows: rowsOf[first] ?? 0, spanCycles: a === Infinity ? 0 : b - a, busyShareCycles: sum / p.cores.length });
    first = o;
  }
  return out;
}
