// `npm run conformance`: runs the ONNX backend test suites of Debian's libonnx-testdata through
// the reference interpreter and prints passed / failed / unsupported per suite. Exits 1 when
// fewer than --min-pass-rate (default 95%) of the supported cases pass, so CI enforces it.
//   node dist/scripts/conformance.js [--verbose] [--list-unsupported] [--filter REGEX]
//                                    [--root DIR] [--min-pass-rate 0.95]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadArch } from '../arch/index.js';
import { functionalBackend } from '../cli/check.js';
import {
  CONFORMANCE_FOLDERS,
  DEFAULT_CONFORMANCE_OPTIONS,
  DEFAULT_TESTDATA_ROOT,
  listCases,
  runCase,
} from '../compiler/reference/conformance.js';
import {
  formatDetails,
  formatTally,
  missingOpCounts,
  opCoverage,
  tallyResults,
  type CaseResult,
} from '../compiler/reference/conformance-report.js';

const { values } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    'list-unsupported': { type: 'boolean', default: false },
    filter: { type: 'string' },
    root: { type: 'string', default: DEFAULT_TESTDATA_ROOT },
    'min-pass-rate': { type: 'string', default: '0.95' },
    sim: { type: 'boolean', default: false },
    arch: { type: 'string', default: 'wormhole_n150' },
    // Tile arrival order for --sim. The suite checks numerics, so the fast packet-level NoC model is
    // the default here (the flit-level run of all ~930 cases takes about 10x longer).
    'noc-model': { type: 'string', default: 'packet' },
  },
});

const root = values.root;
if (!existsSync(root)) {
  console.log(`conformance: skipped, ${root} is missing (apt-get install libonnx-testdata)`);
  process.exit(0);
}

// --sim: each model is compiled for --arch and its program run functionally (exact float32),
// so the suites check the compiler's partitioning, routing and schedule, not only the kernels.
if (values['noc-model'] !== 'flit' && values['noc-model'] !== 'packet') {
  console.error(`conformance: --noc-model: expected flit or packet, got "${values['noc-model']}"`);
  process.exit(2);
}
const options = values.sim
  ? { ...DEFAULT_CONFORMANCE_OPTIONS, backend: functionalBackend(loadArch(values.arch), 'fp32', 'HiFi4', 'conformance', values['noc-model'] === 'flit' ? 'flit' : 'packet') }
  : DEFAULT_CONFORMANCE_OPTIONS;
const filter = values.filter !== undefined ? new RegExp(values.filter) : undefined;
const cases = listCases(root, CONFORMANCE_FOLDERS).filter(
  (c) => !filter || filter.test(`${c.folder}/${c.name}`),
);
const started = Date.now();
const results: CaseResult[] = [];
const slow: [string, number][] = [];
for (const c of cases) {
  const t0 = Date.now();
  results.push({ ...c, outcome: runCase(c, options) });
  slow.push([`${c.folder}/${c.name}`, Date.now() - t0]);
}
const seconds = (Date.now() - started) / 1000;

const rows = tallyResults(results);
const total = rows[rows.length - 1]!;
const ops = opCoverage();
if (values.verbose || values['list-unsupported'])
  process.stdout.write(formatDetails(results, values['list-unsupported']));
if (values.verbose) {
  const missing = missingOpCounts(results).slice(0, 25);
  console.log(
    `unregistered ops by cases blocked: ${missing.map(([o, n]) => `${o} ${n}`).join(', ')}`,
  );
  slow.sort((a, b) => b[1] - a[1]);
  console.log(
    `slowest: ${slow
      .slice(0, 5)
      .map(([n, ms]) => `${n} ${ms} ms`)
      .join(', ')}`,
  );
}
const bound = results.filter((r) => r.outcome.status === 'passed' && r.outcome.note).length;
process.stdout.write(`\nONNX backend conformance (${root})${values.sim ? `, compiled for ${values.arch} and simulated functionally` : ''}\n`);
process.stdout.write(formatTally(rows));
console.log(
  `op types supported: ${ops.registered} registered, ${ops.withKernel} with a reference kernel; ${cases.length} cases in ${seconds.toFixed(1)} s`,
);
if (bound > 0)
  console.log(
    `(${bound} passing cases bound some inputs as constants: their ops need constant shape inputs)`,
  );
const minRate = Number(values['min-pass-rate']);
if (total.passRate < minRate) {
  console.log(
    `conformance: FAILED, ${(100 * total.passRate).toFixed(1)}% of supported cases pass (need ${(100 * minRate).toFixed(0)}%)`,
  );
  process.exit(1);
}
