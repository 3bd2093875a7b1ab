// The core: compute-task timing (arch/core-timing.ts, shared with the compiler's cost model),
// compute counters, and SRAM buffer accounting (allocate when a task starts, free when it ends).

import { computeCycles } from '../arch/core-timing.js';
import { SpatialcError } from '../arch/errors.js';
import type { ComputeTask, Task } from '../compiler/program.js';
import type { SimContext, SramState } from './state.js';

/** Fresh SRAM accounting for a program with `cores` cores and `buffers` buffers. */
export function createSramState(cores: number, buffers: number, capacityBytes: number): SramState {
  return { usedBytes: new Float64Array(cores), isAllocated: new Uint8Array(buffers), capacityBytes };
}

/** Runs a compute task from `cycle`: counts its work and returns its end cycle. */
export function runCompute(ctx: SimContext, task: ComputeTask, cycle: number): number {
  const cycles = computeCycles(ctx.arch, ctx.fmt, task.work);
  const c = ctx.counters;
  let vectorOps = 0;
  for (const w of task.work) if (w.unit !== 'matmul') vectorOps += w.tiles * ctx.tileElements;
  c.macs += task.macs;
  c.vectorOps += vectorOps;
  c.sramReadBytes += task.sramReadBytes;
  c.sramWriteBytes += task.sramWriteBytes;
  c.coreBusyCycles[task.core] = (c.coreBusyCycles[task.core] as number) + cycles;
  const op = c.op;
  op.macs[task.op] = (op.macs[task.op] as number) + task.macs;
  op.vectorOps[task.op] = (op.vectorOps[task.op] as number) + vectorOps;
  op.computeBusyCycles[task.op] = (op.computeBusyCycles[task.op] as number) + cycles;
  op.sramBytes[task.op] = (op.sramBytes[task.op] as number) + task.sramReadBytes + task.sramWriteBytes;
  return cycle + cycles;
}

/** Allocates the buffers a starting task lists in `alloc`; E_SRAM_OVERFLOW past the core's SRAM. */
export function allocateBuffers(ctx: SimContext, task: Task, cycle: number): void {
  if (task.alloc === undefined) return;
  const s = ctx.sram;
  for (const id of task.alloc) {
    const b = ctx.program.buffers[id];
    if (b === undefined) continue; // validated earlier
    const where = coreName(ctx, b.core);
    if (s.isAllocated[id] === 1) {
      throw new SpatialcError('E_PROGRAM_INVALID', `task ${task.id} allocates buffer "${b.name}" on ${where} twice`, {
        where,
      });
    }
    s.isAllocated[id] = 1;
    const used = (s.usedBytes[b.core] as number) + b.bytes;
    s.usedBytes[b.core] = used;
    if (used > (ctx.counters.coreSramPeakBytes[b.core] as number)) ctx.counters.coreSramPeakBytes[b.core] = used;
    if (used > s.capacityBytes) throw sramOverflow(ctx, b.name, b.bytes, b.core, used, cycle);
  }
}

/** Releases the buffers a completed task lists in `free`. */
export function freeBuffers(ctx: SimContext, task: Task): void {
  if (task.free === undefined) return;
  const s = ctx.sram;
  for (const id of task.free) {
    const b = ctx.program.buffers[id];
    if (b === undefined) continue;
    if (s.isAllocated[id] !== 1) {
      const where = coreName(ctx, b.core);
      throw new SpatialcError(
        'E_PROGRAM_INVALID',
        `task ${task.id} frees buffer "${b.name}" on ${where}, which is not allocated`,
        { where },
      );
    }
    s.isAllocated[id] = 0;
    s.usedBytes[b.core] = (s.usedBytes[b.core] as number) - b.bytes;
  }
}

/** Display name of a Program core: `core(x,y)`. */
export function coreName(ctx: SimContext, core: number): string {
  const c = ctx.coords[core];
  return c === undefined ? `core #${core}` : `core(${c.x},${c.y})`;
}

function sramOverflow(ctx: SimContext, buffer: string, bytes: number, core: number, used: number, cycle: number) {
  const where = coreName(ctx, core);
  const { sramBytes, sramReservedBytes } = ctx.arch.core;
  return new SpatialcError(
    'E_SRAM_OVERFLOW',
    `${where}: allocating buffer "${buffer}" (${bytes} B) at cycle ${cycle} raises SRAM use to ${used} B, ` +
      `over the ${ctx.sram.capacityBytes} B available (${sramBytes} B minus ${sramReservedBytes} B reserved)`,
    { where, hint: 'the compiler should keep each core\'s live buffers within its SRAM; this program is wrong' },
  );
}
