// Where a matmul's weights are stored in DRAM: near the cores that read them, instead of
// interleaved tile by tile over every channel. The compiler writes the weights, so it chooses
// their layout (tt-metal's DRAM-sharded matmul does the same by hand: each weight shard on the bank
// next to its reader). Measured on Wormhole (wormhole-dram.md, tt-isa-documentation DRAM table 2):
// readers next to their channels sustain 265.5 GB/s, readers paired with random channels 189.8;
// their responses cross each other's links. Interleaved weights make every reader a client of every
// channel, so every response stream crosses the DRAM columns' rows and the readers' columns.
//
// The placement is a transport plan: each channel stores a share of the tensor in proportion to its
// bandwidth (so that an op's reads keep every channel busy), and readers take the nearest channels
// first (pairs by ascending hops, greedily). Each of a reader's tiles goes to its channel with the
// most tiles still due, so its largest share is spread first and every channel of it serves it
// before its reads end (spreading in proportion instead measured slower: ResNet-50 b1 444.2 us
// against 429.8, ResNet-18 192.7 against 187.4, GPT decoder 986.0 against 967.7).
//
// The default (--weight-layout near-readers; `interleaved` is the alternative), together with a
// deeper prefetch window and a bound on prefetch reads queued per channel (context.ts
// prefetchDepth, prefetchReadsPerChannel): channel-local reads let each channel queue its own
// prefetches without the others waiting, and the window then reaches further ahead. Each of the
// three alone made auto slower; together, measured (packet NoC, bf16 HiFi2, auto, us, interleaved
// -> near-readers): BERT-base 1051.9 -> 1005.7, ResNet-50 b1 447.1 -> 429.8, b16 2159.9 -> 2136.4,
// MobileNetV2 121.8 -> 124.5, ResNet-18 206.8 -> 187.4, GPT decoder 1109.4 -> 967.7, VGG-16
// 1562.8 -> 1457.4, MobileNetV3-L 153.0 -> 150.3, ResNet-18 b8 533.3 -> 521.0, ViT-B/16 1824.3 ->
// 1818.7, ResNet-50 b4 854.5 -> 854.2, EfficientNet-B0 289.0 -> 294.3. Flit NoC: ResNet-50 b1
// 508.4 -> 470.0, BERT-base 1212.5 -> 1096.0, ResNet-18 234.1 -> 201.9, MobileNetV2 126.5 -> 127.9.
// DRAM alone: 64 cores each reading 96 KiB at once sustain 258 B/cycle from near channels against
// 172 interleaved. The distance DRAM data travels falls too (DRAM byte-mm per MAC: BERT-base 0.254
// -> 0.157, ResNet-50 b1 0.259 -> 0.150): less NoC energy per weight byte.

import type { TensorId } from '../graph.js';
import { assert } from '../../arch/errors.js';
import type { LowerContext } from './context.js';
import type { TileRect } from './layout.js';

/** Where weights are stored in DRAM (CompileOptions.weightLayout). */
export type WeightLayout = 'interleaved' | 'near-readers';
export const WEIGHT_LAYOUTS: readonly WeightLayout[] = ['interleaved', 'near-readers'];
export const DEFAULT_WEIGHT_LAYOUT: WeightLayout = 'near-readers';

/** A block of a tensor's tiles and the core that reads it from DRAM. */
export interface ReadBlock {
  readonly core: number;
  readonly rect: TileRect;
}

/**
 * The DRAM channel of each tile of a `tileRows` x `tileCols` tensor read as `blocks` (row-major
 * tile index); tiles no block reads go round-robin from channel `firstChannel`, as interleaved.
 */
export function channelsNearReaders(ctx: LowerContext, tileRows: number, tileCols: number, blocks: readonly ReadBlock[], firstChannel: number): Int16Array {
  const channels = ctx.arch.dram.channels;
  const n = channels.length;
  const out = new Int16Array(tileRows * tileCols).fill(-1);
  // Tiles each reader brings in (a tile read by two blocks counts for the first).
  const need = new Map<number, number>();
  const owner = new Int32Array(tileRows * tileCols).fill(-1);
  let total = 0;
  for (const b of blocks) {
    for (let r = b.rect.r0; r < b.rect.r1; r++) {
      for (let c = b.rect.c0; c < b.rect.c1; c++) {
        const t = r * tileCols + c;
        if (owner[t]! >= 0) continue;
        owner[t] = b.core;
        need.set(b.core, (need.get(b.core) ?? 0) + 1);
        total++;
      }
    }
  }
  // Channel capacities in tiles, in proportion to bandwidth.
  const rate = channels.map((c) => c.bytesPerSecond);
  const rateSum = rate.reduce((a, b) => a + b, 0);
  const cap = rate.map((r) => (total * r) / rateSum);
  // Greedy transport: (reader, channel) pairs nearest first.
  const readers = [...need.keys()].sort((a, b) => a - b);
  const pairs: { core: number; ch: number; hops: number }[] = [];
  for (const core of readers) {
    const hops = ctx.b.readHops(core);
    for (let ch = 0; ch < n; ch++) if (hops[ch]! < Infinity) pairs.push({ core, ch, hops: hops[ch]! });
  }
  pairs.sort((a, b) => a.hops - b.hops || a.core - b.core || a.ch - b.ch);
  const quota = new Map<number, { ch: number; tiles: number; taken: number }[]>(readers.map((c) => [c, []]));
  const left = new Map(need);
  for (const p of pairs) {
    const want = left.get(p.core)!;
    if (want <= 1e-9 || cap[p.ch]! <= 1e-9) continue;
    const tiles = Math.min(want, cap[p.ch]!);
    left.set(p.core, want - tiles);
    cap[p.ch] = cap[p.ch]! - tiles;
    quota.get(p.core)!.push({ ch: p.ch, tiles, taken: 0 });
  }
  for (let t = 0; t < out.length; t++) {
    const core = owner[t]!;
    if (core < 0) {
      out[t] = (t + firstChannel) % n;
      continue;
    }
    // The reader's channel with the most tiles still due (ties: the nearer one).
    const list = quota.get(core)!;
    assert(list.length > 0, `reader ${core} reaches no DRAM channel`);
    let pick = list[0]!;
    for (const q of list) if (q.tiles - q.taken > pick.tiles - pick.taken + 1e-9) pick = q;
    pick.taken++;
    out[t] = pick.ch;
  }
  return out;
}

/**
 * Stores constant `t` near the readers of `blocks` (channelsNearReaders) when its DRAM layout is
 * still open: no read has fixed it yet (fetchRect reads an open tensor interleaved and fixes that).
 * The entry is replaced, not changed, so that a lowering taken back takes the layout back too.
 */
export function placeNearReaders(ctx: LowerContext, t: TensorId, blocks: readonly ReadBlock[]): void {
  const p = ctx.placed.get(t);
  if (p === undefined || p.parts.length > 0 || p.layoutFixed === true || !ctx.graph.tensors[t]!.isConstant) return;
  const tileChannel = channelsNearReaders(ctx, p.view.tileRows, p.view.tileCols, blocks, p.firstChannel);
  ctx.placed.set(t, { ...p, tileChannel, layoutFixed: true });
}
