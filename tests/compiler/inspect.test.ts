import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatInspect, inspectGraph } from '../../compiler/inspect.js';
import { loadOnnxModel } from '../../compiler/onnx/import.js';
import { fixture } from './onnx/fixtures.js';

const InspectGraph = suite('inspectGraph');
InspectGraph('per-node shapes, params and MACs of the tiny CNN', () => {
  const r = inspectGraph(loadOnnxModel(fixture('tiny_cnn.onnx')));
  const conv1 = r.ops[0]!;
  assert.equal(conv1, {
    name: '/conv1/Conv',
    op: 'Conv',
    inputs: [[1, 3, 32, 32], [8, 3, 3, 3], [8]],
    outputs: [[1, 8, 32, 32]],
    params: 224,
    macs: 221184,
  });
  assert.is(r.ops.find((o) => o.op === 'BatchNormalization')!.params, 32);
  assert.is(r.ops.find((o) => o.op === 'Gemm')!.macs, 160);
});
InspectGraph('totals, with macs and parameters also at the top level', () => {
  const r = inspectGraph(loadOnnxModel(fixture('tiny_cnn.onnx')));
  assert.equal(r.totals, {
    parameters: 1594,
    macs: 295072,
    weightBytes: 1594 * 4,
    activationBytes: 4 * (3072 + 3 * 8192 + 2048 + 2 * 1024 + 16 + 16 + 10),
    nodes: 9,
  });
  assert.is(r.macs, r.totals.macs);
  assert.is(r.parameters, r.totals.parameters);
  assert.equal(r.histogram, {
    BatchNormalization: 1,
    Conv: 2,
    Flatten: 1,
    Gemm: 1,
    GlobalAveragePool: 1,
    MaxPool: 1,
    Relu: 2,
  });
  assert.equal(JSON.parse(JSON.stringify(r)), r);
});
InspectGraph('shape constants are not parameters', () => {
  const r = inspectGraph(loadOnnxModel(fixture('tiny_transformer.onnx')));
  assert.is(
    r.parameters,
    64 * 192 + 192 + 64 * 64 + 64 + 2 * 64 + 64 * 128 + 128 + 128 * 64 + 64 + 2 * 64,
  );
  assert.is(
    r.ops.filter((o) => o.op === 'Reshape').reduce((s, o) => s + o.params, 0),
    0,
  );
});
InspectGraph.run();

const FormatInspect = suite('formatInspect');
FormatInspect('prints an aligned table, the totals and the histogram', () => {
  const text = formatInspect(inspectGraph(loadOnnxModel(fixture('tiny_cnn.onnx'))));
  const lines = text.split('\n');
  assert.is(lines[0], 'graph torch_jit');
  assert.match(lines[1]!, /^#\s+node\s+op\s+inputs\s+outputs\s+params\s+MACs$/);
  assert.match(
    text,
    /0  \/conv1\/Conv\s+Conv\s+\[1x3x32x32\] \[8x3x3x3\] \[8\]\s+\[1x8x32x32\]\s+224\s+221,184\n/,
  );
  assert.match(text, /\n  MACs\s+295,072  295.07 k\n/);
  assert.match(text, /\n  parameters\s+1,594  1.59 k\n/);
  assert.match(text, /op histogram\n  BatchNormalization  1\n  Conv                2\n/);
});
FormatInspect.run();
