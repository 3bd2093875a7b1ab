// verifyProgram: an independent check of a compiled Program. It reads only the Program and the
// ArchSpec (never the compiler's lowering code) and reports every violation it finds:
// well-formed streams and buffers, every output tile produced exactly once, every transfer that
// reads a tensor ordered after the tasks that produce those tiles, and per-core SRAM occupancy
// within capacity at every moment of the predicted schedule, and for a deterministic program its
// cycle-exact schedule and conflict-free reservations (verify-schedule.ts).

import type { ArchSpec } from '../arch/spec.js';
import type { Program, Task, TaskId, TileRegion } from './program.js';
import { checkSchedule } from './verify-schedule.js';

export interface Diagnostic {
  readonly code: 'structure' | 'coverage' | 'dependency' | 'sram' | 'schedule';
  readonly message: string;
}

const MAX_REPORTED = 20;

/** Checks a program; returns every problem found (empty when the program is sound). */
export function verifyProgram(p: Program, arch: ArchSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (d: Diagnostic) => { if (out.length < MAX_REPORTED) out.push(d); };
  checkStructure(p, add);
  checkAliases(p, add);
  if (out.length > 0) return out;
  checkCoverage(p, add);
  checkDependencies(p, add);
  checkSram(p, arch, add);
  checkSchedule(p, arch, add);
  return out;
}

function checkStructure(p: Program, add: (d: Diagnostic) => void): void {
  const seen = new Uint8Array(p.tasks.length);
  p.tasks.forEach((t, i) => {
    if (t.id !== i) add({ code: 'structure', message: `task at index ${i} has id ${t.id}` });
    if (p.cores[t.core] === undefined) add({ code: 'structure', message: `task ${i} runs on unknown core ${t.core}` });
    for (const d of t.deps) if (!(d >= 0 && d < i)) add({ code: 'structure', message: `task ${i} depends on task ${d}, which is not earlier` });
  });
  p.cores.forEach((c, ci) => {
    for (const engine of ['reader', 'compute', 'writer'] as const) {
      let prev = -1;
      for (const id of c[engine]) {
        const t = p.tasks[id];
        if (t === undefined || t.core !== ci || t.engine !== engine) add({ code: 'structure', message: `core(${c.x},${c.y})/${engine} lists task ${id} that is not its own` });
        if (id <= prev) add({ code: 'structure', message: `core(${c.x},${c.y})/${engine} stream is out of order at task ${id}` });
        if (seen[id]) add({ code: 'structure', message: `task ${id} appears in more than one stream` });
        seen[id] = 1;
        prev = id;
      }
    }
  });
  seen.forEach((s, i) => { if (!s) add({ code: 'structure', message: `task ${i} is in no engine stream` }); });
}

/** Alias tensors name a real source that is no alias itself, and one of its tiles for each of theirs. */
function checkAliases(p: Program, add: (d: Diagnostic) => void): void {
  for (const t of p.tensors) {
    const a = t.alias;
    if (a === undefined) continue;
    const src = p.tensors[a.tensor];
    if (src === undefined || src.alias !== undefined || a.tensor === t.id) {
      add({ code: 'structure', message: `tensor "${t.name}" is an alias of tensor ${a.tensor}, which is ${src === undefined ? 'missing' : 'not a source'}` });
      continue;
    }
    if (a.tiles.length !== t.tileRows * t.tileCols) add({ code: 'structure', message: `alias "${t.name}" maps ${a.tiles.length} tiles, it has ${t.tileRows * t.tileCols}` });
    const bad = a.tiles.filter((k) => !(Number.isInteger(k) && k >= 0 && k < src.tileRows * src.tileCols)).length;
    if (bad > 0) add({ code: 'structure', message: `alias "${t.name}": ${bad} tile(s) outside source "${src.name}"` });
  }
}

/** A region of an alias tensor as the source tiles it is (one-tile regions); other regions as they are. */
function sourceRegions(p: Program, r: TileRegion): TileRegion[] {
  const t = p.tensors[r.tensor];
  const a = t?.alias;
  if (t === undefined || a === undefined) return [r];
  const srcCols = p.tensors[a.tensor]!.tileCols;
  const out: TileRegion[] = [];
  for (let i = r.row0; i < r.row0 + r.rows; i++) {
    for (let j = r.col0; j < r.col0 + r.cols; j++) {
      const k = a.tiles[i * t.tileCols + j]!;
      out.push({ tensor: a.tensor, row0: Math.floor(k / srcCols), rows: 1, col0: k % srcCols, cols: 1 });
    }
  }
  return out;
}

/** Every tile of every op output is completed by exactly one compute task. */
function checkCoverage(p: Program, add: (d: Diagnostic) => void): void {
  const counts = new Map<number, Uint16Array>();
  for (const op of p.ops) {
    if (op.output === undefined) continue;
    const t = p.tensors[op.output]!;
    counts.set(op.output, new Uint16Array(t.tileRows * t.tileCols));
  }
  for (const t of p.tasks) {
    if (t.kind !== 'compute' || t.produces === undefined) continue;
    const c = counts.get(t.produces.tensor);
    const ten = p.tensors[t.produces.tensor];
    if (c === undefined || ten === undefined) {
      add({ code: 'coverage', message: `task ${t.id} produces tiles of tensor ${t.produces.tensor}, which no op outputs` });
      continue;
    }
    forEachTile(t.produces, ten.tileCols, ten.tileRows, (idx) => { c[idx]! += 1; }, () => add({ code: 'coverage', message: `task ${t.id} produces tiles outside tensor "${ten.name}"` }));
  }
  for (const [ti, c] of counts) {
    const ten = p.tensors[ti]!;
    const missing = c.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    const twice = c.reduce((n, v) => n + (v > 1 ? 1 : 0), 0);
    if (missing > 0) add({ code: 'coverage', message: `tensor "${ten.name}": ${missing} tile(s) never computed` });
    if (twice > 0) add({ code: 'coverage', message: `tensor "${ten.name}": ${twice} tile(s) computed more than once` });
  }
}

function forEachTile(r: TileRegion, tileCols: number, tileRows: number, f: (idx: number) => void, outside: () => void): void {
  if (r.row0 < 0 || r.col0 < 0 || r.row0 + r.rows > tileRows || r.col0 + r.cols > tileCols) {
    outside();
    return;
  }
  for (let i = r.row0; i < r.row0 + r.rows; i++) for (let j = r.col0; j < r.col0 + r.cols; j++) f(i * tileCols + j);
}

function overlaps(a: TileRegion, b: TileRegion): boolean {
  return a.tensor === b.tensor && a.row0 < b.row0 + b.rows && b.row0 < a.row0 + a.rows && a.col0 < b.col0 + b.cols && b.col0 < a.col0 + a.cols;
}

/** Transfers that read tiles must happen after the tasks that produce (or write back) them. */
function checkDependencies(p: Program, add: (d: Diagnostic) => void): void {
  const producers = new Map<number, Task[]>();
  for (const t of p.tasks) {
    const region = t.kind === 'compute' ? t.produces : t.kind === 'dram-write' ? t.writes : undefined;
    if (region === undefined) continue;
    const list = producers.get(region.tensor) ?? [];
    list.push(t);
    producers.set(region.tensor, list);
  }
  const prevInStream = streamPredecessors(p);
  for (const t of p.tasks) {
    if ((t.kind !== 'send' && t.kind !== 'dram-read') || t.reads === undefined) continue;
    const wantKind = t.kind === 'send' ? 'compute' : 'dram-write';
    const checked = new Set<number>();
    for (const read of t.reads.flatMap((r) => sourceRegions(p, r))) {
      for (const src of producers.get(read.tensor) ?? []) {
        if (src.kind !== wantKind || checked.has(src.id)) continue;
        const region = src.kind === 'compute' ? src.produces : src.kind === 'dram-write' ? src.writes : undefined;
        if (region === undefined || !overlaps(region, read)) continue;
        if (t.kind === 'send' && src.core !== t.core) continue;
        checked.add(src.id);
        if (!happensBefore(p, prevInStream, src.id, t.id)) {
          add({ code: 'dependency', message: `task ${t.id} (${t.kind} on core ${t.core}) reads tiles of tensor "${p.tensors[read.tensor]?.name}" before task ${src.id} makes them` });
        }
      }
    }
  }
}

function streamPredecessors(p: Program): Int32Array {
  const prev = new Int32Array(p.tasks.length).fill(-1);
  for (const c of p.cores) {
    for (const s of [c.reader, c.compute, c.writer]) for (let i = 1; i < s.length; i++) prev[s[i]!] = s[i - 1]!;
  }
  return prev;
}

/** True when task `a` must complete before task `b` starts (deps and stream order, transitively). */
function happensBefore(p: Program, prev: Int32Array, a: TaskId, b: TaskId): boolean {
  const stack: number[] = [b];
  const seen = new Set<number>([b]);
  while (stack.length > 0) {
    const cur = stack.pop()!;
    const t = p.tasks[cur]!;
    const preds = [...t.deps, prev[cur]!];
    for (const d of preds) {
      if (d === a) return true;
      if (d < a || seen.has(d)) continue; // ids only decrease along edges: below `a` cannot reach it
      seen.add(d);
      stack.push(d);
    }
  }
  return false;
}

/** Replays allocations along the predicted schedule and checks each core's capacity. */
function checkSram(p: Program, arch: ArchSpec, add: (d: Diagnostic) => void): void {
  const capacity = arch.core.sramBytes - arch.core.sramReservedBytes;
  const events: { cycle: number; order: number; core: number; delta: number; buf: number }[] = [];
  const allocated = new Set<number>();
  for (const t of p.tasks) {
    for (const b of t.alloc ?? []) {
      if (allocated.has(b)) add({ code: 'sram', message: `buffer ${b} is allocated twice` });
      allocated.add(b);
      events.push({ cycle: t.predictedStartCycle, order: 1, core: t.core, delta: p.buffers[b]!.bytes, buf: b });
    }
    for (const b of t.free ?? []) {
      if (!allocated.has(b)) add({ code: 'sram', message: `buffer ${b} is freed by task ${t.id} before it is allocated` });
      events.push({ cycle: t.predictedStartCycle + t.predictedCycles, order: 0, core: t.core, delta: -p.buffers[b]!.bytes, buf: b });
    }
  }
  events.sort((x, y) => x.cycle - y.cycle || x.order - y.order);
  const used = new Array<number>(p.cores.length).fill(0);
  const reported = new Set<number>();
  for (const e of events) {
    used[e.core]! += e.delta;
    if (used[e.core]! > capacity && !reported.has(e.core)) {
      reported.add(e.core);
      const c = p.cores[e.core]!;
      add({ code: 'sram', message: `core(${c.x},${c.y}) holds ${used[e.core]} B of buffers at cycle ${e.cycle}, over its ${capacity} B` });
    }
  }
}
