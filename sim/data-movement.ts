// Data-movement tasks as packet streams. Starting a task opens its streams (one per unicast
// destination, multicast tree or DRAM channel) and schedules each stream's first packet; every
// packet is then one event: it is routed through the NoC model at its ready cycle and schedules the
// stream's next packet. Packets of one task are issued back to back (many outstanding requests);
// streams of one task proceed concurrently and share links through the link reservations. The
// task ends when its last byte has landed (reads, sends) or been stored (DRAM writes).

import type { Coord } from '../arch/spec.js';
import type { DramReadTask, DramWriteTask, SendTask } from '../compiler/program.js';
import { SpatialcError } from '../arch/errors.js';
import { absorbWrite } from '../noc/dram-channel.js';
import { movePacket, nextPacketReady, packetBytes, planStreams, readIssueCycles, releasesEarly, resourceName, STREAM_KIND, timeTransfer, transferOf, type StreamKind } from '../noc/transfer.js';
import type { MulticastTree } from '../noc/flit/routing.js';
import { flitTree, queueFlitPacket, type FlitNocState } from './flit-noc.js';
import type { Route } from '../noc/packet-model.js';
import { EVENT, eventPayload, type SimContext, type TimedState } from './state.js';
import { closeStream, openStream } from './streams.js';

type MoveTask = SendTask | DramReadTask | DramWriteTask;

/** Starts a data-movement task at `cycle`; its completion event is scheduled by its last packet. */
export function startDataMovement(ctx: SimContext, task: MoveTask, cycle: number): void {
  ctx.taskEndCycle[task.id] = cycle;
  if (ctx.timed !== undefined) {
    startTimedMovement(ctx, ctx.timed, task, cycle);
    return;
  }
  const plans = planStreams(ctx.arch, ctx.noc, ctx.dram, transferOf(task, ctx.coords), cycle);
  for (const s of plans) {
    if (s.endpoint !== undefined) markEndpoint(ctx, s.endpoint);
    const id = openStream(ctx.streams, {
      task: task.id, kind: s.kind, route: s.route, bytes: s.bytes, channel: s.channel, channelStartCycle: s.channelStartCycle,
      src: nodeOf(ctx, s.src), dst: s.dst === undefined ? -1 : nodeOf(ctx, s.dst), plane: task.noc,
    });
    ctx.queue.push(s.firstReady, eventPayload(EVENT.streamPacket, id));
  }
  ctx.pendingStreams[task.id] = plans.length;
  ctx.pendingIssue[task.id] = task.kind === 'send' ? plans.length : 0;
  ctx.issueEndCycle[task.id] = cycle;
  if (plans.length === 0) ctx.queue.push(cycle, eventPayload(EVENT.taskDone, task.id));
  // A posted read (a prefetch) frees its engine once its requests are out, before its data lands.
  else if (task.kind === 'dram-read' && task.posted === true) ctx.queue.push(cycle + readIssueCycles(ctx.arch, task.channelBytes), eventPayload(EVENT.engineFree, task.id));
}

/**
 * A stream of a send has issued its last packet, whose tail left the core at `cycle`. Once every
 * stream has, the core's engine goes on: NoC writes are posted (tt-metal's noc_async_write), and
 * only the task's completion (every byte landed) releases what depends on the data.
 */
function streamIssued(ctx: SimContext, task: number, cycle: number): void {
  if (cycle > (ctx.issueEndCycle[task] as number)) ctx.issueEndCycle[task] = cycle;
  const left = (ctx.pendingIssue[task] as number) - 1;
  ctx.pendingIssue[task] = left;
  if (left === 0) ctx.queue.push(ctx.issueEndCycle[task] as number, eventPayload(EVENT.engineFree, task));
}

/**
 * Deterministic (time-triggered) run: the task is timed alone (noc/transfer.ts), as the compiler
 * scheduled it, after checking that no other task holds one of its links or channels meanwhile.
 */
function startTimedMovement(ctx: SimContext, timed: TimedState, task: MoveTask, cycle: number): void {
  const tm = timeTransfer(timed.model, transferOf(task, ctx.coords), timed.mergeGap, (s, payload, wire) => countPacket(ctx, s.kind, task.op, s.route, payload, wire));
  for (const s of tm.streams) if (s.endpoint !== undefined) markEndpoint(ctx, s.endpoint);
  const clash = timed.table.firstClash(tm.spans, cycle);
  if (clash !== undefined) {
    const other = ctx.program.tasks[clash.owner]!;
    throw new SpatialcError('E_SCHEDULE', `deterministic program: task ${task.id} (op "${ctx.program.ops[task.op]?.name}") needs ${resourceName(timed.model, clash.resource)} over cycles ${clash.start}-${clash.end}, which task ${other.id} (op "${ctx.program.ops[other.op]?.name}") holds`);
  }
  timed.table.reserve(tm.spans, cycle, task.id);
  if (releasesEarly(task)) ctx.queue.push(cycle + tm.issueCycles, eventPayload(EVENT.engineFree, task.id));
  ctx.queue.push(cycle + tm.cycles, eventPayload(EVENT.taskDone, task.id));
}

/** Moves the next packet of stream `id`, ready at `cycle`, and schedules what follows it. */
export function sendStreamPacket(ctx: SimContext, id: number, cycle: number): void {
  if (ctx.flit !== undefined) {
    queueStreamPacket(ctx, ctx.flit, id);
    return;
  }
  const p = ctx.streams;
  const noc = ctx.noc;
  const task = p.task[id] as number;
  const kind = p.kind[id] as number;
  const { payload, wire, left } = takePacket(ctx, id);
  const end = movePacket(noc, ctx.dram, streamOf(ctx, id), cycle, payload, wire);
  if (end > (ctx.taskEndCycle[task] as number)) ctx.taskEndCycle[task] = end;
  if (left > 0) {
    ctx.queue.push(nextReady(ctx, id), eventPayload(EVENT.streamPacket, id));
    return;
  }
  if (kind === STREAM_KIND.send) streamIssued(ctx, task, noc.lastInjectEndCycle);
  closeStream(p, id);
  const pending = (ctx.pendingStreams[task] as number) - 1;
  ctx.pendingStreams[task] = pending;
  if (pending === 0) ctx.queue.push(ctx.taskEndCycle[task] as number, eventPayload(EVENT.taskDone, task));
}

/**
 * Flit-level model: queues the next packet of stream `id` at its source now. DRAM reads schedule
 * their next packet by the channel's read-out; sends and writes when this one's tail is injected.
 */
function queueStreamPacket(ctx: SimContext, f: FlitNocState, id: number): void {
  const p = ctx.streams;
  const task = p.task[id] as number;
  const kind = p.kind[id] as number;
  const { payload, wire, left } = takePacket(ctx, id);
  const plane = p.plane[id] as number, src = p.src[id] as number, dst = p.dst[id] as number;
  let dest: number | MulticastTree = dst;
  if (dst < 0) {
    const t = ctx.program.tasks[task] as SendTask;
    dest = flitTree(f, plane, src, t.dsts.map((d) => nodeOf(ctx, ctx.coords[d]!)));
  }
  queueFlitPacket(f, plane, src, dest, wire, payload, kind === STREAM_KIND.dramRead, id);
  p.outstanding[id] = (p.outstanding[id] as number) + 1;
  if (kind === STREAM_KIND.dramRead && left > 0) ctx.queue.push(Math.max(nextReady(ctx, id), f.net.t), eventPayload(EVENT.streamPacket, id));
}

/** Takes stream `id`'s next packet off its bytes (counting it); returns its payload, wire bytes and what is left. */
function takePacket(ctx: SimContext, id: number): { payload: number; wire: number; left: number } {
  const p = ctx.streams;
  const noc = ctx.noc;
  const before = p.bytesLeft[id] as number;
  const { payload, wire } = packetBytes(noc, before);
  countPacket(ctx, p.kind[id] as number, ctx.program.tasks[p.task[id] as number]!.op, p.routes[id]!, payload, wire);
  p.bytesDone[id] = (p.bytesDone[id] as number) + payload;
  p.bytesLeft[id] = before - payload;
  return { payload, wire, left: before - payload };
}

/** The kind, route and DRAM channel of stream `id` (what noc/transfer.ts moves packets by). */
function streamOf(ctx: SimContext, id: number): { kind: StreamKind; route: Route; channel: number; channelStartCycle: number } {
  const p = ctx.streams;
  return { kind: p.kind[id] as StreamKind, route: p.routes[id]!, channel: p.channel[id] as number, channelStartCycle: p.channelStartCycle[id] as number };
}

/** The cycle stream `id`'s next packet is ready (it has bytes left). */
function nextReady(ctx: SimContext, id: number): number {
  const p = ctx.streams;
  return nextPacketReady(ctx.noc, ctx.dram, streamOf(ctx, id), p.bytesDone[id] as number, p.bytesLeft[id] as number);
}

/** Flit-level model: the tail of a stream's packet entered the network at `cycle`. */
export function flitPacketInjected(ctx: SimContext, pkt: number, cycle: number): void {
  const id = ctx.flit!.net.pktTag[pkt] as number;
  const p = ctx.streams;
  if (p.kind[id] !== STREAM_KIND.dramRead && (p.bytesLeft[id] as number) > 0) ctx.queue.push(cycle + 1, eventPayload(EVENT.streamPacket, id));
  else if (p.kind[id] === STREAM_KIND.send) streamIssued(ctx, p.task[id] as number, cycle);
}

/** Flit-level model: the tail of a stream's packet reached `node` at `cycle`. */
export function flitPacketDelivered(ctx: SimContext, pkt: number, cycle: number): void {
  const f = ctx.flit!;
  if (f.net.pktPending[pkt] !== 1) return; // a multicast completes at its last destination
  const id = f.net.pktTag[pkt] as number;
  const p = ctx.streams;
  const task = p.task[id] as number;
  let end = cycle;
  if (p.kind[id] === STREAM_KIND.dramWrite) end = absorbWrite(ctx.dram, p.channel[id] as number, end, f.payload[pkt] as number);
  if (end > (ctx.taskEndCycle[task] as number)) ctx.taskEndCycle[task] = end;
  const outstanding = (p.outstanding[id] as number) - 1;
  p.outstanding[id] = outstanding;
  if (outstanding > 0 || (p.bytesLeft[id] as number) > 0) return;
  closeStream(p, id);
  const pending = (ctx.pendingStreams[task] as number) - 1;
  ctx.pendingStreams[task] = pending;
  if (pending === 0) ctx.queue.push(ctx.taskEndCycle[task] as number, eventPayload(EVENT.taskDone, task));
}

function nodeOf(ctx: SimContext, at: Coord): number {
  return at.y * ctx.arch.grid.cols + at.x;
}

/** Counts one delivered packet: byte-hops, L1 and DRAM bytes, per-op distances. */
function countPacket(
  ctx: SimContext,
  kind: number,
  opIndex: number,
  route: Route,
  payload: number,
  wire: number,
): void {
  const c = ctx.counters;
  const op = c.op;
  const byteHops = wire * route.routerHops;
  c.nocByteHops += byteHops;
  c.nocPackets++;
  op.nocByteHops[opIndex] = (op.nocByteHops[opIndex] as number) + byteHops;
  if (kind === STREAM_KIND.send) {
    const delivered = payload * route.ejects.length;
    c.sramReadBytes += payload; // read once from the source L1, even for a multicast
    c.sramWriteBytes += delivered;
    op.nocBytes[opIndex] = (op.nocBytes[opIndex] as number) + delivered;
    op.sendByteHopsX[opIndex] = (op.sendByteHopsX[opIndex] as number) + payload * route.hopsX;
    op.sendByteHopsY[opIndex] = (op.sendByteHopsY[opIndex] as number) + payload * route.hopsY;
    return;
  }
  if (kind === STREAM_KIND.dramRead) {
    c.dramReadBytes += payload;
    c.sramWriteBytes += payload;
  } else {
    c.dramWriteBytes += payload;
    c.sramReadBytes += payload;
  }
  op.dramBytes[opIndex] = (op.dramBytes[opIndex] as number) + payload;
  op.dramByteHopsX[opIndex] = (op.dramByteHopsX[opIndex] as number) + payload * route.hopsX;
  op.dramByteHopsY[opIndex] = (op.dramByteHopsY[opIndex] as number) + payload * route.hopsY;
}

/** Marks a DRAM endpoint tile as carrying traffic (its inject/eject links count in utilisation). */
function markEndpoint(ctx: SimContext, at: Coord): void {
  ctx.counters.endpointUsed[at.y * ctx.noc.topo.cols + at.x] = 1;
}
