import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { foldConstants } from '../../../compiler/passes/fold-constants.js';
import { buildModel, c64, cf, i, ints, s, tensorAttr, x, type InitSpec } from './build-model.js';
import { outValues, outputsOf } from './op-shapes.js';

const b = (name: string, values: number[], dims: number[] = [values.length]): InitSpec => ({
  name,
  dtype: 'bool',
  dims,
  values,
});

const Evaluate = suite('constant folding evaluators');
Evaluate('Shape (with start/end) and Size fold on non-constant inputs', () => {
  assert.equal(outValues('Shape', [x('x', 2, 3, 4)]), [2, 3, 4]);
  assert.equal(
    outValues('Shape', [x('x', 2, 3, 4)], { opset: 15, attrs: { start: i(-2) } }),
    [3, 4],
  );
  assert.equal(outValues('Size', [x('x', 2, 3, 4)]), [24]);
});
Evaluate('Constant, ConstantOfShape, Range', () => {
  assert.equal(
    outValues('Constant', [], { attrs: { value: tensorAttr('int64', [2], [7, 8]) } }),
    [7, 8],
  );
  assert.equal(outValues('Constant', [], { attrs: { value_ints: ints([1, 2]) } }), [1, 2]);
  assert.equal(
    outValues('ConstantOfShape', [c64('s', [2, 2])], {
      attrs: { value: tensorAttr('int64', [1], [5]) },
    }),
    [5, 5, 5, 5],
  );
  assert.equal(
    outValues('Range', [c64('a', [1], []), c64('l', [10], []), c64('d', [3], [])]),
    [1, 4, 7],
  );
  assert.equal(
    outValues('Range', [cf('a', [1], []), cf('l', [0], []), cf('d', [-0.5], [])]),
    [1, 0.5],
  );
});
Evaluate('Gather, Unsqueeze, Squeeze, Concat, Reshape, Identity', () => {
  assert.equal(outValues('Gather', [c64('d', [10, 20, 30]), c64('i', [-1, 0])]), [30, 10]);
  assert.equal(
    outValues('Gather', [c64('d', [1, 2, 3, 4, 5, 6], [2, 3]), c64('i', [2], [])], {
      attrs: { axis: i(1) },
    }),
    [3, 6],
  );
  assert.equal(outValues('Unsqueeze', [c64('d', [4], []), c64('a', [0])]), [4]);
  assert.equal(outValues('Squeeze', [c64('d', [4], [1]), c64('a', [0])]), [4]);
  assert.equal(
    outValues('Concat', [c64('a', [1, 2]), c64('b', [3])], { attrs: { axis: i(0) } }),
    [1, 2, 3],
  );
  assert.equal(
    outValues('Concat', [c64('a', [1, 2, 3, 4], [2, 2]), c64('b', [5, 6], [2, 1])], {
      attrs: { axis: i(1) },
    }),
    [1, 2, 5, 3, 4, 6],
  );
  assert.equal(outValues('Reshape', [c64('a', [1, 2, 3, 4]), c64('s', [2, -1])]), [1, 2, 3, 4]);
  assert.equal(outValues('Identity', [c64('a', [9])]), [9]);
});
Evaluate('Slice with negative steps, Transpose, Expand, Tile, Pad, Split', () => {
  assert.equal(
    outValues('Slice', [
      c64('d', [0, 1, 2, 3, 4, 5]),
      c64('s', [-1]),
      c64('e', [-1e18]),
      c64('a', [0]),
      c64('p', [-2]),
    ]),
    [5, 3, 1],
  );
  assert.equal(
    outValues('Slice', [
      c64('d', [0, 1, 2, 3, 4, 5], [2, 3]),
      c64('s', [1]),
      c64('e', [3]),
      c64('a', [1]),
    ]),
    [1, 2, 4, 5],
  );
  assert.equal(outValues('Transpose', [c64('d', [1, 2, 3, 4, 5, 6], [2, 3])]), [1, 4, 2, 5, 3, 6]);
  assert.equal(
    outValues('Expand', [c64('d', [1, 2], [2, 1]), c64('s', [2, 3])]),
    [1, 1, 1, 2, 2, 2],
  );
  assert.equal(outValues('Tile', [c64('d', [1, 2]), c64('r', [3])]), [1, 2, 1, 2, 1, 2]);
  assert.equal(
    outValues('Pad', [cf('d', [1, 2]), c64('p', [1, 2]), cf('v', [9], [])]),
    [9, 1, 2, 9, 9],
  );
  const padMode = (mode: string) =>
    outValues('Pad', [cf('d', [1, 2, 3]), c64('p', [2, 2])], { attrs: { mode: s(mode) } });
  assert.equal(padMode('edge'), [1, 1, 1, 2, 3, 3, 3]);
  assert.equal(padMode('reflect'), [3, 2, 1, 2, 3, 2, 1]);
  assert.equal(padMode('wrap'), [2, 3, 1, 2, 3, 1, 2]);
  const parts = outputsOf('Split', [c64('d', [1, 2, 3, 4, 5]), c64('s', [2, 3])], { outputs: 2 });
  assert.equal(
    parts.map((t) => Array.from(t.values as ArrayLike<number>)),
    [
      [1, 2],
      [3, 4, 5],
    ],
  );
});
Evaluate('Cast, arithmetic, comparisons and logic', () => {
  assert.equal(outValues('Cast', [cf('f', [1.7, -1.7, 3])], { attrs: { to: i(7) } }), [1, -1, 3]);
  assert.equal(outValues('Add', [c64('a', [1, 2]), c64('b', [10], [])]), [11, 12]);
  assert.equal(outValues('Sub', [c64('a', [1, 2]), c64('b', [10], [])]), [-9, -8]);
  assert.equal(outValues('Mul', [c64('a', [1, 2]), c64('b', [3, 4])]), [3, 8]);
  assert.equal(outValues('Div', [c64('a', [7, -7]), c64('b', [2], [])]), [3, -3]);
  assert.equal(outValues('Div', [cf('a', [7]), cf('b', [2])]), [3.5]);
  assert.equal(outValues('Pow', [cf('a', [2, 3]), cf('b', [2], [])]), [4, 9]);
  assert.equal(outValues('Equal', [c64('a', [1, 2]), c64('b', [2], [])]), [0, 1]);
  assert.equal(outValues('Less', [c64('a', [1, 2]), c64('b', [2], [])]), [1, 0]);
  assert.equal(outValues('Greater', [c64('a', [1, 3]), c64('b', [2], [])]), [0, 1]);
  assert.equal(outValues('Where', [b('c', [1, 0]), c64('a', [5, 6]), c64('b', [-1], [])]), [5, -1]);
  assert.equal(outValues('Not', [b('c', [1, 0])]), [0, 1]);
  assert.equal(outValues('Min', [c64('a', [1, 5]), c64('b', [3, 3]), c64('c', [4], [])]), [1, 3]);
  assert.equal(outValues('Max', [c64('a', [1, 5]), c64('b', [3, 3])]), [3, 5]);
});
Evaluate('Sqrt, Neg, Floor, Ceil, ReduceProd, Trilu', () => {
  assert.equal(outValues('Sqrt', [cf('a', [4, 9])]), [2, 3]);
  assert.equal(outValues('Neg', [c64('a', [4, -9])]), [-4, 9]);
  assert.equal(outValues('Floor', [cf('a', [1.5, -1.5])]), [1, -2]);
  assert.equal(outValues('Ceil', [cf('a', [1.5, -1.5])]), [2, -1]);
  assert.equal(
    outValues('ReduceProd', [c64('a', [2, 3, 4])], { opset: 13, attrs: { keepdims: i(0) } }),
    [24],
  );
  assert.equal(
    outValues('ReduceSum', [c64('a', [1, 2, 3, 4], [2, 2]), c64('ax', [1])], { opset: 13 }),
    [3, 7],
  );
  assert.equal(
    outValues('Trilu', [cf('a', [1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3])]),
    [1, 2, 3, 0, 5, 6, 0, 0, 9],
  );
  assert.equal(
    outValues('Trilu', [cf('a', [1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3]), c64('k', [-1], [])], {
      attrs: { upper: i(0) },
    }),
    [0, 0, 0, 4, 0, 0, 7, 8, 0],
  );
});
Evaluate.run();

const FoldConstants = suite('foldConstants');
FoldConstants(
  'a Shape → Gather → Unsqueeze → Concat → Reshape chain folds to a static Reshape',
  () => {
    const bytes = buildModel({
      opset: 13,
      inputs: [x('x', 2, 6)],
      initializers: [c64('zero', [0], []), c64('minus1', [-1])],
      outputs: ['y'],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: i(0) } },
        { op: 'Unsqueeze', inputs: ['n', 'zero'], outputs: ['n1'] },
        { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['shape'], attrs: { axis: i(0) } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
      ],
    });
    const g = importOnnx(bytes);
    assert.equal(
      g.nodes.map((n) => n.op),
      ['Reshape'],
    );
    assert.equal(
      Array.from(g.tensors[g.nodes[0]!.inputs[1]!]!.values as ArrayLike<number>),
      [2, -1],
    );
    assert.equal(g.tensors[g.outputs[0]!]!.shape, [2, 6]);
    assert.equal(
      g.tensors.map((t) => t.name),
      ['x', 'shape', 'y'],
    );
  },
);
FoldConstants('re-running on an imported graph is the identity', () => {
  const g = importOnnx(
    buildModel({
      inputs: [x('x', 2, 3)],
      initializers: [cf('w', [1, 2, 3])],
      outputs: ['y'],
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
    }),
  );
  assert.equal(foldConstants(g), g);
});
FoldConstants.run();
