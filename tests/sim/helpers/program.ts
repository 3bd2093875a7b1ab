// A small builder for hand-written Programs in simulator tests. Tasks join their engine's stream in
// the order they are created; ids are dense.

import type { Coord, DeviceDtype, MathFidelity } from '../../../arch/spec.js';
import type {
  BufferId,
  Engine,
  Program,
  ProgramBuffer,
  ProgramOp,
  Task,
  TaskId,
  WorkItem,
} from '../../../compiler/program.js';

/** Fields every task accepts. */
export interface TaskOpts {
  readonly deps?: readonly TaskId[];
  readonly op?: number;
  readonly engine?: Engine;
  readonly alloc?: readonly BufferId[];
  readonly free?: readonly BufferId[];
}

/** Builds a Program one task at a time. */
export interface ProgramBuilder {
  op(name: string, opType?: string): number;
  buffer(core: number, bytes: number, name: string): BufferId;
  compute(core: number, o: TaskOpts & { work: readonly WorkItem[]; macs?: number; sramReadBytes?: number; sramWriteBytes?: number }): TaskId;
  send(core: number, o: TaskOpts & { dsts: readonly number[]; bytes: number; noc?: number; multicast?: boolean }): TaskId;
  dramRead(core: number, o: TaskOpts & { channelBytes: readonly number[]; noc?: number; posted?: boolean; endpoints?: readonly number[] }): TaskId;
  dramWrite(core: number, o: TaskOpts & { channelBytes: readonly number[]; noc?: number; endpoints?: readonly number[] }): TaskId;
  build(): Program;
}

/** Options of programBuilder. */
export interface BuilderOptions {
  readonly cores: readonly Coord[];
  readonly dtype?: DeviceDtype;
  readonly fidelity?: MathFidelity;
  readonly batch?: number;
  readonly archFingerprint?: string;
}

/** A fresh builder for a program on `cores`. */
export function programBuilder(opts: BuilderOptions): ProgramBuilder {
  const tasks: Task[] = [];
  const ops: ProgramOp[] = [];
  const buffers: ProgramBuffer[] = [];
  const streams = opts.cores.map(() => ({ reader: [] as TaskId[], compute: [] as TaskId[], writer: [] as TaskId[] }));
  const add = (core: number, engine: Engine, o: TaskOpts, rest: Record<string, unknown>): TaskId => {
    const id = tasks.length as TaskId;
    const base = { id, core, engine, deps: o.deps ?? [], op: o.op ?? 0, predictedStartCycle: 0, predictedCycles: 0 };
    const extra = { ...(o.alloc ? { alloc: o.alloc } : {}), ...(o.free ? { free: o.free } : {}) };
    tasks.push({ ...base, ...extra, ...rest } as unknown as Task);
    streams[core]![engine].push(id);
    return id;
  };
  return {
    op(name, opType = 'MatMul') {
      ops.push({ index: ops.length, name, op: opType, fused: [name], macs: 0, strategy: 'test', lowering: 'map', coresUsed: 1, outputIndex: 0 });
      return ops.length - 1;
    },
    buffer(core, bytes, name) {
      buffers.push({ id: buffers.length as BufferId, core, bytes, name });
      return (buffers.length - 1) as BufferId;
    },
    compute(core, o) {
      const rest = { kind: 'compute', work: o.work, macs: o.macs ?? 0, sramReadBytes: o.sramReadBytes ?? 0, sramWriteBytes: o.sramWriteBytes ?? 0 };
      return add(core, o.engine ?? 'compute', o, rest);
    },
    send(core, o) {
      const rest = { kind: 'send', noc: o.noc ?? 0, dsts: o.dsts, multicast: o.multicast ?? false, bytes: o.bytes };
      return add(core, o.engine ?? 'writer', o, rest);
    },
    dramRead(core, o) {
      return add(core, o.engine ?? 'reader', o, { kind: 'dram-read', noc: o.noc ?? 0, channelBytes: o.channelBytes, ...(o.posted ? { posted: true } : {}), ...(o.endpoints ? { endpoints: o.endpoints } : {}) });
    },
    dramWrite(core, o) {
      return add(core, o.engine ?? 'writer', o, { kind: 'dram-write', noc: o.noc ?? 0, channelBytes: o.channelBytes, ...(o.endpoints ? { endpoints: o.endpoints } : {}) });
    },
    build() {
      if (ops.length === 0) this.op('op0');
      const macs = tasks.reduce((s, t) => s + (t.kind === 'compute' ? t.macs : 0), 0);
      return {
        format: 'spatialc-program/1',
        archName: 'tiny',
        archFingerprint: opts.archFingerprint ?? 'tiny-fp',
        model: 'test-model',
        dtype: opts.dtype ?? 'bf16',
        fidelity: opts.fidelity ?? 'LoFi',
        batch: opts.batch ?? 1,
        strategy: 'test',
        cores: opts.cores.map((c, i) => ({ x: c.x, y: c.y, ...streams[i]! })),
        tasks: [...tasks],
        buffers: [...buffers],
        tensors: [],
        ops: [...ops],
        macs,
        predictedCycles: 0,
      };
    },
  };
}

/** MACs of `tiles` full 32x32x32 tile products. */
export function tileMacs(tiles: number): number {
  return tiles * 32 * 32 * 32;
}
