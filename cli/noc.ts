// `spatialc noc`: synthetic traffic on the flit-level network with BookSim's measurement method
// (warm-up, sample periods until stable, drain). The network is described BookSim-style, by a
// BookSim config file (`--booksim FILE.cfg`, with BookSim's own `key=value` overrides) and/or
// flags; `--sweep A:B:STEP` prints the latency/load curve as CSV (or JSON).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SpatialcError } from '../arch/errors.js';
import { parseBooksimConfig } from '../noc/flit/booksim-config.js';
import { configFromBooksim, simulateFlitNetwork } from '../noc/flit/network.js';
import { parsePositiveInt } from './args.js';

const usage = (msg: string) => new SpatialcError('E_USAGE', msg);

const NOC_OPTIONS = {
  booksim: { type: 'string' },
  topology: { type: 'string' },
  k: { type: 'string' },
  vcs: { type: 'string' },
  buffer: { type: 'string' },
  traffic: { type: 'string' },
  rate: { type: 'string' },
  'packet-size': { type: 'string' },
  seed: { type: 'string' },
  sweep: { type: 'string' },
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
  const overrides = [...positionals];
  const flag = (key: string, v: string | undefined) => { if (v !== undefined) overrides.push(`${key}=${v}`); };
  flag('topology', values.topology);
  flag('k', values.k === undefined ? undefined : String(parsePositiveInt(values.k, '--k')));
  flag('num_vcs', values.vcs === undefined ? undefined : String(parsePositiveInt(values.vcs, '--vcs')));
  if (values.buffer !== undefined && !(Number(values.buffer) >= 1)) throw usage(`--buffer: a VC buffer must hold at least one flit, got "${values.buffer}"`);
  flag('vc_buf_size', values.buffer);
  flag('traffic', values.traffic);
  flag('injection_rate', values.rate === undefined ? undefined : String(rateOf(values.rate, '--rate')));
  flag('packet_size', values['packet-size'] === undefined ? undefined : String(parsePositiveInt(values['packet-size'], '--packet-size')));
  flag('seed', values.seed);
  const file = values.booksim;
  let text = '';
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new SpatialcError('E_FILE', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const cfg = configFromBooksim(parseBooksimConfig(text, overrides, file ?? 'command line'));
  if (cfg.vcBufSize < 1) throw usage(`vc_buf_size: a VC buffer must hold at least one flit, got ${cfg.vcBufSize}`);
  rateOf(String(cfg.injectionRate), 'injection_rate');
  if (values.sweep === undefined) {
    const r = simulateFlitNetwork(cfg);
    const row = { avgPacketLatency: r.avgPacketLatency, avgNetworkLatency: r.avgNetworkLatency, acceptedFlitsPerNodeCycle: r.acceptedFlitsPerNodeCycle, saturated: r.saturated, cycles: r.cycles };
    if (values.json) return JSON.stringify(row, null, 2) + '\n';
    return `${cfg.topology} ${cfg.k}x${cfg.k}, ${cfg.traffic}, ${cfg.packetSize}-flit packets, ${cfg.numVcs} VCs x ${cfg.vcBufSize} flits, rate ${cfg.injectionRate}\n` +
      `  packet latency ${row.avgPacketLatency.toFixed(2)}  network latency ${row.avgNetworkLatency.toFixed(2)}  accepted ${row.acceptedFlitsPerNodeCycle.toFixed(4)} flits/node/cycle${row.saturated ? '  SATURATED' : ''}\n`;
  }
  const rows = [];
  let saturatedSeen = 0;
  for (const rate of sweepRates(values.sweep)) {
    const r = simulateFlitNetwork({ ...cfg, injectionRate: rate });
    rows.push({ rate, avgPacketLatency: r.avgPacketLatency, avgNetworkLatency: r.avgNetworkLatency, acceptedFlitsPerNodeCycle: r.acceptedFlitsPerNodeCycle, saturated: r.saturated });
    if (r.saturated && ++saturatedSeen >= 2) break; // past the knee: further points only grow
  }
  if (values.json) return JSON.stringify(rows, null, 2) + '\n';
  return ['rate,avgPacketLatency,avgNetworkLatency,acceptedFlitsPerNodeCycle,saturated', ...rows.map((r) => `${r.rate},${r.avgPacketLatency},${r.avgNetworkLatency},${r.acceptedFlitsPerNodeCycle},${r.saturated ? 1 : 0}`)].join('\n') + '\n';
}
