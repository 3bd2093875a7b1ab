// `spatialc noc`: synthetic traffic on the flit-level network with BookSim's measurement method
// (warm-up, sample periods until stable, drain). The network is a BookSim config file
// (`--booksim FILE.cfg`, with BookSim's own `key=value` overrides), flags, or an arch (`--arch A`:
// its BookSim-style `network` block, or else its own NoCs, e.g. Wormhole's two one-way tori).
// `--sweep A:B:STEP` prints the latency/load curve as CSV (or JSON) and `--plot F.svg` draws it.
// Before any run the routing is checked for deadlock (channel dependency cycles).

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadArch } from '../arch/index.js';
import { SpatialcError } from '../arch/errors.js';
import { archSyntheticNetwork } from '../noc/flit/arch-network.js';
import { parseBooksimConfig } from '../noc/flit/booksim-config.js';
import { checkDeadlockFree } from '../noc/flit/cdg.js';
import { configFromBooksim } from '../noc/flit/config.js';
import { simulateFlitNetwork, type FlitNetConfig } from '../noc/flit/measure.js';
import { parseTraffic } from '../noc/flit/traffic.js';
import { sweepSvg } from '../visualizer/sweep-plot.js';
import { parsePositiveInt } from './args.js';

const usage = (msg: string) => new SpatialcError('E_USAGE', msg);

const NOC_OPTIONS = {
  booksim: { type: 'string' },
  arch: { type: 'string' },
  topology: { type: 'string' },
  k: { type: 'string' },
  n: { type: 'string' },
  vcs: { type: 'string' },
  buffer: { type: 'string' },
  routing: { type: 'string' },
  'axis-order': { type: 'string' },
  traffic: { type: 'string' },
  rate: { type: 'string' },
  'packet-size': { type: 'string' },
  seed: { type: 'string' },
  sweep: { type: 'string' },
  plot: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function rateOf(text: string, flag: string): number {
  const r = Number(text);
  if (!Number.isFinite(r) || r <= 0 || r > 1) throw usage(`${flag}: expected an injection rate in (0, 1] flits/node/cycle, got "${text}"`);
  return r;
}

/** The sweep's rates from `A:B:STEP`. */
function sweepRates(text: string): number[] {
  const parts = text.split(':').map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)) || parts[2]! <= 0) throw usage(`--sweep: expected FROM:TO:STEP, got "${text}"`);
  const [from, to, step] = parts as [number, number, number];
  rateOf(String(from), '--sweep');
  rateOf(String(to), '--sweep');
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Number((from + i * step).toFixed(6)));
  return out;
}

function describe(cfg: FlitNetConfig): string {
  const g = cfg.geometry;
  const planes = g.planes.length > 1 ? `, ${g.planes.length} planes (${g.planes.map((p) => p.name).join(', ')})` : '';
  return `${g.wrap ? 'torus' : 'mesh'} ${g.dims.join('x')}${planes}, ${cfg.router.routing}, ${cfg.traffic.name}, ${cfg.packetSize}-flit packets, ${cfg.router.numVcs} VCs x ${cfg.router.vcBufSize} flits`;
}

/** The network and measurement set up by the flags, file and arch. */
function configOf(values: Record<string, string | boolean | undefined>, positionals: readonly string[]): FlitNetConfig {
  const overrides = [...positionals];
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const flag = (key: string, v: string | undefined) => { if (v !== undefined) overrides.push(`${key}=${v}`); };
  const arch = str('arch');
  if (arch !== undefined && str('booksim') !== undefined) throw usage('noc: give --arch or --booksim, not both');
  if (arch !== undefined) {
    for (const f of ['topology', 'k', 'n', 'vcs', 'buffer', 'routing', 'axis-order']) if (str(f) !== undefined) throw usage(`noc: --${f} describes the network; with --arch the arch does`);
  }
  flag('topology', str('topology'));
  flag('k', str('k') === undefined ? undefined : String(parsePositiveInt(str('k')!, '--k')));
  flag('n', str('n') === undefined ? undefined : String(parsePositiveInt(str('n')!, '--n')));
  flag('num_vcs', str('vcs') === undefined ? undefined : String(parsePositiveInt(str('vcs')!, '--vcs')));
  const buffer = str('buffer');
  if (buffer !== undefined && !(Number(buffer) >= 1)) throw usage(`--buffer: a VC buffer must hold at least one flit, got "${buffer}"`);
  flag('vc_buf_size', buffer);
  flag('routing_function', str('routing'));
  flag('traffic', str('traffic'));
  flag('injection_rate', str('rate') === undefined ? undefined : String(rateOf(str('rate')!, '--rate')));
  flag('packet_size', str('packet-size') === undefined ? undefined : String(parsePositiveInt(str('packet-size')!, '--packet-size')));
  flag('seed', str('seed'));
  const file = str('booksim');
  let text = '';
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new SpatialcError('E_FILE', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const parsed = parseBooksimConfig(text, overrides, file ?? 'command line');
  if (arch === undefined) return withAxisOrder(configFromBooksim(parsed, file ?? 'command line'), str('axis-order'));
  const spec = loadArch(arch);
  const net = archSyntheticNetwork(spec, arch);
  const nodes = net.geometry.dims.reduce((a, b) => a * b, 1);
  const base = configFromBooksim({ ...parsed, k: 2, n: 1, traffic: 'uniform' }, arch);
  return { ...base, geometry: net.geometry, router: net.router, traffic: parseTraffic(String(parsed['traffic']), nodes) };
}

/** `--axis-order yx` (or zyx, ...): the dimension order of routing, first letter first. */
function withAxisOrder(cfg: FlitNetConfig, text: string | undefined): FlitNetConfig {
  if (text === undefined) return cfg;
  const n = cfg.geometry.dims.length;
  const order = [...text].map((ch) => 'xyz'.indexOf(ch));
  if (order.length !== n || order.some((d) => d < 0 || d >= n) || new Set(order).size !== n) {
    throw usage(`--axis-order: expected a permutation of ${'xyz'.slice(0, n)} for ${n} dimensions, got "${text}"`);
  }
  return { ...cfg, geometry: { ...cfg.geometry, planes: cfg.geometry.planes.map((p) => ({ ...p, axisOrder: order })) } };
}

/** Runs `spatialc noc`; returns the text to print. */
export function runNoc(argv: readonly string[]): string {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: NOC_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usage(`noc: ${(e as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  const bad = positionals.filter((p) => !/^[A-Za-z_]\w*=.+$/.test(p));
  if (bad.length > 0) throw usage(`noc: unexpected argument "${bad[0]}" (BookSim overrides are key=value)`);
  if (values.plot !== undefined && values.sweep === undefined) throw usage('--plot: draws a --sweep; give --sweep FROM:TO:STEP too');
  const cfg = configOf(values, positionals);
  checkDeadlockFree({ geometry: cfg.geometry, routing: cfg.router.routing, messageClasses: cfg.router.messageClasses });
  if (values.sweep === undefined) {
    const r = simulateFlitNetwork(cfg, { checked: true });
    const row = { avgPacketLatency: r.avgPacketLatency, avgNetworkLatency: r.avgNetworkLatency, acceptedFlitsPerNodeCycle: r.acceptedFlitsPerNodeCycle, saturated: r.saturated, cycles: r.cycles };
    if (values.json) return JSON.stringify(row, null, 2) + '\n';
    return `${describe(cfg)}, rate ${cfg.injectionRate}\n` +
      `  packet latency ${row.avgPacketLatency.toFixed(2)}  network latency ${row.avgNetworkLatency.toFixed(2)}  accepted ${row.acceptedFlitsPerNodeCycle.toFixed(4)} flits/node/cycle${row.saturated ? '  SATURATED' : ''}\n`;
  }
  const rows = [];
  let saturatedSeen = 0;
  for (const rate of sweepRates(values.sweep)) {
    const r = simulateFlitNetwork({ ...cfg, injectionRate: rate }, { checked: true });
    rows.push({ rate, avgPacketLatency: r.avgPacketLatency, avgNetworkLatency: r.avgNetworkLatency, acceptedFlitsPerNodeCycle: r.acceptedFlitsPerNodeCycle, saturated: r.saturated });
    if (r.saturated && ++saturatedSeen >= 2) break; // past the knee: further points only grow
  }
  if (values.plot !== undefined) {
    const tmp = `${values.plot}.tmp-${process.pid}`;
    writeFileSync(tmp, sweepSvg(rows, { title: describe(cfg) }));
    renameSync(tmp, values.plot);
  }
  if (values.json) return JSON.stringify(rows, null, 2) + '\n';
  return ['rate,avgPacketLatency,avgNetworkLatency,acceptedFlitsPerNodeCycle,saturated', ...rows.map((r) => `${r.rate},${r.avgPacketLatency},${r.avgNetworkLatency},${r.acceptedFlitsPerNodeCycle},${r.saturated ? 1 : 0}`)].join('\n') + '\n';
}
