import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Graph } from '../../../compiler/graph.js';
import { importOnnx, loadOnnxModel } from '../../../compiler/onnx/import.js';
import { buildModel, c64, cf, x } from './build-model.js';
import { fixture } from './fixtures.js';
import { thrown } from './thrown.js';

const shapeOf = (g: Graph, name: string) => g.tensors.find((t) => t.name === name)?.shape;

const ImportOnnx = suite('importOnnx');

ImportOnnx('imports the tiny CNN with dense ids, sorted nodes and static shapes', () => {
  const g = loadOnnxModel(fixture('tiny_cnn.onnx'));
  assert.equal(
    g.nodes.map((n) => n.op),
    [
      'Conv',
      'Relu',
      'BatchNormalization',
      'MaxPool',
      'Conv',
      'Relu',
      'GlobalAveragePool',
      'Flatten',
      'Gemm',
    ],
  );
  g.nodes.forEach((n, i) => assert.is(n.id, i));
  g.tensors.forEach((t, i) => assert.is(t.id, i));
  for (const n of g.nodes)
    for (const id of n.inputs)
      if (id !== undefined) {
        const p = g.tensors[id]!.producer;
        assert.ok(p === undefined || p < n.id, `node ${n.name} reads a later tensor`);
      }
  assert.equal(g.tensors[g.inputs[0]!]!.shape, [1, 3, 32, 32]);
  assert.equal(g.tensors[g.outputs[0]!]!.shape, [1, 10]);
  assert.equal(g.opsets, { '': 13 });
});

ImportOnnx('batch resolves a dynamic first dim; without it the batch is 1', () => {
  assert.equal(
    loadOnnxModel(fixture('tiny_cnn.onnx'), { batch: 4 }).tensors[0]!.shape,
    [4, 3, 32, 32],
  );
  const g = loadOnnxModel(fixture('tiny_transformer.onnx'), { batch: 3 });
  assert.equal(g.tensors[g.outputs[0]!]!.shape, [3, 16, 64]);
  assert.equal(loadOnnxModel(fixture('tiny_transformer.onnx')).tensors[0]!.shape, [1, 16, 64]);
});

ImportOnnx(
  'folds the Shape → Gather → Unsqueeze → Concat → Reshape chains of a torch transformer',
  () => {
    const g = loadOnnxModel(fixture('tiny_transformer.onnx'), { batch: 2 });
    const ops = new Set(g.nodes.map((n) => n.op));
    for (const op of ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Constant', 'Cast'])
      assert.not.ok(ops.has(op), `${op} left`);
    const reshapes = g.nodes.filter((n) => n.op === 'Reshape');
    assert.is(reshapes.length, 5);
    for (const r of reshapes) assert.ok(g.tensors[r.inputs[1]!]!.isConstant);
    assert.equal(g.tensors[reshapes[0]!.outputs[0]!]!.shape, [16, 8, 16]);
  },
);

ImportOnnx(
  'constants are not inputs; folded tensors carry values; nothing constant stays a node output',
  () => {
    const g = loadOnnxModel(fixture('typed_fields.onnx'));
    assert.equal(
      g.inputs.map((id) => g.tensors[id]!.name),
      ['x'],
    );
    assert.equal(
      g.nodes.map((n) => n.op),
      ['Add', 'Mul', 'Add', 'Reshape'],
    );
    const hc = g.tensors.find((t) => t.name === 'hc')!;
    assert.ok(hc.isConstant && hc.isInitializer);
    assert.equal(Array.from(hc.values!), [1, 2, -0.5]);
    assert.is(hc.dtype, 'float32');
    assert.equal(shapeOf(g, 'y'), [3, 2]);
  },
);

ImportOnnx('sorts an unsorted file and names unnamed nodes op_index', () => {
  const g = loadOnnxModel(fixture('typed_fields.onnx'));
  assert.equal(
    g.nodes.map((n) => n.name),
    ['Add_5', 'Mul_3', 'Add_1', 'Reshape_0'],
  );
});

ImportOnnx('inputShapes override whole shapes', () => {
  const g = loadOnnxModel(fixture('dynamic_seq.onnx'), { inputShapes: { input_ids: [2, 7] } });
  assert.equal(g.tensors[g.outputs[0]!]!.shape, [2, 7, 8]);
});

ImportOnnx('a batch no input can take (every first dim fixed) is an error, not silently batch 1', () => {
  const bytes = buildModel({ inputs: [x('x', 1, 3)], outputs: ['y'], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] });
  const err = thrown(() => importOnnx(bytes, { batch: 4 }));
  assert.is(err.message, '--batch 4 has no effect: no model input has a dynamic first dim (input "x" is fixed at [1, 3]); export the model with a dynamic batch axis, or give whole shapes with --input-shape x=4x3');
  // The batch it has, or whole shapes, are fine.
  assert.equal(importOnnx(bytes, { batch: 1 }).tensors[0]!.shape, [1, 3]);
  assert.equal(importOnnx(bytes, { batch: 4, inputShapes: { x: [4, 3] } }).tensors[0]!.shape, [4, 3]);
});

ImportOnnx('a dynamic dim other than batch is E_ONNX_SHAPE telling what to pass', () => {
  const err = thrown(() => loadOnnxModel(fixture('dynamic_seq.onnx'), { batch: 2 }));
  assert.is(err.code, 'E_ONNX_SHAPE');
  assert.is(
    err.message,
    'input "input_ids" dim 1 ("sequence") is dynamic: pass --input-shape input_ids=2x128',
  );
  const err1 = thrown(() => loadOnnxModel(fixture('dynamic_seq.onnx')));
  assert.is(
    err1.message,
    'input "input_ids" dim 1 ("sequence") is dynamic: pass --input-shape input_ids=1x128',
  );
});

ImportOnnx('inputShapes naming an unknown input or the wrong rank is E_USAGE', () => {
  assert.is(
    thrown(() => loadOnnxModel(fixture('dynamic_seq.onnx'), { inputShapes: { ids: [1, 2] } })).code,
    'E_USAGE',
  );
  assert.is(
    thrown(() =>
      loadOnnxModel(fixture('dynamic_seq.onnx'), { inputShapes: { input_ids: [1, 2, 3] } }),
    ).code,
    'E_USAGE',
  );
});

ImportOnnx('an unsupported op names the node, op and opset', () => {
  const err = thrown(() => loadOnnxModel(fixture('broken', 'unknown_op.onnx')));
  assert.is(err.code, 'E_ONNX_UNSUPPORTED_OP');
  assert.is(err.message, 'node "mystery": op FooBar (opset 17) is not supported');
  const ms = buildModel({
    opsets: { '': 17, 'com.microsoft': 1 },
    inputs: [x('x', 2)],
    outputs: ['y'],
    nodes: [{ op: 'Attention', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
  });
  assert.is(
    thrown(() => importOnnx(ms)).message,
    'node "Attention_0": op com.microsoft/Attention (opset 1) is not supported',
  );
});

ImportOnnx('imports from bytes, with modelPath for external data', () => {
  const file = fixture('external', 'model.onnx');
  const g = importOnnx(readFileSync(file), { modelPath: file });
  assert.equal(
    g.nodes.map((n) => n.op),
    ['MatMul', 'Add'],
  );
  assert.equal(shapeOf(g, 'y'), [1, 16]);
});

ImportOnnx('Identity and Dropout are bypassed unless they produce a graph output', () => {
  const bytes = buildModel({
    inputs: [x('x', 2, 3)],
    outputs: ['y'],
    nodes: [
      { op: 'Identity', inputs: ['x'], outputs: ['a'] },
      { op: 'Dropout', inputs: ['a'], outputs: ['b'] },
      { op: 'Relu', inputs: ['b'], outputs: ['c'] },
      { op: 'Identity', inputs: ['c'], outputs: ['y'] },
    ],
  });
  const g = importOnnx(bytes);
  assert.equal(
    g.nodes.map((n) => n.op),
    ['Relu', 'Identity'],
  );
  assert.is(g.tensors[g.nodes[0]!.inputs[0]!]!.name, 'x');
});

ImportOnnx('Dropout in training mode with ratio 0 is the identity, and is bypassed when its mask is unread', () => {
  // What PyTorch exports for F.dropout(x, p=0.0) left at its default training=True (torchvision's Swin).
  const spec = (ratio: number, maskRead: boolean) => buildModel({
    inputs: [x('x', 2, 3)],
    initializers: [cf('ratio', [ratio], []), { name: 'train', dtype: 'bool', dims: [], values: [1] }],
    outputs: maskRead ? ['y', 'm'] : ['y'],
    nodes: [
      { op: 'Dropout', name: 'drop', inputs: ['x', 'ratio', 'train'], outputs: ['a', 'm'] },
      { op: 'Relu', inputs: ['a'], outputs: ['y'] },
    ],
  });
  assert.equal(importOnnx(spec(0, false)).nodes.map((n) => n.op), ['Relu']);
  // A mask that is read keeps the node (its all-true mask is an output).
  assert.equal(importOnnx(spec(0, true)).nodes.map((n) => n.op), ['Dropout', 'Relu']);
  const err = thrown(() => importOnnx(spec(0.1, false)));
  assert.match(err.message, 'node "drop": Dropout in training mode with ratio 0.1');
});

ImportOnnx('a shape error names node and op', () => {
  const bytes = buildModel({
    inputs: [x('x', 2, 3)],
    initializers: [c64('s', [4, 2])],
    outputs: ['y'],
    nodes: [{ op: 'Reshape', name: 'bad', inputs: ['x', 's'], outputs: ['y'] }],
  });
  const err = thrown(() => importOnnx(bytes));
  assert.is(err.code, 'E_ONNX_SHAPE');
  assert.is(err.message, 'node "bad" (Reshape): cannot reshape [2, 3] (6 elements) to [4, 2]');
});

ImportOnnx('a node reading an unknown tensor is E_ONNX_INVALID', () => {
  const bytes = buildModel({
    inputs: [x('x', 2)],
    outputs: ['y'],
    nodes: [{ op: 'Relu', name: 'r', inputs: ['nope'], outputs: ['y'] }],
  });
  const err = thrown(() => importOnnx(bytes));
  assert.is(err.code, 'E_ONNX_INVALID');
  assert.match(err.message, /node "r" reads "nope"/);
});

ImportOnnx.run();
