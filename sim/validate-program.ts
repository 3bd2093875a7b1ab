// Structural checks the simulator needs before it can run a Program: dense ids, indices in range,
// every task in exactly one engine stream (the one its `core` and `engine` name), and the Program
// tied to this arch. Problems are collected first and thrown once (E_PROGRAM_INVALID).

import type { ArchSpec, Coord } from '../arch/spec.js';
import { SpatialcError } from '../arch/errors.js';
import { dtypeSpec } from '../arch/core-timing.js';
import type { DramReadTask, DramWriteTask, Program, SendTask, Task } from '../compiler/program.js';
import { buildTopology, hopCount, type Topology } from '../noc/topology.js';

/** Options of validateProgram. */
export interface ValidateOptions {
  /** The arch's fingerprint (arch/load-arch.ts); when given it must equal program.archFingerprint. */
  readonly fingerprint?: string;
}

const MAX_LISTED_PROBLEMS = 20;
const ENGINES = ['reader', 'compute', 'writer'] as const;

/** Throws SpatialcError('E_PROGRAM_INVALID') listing every structural problem of `program`. */
export function validateProgram(program: Program, arch: ArchSpec, opts: ValidateOptions = {}): void {
  if (opts.fingerprint !== undefined && opts.fingerprint !== program.archFingerprint) {
    throw new SpatialcError(
      'E_PROGRAM_INVALID',
      `program was compiled for arch "${program.archName}" (fingerprint ${program.archFingerprint}) ` +
        `but the simulator was given arch "${arch.name}" (fingerprint ${opts.fingerprint})`,
      { where: 'program.archFingerprint', hint: 'recompile the model for this arch' },
    );
  }
  dtypeSpec(arch, program.dtype); // E_DTYPE when the arch lacks the program's number format
  const problems: string[] = [];
  const det = program.deterministic;
  if (det !== undefined && !(Number.isInteger(det.mergeGap) && det.mergeGap >= 0)) problems.push(`deterministic.mergeGap is ${det.mergeGap}; expected an integer >= 0`);
  if (det !== undefined) {
    program.tasks.forEach((t, i) => {
      if (!(Number.isInteger(t.predictedStartCycle) && t.predictedStartCycle >= 0)) problems.push(`task ${i} of a deterministic program has start cycle ${t.predictedStartCycle}; expected an integer >= 0`);
    });
  }
  checkCores(program, arch, problems);
  checkStreams(program, problems);
  const check: TaskCheck = { program, arch, topo: buildTopology(arch), problems };
  program.tasks.forEach((t, i) => checkTask(check, t, i));
  program.buffers.forEach((b, i) => {
    if (b.id !== i) problems.push(`buffers[${i}] has id ${b.id} (ids must be dense and equal the index)`);
    if (!isIndex(b.core, program.cores.length)) problems.push(`buffer "${b.name}" has bad core ${b.core}`);
    if (!(b.bytes >= 0)) problems.push(`buffer "${b.name}" has bad size ${b.bytes} B`);
  });
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length - listed.length;
    const lines = listed.map((p) => `  - ${p}`).join('\n') + (more > 0 ? `\n  - … and ${more} more` : '');
    throw new SpatialcError('E_PROGRAM_INVALID', `program "${program.model}" is invalid:\n${lines}`, {
      where: 'program',
      problems,
    });
  }
}

function isIndex(i: number, n: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < n;
}

function checkCores(program: Program, arch: ArchSpec, problems: string[]): void {
  program.cores.forEach((c, i) => {
    if (!isIndex(c.x, arch.grid.cols) || !isIndex(c.y, arch.grid.rows)) {
      problems.push(`cores[${i}] at (${c.x},${c.y}) lies outside the ${arch.grid.cols}x${arch.grid.rows} grid`);
    }
  });
}

/** Every task must appear exactly once, in the stream of its own core and engine. */
function checkStreams(program: Program, problems: string[]): void {
  const seen = new Uint8Array(program.tasks.length);
  program.cores.forEach((c, ci) => {
    for (const engine of ENGINES) {
      for (const id of c[engine]) {
        const t = program.tasks[id];
        if (t === undefined) {
          problems.push(`core(${c.x},${c.y})/${engine} lists unknown task ${id}`);
        } else if (t.core !== ci || t.engine !== engine) {
          problems.push(`task ${id} (core ${t.core}/${t.engine}) is listed in core(${c.x},${c.y})/${engine}`);
        } else if (seen[id] === 1) {
          problems.push(`task ${id} is listed twice in core(${c.x},${c.y})/${engine}`);
        }
        if (t !== undefined) seen[id] = 1;
      }
    }
  });
  seen.forEach((s, id) => {
    if (s === 0) problems.push(`task ${id} is in no engine stream, so it would never run`);
  });
}

interface TaskCheck {
  readonly program: Program;
  readonly arch: ArchSpec;
  readonly topo: Topology;
  readonly problems: string[];
}

function checkTask(k: TaskCheck, t: Task, i: number): void {
  const { program, problems } = k;
  const where = `task ${i}`;
  if (t.id !== i) problems.push(`tasks[${i}] has id ${t.id} (ids must be dense and equal the index)`);
  if (!isIndex(t.core, program.cores.length)) problems.push(`${where} has bad core ${t.core}`);
  if (!isIndex(t.op, program.ops.length)) problems.push(`${where} has bad op ${t.op}`);
  for (const d of t.deps) {
    if (!isIndex(d, program.tasks.length)) problems.push(`${where} depends on unknown task ${d}`);
  }
  for (const list of [t.alloc, t.free]) {
    for (const b of list ?? []) {
      if (!isIndex(b, program.buffers.length)) problems.push(`${where} names unknown buffer ${b}`);
    }
  }
  if (t.kind === 'compute') {
    if (!(t.macs >= 0) || !(t.sramReadBytes >= 0) || !(t.sramWriteBytes >= 0)) {
      problems.push(`${where} has a negative or non-numeric count`);
    }
    return;
  }
  const nocs = k.arch.noc.nocs.length;
  if (!isIndex(t.noc, nocs)) problems.push(`${where} uses NoC ${t.noc}, the arch has ${nocs}`);
  if (!isIndex(t.core, program.cores.length) || !isIndex(t.noc, nocs)) return;
  if (t.kind === 'send') checkSend(k, t, where);
  else checkDram(k, t, where);
}

function checkSend(k: TaskCheck, t: SendTask, where: string): void {
  const src = k.program.cores[t.core]!;
  if (!(t.bytes >= 0)) k.problems.push(`${where} sends ${t.bytes} B`);
  if (t.multicast && !k.arch.noc.hasMulticast) {
    k.problems.push(`${where} multicasts but arch "${k.arch.name}" has no multicast`);
  }
  for (const d of t.dsts) {
    const dst = k.program.cores[d];
    if (dst === undefined) k.problems.push(`${where} sends to unknown core ${d}`);
    else if (hopCount(k.topo, t.noc, src, dst) === undefined) {
      k.problems.push(
        `${where}: NoC ${t.noc} has no route from core(${src.x},${src.y}) to core(${dst.x},${dst.y}) (a core outside the arch's grid)`,
      );
    }
  }
}

function checkDram(k: TaskCheck, t: DramReadTask | DramWriteTask, where: string): void {
  const channels = k.arch.dram.channels;
  if (t.channelBytes.length > channels.length) {
    k.problems.push(`${where} touches ${t.channelBytes.length} DRAM channels, the arch has ${channels.length}`);
    return;
  }
  const core = k.program.cores[t.core]!;
  const reach = (ep: Coord) =>
    t.kind === 'dram-read' ? hopCount(k.topo, t.noc, ep, core) : hopCount(k.topo, t.noc, core, ep);
  const eps = t.endpoints;
  if (eps !== undefined && (!Array.isArray(eps) || eps.length > channels.length)) {
    k.problems.push(`${where} names endpoints for ${Array.isArray(eps) ? eps.length : 'no list of'} DRAM channels, the arch has ${channels.length}`);
    return;
  }
  t.channelBytes.forEach((bytes, ch) => {
    if (!(bytes >= 0)) k.problems.push(`${where} has a negative DRAM byte count`);
    const which = eps?.[ch] ?? 0;
    const ep = channels[ch]?.endpoints[which];
    if (!Number.isInteger(which) || ep === undefined) {
      k.problems.push(`${where} uses endpoint ${which} of DRAM channel ${ch}, which has ${channels[ch]?.endpoints.length ?? 0}`);
      return;
    }
    if (bytes > 0 && reach(ep) === undefined) {
      k.problems.push(`${where}: DRAM channel ${ch}'s endpoint (${ep.x},${ep.y}) is not reachable from core(${core.x},${core.y}) on NoC ${t.noc}`);
    }
  });
}
