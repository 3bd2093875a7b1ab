// BookSim2's configuration format: `// comments`, `key = value;` statements, and command-line
// `key=value` overrides applied after the file. Every key used by the reference configurations is
// known; any other key is an error that lists it.
import { SpatialcError } from '../../arch/errors.js';

export type BooksimValue = number | string;
export type BooksimConfig = Readonly<Record<string, BooksimValue>>;

/** Keys we understand, with BookSim's default values. */
export const BOOKSIM_DEFAULTS: BooksimConfig = {
  topology: 'mesh', k: 8, n: 2, use_noc_latency: 1, routing_function: 'dor',
  num_vcs: 2, vc_buf_size: 8, wait_for_tail_credit: 0, vc_busy_when_full: 0, vc_prioritize_empty: 0,
  hold_switch_for_packet: 0, router: 'iq', vc_allocator: 'islip', sw_allocator: 'islip', alloc_iters: 1,
  arb_type: 'round_robin', speculative: 0, routing_delay: 1, vc_alloc_delay: 1, sw_alloc_delay: 1,
  st_prepare_delay: 0, st_final_delay: 1, credit_delay: 0, input_speedup: 1, output_speedup: 1,
  internal_speedup: 1.0, classes: 1, traffic: 'uniform', packet_size: 1, injection_process: 'bernoulli',
  injection_rate_uses_flits: 1, injection_rate: 0.1, include_queuing: 1, priority: 'none',
  sim_type: 'latency', warmup_periods: 3, sample_period: 1000, max_samples: 10, latency_thres: 500.0,
  warmup_thres: 0.05, acc_warmup_thres: 0.05, stopping_thres: 0.05, acc_stopping_thres: 0.05,
  sim_count: 1, seed: 0,
};

/** Values of these keys other than the listed ones are not modelled. */
const SUPPORTED_VALUES: Readonly<Record<string, readonly BooksimValue[]>> = {
  topology: ['mesh', 'torus'], n: [1, 2, 3], routing_function: ['dor', 'dim_order', 'xy_yx'], router: ['iq'],
  vc_allocator: ['islip'], sw_allocator: ['islip'], alloc_iters: [1], arb_type: ['round_robin'],
  speculative: [0], st_prepare_delay: [0], credit_delay: [0], input_speedup: [1], output_speedup: [1], internal_speedup: [1],
  classes: [1],
  injection_process: ['bernoulli'], injection_rate_uses_flits: [1], include_queuing: [1], priority: ['none'],
  sim_type: ['latency'], sim_count: [1], wait_for_tail_credit: [0], vc_busy_when_full: [0],
  vc_prioritize_empty: [0], hold_switch_for_packet: [0], use_noc_latency: [1],
};

function parseValue(raw: string): BooksimValue {
  const v = raw.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : v;
}

/** Parses a BookSim config text plus `key=value` overrides; `where` names the file in errors. */
export function parseBooksimConfig(text: string, overrides: readonly string[] = [], where = 'config'): BooksimConfig {
  const out: Record<string, BooksimValue> = { ...BOOKSIM_DEFAULTS };
  const unknown: string[] = [];
  const problems: string[] = [];
  const set = (key: string, raw: string, loc: string): void => {
    if (!(key in BOOKSIM_DEFAULTS)) { unknown.push(`${key} (${loc})`); return; }
    const value = parseValue(raw);
    const ok = SUPPORTED_VALUES[key];
    if (ok && !ok.includes(value)) problems.push(`${key} = ${value} (${loc}): supported ${ok.join(', ')}`);
    out[key] = value;
  };
  const stripped = text.replace(/\/\*[\s\S]*?\*\//g, '').split('\n').map((l) => l.replace(/\/\/.*$/, '')).join('\n');
  let line = 1;
  for (const stmt of stripped.split(';')) {
    const s = stmt.trim();
    const at = line;
    line += (stmt.match(/\n/g) ?? []).length;
    if (s === '') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^=]+)$/.exec(s);
    if (!m) { problems.push(`cannot parse "${s}" near line ${at + (stmt.length - stmt.trimStart().length > 0 ? (stmt.slice(0, stmt.indexOf(s)).match(/\n/g) ?? []).length : 0)}`); continue; }
    set(m[1]!, m[2]!, `${where}`);
  }
  for (const o of overrides) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(o.trim());
    if (!m) { problems.push(`override "${o}" is not key=value`); continue; }
    set(m[1]!, m[2]!, 'command line');
  }
  if (unknown.length > 0) {
    throw new SpatialcError('E_USAGE', `unknown BookSim key${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
      where, problems: unknown, hint: `known keys: ${Object.keys(BOOKSIM_DEFAULTS).join(', ')}`,
    });
  }
  if (problems.length > 0) {
    throw new SpatialcError('E_USAGE', `unsupported BookSim setting: ${problems.join('; ')}`, { where, problems });
  }
  return out;
}
