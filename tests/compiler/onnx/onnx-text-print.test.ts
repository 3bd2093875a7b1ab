import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttrValue, DType } from '../../../compiler/graph.js';
import type { OnnxModel, OnnxValueInfo } from '../../../compiler/onnx/onnx-model.js';
import { parseOnnxText } from '../../../compiler/onnx/onnx-text.js';
import { printOnnxText } from '../../../compiler/onnx/onnx-text-print.js';
import { readOnnxModel } from '../../../compiler/onnx/read-model.js';
import { bfloat16ToNumber, halfToNumber, valuesFrom } from '../../../compiler/ops/values.js';
import { fixture, ROOT } from './fixtures.js';

const FC_SEED = Number(process.env['FC_SEED'] ?? 20240917);
const TEXT_DIR = path.join(ROOT, 'tests', 'fixtures', 'onnxtxt');
const textFixtures = readdirSync(TEXT_DIR).filter((f) => f.endsWith('.onnxtxt'));

/** print, then parse under the same file name. */
const reparse = (m: OnnxModel) => parseOnnxText(printOnnxText(m), { file: m.file });

/** A model around the given pieces, with the fields a test does not care about filled in. */
function modelWith(parts: Partial<OnnxModel>): OnnxModel {
  return {
    file: 'm.onnxtxt',
    irVersion: 8,
    producer: '',
    graphName: 'g',
    opsets: { '': 17 },
    inputs: [{ name: 'X', dtype: 'float32', dims: [2] }],
    outputs: [{ name: 'Y' }],
    valueInfo: [],
    initializers: [],
    nodes: [
      {
        name: '',
        op: 'Relu',
        domain: '',
        inputs: ['X'],
        outputs: ['Y'],
        attrs: {},
        unsupportedAttrs: {},
      },
    ],
    ...parts,
  };
}

const Print = suite('printOnnxText');

Print('print then parse is the identity on every text fixture', () => {
  for (const f of textFixtures) {
    const m = parseOnnxText(readFileSync(path.join(TEXT_DIR, f), 'utf8'), { file: f });
    assert.equal(reparse(m), m, f);
    assert.is(printOnnxText(reparse(m)), printOnnxText(m), `${f}: printing is a fixpoint`);
  }
});

Print('print then parse is the identity on every binary .onnx fixture', () => {
  for (const f of readdirSync(fixture()).filter((x) => x.endsWith('.onnx'))) {
    const m = readOnnxModel(fixture(f));
    assert.equal(reparse(m), m, f);
  }
});

Print(
  'prints the header, signature, initializers, value_info and nodes as onnx.printer lays them out',
  () => {
    const m = modelWith({
      producer: 'hand',
      opsets: { '': 17, 'com.microsoft': 1 },
      inputs: [{ name: 'X', dtype: 'float32', dims: ['N', undefined, 4] }],
      valueInfo: [{ name: 'T', dtype: 'int64' }],
      initializers: [
        { name: 'W', dtype: 'float32', shape: [2], values: new Float32Array([0.1, -2]) },
      ],
      nodes: [
        {
          name: 'n0',
          op: 'Clip',
          domain: '',
          inputs: ['X', '', 'W'],
          outputs: ['T'],
          attrs: {},
          unsupportedAttrs: {},
        },
        {
          name: '',
          op: 'FusedMatMul',
          domain: 'com.microsoft',
          inputs: ['T', ''],
          outputs: ['Y'],
          attrs: { alpha: { kind: 'float', value: 1 }, perm: { kind: 'ints', value: [] } },
          unsupportedAttrs: {},
        },
      ],
    });
    assert.is(
      printOnnxText(m),
      [
        '<',
        '  ir_version: 8,',
        '  opset_import: ["" : 17, "com.microsoft" : 1],',
        '  producer_name: "hand"',
        '>',
        'g (float[N, ?, 4] X) => (Y)',
        '<',
        '  float[2] W = {0.1, -2},',
        '  int64[] T',
        '>',
        '{',
        '  [n0] T = Clip (X, , W)',
        '  Y = com.microsoft.FusedMatMul <alpha = 1.0, perm: ints = []> (T, "")',
        '}',
        '',
      ].join('\n'),
    );
  },
);

Print('prints numbers in their shortest exact form', () => {
  const tensor = (dtype: DType, xs: number[]) =>
    modelWith({
      initializers: [{ name: 'W', dtype, shape: [xs.length], values: valuesFrom(dtype, xs) }],
    });
  const data = (m: OnnxModel) => /W = \{(.*)\}/.exec(printOnnxText(m))![1];
  assert.is(
    data(tensor('float32', [0.1, 1 / 3, 1e-7, 3e38, -0, Infinity, -Infinity, NaN])),
    '0.1, 0.33333334, 1e-7, 3e+38, -0, inf, -inf, nan',
  );
  assert.is(data(tensor('float64', [0.1, 1 / 3])), '0.1, 0.3333333333333333');
  assert.is(
    data(tensor('int64', [2 ** 63, -(2 ** 63), -5])),
    '9223372036854775807, -9223372036854775808, -5',
  );
  assert.is(data(tensor('float16', [1, -2, 65504])), '15360, 49152, 31743');
  assert.is(data(tensor('bfloat16', [1, -2])), '16256, 49152');
  const back = reparse(tensor('float32', [-0, NaN])).initializers[0]!.values;
  assert.ok(Object.is(back[0], -0) && Number.isNaN(back[1]));
});

Print('every float16 and bfloat16 bit pattern survives print then parse', () => {
  const bits = Array.from({ length: 65536 }, (_, i) => i);
  for (const [dtype, fromBits] of [
    ['float16', halfToNumber],
    ['bfloat16', bfloat16ToNumber],
  ] as const) {
    const xs = bits.map((b) => fromBits(b)).filter((x) => !Number.isNaN(x));
    const m = modelWith({
      initializers: [{ name: 'W', dtype, shape: [xs.length], values: valuesFrom(dtype, xs) }],
    });
    const back = Array.from(reparse(m).initializers[0]!.values as Float32Array);
    assert.ok(
      back.every((x, i) => Object.is(x, xs[i])),
      dtype,
    );
  }
});

Print('quotes names that are not identifiers or that spell a type, escaping " and \\', () => {
  const m = modelWith({
    graphName: '',
    inputs: [{ name: 'float', dtype: 'float32', dims: ['a b'] }],
    nodes: [
      {
        name: 'x"y\\',
        op: 'Relu',
        domain: '',
        inputs: ['float'],
        outputs: ['Y'],
        attrs: {},
        unsupportedAttrs: {},
      },
    ],
  });
  const text = printOnnxText(m);
  assert.match(text, /^"" \(float\["a b"\] "float"\) => \(Y\)$/m);
  assert.match(text, /\["x\\"y\\\\"\] Y = Relu \("float"\)/);
  assert.equal(reparse(m), m);
});

Print('lists attributes the text cannot carry in a comment at the end of the node', () => {
  const m = modelWith({
    nodes: [
      {
        name: '',
        op: 'If',
        domain: '',
        inputs: ['X'],
        outputs: ['Y'],
        attrs: {},
        unsupportedAttrs: { then_branch: 'graph' },
      },
    ],
  });
  assert.match(printOnnxText(m), /Y = If \(X\)   # not representable: then_branch \(graph\)/);
});

Print.run();

const Props = suite('printOnnxText properties');

const arbName = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/),
  fc.string({ minLength: 1, maxLength: 6, unit: 'binary-ascii' }),
  fc.string({ minLength: 1, maxLength: 4, unit: 'grapheme' }),
);
const arbIdent = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/)
  .filter((s) => !/^(inf|infinity|nan)$/i.test(s));
const notNaN = (x: number) => !Number.isNaN(x);

const ELEMENTS: Readonly<Record<Exclude<DType, 'string'>, fc.Arbitrary<number>>> = {
  float32: fc.float({ noNaN: true }),
  float64: fc.double({ noNaN: true }),
  float16: fc.integer({ min: 0, max: 65535 }).map(halfToNumber).filter(notNaN),
  bfloat16: fc
    .integer({ min: 0, max: 65535 })
    .map((b) => bfloat16ToNumber(b))
    .filter(notNaN),
  int8: fc.integer({ min: -128, max: 127 }),
  uint8: fc.integer({ min: 0, max: 255 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  uint16: fc.integer({ min: 0, max: 65535 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  int64: fc.oneof(fc.maxSafeInteger(), fc.constantFrom(2 ** 63, -(2 ** 63), 2 ** 60)),
  uint64: fc.oneof(fc.maxSafeNat(), fc.constantFrom(2 ** 64)),
  bool: fc.integer({ min: 0, max: 1 }),
};
const arbDtype = fc.constantFrom(...(Object.keys(ELEMENTS) as Exclude<DType, 'string'>[]));

const arbTensor = arbDtype.chain((dtype) =>
  fc
    .array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 })
    .chain((shape) =>
      fc
        .array(ELEMENTS[dtype], {
          minLength: shape.reduce((a, b) => a * b, 1),
          maxLength: shape.reduce((a, b) => a * b, 1),
        })
        .map((xs) => ({ dtype, shape, values: valuesFrom(dtype, xs) })),
    ),
);

const arbAttr: fc.Arbitrary<AttrValue> = fc.oneof(
  fc.maxSafeInteger().map((value) => ({ kind: 'int' as const, value })),
  fc.float({ noNaN: true }).map((value) => ({ kind: 'float' as const, value })),
  fc.string({ unit: 'grapheme' }).map((value) => ({ kind: 'string' as const, value })),
  fc.array(fc.maxSafeInteger()).map((value) => ({ kind: 'ints' as const, value })),
  fc.array(fc.float({ noNaN: true })).map((value) => ({ kind: 'floats' as const, value })),
  fc
    .array(fc.string({ unit: 'binary-ascii' }))
    .map((value) => ({ kind: 'strings' as const, value })),
  arbTensor.map((value) => ({ kind: 'tensor' as const, value })),
);

const arbDims = fc.option(
  fc.array(fc.oneof(fc.integer({ min: 1, max: 9 }), arbName, fc.constant(undefined)), {
    maxLength: 3,
  }),
  { nil: undefined },
);
const arbValueInfo = (name: string): fc.Arbitrary<OnnxValueInfo> =>
  fc
    .option(fc.tuple(arbDtype, arbDims), { nil: undefined })
    .map((t) =>
      t === undefined
        ? { name }
        : t[1] === undefined
          ? { name, dtype: t[0] }
          : { name, dtype: t[0], dims: t[1] },
    );

/** Random well-formed models: every name read is defined, each name defined once. */
const arbModel: fc.Arbitrary<OnnxModel> = fc
  .uniqueArray(arbName, { minLength: 10, maxLength: 14 })
  .chain((names) => {
    const [inputs, inits, outs] = [names.slice(0, 2), names.slice(2, 4), names.slice(4)];
    const arbNode = (i: number) =>
      fc.record(
        {
          name: fc.oneof(fc.constant(''), arbName),
          op: arbIdent,
          domain: fc.constantFrom('', 'com.microsoft', 'a.b_c'),
          inputs: fc.array(
            fc.oneof(fc.constantFrom(...inputs, ...inits, ...outs.slice(0, i)), fc.constant('')),
            { maxLength: 3 },
          ),
          outputs: fc.constant([outs[i]!]),
          attrs: fc.dictionary(arbIdent, arbAttr, { maxKeys: 3, noNullPrototype: true }),
          unsupportedAttrs: fc.constant({}),
        },
        { noNullPrototype: true },
      );
    return fc.record(
      {
        file: fc.constant('m.onnxtxt'),
        irVersion: fc.integer({ min: 1, max: 10 }),
        producer: fc.string({ unit: 'grapheme' }).map((s) => s.trim()),
        graphName: fc.string({ unit: 'grapheme' }),
        opsets: fc.record({ '': fc.integer({ min: 1, max: 21 }) }, { noNullPrototype: true }),
        inputs: fc.tuple(...inputs.map(arbValueInfo)),
        outputs: fc.tuple(arbValueInfo(outs[0]!)),
        valueInfo: fc.tuple(arbValueInfo(outs[1]!)),
        initializers: fc.tuple(...inits.map((name) => arbTensor.map((t) => ({ name, ...t })))),
        nodes: fc.tuple(...outs.map((_, i) => arbNode(i))),
      },
      { noNullPrototype: true },
    );
  });

Props('print then parse is the identity on random models', () => {
  fc.assert(
    fc.property(arbModel, (m) => {
      assert.equal(reparse(m), m);
    }),
    { seed: FC_SEED, numRuns: 100 },
  );
});

Props.run();
