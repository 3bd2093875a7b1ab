// The latency/load curve of a `spatialc noc --sweep` as a standalone SVG document: offered rate on
// x, average packet latency (solid line and dots) and network latency (dashed) on y. Saturated
// points (or points without a finite latency) are hollow red circles pinned to the top edge and
// left out of the lines, since their latency only says "unbounded". An optional reference series
// (e.g. BookSim's) is drawn in grey. Scales, ticks and paths come from d3 (no DOM); the markup is
// built as text with every coordinate fixed to one decimal, so the same rows give the same bytes.
import { line, scaleLinear, type ScaleLinear } from 'd3';
import { SpatialcError } from '../arch/errors.js';

/** One point of a sweep, as `spatialc noc --sweep` prints it. */
export interface SweepRow {
  readonly rate: number;
  readonly avgPacketLatency: number;
  readonly avgNetworkLatency: number;
  readonly acceptedFlitsPerNodeCycle: number;
  readonly saturated: boolean;
}

/** A reference curve to compare against (e.g. BookSim2 on the same network). */
export interface SweepReferencePoint {
  readonly rate: number;
  readonly avgPacketLatency: number;
}

export interface SweepPlotOptions {
  readonly title: string;
  readonly reference?: readonly SweepReferencePoint[];
}

const WIDTH_PX = 640;
const HEIGHT_PX = 400;
const MARGIN_PX = { top: 40, right: 150, bottom: 50, left: 60 } as const;
const PLOT = {
  left: MARGIN_PX.left,
  right: WIDTH_PX - MARGIN_PX.right,
  top: MARGIN_PX.top,
  bottom: HEIGHT_PX - MARGIN_PX.bottom,
} as const;
const COLOUR = { packet: '#1f77b4', network: '#2ca02c', saturated: '#d62728', reference: '#888888' } as const;
/** Headroom above the highest finite latency, so the top point isn't on the frame. */
const Y_HEADROOM = 1.1;

type Scale = ScaleLinear<number, number>;
type Point = readonly [number, number];

const fix1 = (v: number): string => v.toFixed(1);
const round1 = (v: number): number => Number(v.toFixed(1));

/** `s` with the five XML special characters escaped, for text and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A complete, self-contained SVG document plotting the sweep `rows` (rate on x, latency on y). */
export function sweepSvg(rows: readonly SweepRow[], opts: SweepPlotOptions): string {
  if (rows.length === 0) throw new SpatialcError('E_USAGE', 'sweep plot: the sweep has no points to draw');
  const bad = rows.find((r) => !Number.isFinite(r.rate));
  if (bad) throw new SpatialcError('E_USAGE', `sweep plot: offered rate ${bad.rate} is not a finite number`);
  const measured = rows.filter((r) => !r.saturated && Number.isFinite(r.avgPacketLatency));
  const unbounded = rows.filter((r) => !measured.includes(r));
  const reference = (opts.reference ?? []).filter((r) => Number.isFinite(r.rate) && Number.isFinite(r.avgPacketLatency));
  const { x, y } = buildScales(measured, rows, reference);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${HEIGHT_PX}" viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH_PX}" height="${HEIGHT_PX}" fill="white"/>`,
    `<text class="title" x="${WIDTH_PX / 2}" y="22" text-anchor="middle" font-size="13">${escapeXml(opts.title)}</text>`,
    ...axisMarkup(x, y),
    ...seriesMarkup(x, y, measured, unbounded, reference),
    ...legendMarkup(reference.length > 0),
    '</svg>',
  ].join('\n') + '\n';
}

/** x from 0 to the highest rate, y from 0 to the highest finite latency plus headroom, both nice. */
function buildScales(
  measured: readonly SweepRow[],
  rows: readonly SweepRow[],
  reference: readonly SweepReferencePoint[],
): { x: Scale; y: Scale } {
  const maxRate = Math.max(...rows.map((r) => r.rate), ...reference.map((r) => r.rate));
  const x = scaleLinear().domain([0, maxRate > 0 ? maxRate : 1]).nice().range([PLOT.left, PLOT.right]);
  const latencies = [
    ...measured.map((r) => r.avgPacketLatency),
    ...measured.map((r) => r.avgNetworkLatency).filter(Number.isFinite),
    ...reference.map((r) => r.avgPacketLatency),
  ];
  const maxLatency = Math.max(1, ...latencies) * Y_HEADROOM;
  const y = scaleLinear().domain([0, maxLatency]).nice().range([PLOT.bottom, PLOT.top]);
  return { x, y };
}

/** Frame lines, tick marks with d3-format labels, and the two axis titles. */
function axisMarkup(x: Scale, y: Scale): string[] {
  const out = [
    `<line class="axis x" x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="black"/>`,
    `<line class="axis y" x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="black"/>`,
  ];
  const xLabel = x.tickFormat(8);
  for (const t of x.ticks(8)) {
    const px = fix1(x(t));
    out.push(`<line x1="${px}" y1="${PLOT.bottom}" x2="${px}" y2="${PLOT.bottom + 5}" stroke="black"/>` +
      `<text class="tick x" x="${px}" y="${PLOT.bottom + 18}" text-anchor="middle">${escapeXml(xLabel(t))}</text>`);
  }
  const yLabel = y.tickFormat(6);
  for (const t of y.ticks(6)) {
    const py = y(t);
    out.push(`<line x1="${PLOT.left - 5}" y1="${fix1(py)}" x2="${PLOT.left}" y2="${fix1(py)}" stroke="black"/>` +
      `<text class="tick y" x="${PLOT.left - 8}" y="${fix1(py + 4)}" text-anchor="end">${escapeXml(yLabel(t))}</text>`);
  }
  const midX = (PLOT.left + PLOT.right) / 2;
  const midY = (PLOT.top + PLOT.bottom) / 2;
  out.push(`<text class="axis-title x" x="${midX}" y="${HEIGHT_PX - 12}" text-anchor="middle">offered injection rate (flits/node/cycle)</text>`);
  out.push(`<text class="axis-title y" transform="translate(16,${midY}) rotate(-90)" text-anchor="middle">average packet latency (cycles)</text>`);
  return out;
}

/** An SVG path through `pts`, rounded to one decimal before d3 formats it. */
function pathData(pts: readonly Point[]): string {
  const d = line<Point>().x((p) => p[0]).y((p) => p[1])(pts.map(([a, b]) => [round1(a), round1(b)] as const));
  return d ?? '';
}

/** Reference, network and packet lines, then packet dots and saturated markers on top. */
function seriesMarkup(
  x: Scale,
  y: Scale,
  measured: readonly SweepRow[],
  unbounded: readonly SweepRow[],
  reference: readonly SweepReferencePoint[],
): string[] {
  const yTop = y.domain()[1] ?? 0;
  const clampedY = (v: number): number => y(Math.min(v, yTop));
  const out: string[] = [];
  if (reference.length > 0) {
    const pts = reference.map((r): Point => [x(r.rate), clampedY(r.avgPacketLatency)]);
    out.push(`<path class="reference" d="${pathData(pts)}" fill="none" stroke="${COLOUR.reference}" stroke-width="1.5"/>`);
    for (const [cx, cy] of pts) {
      out.push(`<rect class="reference-point" x="${fix1(cx - 2.5)}" y="${fix1(cy - 2.5)}" width="5" height="5" fill="${COLOUR.reference}"/>`);
    }
  }
  const network = measured.filter((r) => Number.isFinite(r.avgNetworkLatency));
  const networkPts = network.map((r): Point => [x(r.rate), clampedY(r.avgNetworkLatency)]);
  out.push(`<path class="network" d="${pathData(networkPts)}" fill="none" stroke="${COLOUR.network}" stroke-width="1.5" stroke-dasharray="5,3"/>`);
  const packetPts = measured.map((r): Point => [x(r.rate), y(r.avgPacketLatency)]);
  out.push(`<path class="packet" d="${pathData(packetPts)}" fill="none" stroke="${COLOUR.packet}" stroke-width="2"/>`);
  for (const [cx, cy] of packetPts) {
    out.push(`<circle class="point" cx="${fix1(cx)}" cy="${fix1(cy)}" r="3" fill="${COLOUR.packet}"/>`);
  }
  for (const r of unbounded) {
    out.push(`<circle class="saturated" cx="${fix1(x(r.rate))}" cy="${fix1(PLOT.top)}" r="4" fill="none" stroke="${COLOUR.saturated}" stroke-width="1.5">` +
      `<title>saturated at rate ${escapeXml(String(r.rate))}</title></circle>`);
  }
  return out;
}

/** One legend entry per drawn series, with the same stroke, dash or marker as the plot. */
function legendMarkup(hasReference: boolean): string[] {
  const left = PLOT.right + 12;
  const entries: { label: string; swatch: (cy: number) => string }[] = [
    { label: 'packet latency', swatch: (cy) => `<line x1="${left}" y1="${cy}" x2="${left + 18}" y2="${cy}" stroke="${COLOUR.packet}" stroke-width="2"/><circle cx="${left + 9}" cy="${cy}" r="3" fill="${COLOUR.packet}"/>` },
    { label: 'network latency', swatch: (cy) => `<line x1="${left}" y1="${cy}" x2="${left + 18}" y2="${cy}" stroke="${COLOUR.network}" stroke-width="1.5" stroke-dasharray="5,3"/>` },
    { label: 'saturated', swatch: (cy) => `<circle cx="${left + 9}" cy="${cy}" r="4" fill="none" stroke="${COLOUR.saturated}" stroke-width="1.5"/>` },
  ];
  if (hasReference) {
    entries.push({ label: 'reference', swatch: (cy) => `<line x1="${left}" y1="${cy}" x2="${left + 18}" y2="${cy}" stroke="${COLOUR.reference}" stroke-width="1.5"/>` });
  }
  return entries.map((e, i) => {
    const cy = PLOT.top + 10 + i * 18;
    return `<g class="legend">${e.swatch(cy)}<text x="${left + 24}" y="${cy + 4}">${escapeXml(e.label)}</text></g>`;
  });
}
