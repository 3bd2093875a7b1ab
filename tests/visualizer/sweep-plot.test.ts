// sweepSvg: the latency/load plot of a sweep as SVG text. The checks read the markup back
// (circles, path vertices, tick labels) rather than comparing a golden, so they state the
// properties the plot must have: monotone x, inverted y, saturated points apart, same bytes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SpatialcError } from '../../arch/errors.js';
import { escapeXml, sweepSvg, type SweepRow } from '../../visualizer/sweep-plot.js';

const row = (rate: number, avgPacketLatency: number, saturated = false): SweepRow => ({
  rate,
  avgPacketLatency,
  avgNetworkLatency: avgPacketLatency * 0.8,
  acceptedFlitsPerNodeCycle: saturated ? 0.3 : rate,
  saturated,
});
const ROWS: readonly SweepRow[] = [
  row(0.05, 20), row(0.1, 21.5), row(0.2, 25), row(0.3, 38), row(0.35, 900, true), row(0.4, 4000, true),
];

const circles = (svg: string, cls: string) =>
  [...svg.matchAll(new RegExp(`<circle class="${cls}" cx="([\\d.]+)" cy="([\\d.]+)"`, 'g'))].map((m) => [Number(m[1]), Number(m[2])]);
const pathVertices = (svg: string, cls: string): number[][] => {
  const d = svg.match(new RegExp(`<path class="${cls}" d="([^"]*)"`))?.[1] ?? '';
  return [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
};
const isIncreasing = (xs: readonly number[]) => xs.every((v, i) => i === 0 || v > xs[i - 1]!);

const SweepSvg = suite('sweepSvg');

SweepSvg('sweepSvg(rows) is a complete SVG document with xmlns, size and a white background', () => {
  const svg = sweepSvg(ROWS, { title: 'mesh 8x8' });
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.includes('width="640" height="400"'));
  assert.ok(svg.includes('fill="white"'));
  assert.is(svg.match(/<svg/g)?.length, 1);
  // Every opened element is closed or self-closing, so the text is well-formed XML as far as tags go.
  const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
  const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
  assert.is(opened, closed);
});

SweepSvg('sweepSvg(rows) draws one packet-latency dot per non-saturated row and none for saturated ones', () => {
  const svg = sweepSvg(ROWS, { title: 't' });
  assert.is(circles(svg, 'point').length, 4);
  assert.is(pathVertices(svg, 'packet').length, 4);
  assert.is(pathVertices(svg, 'network').length, 4);
});

SweepSvg('sweepSvg(rows) marks saturated rows as hollow red circles pinned to the top edge', () => {
  const svg = sweepSvg(ROWS, { title: 't' });
  const sat = circles(svg, 'saturated');
  assert.is(sat.length, 2);
  assert.ok(sat.every(([, cy]) => cy === sat[0]![1]), 'all saturated points share the top edge');
  const ys = circles(svg, 'point').map(([, cy]) => cy!);
  assert.ok(ys.every((cy) => cy > sat[0]![1]!), 'saturated points sit above every measured point');
  assert.match(svg, /<circle class="saturated"[^>]*fill="none"[^>]*stroke="#d62728"/);
  assert.not.match(svg, /<circle class="point"[^>]*fill="none"/);
});

SweepSvg('sweepSvg(rows) places the packet path left to right in rate order', () => {
  const svg = sweepSvg(ROWS, { title: 't' });
  const xs = pathVertices(svg, 'packet').map(([px]) => px!);
  assert.ok(isIncreasing(xs), `x not increasing: ${xs.join(',')}`);
  const dotXs = circles(svg, 'point').map(([cx]) => cx!);
  assert.equal(dotXs, xs, 'dots sit on the path vertices');
});

SweepSvg('sweepSvg(rows) puts higher latency higher up (smaller y)', () => {
  const svg = sweepSvg(ROWS, { title: 't' });
  const ys = circles(svg, 'point').map(([, cy]) => cy!);
  // Latencies 20 < 21.5 < 25 < 38, so y must strictly decrease.
  assert.ok(isIncreasing([...ys].reverse()), `y not decreasing: ${ys.join(',')}`);
  const network = pathVertices(svg, 'network').map(([, py]) => py!);
  network.forEach((py, i) => assert.ok(py > ys[i]!, 'network latency (lower) is drawn below packet latency'));
});

SweepSvg('sweepSvg(rows) scales y to the non-saturated latencies, not the saturated ones', () => {
  const svg = sweepSvg(ROWS, { title: 't' });
  const yTicks = [...svg.matchAll(/<text class="tick y"[^>]*>([^<]*)</g)].map((m) => Number(m[1]));
  const top = Math.max(...yTicks);
  assert.ok(top >= 38 && top < 900, `top y tick ${top} should cover 38 but ignore 900`);
  const xTicks = [...svg.matchAll(/<text class="tick x"[^>]*>([^<]*)</g)].map((m) => Number(m[1]));
  assert.ok(xTicks.length >= 3 && xTicks.includes(0) && Math.max(...xTicks) >= 0.4);
  assert.ok(svg.includes('offered injection rate (flits/node/cycle)'));
  assert.ok(svg.includes('average packet latency (cycles)'));
});

SweepSvg('sweepSvg(rows) gives a byte-identical string for the same input', () => {
  const a = sweepSvg(ROWS, { title: 'x', reference: [{ rate: 0.1, avgPacketLatency: 22 }] });
  const b = sweepSvg(ROWS.map((r) => ({ ...r })), { title: 'x', reference: [{ rate: 0.1, avgPacketLatency: 22 }] });
  assert.is(a, b);
  // Coordinates are fixed to one decimal, never a long float.
  assert.not.match(a, /\d\.\d{2,}"/);
});

SweepSvg('sweepSvg(rows, {title}) escapes the title for XML', () => {
  const svg = sweepSvg(ROWS, { title: 'a<b&c' });
  assert.ok(svg.includes('a&lt;b&amp;c'));
  assert.not.ok(svg.includes('a<b&c'));
  assert.is(escapeXml(`"'>`), '&quot;&apos;&gt;');
});

SweepSvg('sweepSvg(rows, {reference}) draws the reference series in its own colour with a legend entry', () => {
  const without = sweepSvg(ROWS, { title: 't' });
  const withRef = sweepSvg(ROWS, { title: 't', reference: [{ rate: 0.1, avgPacketLatency: 23 }, { rate: 0.3, avgPacketLatency: 45 }] });
  assert.not.ok(without.includes('class="reference"'));
  assert.is(pathVertices(withRef, 'reference').length, 2);
  assert.match(withRef, /<path class="reference"[^>]*stroke="#888888"/);
  assert.ok(withRef.includes('>reference</text>'));
  for (const label of ['packet latency', 'network latency', 'saturated']) assert.ok(without.includes(`>${label}</text>`));
});

SweepSvg('sweepSvg([]) throws a one-line E_USAGE SpatialcError', () => {
  try {
    sweepSvg([], { title: 't' });
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, SpatialcError);
    assert.is((e as SpatialcError).code, 'E_USAGE');
    assert.not.ok((e as Error).message.includes('\n'));
  }
});

SweepSvg('sweepSvg(rows) with every row saturated still draws the markers', () => {
  const svg = sweepSvg([row(0.5, 5000, true)], { title: 't' });
  assert.is(circles(svg, 'saturated').length, 1);
  assert.is(circles(svg, 'point').length, 0);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});

SweepSvg.run();
