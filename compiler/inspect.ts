// inspect: per-node shapes, parameters and MACs of a Graph, with totals and an op histogram, plus
// a plain-text table for humans. The result is plain JSON (the CLI prints it with --json).
import type { Graph, Node, Tensor } from './graph.js';
import { dtypeBytes, numElements } from './graph.js';
import { nodeMacs } from './ops/node-macs.js';

/** One row per node. */
export interface InspectOp {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly (readonly number[])[];
  readonly outputs: readonly (readonly number[])[];
  /** Elements of the node's weight inputs (initializers, see isParameter). */
  readonly params: number;
  readonly macs: number;
}

export interface InspectTotals {
  /** Weight elements, each weight tensor counted once. */
  readonly parameters: number;
  readonly macs: number;
  readonly weightBytes: number;
  /** Bytes of every non-constant tensor (graph inputs and node outputs). */
  readonly activationBytes: number;
  readonly nodes: number;
}

export interface InspectResult {
  readonly graph: string;
  /** Same as totals.macs (top level for `--json` consumers). */
  readonly macs: number;
  /** Same as totals.parameters. */
  readonly parameters: number;
  readonly ops: readonly InspectOp[];
  readonly totals: InspectTotals;
  /** Node count per op type, sorted by op name. */
  readonly histogram: Readonly<Record<string, number>>;
}

/** A parameter is a weight: an initializer (or folded from one), not index or shape data. */
export function isParameter(t: Tensor): boolean {
  return t.isConstant && t.isInitializer === true && t.dtype !== 'int64' && t.dtype !== 'bool';
}

function opRow(graph: Graph, node: Node): InspectOp {
  const tensorsOf = (ids: readonly (number | undefined)[]) =>
    ids.flatMap((id) => (id === undefined ? [] : [graph.tensors[id]!]));
  const ins = tensorsOf(node.inputs);
  return {
    name: node.name,
    op: node.domain ? `${node.domain}/${node.op}` : node.op,
    inputs: ins.map((t) => t.shape),
    outputs: tensorsOf(node.outputs).map((t) => t.shape),
    params: ins.filter(isParameter).reduce((s, t) => s + numElements(t.shape), 0),
    macs: nodeMacs(graph, node),
  };
}

/** Summarises a Graph: per-node rows, totals and an op histogram. */
export function inspectGraph(graph: Graph): InspectResult {
  const ops = graph.nodes.map((n) => opRow(graph, n));
  const weights = new Set<Tensor>();
  for (const n of graph.nodes)
    for (const id of n.inputs)
      if (id !== undefined && isParameter(graph.tensors[id]!)) weights.add(graph.tensors[id]!);
  const bytes = (t: Tensor) => numElements(t.shape) * dtypeBytes(t.dtype);
  const totals: InspectTotals = {
    parameters: [...weights].reduce((s, t) => s + numElements(t.shape), 0),
    macs: ops.reduce((s, o) => s + o.macs, 0),
    weightBytes: [...weights].reduce((s, t) => s + bytes(t), 0),
    activationBytes: graph.tensors.filter((t) => !t.isConstant).reduce((s, t) => s + bytes(t), 0),
    nodes: graph.nodes.length,
  };
  const counts: Record<string, number> = {};
  for (const o of ops) counts[o.op] = (counts[o.op] ?? 0) + 1;
  const histogram = Object.fromEntries(
    Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    graph: graph.name,
    macs: totals.macs,
    parameters: totals.parameters,
    ops,
    totals,
    histogram,
  };
}

/** 1234567 → "1,234,567" (locale-independent). */
function withCommas(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 4.09e9 → "4.09 G". */
function siShort(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [scale, unit] = units.find(([s]) => n >= s) ?? [1, ''];
  return `${(n / scale).toFixed(2)} ${unit}`.trimEnd();
}

function fmtShapes(shapes: readonly (readonly number[])[]): string {
  return shapes.map((s) => `[${s.join('x')}]`).join(' ');
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Renders an InspectResult as an aligned table, totals and op histogram. */
export function formatInspect(result: InspectResult): string {
  const header = ['#', 'node', 'op', 'inputs', 'outputs', 'params', 'MACs'];
  const rows = result.ops.map((o, i) => [
    String(i),
    o.name,
    o.op,
    fmtShapes(o.inputs),
    fmtShapes(o.outputs),
    withCommas(o.params),
    withCommas(o.macs),
  ]);
  const t = result.totals;
  const totals = [
    ['nodes', withCommas(t.nodes), ''],
    ['parameters', withCommas(t.parameters), siShort(t.parameters)],
    ['MACs', withCommas(t.macs), siShort(t.macs)],
    ['weight bytes', withCommas(t.weightBytes), `${siShort(t.weightBytes)}B`],
    ['activation bytes', withCommas(t.activationBytes), `${siShort(t.activationBytes)}B`],
  ];
  const histogram = Object.entries(result.histogram).map(([op, n]) => [op, String(n)]);
  return [
    `graph ${result.graph || '(unnamed)'}`,
    ...table([header, ...rows], new Set([0, 5, 6])),
    '',
    'totals',
    ...table(totals, new Set([1])).map((l) => `  ${l}`),
    '',
    'op histogram',
    ...table(histogram, new Set([1])).map((l) => `  ${l}`),
    '',
  ].join('\n');
}
