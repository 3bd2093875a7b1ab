// Property: for random small graphs (CNN-like and transformer-like chains, odd sizes) on random
// meshes, the compiled program run functionally equals the reference interpreter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { loadArch } from '../../arch/index.js';
import type { AttrValue, Graph, TensorId } from '../../compiler/graph.js';
import { runReference } from '../../compiler/reference/interpret.js';
import { maxErrors } from '../../compiler/reference/compare.js';
import { randomInputs } from '../../cli/check.js';
import type { CompileOptions } from '../../compiler/compile.js';
import { graphBuilder } from '../compiler/helpers/graphs.js';
import { runFunctionalFp32, withMesh } from '../helpers/oracle.js';

const FC_SEED = Number(process.env['FC_SEED'] ?? 20261124);
const base = loadArch('wormhole_n150');
const ints = (v: number[]): AttrValue => ({ kind: 'ints', value: v });

type CnnStep = 'conv' | 'relu' | 'pool' | 'residual';
type SeqStep = 'linear' | 'relu' | 'softmax' | 'transpose' | 'layernorm' | 'gelu';

function cnnGraph(b: number, c: number, hw: number, steps: readonly CnnStep[], widths: readonly number[]): Graph {
  const g = graphBuilder('prop_cnn');
  let x: TensorId = g.input('x', [b, c, hw, hw]);
  let shape = [b, c, hw, hw];
  steps.forEach((s, i) => {
    if (s === 'conv') {
      const co = widths[i % widths.length]!;
      x = g.node('Conv', [x, g.weight(`w${i}`, [co, shape[1]!, 3, 3]), g.weight(`b${i}`, [co])], [b, co, shape[2]!, shape[3]!], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) });
      shape = [b, co, shape[2]!, shape[3]!];
    } else if (s === 'relu') x = g.node('Relu', [x], shape);
    else if (s === 'pool' && shape[2]! >= 2) {
      shape = [b, shape[1]!, Math.floor(shape[2]! / 2), Math.floor(shape[3]! / 2)];
      x = g.node('MaxPool', [x], shape, { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
    } else if (s === 'residual') {
      const y = g.node('Conv', [x, g.weight(`r${i}`, [shape[1]!, shape[1]!, 1, 1])], shape, { kernel_shape: ints([1, 1]) });
      x = g.node('Add', [y, x], shape);
    }
  });
  const p = g.node('GlobalAveragePool', [x], [b, shape[1]!, 1, 1]);
  const f = g.node('Flatten', [p], [b, shape[1]!]);
  return g.build([g.node('Gemm', [f, g.weight('fc', [5, shape[1]!]), g.weight('fcb', [5])], [b, 5], { transB: { kind: 'int', value: 1 } })]);
}

function seqGraph(b: number, s: number, d: number, steps: readonly SeqStep[], widths: readonly number[]): Graph {
  const g = graphBuilder('prop_seq');
  let x: TensorId = g.input('x', [b, s, d]);
  let shape = [b, s, d];
  steps.forEach((st, i) => {
    const last = shape[2]!;
    if (st === 'linear') {
      const w = widths[i % widths.length]!;
      x = g.node('MatMul', [x, g.weight(`w${i}`, [last, w])], [shape[0]!, shape[1]!, w]);
      shape = [shape[0]!, shape[1]!, w];
      x = g.node('Add', [x, g.weight(`bias${i}`, [w])], shape);
    } else if (st === 'relu') x = g.node('Relu', [x], shape);
    else if (st === 'gelu') x = g.node('Gelu', [x], shape);
    else if (st === 'softmax') x = g.node('Softmax', [x], shape, { axis: { kind: 'int', value: -1 } });
    else if (st === 'layernorm') x = g.node('LayerNormalization', [x, g.weight(`g${i}`, [last]), g.weight(`be${i}`, [last])], shape, { axis: { kind: 'int', value: -1 } });
    else if (st === 'transpose') {
      shape = [shape[0]!, shape[2]!, shape[1]!];
      x = g.node('Transpose', [x], shape, { perm: ints([0, 2, 1]) });
    }
  });
  return g.build([x]);
}

function agrees(graph: Graph, cols: number, rows: number, opts: Partial<CompileOptions> = {}): void {
  const inputs = randomInputs(graph, 11);
  const want = runReference(graph, inputs);
  const got = runFunctionalFp32(graph, withMesh(base, cols, rows), inputs, 'flit', opts);
  for (const [name, w] of Object.entries(want)) {
    const e = maxErrors(got[name]!.values as ArrayLike<number>, w.values as ArrayLike<number>);
    assert.ok(e.rel < 1e-4, `${graph.name} on ${cols}x${rows} ${JSON.stringify(opts)}: output ${name} rel error ${e.rel}`);
  }
}

const mesh = fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })).filter(([c, r]) => c * r >= 2);
const Props = suite('compiled program equals the reference');

Props('random CNN chains on random meshes', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }),
    fc.array(fc.constantFrom<CnnStep>('conv', 'relu', 'pool', 'residual'), { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 3 }), mesh,
    (b, c, hw, steps, widths, [cols, rows]) => agrees(cnnGraph(b, c, hw, steps, widths), cols, rows),
  ), { seed: FC_SEED, numRuns: Number(process.env["FC_RUNS"] ?? 20) });
});

Props('random transformer-like chains on random meshes', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }),
    fc.array(fc.constantFrom<SeqStep>('linear', 'relu', 'softmax', 'transpose', 'layernorm', 'gelu'), { minLength: 1, maxLength: 5 }),
    fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 3 }), mesh,
    (b, s, d, steps, widths, [cols, rows]) => agrees(seqGraph(b, s, d, steps, widths), cols, rows),
  ), { seed: FC_SEED, numRuns: Number(process.env["FC_RUNS"] ?? 20) });
});

// The layer pipeline with forced stage and micro-batch counts: ops on disjoint regions, every op
// lowered once per micro-batch, tiles streaming between regions, parts of tensors freed early.
const pipeline = fc.record({ stages: fc.integer({ min: 1, max: 4 }), microBatches: fc.integer({ min: 1, max: 5 }) });

Props('random CNN chains, layer-pipelined', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }),
    fc.array(fc.constantFrom<CnnStep>('conv', 'relu', 'pool', 'residual'), { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 3 }), mesh, pipeline,
    (b, c, hw, steps, widths, [cols, rows], force) => agrees(cnnGraph(b, c, hw, steps, widths), cols, rows, { strategy: 'pipeline', pipeline: force }),
  ), { seed: FC_SEED, numRuns: Number(process.env["FC_RUNS"] ?? 20) });
});

Props('random transformer-like chains, layer-pipelined', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }),
    fc.array(fc.constantFrom<SeqStep>('linear', 'relu', 'softmax', 'transpose', 'layernorm', 'gelu'), { minLength: 1, maxLength: 5 }),
    fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 3 }), mesh, pipeline,
    (b, s, d, steps, widths, [cols, rows], force) => agrees(seqGraph(b, s, d, steps, widths), cols, rows, { strategy: 'pipeline', pipeline: force }),
  ), { seed: FC_SEED, numRuns: Number(process.env["FC_RUNS"] ?? 20) });
});

Props.run();
