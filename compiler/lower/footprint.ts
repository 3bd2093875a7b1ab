// Exact data footprints: for a block of output tiles, which tiles of an input the op reads.
// The lowering fetches exactly these (so the functional simulation can check them): convolution
// and pooling windows with their halos, row-wise ops, broadcasting, and pure data-movement ops
// (transpose, slice, concat, gather, pad, ...) by tracing element indices through the op's own
// reference kernel. Anything else reads the whole input.

import type { Graph, Node, TensorId } from '../graph.js';
import { numElements } from '../graph.js';
import { findOp } from '../ops/registry.js';
import { graphNodeContext } from '../ops/node-macs.js';
import type { TensorLayout } from '../program.js';
import { broadcastSource, positionOf, TILE } from '../tensor-layout.js';

export { broadcastSource };
import type { MatrixView, TileRect } from './layout.js';

/** The input tiles an output block needs, as rectangles of the input's matrix. */
export type Footprint = (out: TileRect) => TileRect[];

export interface PlacedShape {
  readonly shape: readonly number[];
  readonly layout: TensorLayout;
  readonly view: MatrixView;
}

/** 2D sliding-window geometry along H of an NCHW op (conv, pooling). */
export interface WindowGeometry {
  readonly inH: number;
  readonly inW: number;
  readonly outH: number;
  readonly outW: number;
  readonly kernelH: number;
  readonly strideH: number;
  readonly dilationH: number;
  readonly padTop: number;
}

/** The D and H window of a 3D op (conv, pooling) over NCDHW: rows are ((n*D + d)*H + h)*W + w. */
export interface VolumeGeometry {
  readonly inD: number;
  readonly inH: number;
  readonly inW: number;
  readonly outD: number;
  readonly outH: number;
  readonly outW: number;
  readonly kernelD: number;
  readonly kernelH: number;
  readonly strideD: number;
  readonly strideH: number;
  readonly dilationD: number;
  readonly dilationH: number;
  readonly padFront: number;
  readonly padTop: number;
}

/**
 * Footprint of a 3D window op: for every output (image, depth plane) a block's rows touch, the
 * input planes of its depth window, each from the first to the last input row of its H window
 * (tile rows, merged where they meet); the given columns (`cols`: the output's own, or all).
 */
export function volumeFootprint(g: VolumeGeometry, input: PlacedShape, output: PlacedShape, cols: (out: TileRect) => [number, number]): Footprint {
  const outPlane = g.outH * g.outW;
  const inPlane = g.inH * g.inW;
  return (out) => {
    const [c0, c1] = cols(out);
    const end = Math.min(output.view.rows, out.r1 * TILE);
    const spans: [number, number][] = [];
    for (let row = out.r0 * TILE; row < end;) {
      const plane = Math.floor(row / outPlane); // n * outD + od
      const planeEnd = Math.min(end, (plane + 1) * outPlane);
      const n = Math.floor(plane / g.outD);
      const od = plane - n * g.outD;
      const ohFirst = Math.floor((row - plane * outPlane) / g.outW);
      const ohLast = Math.floor((planeEnd - 1 - plane * outPlane) / g.outW);
      const h0 = Math.max(0, ohFirst * g.strideH - g.padTop);
      const h1 = Math.min(g.inH - 1, ohLast * g.strideH - g.padTop + (g.kernelH - 1) * g.dilationH);
      const d0 = Math.max(0, od * g.strideD - g.padFront);
      const d1 = Math.min(g.inD - 1, od * g.strideD - g.padFront + (g.kernelD - 1) * g.dilationD);
      for (let d = d0; d <= d1 && h0 <= h1; d++) {
        const base = (n * g.inD + d) * inPlane;
        spans.push([base + h0 * g.inW, base + (h1 + 1) * g.inW]);
      }
      row = planeEnd;
    }
    spans.sort((a, b) => a[0] - b[0]);
    const rects: TileRect[] = [];
    for (const [a, b] of spans) addRows(rects, input, a, b, c0, c1);
    return rects.length > 0 ? rects : [{ r0: 0, r1: 1, c0, c1 }];
  };
}

/**
 * Footprint of a 2D transposed convolution (ConvTranspose, `g` read as its geometry: output
 * position oh takes input rows ih with oh = ih * strideH - padTop + kh * dilationH): the input
 * rows whose contributions land on the block's output rows, every column.
 */
export function transposedConvFootprint(g: WindowGeometry, input: PlacedShape, output: PlacedShape): Footprint {
  return imageRowsFootprint(input, output, g, () => [0, input.view.tileCols], (ohFirst, ohLast) => [
    Math.ceil((ohFirst + g.padTop - (g.kernelH - 1) * g.dilationH) / g.strideH),
    Math.floor((ohLast + g.padTop) / g.strideH),
  ]);
}

/**
 * Footprint of a Resize over NCHW feature maps that keeps N and C: for each image a block's rows
 * touch, the input rows around the block's output rows scaled back (every coordinate transform
 * maps output row oh within one row of oh * inH / outH or oh * (inH - 1) / (outH - 1); two more
 * rows either side cover linear and cubic taps); the block's own channels.
 */
export function resizeFootprint(input: PlacedShape, output: PlacedShape): Footprint | undefined {
  const [n, c, inH, inW] = input.shape as [number, number, number, number];
  const [, , outH, outW] = output.shape as [number, number, number, number];
  if (input.shape.length !== 4 || output.shape.length !== 4 || output.shape[0] !== n || output.shape[1] !== c) return undefined;
  const back = (oh: number) => [oh * inH / outH, oh * (inH - 1) / Math.max(1, outH - 1), (oh + 0.5) * inH / outH - 0.5];
  return imageRowsFootprint(input, output, { inH, inW, outH, outW }, (o) => [o.c0, o.c1], (ohFirst, ohLast) => [
    Math.floor(Math.min(...back(ohFirst))) - 2,
    Math.ceil(Math.max(...back(ohLast))) + 2,
  ]);
}

/**
 * Footprint over NCHW feature maps by image: for each image an output block's rows touch, the
 * input rows `hRange` gives for the block's first and last output row there (clamped to the image;
 * none when empty), as tile rows merged where they meet; the columns `cols` gives.
 */
function imageRowsFootprint(
  input: PlacedShape, output: PlacedShape, g: { readonly inH: number; readonly inW: number; readonly outH: number; readonly outW: number },
  cols: (out: TileRect) => [number, number], hRange: (ohFirst: number, ohLast: number) => [number, number],
): Footprint {
  const outHw = g.outH * g.outW;
  const inHw = g.inH * g.inW;
  return (out) => {
    const [c0, c1] = cols(out);
    const end = Math.min(output.view.rows, out.r1 * TILE);
    const rects: TileRect[] = [];
    for (let row = out.r0 * TILE; row < end;) {
      const n = Math.floor(row / outHw);
      const imageEnd = Math.min(end, (n + 1) * outHw);
      const [a, b] = hRange(Math.floor((row - n * outHw) / g.outW), Math.floor((imageEnd - 1 - n * outHw) / g.outW));
      const h0 = Math.max(0, a);
      const h1 = Math.min(g.inH - 1, b);
      if (h0 <= h1) addRows(rects, input, n * inHw + h0 * g.inW, n * inHw + (h1 + 1) * g.inW, c0, c1);
      row = imageEnd;
    }
    return rects.length > 0 ? rects : [{ r0: 0, r1: 1, c0, c1 }];
  };
}

/**
 * Appends the tile rows holding element rows [a, b) of `input`, columns [c0, c1), to `rects`,
 * merged into the last rect when they meet it (callers add them in increasing order).
 */
function addRows(rects: TileRect[], input: PlacedShape, a: number, b: number, c0: number, c1: number): void {
  const r0 = Math.floor(a / TILE);
  const r1 = Math.min(input.view.tileRows, Math.ceil(b / TILE));
  const last = rects[rects.length - 1];
  if (last !== undefined && r0 <= last.r1) rects[rects.length - 1] = { ...last, r1: Math.max(last.r1, r1) };
  else rects.push({ r0, r1: Math.max(r0 + 1, r1), c0, c1 });
}

/** Input element rows (n*H*W + h*W + w) a block of output element rows reads, half-open. */
export function windowInputRows(g: WindowGeometry, r0: number, r1: number): [number, number] {
  const outHw = g.outH * g.outW;
  const inHw = g.inH * g.inW;
  const first = (r: number) => {
    const n = Math.floor(r / outHw);
    const oh = Math.floor((r - n * outHw) / g.outW);
    return n * inHw + Math.max(0, oh * g.strideH - g.padTop) * g.inW;
  };
  const last = (r: number) => {
    const n = Math.floor(r / outHw);
    const oh = Math.floor((r - n * outHw) / g.outW);
    const ih = Math.min(g.inH - 1, oh * g.strideH - g.padTop + (g.kernelH - 1) * g.dilationH);
    return n * inHw + (Math.max(0, ih) + 1) * g.inW;
  };
  return [first(r0), last(r1 - 1)];
}

/** Footprint of a window op over a feature map: halo rows, the same channel columns. */
export function windowFootprint(g: WindowGeometry, input: PlacedShape, sameCols: boolean): Footprint {
  return (out) => {
    const [a, b] = windowInputRows(g, out.r0 * TILE, out.r1 * TILE);
    const r0 = Math.floor(a / TILE);
    const r1 = Math.min(input.view.tileRows, Math.ceil(b / TILE));
    return [{ r0, r1: Math.max(r0 + 1, r1), c0: sameCols ? out.c0 : 0, c1: sameCols ? out.c1 : input.view.tileCols }];
  };
}

/**
 * Footprint of a convolution run row-distributed (a grouped conv, or one whose weights are not
 * constant): the window's input rows, and the input channels of the groups whose output channels
 * the block holds (`groups` groups of `cinPerGroup` input and `coutPerGroup` output channels; one
 * group: every input channel).
 */
export function convFootprint(g: WindowGeometry, input: PlacedShape, groups: number, cinPerGroup: number, coutPerGroup: number): Footprint {
  const rows = windowFootprint(g, input, false);
  if (groups <= 1) return rows;
  return (out) => {
    const [c0, c1] = groupColumns(out, input, groups, cinPerGroup, coutPerGroup);
    return [{ ...rows(out)[0]!, c0, c1 }];
  };
}

/** The input tile columns of the groups whose output channels `out` holds (one group: all of them). */
export function groupColumns(out: TileRect, input: PlacedShape, groups: number, cinPerGroup: number, coutPerGroup: number): [number, number] {
  if (groups <= 1) return [0, input.view.tileCols];
  const g0 = Math.floor((out.c0 * TILE) / coutPerGroup);
  const g1 = Math.min(groups, Math.ceil((out.c1 * TILE) / coutPerGroup));
  const c0 = Math.floor((g0 * cinPerGroup) / TILE);
  const c1 = Math.min(input.view.tileCols, Math.ceil((g1 * cinPerGroup) / TILE));
  return [c0, Math.max(c0 + 1, c1)];
}

/** Footprint that reads the same rows (all columns) when row counts agree, else everything. */
export function rowFootprint(input: PlacedShape, output: PlacedShape): Footprint {
  if (input.view.rows !== output.view.rows) return wholeFootprint(input);
  return (out) => [{ r0: out.r0, r1: out.r1, c0: 0, c1: input.view.tileCols }];
}

/** Footprint of a global pool: every spatial row of the images in the block. */
export function imageFootprint(input: PlacedShape, output: PlacedShape, sameCols: boolean): Footprint {
  const perImage = input.view.rows / Math.max(1, output.view.rows);
  return (out) => {
    const a = Math.floor((out.r0 * TILE * perImage) / TILE);
    const b = Math.min(input.view.tileRows, Math.ceil((Math.min(output.view.rows, out.r1 * TILE) * perImage) / TILE));
    return [{ r0: a, r1: Math.max(a + 1, b), c0: sameCols ? out.c0 : 0, c1: sameCols ? out.c1 : input.view.tileCols }];
  };
}

/** Footprint of per-image normalisation (InstanceNorm, GroupNorm): every row of the images touched. */
export function sameImageFootprint(input: PlacedShape, sameCols: boolean): Footprint {
  const hw = input.shape.slice(2).reduce((a, b) => a * b, 1);
  return (out) => {
    const first = Math.floor((out.r0 * TILE) / hw);
    const last = Math.ceil(Math.min(input.view.rows, out.r1 * TILE) / hw);
    const r0 = Math.floor((first * hw) / TILE);
    const r1 = Math.min(input.view.tileRows, Math.ceil((last * hw) / TILE));
    return [{ r0, r1: Math.max(r0 + 1, r1), c0: sameCols ? out.c0 : 0, c1: sameCols ? out.c1 : input.view.tileCols }];
  };
}

/** The whole input. */
export function wholeFootprint(input: PlacedShape): Footprint {
  return () => [{ r0: 0, r1: input.view.tileRows, c0: 0, c1: input.view.tileCols }];
}

/**
 * Footprint by element map: `source(e)` is the input element that output element `e` reads
 * (or -1). Builds, per output tile, the set of input tiles it touches.
 */
export function mappedFootprint(input: PlacedShape, output: PlacedShape, outCount: number, source: (e: number) => number): Footprint {
  const outPos = positionOf(output.layout, output.shape);
  const inPos = positionOf(input.layout, input.shape);
  const p = new Int32Array(2);
  const q = new Int32Array(2);
  const perOutTile = new Map<number, Set<number>>();
  let lastOt = -1;
  let lastIt = -1;
  for (let e = 0; e < outCount; e++) {
    const s = source(e);
    if (s < 0) continue;
    outPos(e, p);
    inPos(s, q);
    const ot = Math.floor(p[0]! / TILE) * output.view.tileCols + Math.floor(p[1]! / TILE);
    const it = Math.floor(q[0]! / TILE) * input.view.tileCols + Math.floor(q[1]! / TILE);
    if (ot === lastOt && it === lastIt) continue; // runs of elements share tiles: skip the set work
    lastOt = ot;
    lastIt = it;
    let set = perOutTile.get(ot);
    if (set === undefined) perOutTile.set(ot, (set = new Set()));
    set.add(it);
  }
  return (out) => {
    const tiles = new Set<number>();
    for (let r = out.r0; r < out.r1; r++) {
      for (let c = out.c0; c < out.c1; c++) for (const t of perOutTile.get(r * output.view.tileCols + c) ?? []) tiles.add(t);
    }
    return tilesToRects([...tiles].sort((a, b) => a - b), input.view.tileCols);
  };
}

/** Groups sorted tile indices into rectangles: runs along a row, merged over identical rows. */
export function tilesToRects(sorted: readonly number[], tileCols: number): TileRect[] {
  const runs: TileRect[] = [];
  for (const t of sorted) {
    const r = Math.floor(t / tileCols);
    const c = t - r * tileCols;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.r0 === r && last.c1 === c) runs[runs.length - 1] = { ...last, c1: c + 1 };
    else runs.push({ r0: r, r1: r + 1, c0: c, c1: c + 1 });
  }
  // Extend a rectangle ending on the previous row with the same column span (O(runs)).
  const merged: TileRect[] = [];
  const open = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.c0}:${run.c1}`;
    const i = open.get(key);
    if (i !== undefined && merged[i]!.r1 === run.r0) merged[i] = { ...merged[i]!, r1: run.r1 };
    else {
      open.set(key, merged.length);
      merged.push(run);
    }
  }
  return merged;
}

/**
 * Traces which input element each output element of a data-movement node copies, by running
 * the node's reference kernel on element indices. Undefined when the op has no kernel or mixes
 * values (then the caller falls back to a coarser footprint).
 */
export function traceSource(g: Graph, node: Node, input: TensorId, outputIndex = 0): ((e: number) => number) | undefined {
  const def = findOp(node.domain, node.op);
  if (def?.evaluate === undefined) return undefined;
  const ctx = graphNodeContext(g, node);
  const inputs = ctx.inputs.map((info, i) => {
    const id = node.inputs[i];
    if (info === undefined || id === undefined || g.tensors[id]!.isConstant) return info;
    const values = new Float64Array(numElements(info.shape));
    if (id === input) for (let k = 0; k < values.length; k++) values[k] = k;
    else values.fill(-1);
    return { dtype: 'float64' as const, shape: info.shape, values };
  });
  const outs = node.outputs.map((o) => ({ ...g.tensors[o]!, dtype: 'float64' as const }));
  try {
    const res = def.evaluate({ ...ctx, inputs }, outs)[outputIndex];
    if (res === undefined) return undefined;
    return (e) => {
      const v = res[e] as number;
      return Number.isInteger(v) && v >= 0 ? v : -1;
    };
  } catch {
    return undefined;
  }
}
