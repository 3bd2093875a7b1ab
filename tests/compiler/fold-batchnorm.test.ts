// An inference BatchNormalization after a Conv folds into the Conv's weights and bias at import
// (compiler/passes/fold-batchnorm.ts): values unchanged (onnxruntime runs the original), no
// element-wise passes for it on the device.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importOnnx } from '../../compiler/onnx/import.js';
import { buildModel, cf, f, i, ints, x, type InitSpec, type NodeSpec } from './onnx/build-model.js';
import { compareWithOrt } from './reference/oracle.js';

const Fold = suite('BatchNormalization folding');
const CIN = 8;
const COUT = 16;

const wave = (n: number, seed: number, scale: number, offset = 0) => Array.from({ length: n }, (_, k) => offset + scale * Math.sin(seed + k * 0.61));

/** x (1xCINx12x12) -> Conv 3x3 (groups `groups`, bias or not) -> BatchNormalization -> Relu. */
function model(o: { groups?: number; bias?: boolean; bnInput?: 'conv' | 'x'; extraOutputs?: string[]; meanAsInput?: boolean } = {}): Uint8Array {
  const groups = o.groups ?? 1;
  const inits: InitSpec[] = [
    cf('w', wave(COUT * (CIN / groups) * 9, 1, 0.3), [COUT, CIN / groups, 3, 3]),
    cf('gamma', wave(COUT, 2, 0.5, 1)), cf('beta', wave(COUT, 3, 0.2)), cf('var', wave(COUT, 5, 0.4, 1)),
  ];
  if (o.bias === true) inits.push(cf('b', wave(COUT, 6, 0.1)));
  if (o.meanAsInput !== true) inits.push(cf('mean', wave(COUT, 4, 0.3)));
  const conv: NodeSpec = { op: 'Conv', inputs: o.bias === true ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['c'], name: 'conv', attrs: { pads: ints([1, 1, 1, 1]), group: i(groups) } };
  const bnIn = o.bnInput === 'x' ? 'r0' : 'c';
  const nodes: NodeSpec[] = [conv];
  if (o.bnInput === 'x') nodes.push({ op: 'Relu', inputs: ['c'], outputs: ['r0'] });
  nodes.push({ op: 'BatchNormalization', inputs: [bnIn, 'gamma', 'beta', 'mean', 'var'], outputs: ['n'], name: 'bn', attrs: { epsilon: f(1e-3) } });
  nodes.push({ op: 'Relu', inputs: ['n'], outputs: ['y'] });
  return buildModel({
    opset: 15,
    inputs: [x('x', 1, CIN, 12, 12), ...(o.meanAsInput === true ? [x('mean', COUT)] : [])],
    outputs: ['y', ...(o.extraOutputs ?? [])],
    initializers: inits,
    nodes,
  });
}

const ops = (bytes: Uint8Array) => importOnnx(bytes).nodes.map((n) => n.op);

Fold('Conv then BatchNormalization becomes one Conv, with the values onnxruntime gives the original', async () => {
  for (const o of [{}, { bias: true }, { groups: 2, bias: true }, { groups: 8 }]) {
    const bytes = model(o);
    assert.equal(ops(bytes), ['Conv', 'Relu'], JSON.stringify(o));
    const conv = importOnnx(bytes).nodes[0]!;
    assert.is(conv.inputs.length, 3, 'a bias from the shift');
    const { rel } = await compareWithOrt(bytes);
    assert.ok(rel <= 1e-5, `${JSON.stringify(o)}: relative error ${rel}`);
  }
});

Fold('left alone: a BatchNormalization after another op, a Conv output read elsewhere, statistics that are inputs', () => {
  assert.equal(ops(model({ bnInput: 'x' })), ['Conv', 'Relu', 'BatchNormalization', 'Relu']);
  assert.equal(ops(model({ extraOutputs: ['c'] })), ['Conv', 'BatchNormalization', 'Relu']);
  assert.equal(ops(model({ meanAsInput: true })), ['Conv', 'BatchNormalization', 'Relu']);
});

Fold.run();
