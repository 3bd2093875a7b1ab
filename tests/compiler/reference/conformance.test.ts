// The conformance runner: classification on synthetic backend-style test folders (always), and a
// handful of the real ONNX backend node tests when Debian's libonnx-testdata is installed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeTensorProto } from '../../../compiler/onnx/tensor-file.js';
import {
  DEFAULT_TESTDATA_ROOT,
  listCases,
  runCase,
  type ConformanceCase,
} from '../../../compiler/reference/conformance.js';
import { formatTally, tallyResults } from '../../../compiler/reference/conformance-report.js';
import { buildModel, x } from '../onnx/build-model.js';

const root = mkdtempSync(path.join(tmpdir(), 'spatialc-conformance-'));

/** Writes a backend-style case: model.onnx and test_data_set_0 with one input and one output. */
function writeCase(name: string, op: string, input: number[], output: number[]): ConformanceCase {
  const dir = path.join(root, 'node', name);
  mkdirSync(path.join(dir, 'test_data_set_0'), { recursive: true });
  const model = buildModel({
    inputs: [x('x', input.length)],
    outputs: ['y'],
    nodes: [{ op, inputs: ['x'], outputs: ['y'] }],
  });
  writeFileSync(path.join(dir, 'model.onnx'), model);
  const tensor = (n: string, v: number[]) =>
    encodeTensorProto({
      name: n,
      dtype: 'float32',
      shape: [v.length],
      values: Float32Array.from(v),
    });
  writeFileSync(path.join(dir, 'test_data_set_0', 'input_0.pb'), tensor('x', input));
  writeFileSync(path.join(dir, 'test_data_set_0', 'output_0.pb'), tensor('y', output));
  return { folder: 'node', name, dir };
}

const Classify = suite('runCase');

Classify('a matching case passes; values within rtol 1e-3 count as equal', () => {
  assert.equal(runCase(writeCase('test_ok', 'Neg', [1, -2], [-1, 2])), { status: 'passed' });
  assert.equal(runCase(writeCase('test_close', 'Neg', [1000], [-1000.9])), { status: 'passed' });
});

Classify('a wrong value fails with the first mismatch', () => {
  const o = runCase(writeCase('test_wrong', 'Neg', [1, -2], [-1, 3]));
  assert.equal(o, {
    status: 'failed',
    reason: 'test_data_set_0: output "y"[1]: got 2, expected 3',
  });
});

Classify('an unregistered op is unsupported, naming the op', () => {
  const o = runCase(writeCase('test_unknown', 'NoSuchOp', [1], [1]));
  assert.equal(o, { status: 'unsupported', reason: 'unregistered ops: NoSuchOp' });
});

Classify('listCases finds the folders holding a model.onnx; the tally prints a table', () => {
  const cases = listCases(root, ['node', 'simple']);
  assert.equal(
    cases.map((c) => c.name),
    ['test_close', 'test_ok', 'test_unknown', 'test_wrong'],
  );
  const rows = tallyResults(cases.map((c) => ({ ...c, outcome: runCase(c) })));
  assert.equal(rows.at(-1), {
    folder: 'total',
    passed: 2,
    failed: 1,
    unsupported: 1,
    passRate: 2 / 3,
  });
  assert.match(formatTally(rows), /total\s+2\s+1\s+1\s+66\.7%/);
});

const Backend = suite('runCase on the ONNX backend node tests');
const NODE = path.join(DEFAULT_TESTDATA_ROOT, 'node');

if (!existsSync(NODE)) {
  console.log(
    `conformance: backend cases skipped, ${NODE} is missing (apt-get install libonnx-testdata)`,
  );
} else {
  const real = (name: string): ConformanceCase => ({
    folder: 'node',
    name,
    dir: path.join(NODE, name),
  });
  Backend(
    'a handful of node tests pass, including data-dependent shapes (NonZero, Reshape)',
    () => {
      for (const name of [
        'test_relu',
        'test_softmax_axis_0',
        'test_gather_elements_negative_indices',
        'test_top_k_smallest',
        'test_scatternd_add',
        'test_nonzero_example',
        'test_reshape_negative_dim',
        'test_depthtospace_crd_mode_example',
        'test_cast_FLOAT_to_FLOAT16',
      ])
        assert.is(runCase(real(name)).status, 'passed', name);
    },
  );
  Backend(
    'string tensors are unsupported; test data contradicting the model fails with a message',
    () => {
      assert.is(runCase(real('test_strnormalizer_nostopwords_nochangecase')).status, 'unsupported');
      const o = runCase(real('test_castlike_BFLOAT16_to_FLOAT'));
      assert.equal(o, {
        status: 'failed',
        reason: 'input "like": the test data has shape [1] but the model declares [3, 4]',
      });
    },
  );
}

Classify.run();
Backend.run();
