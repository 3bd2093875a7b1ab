// parseListing: the text of listing.ohm back into a Program. The grammar checks the shape (errors
// are `file:line:col: expected ...`); this file builds the Program and checks what a grammar cannot:
// task ids 0..n-1 each listed once, in the stream of the core and engine they belong to.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ohm from 'ohm-js';
import { packageRoot } from '../../arch/package-root.js';
import { SpatialcError } from '../../arch/errors.js';
import { locate } from '../onnx/onnx-text-errors.js';
import type { Engine, Program, ProgramBuffer, ProgramCore, ProgramOp, ProgramTensor, Task, TaskId, TileRegion } from '../program.js';

let compiled: { grammar: ohm.Grammar; semantics: ohm.Semantics } | undefined;

type Node = ohm.Node;
const n = (x: Node): number => Number(x.sourceString);
const s = (x: Node): string => JSON.parse(x.sourceString) as string;
const v = <T>(x: Node): T => x['value']() as T;
const opt = <T>(x: Node): T | undefined => (x.numChildren === 0 ? undefined : (x.child(0)['value']() as T));

/** A task as listed, before its core and engine are known. */
type Listed = Omit<Task, 'core' | 'engine'>;

function load(): { grammar: ohm.Grammar; semantics: ohm.Semantics } {
  if (compiled) return compiled;
  const grammar = ohm.grammar(fs.readFileSync(path.join(packageRoot(import.meta.url), 'compiler', 'listing', 'listing.ohm'), 'utf8'));
  const semantics = grammar.createSemantics().addOperation('value', {
    Listing(header, items, _end) {
      return { header: v(header), items: items.children.map((c) => v(c)) };
    },
    Items(items) {
      return items.children.map((c) => v(c));
    },
    Header(_p, model, _f, format, _a, arch, _fp, fp, _d, dtype, _fi, fidelity, _b, batch, _s, strategy, _m, macs, _pr, predicted, timing) {
      const det = opt<{ mergeGap: number }>(timing);
      return { model: s(model), format: s(format), archName: s(arch), archFingerprint: s(fp), dtype: dtype.sourceString, fidelity: fidelity.sourceString, batch: n(batch), strategy: s(strategy), macs: n(macs), predictedCycles: n(predicted), ...(det !== undefined ? { deterministic: det } : {}) };
    },
    Timing(_d, _g, gap) { return { mergeGap: n(gap) }; },
    Tensor(_t, id, name, _m, rows, _x, cols, _ti, tr, _x2, tc, _h, home, _sh, shape, _l, layout, shards, alias) {
      const sh = opt<unknown[]>(shards);
      const al = opt<unknown>(alias);
      return { item: 'tensor', value: { id: n(id), name: s(name), rows: n(rows), cols: n(cols), tileRows: n(tr), tileCols: n(tc), home: home.sourceString, shape: v(shape), layout: layout.sourceString, ...(sh !== undefined ? { shards: sh } : {}), ...(al !== undefined ? { alias: al } : {}) } };
    },
    Alias(_a, _o, tensor, _t, tiles, transposed) { return { tensor: n(tensor), tiles: v(tiles), transposed: transposed.numChildren > 0 }; },
    Shards(_s, _o, list, _c) { return list.asIteration().children.map((c) => v(c)); },
    Shard(_c, core, _col, row0, _p, rows, _comma, col0, _p2, cols) { return { core: n(core), row0: n(row0), rows: n(rows), col0: n(col0), cols: n(cols) }; },
    Op(_o, index, name, op, _m, macs, _s, strategy, _l, lowering, _c, cores, output, _i, outIndex, _f, fused) {
      const out = opt<number>(output);
      return { item: 'op', value: { index: n(index), name: s(name), op: s(op), fused: v(fused), macs: n(macs), strategy: s(strategy), lowering: lowering.sourceString, coresUsed: n(cores), ...(out !== undefined ? { output: out } : {}), outputIndex: n(outIndex) } };
    },
    OpOutput(_o, x) { return n(x); },
    Buffer(_b, id, _c, core, _by, bytes, name) {
      return { item: 'buffer', value: { id: n(id), core: n(core), bytes: n(bytes), name: s(name) } };
    },
    Core(_c, index, _at, _l, x, _comma, y, _r, streams) {
      return { item: 'core', index: n(index), x: n(x), y: n(y), streams: streams.children.map((c) => v(c)), at: this.source.startIdx };
    },
    Stream(engine, tasks) {
      return { engine: engine.sourceString, tasks: tasks.children.map((t) => ({ task: v(t), at: t.source.startIdx })) };
    },
    Task(id, _at, start, _p, cycles, _o, op, b, _d, deps, alloc, free) {
      const a = opt<number[]>(alloc), f = opt<number[]>(free);
      return { id: v(id), predictedStartCycle: n(start), predictedCycles: n(cycles), op: n(op), ...v<object>(b), deps: v(deps), ...(a ? { alloc: a } : {}), ...(f ? { free: f } : {}) };
    },
    Body(x) { return v(x); },
    Compute(_c, _w, _l, work, _r, _m, macs, _s, rd, wr, produces, region, kTiles) {
      const p = opt<TileRegion>(produces), r = opt<TileRegion>(region), k = opt<[number, number]>(kTiles);
      return { kind: 'compute', work: work.asIteration().children.map((c) => v(c)), macs: n(macs), sramReadBytes: n(rd), sramWriteBytes: n(wr), ...(p ? { produces: p } : {}), ...(r ? { region: r } : {}), ...(k ? { kTiles: k } : {}) };
    },
    Work_matmul(_m, tiles, _r, rows) { return { unit: 'matmul', tiles: n(tiles), rows: n(rows) }; },
    Work_eltwise(_e, tiles) { return { unit: 'eltwise', tiles: n(tiles) }; },
    Work_sfpu(_s, fn, tiles) { return { unit: 'sfpu', fn: s(fn), tiles: n(tiles) }; },
    Produces(_p, r) { return v(r); },
    Region(_r, r) { return v(r); },
    KTiles(_k, a, _dots, b) { return [n(a), n(b)]; },
    DramRead(_d, posted, _n, noc, _c, ch, eps, reads) {
      const r = opt<TileRegion[]>(reads), e = opt<number[]>(eps);
      return { kind: 'dram-read', noc: n(noc), ...(posted.numChildren > 0 ? { posted: true } : {}), ...(r ? { reads: r } : {}), channelBytes: v(ch), ...(e ? { endpoints: e } : {}) };
    },
    DramWrite(_d, _n, noc, _c, ch, eps, writes) {
      const w = opt<TileRegion>(writes), e = opt<number[]>(eps);
      return { kind: 'dram-write', noc: n(noc), ...(w ? { writes: w } : {}), channelBytes: v(ch), ...(e ? { endpoints: e } : {}) };
    },
    Endpoints(_e, list) {
      return v(list);
    },
    Send(_s, _n, noc, _t, dsts, cast, _b, bytes, reads, partial) {
      const r = opt<TileRegion[]>(reads);
      const p = opt<TileRegion>(partial);
      return { kind: 'send', noc: n(noc), dsts: v(dsts), multicast: cast.sourceString === 'multicast', bytes: n(bytes), ...(r ? { reads: r } : {}), ...(p ? { partial: p } : {}) };
    },
    Partial(_p, r) { return v(r); },
    Reads(_r, _l, list, _e) { return list.asIteration().children.map((c) => v(c)); },
    Writes(_w, r) { return v(r); },
    TileRegion(t, _r, row0, _p, rows, _c, col0, _p2, cols) {
      return { tensor: Number(t.sourceString.slice(1)), row0: n(row0), rows: n(rows), col0: n(col0), cols: n(cols) };
    },
    Alloc(_a, l) { return v(l); },
    Free(_f, l) { return v(l); },
    TaskList(_l, list, _r) { return list.asIteration().children.map((c) => v(c)); },
    taskId(_t, digits) { return Number(digits.sourceString); },
    NumList(_l, list, _r) { return list.asIteration().children.map((c) => n(c)); },
    StrList(_l, list, _r) { return list.asIteration().children.map((c) => s(c)); },
  });
  compiled = { grammar, semantics };
  return compiled;
}

interface ParsedCore { item: 'core'; index: number; x: number; y: number; at: number; streams: { engine: Engine; tasks: { task: Listed; at: number }[] }[] }

/**
 * A core's piece parsed a line at a time, as print.ts writes it (the core line, engine lines, one
 * task per line): per-line matches keep the parser's memory small (a whole core's streams in one
 * match spent most of its time collecting garbage). Undefined when a line does not parse alone;
 * the caller then matches the piece whole, which also gives the error's position.
 */
function coreByLines(text: string, from: number, to: number): ParsedCore | undefined {
  const { grammar, semantics } = load();
  let core: ParsedCore | undefined;
  let stream: ParsedCore['streams'][number] | undefined;
  let at = from;
  for (const line of text.slice(from, to).split('\n')) {
    const lineAt = at;
    at += line.length + 1;
    const t = line.trim();
    if (t === '' || t.startsWith('//')) continue;
    const first = lineAt + line.indexOf(t[0]!);
    if (core === undefined) {
      const m = grammar.match(line, 'Core');
      if (m.failed()) return undefined;
      core = { ...(semantics(m)['value']() as ParsedCore), at: first };
      if (core.streams.length > 0) return undefined;
    } else if (t === 'reader' || t === 'compute' || t === 'writer') {
      stream = { engine: t, tasks: [] };
      core.streams.push(stream);
    } else {
      const m = stream === undefined ? undefined : grammar.match(line, 'Task');
      if (m === undefined || m.failed()) return undefined;
      stream!.tasks.push({ task: semantics(m)['value']() as Listed, at: first });
    }
  }
  return core;
}

/** The Program a listing describes; `file` names it in messages. */
export function parseListing(text: string, file = '<listing>'): Program {
  const { grammar, semantics } = load();
  const fail = (offset: number, what: string): SpatialcError => {
    const loc = locate(file, text, offset);
    return new SpatialcError('E_PROGRAM_INVALID', `${file}:${loc.line}:${loc.col}: ${what}`);
  };
  // Matched piece by piece: the header, then each run of lines from one item keyword at the start
  // of a line to the next. One match over a whole listing keeps every node of it in memory (a
  // 12 MB BERT-base listing ran out of heap); pieces keep one core's streams at most.
  const starts = [...text.matchAll(/^(?:tensor|op|buffer|core)\b/gm)].map((x) => x.index!);
  const pieces = [0, ...starts, text.length].filter((o, i, all) => i === 0 || o > all[i - 1]!);
  const match = <T>(from: number, to: number, rule: string): T => {
    const m = grammar.match(text.slice(from, to), rule);
    if (m.failed()) throw fail(from + m.getRightmostFailurePosition(), `expected ${m.getExpectedText()}`);
    return semantics(m)['value']() as T;
  };
  const header = match<Omit<Program, 'cores' | 'tasks' | 'buffers' | 'tensors' | 'ops'>>(0, pieces[1] ?? text.length, 'Header');
  const items: ({ item: string; value?: unknown } | ParsedCore)[] = [];
  for (let k = 1; k + 1 < pieces.length; k++) {
    const byLines = text.startsWith('core', pieces[k]!) ? coreByLines(text, pieces[k]!, pieces[k + 1]!) : undefined;
    if (byLines !== undefined) {
      items.push(byLines);
      continue;
    }
    for (const it of match<({ item: string; value?: unknown } | ParsedCore)[]>(pieces[k]!, pieces[k + 1]!, 'Items')) {
      if (it.item === 'core') {
        const c = it as ParsedCore;
        c.at += pieces[k]!;
        for (const st of c.streams) for (const t of st.tasks) t.at += pieces[k]!;
      }
      items.push(it);
    }
  }
  const tensors: ProgramTensor[] = [], ops: ProgramOp[] = [], buffers: ProgramBuffer[] = [];
  const cores: ProgramCore[] = [];
  const tasks: Task[] = [];
  for (const it of items) {
    if (it.item === 'tensor') tensors.push((it as { value: ProgramTensor }).value);
    else if (it.item === 'op') ops.push((it as { value: ProgramOp }).value);
    else if (it.item === 'buffer') buffers.push((it as { value: ProgramBuffer }).value);
    else {
      const c = it as ParsedCore;
      if (c.index !== cores.length) throw fail(c.at, `expected core ${cores.length}, got core ${c.index}`);
      const core = { x: c.x, y: c.y, reader: [] as TaskId[], compute: [] as TaskId[], writer: [] as TaskId[] };
      for (const st of c.streams) {
        for (const { task, at } of st.tasks) {
          if (tasks[task.id] !== undefined) throw fail(at, `task t${task.id} is listed twice`);
          tasks[task.id] = { ...task, core: c.index, engine: st.engine } as Task;
          core[st.engine].push(task.id);
        }
      }
      cores.push(core);
    }
  }
  for (let i = 0; i < tasks.length; i++) if (tasks[i] === undefined) throw fail(text.length, `task t${i} is missing (tasks must be numbered 0 to ${tasks.length - 1})`);
  return { ...header, cores, tasks, buffers, tensors, ops } as Program;
}
