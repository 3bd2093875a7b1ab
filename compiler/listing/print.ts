// printListing: a Program as the readable listing that listing.ohm describes. Header, tensors, ops
// and buffers first, then per core its three engine streams, each task on one line in stream order
// with its predicted start and length. Optional Program fields are printed only when present, and
// numbers in JavaScript's shortest round-trip form, so parseListing gives back the same Program.
import type { Program, Task, TileRegion, WorkItem } from '../program.js';

const q = (s: string): string => JSON.stringify(s);
const num = (n: number): string => String(n);
const list = (xs: readonly number[]): string => `[${xs.map(num).join(', ')}]`;
const region = (r: TileRegion): string => `T${r.tensor} rows ${r.row0}+${r.rows} cols ${r.col0}+${r.cols}`;

function work(w: WorkItem): string {
  if (w.unit === 'matmul') return `matmul ${w.tiles} rows ${w.rows}`;
  if (w.unit === 'eltwise') return `eltwise ${w.tiles}`;
  return `sfpu ${q(w.fn)} ${w.tiles}`;
}

function body(t: Task): string {
  switch (t.kind) {
    case 'compute': {
      let s = `compute work [${t.work.map(work).join(', ')}] macs ${num(t.macs)} sram ${num(t.sramReadBytes)} ${num(t.sramWriteBytes)}`;
      if (t.produces) s += ` produces ${region(t.produces)}`;
      if (t.region) s += ` region ${region(t.region)}`;
      if (t.kTiles) s += ` k ${t.kTiles[0]}..${t.kTiles[1]}`;
      return s;
    }
    case 'dram-read':
      return `dram-read${t.posted === true ? ' posted' : ''} noc ${t.noc} channels ${list(t.channelBytes)}${t.endpoints ? ` endpoints ${list(t.endpoints)}` : ''}${t.reads ? ` reads [${t.reads.map(region).join(', ')}]` : ''}`;
    case 'dram-write':
      return `dram-write noc ${t.noc} channels ${list(t.channelBytes)}${t.endpoints ? ` endpoints ${list(t.endpoints)}` : ''}${t.writes ? ` writes ${region(t.writes)}` : ''}`;
    case 'send':
      return `send noc ${t.noc} to ${list(t.dsts)} ${t.multicast ? 'multicast' : 'unicast'} bytes ${num(t.bytes)}${t.reads ? ` reads [${t.reads.map(region).join(', ')}]` : ''}${t.partial ? ` partial ${region(t.partial)}` : ''}`;
  }
}

function taskLine(t: Task): string {
  let s = `t${t.id} @${num(t.predictedStartCycle)}+${num(t.predictedCycles)} op ${t.op} ${body(t)} deps [${t.deps.map((d) => `t${d}`).join(', ')}]`;
  if (t.alloc) s += ` alloc ${list(t.alloc)}`;
  if (t.free) s += ` free ${list(t.free)}`;
  return s;
}

/** The listing of `p`. */
export function printListing(p: Program): string {
  const out: string[] = [];
  out.push(`// ${p.model}: ${p.tasks.length} tasks on ${p.cores.length} cores, predicted ${p.predictedCycles} cycles`);
  out.push(`program ${q(p.model)} format ${q(p.format)} arch ${q(p.archName)} fingerprint ${q(p.archFingerprint)}`);
  out.push(`  dtype ${p.dtype} fidelity ${p.fidelity} batch ${p.batch} strategy ${q(p.strategy)} macs ${num(p.macs)} predicted ${num(p.predictedCycles)}${p.deterministic !== undefined ? ` deterministic merge-gap ${num(p.deterministic.mergeGap)}` : ''}`);
  for (const t of p.tensors) {
    out.push(`tensor ${t.id} ${q(t.name)} matrix ${t.rows}x${t.cols} tiles ${t.tileRows}x${t.tileCols} home ${t.home} shape ${list(t.shape)} layout ${t.layout}${t.shards !== undefined ? ` shards [${t.shards.map((h) => `c${h.core}:${h.row0}+${h.rows},${h.col0}+${h.cols}`).join(', ')}]` : ''}${t.alias !== undefined ? ` alias of ${t.alias.tensor} tiles ${list(t.alias.tiles)}${t.alias.transposed ? ' transposed' : ''}` : ''}`);
  }
  for (const o of p.ops) {
    out.push(`op ${o.index} ${q(o.name)} ${q(o.op)} macs ${num(o.macs)} strategy ${q(o.strategy)} lowering ${o.lowering} cores ${o.coresUsed}${o.output !== undefined ? ` output ${o.output}` : ''} index ${o.outputIndex} fused [${o.fused.map(q).join(', ')}]`);
  }
  for (const b of p.buffers) out.push(`buffer ${b.id} core ${b.core} bytes ${num(b.bytes)} ${q(b.name)}`);
  p.cores.forEach((c, i) => {
    out.push(`core ${i} at (${c.x},${c.y})`);
    for (const engine of ['reader', 'compute', 'writer'] as const) {
      if (c[engine].length === 0) continue;
      out.push(`  ${engine}`);
      for (const id of c[engine]) out.push(`    ${taskLine(p.tasks[id]!)}`);
    }
  });
  return out.join('\n') + '\n';
}
