import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { main } from '../../../cli/main.js';
import { importOnnx, loadOnnxModel } from '../../../compiler/onnx/import.js';
import { readOnnxModel } from '../../../compiler/onnx/read-model.js';
import {
  compileOnnxTextGrammar,
  onnxTextGrammarPath,
  parseOnnxText,
  parseOnnxTextAst,
} from '../../../compiler/onnx/onnx-text.js';
import { ROOT } from './fixtures.js';
import { thrown } from './thrown.js';

const textFixture = (name: string) => path.join(ROOT, 'tests', 'fixtures', 'onnxtxt', name);
const HEADER = '<ir_version: 8, opset_import: ["" : 17]>\n';
/** A one-graph model around `body` (inputs X: float[2], output Y). */
const model = (body: string, extras = '') =>
  `${HEADER}g (float[2] X) => (float[2] Y) ${extras}{\n${body}\n}\n`;
const nodeOf = (body: string) => parseOnnxText(model(`${body}\n  Y = Relu (X)`)).nodes[0]!;

const Parse = suite('parseOnnxText');

Parse('reads the header, signature, initializers and nodes of the MLP fixture', () => {
  const m = parseOnnxText(readFileSync(textFixture('mlp.onnxtxt'), 'utf8'), {
    file: 'mlp.onnxtxt',
  });
  assert.is(m.file, 'mlp.onnxtxt');
  assert.is(m.irVersion, 8);
  assert.equal(m.opsets, { '': 17 });
  assert.is(m.producer, 'spatialc tests');
  assert.is(m.graphName, 'mlp');
  assert.equal(m.inputs, [{ name: 'x', dtype: 'float32', dims: ['N', 4] }]);
  assert.equal(m.outputs, [{ name: 'probs', dtype: 'float32', dims: ['N', 3] }]);
  assert.equal(
    m.initializers.map((t) => [t.name, t.shape]),
    [
      ['w1', [4, 8]],
      ['b1', [8]],
      ['w2', [8, 3]],
      ['b2', [3]],
    ],
  );
  assert.instance(m.initializers[0]!.values, Float32Array);
  assert.equal(Array.from(m.initializers[3]!.values), [0.01, 0.02, -0.03].map(Math.fround));
  assert.equal(
    m.nodes.map((n) => n.op),
    ['MatMul', 'Add', 'Relu', 'Gemm', 'Softmax'],
  );
  assert.equal(m.nodes[4]!.attrs, { axis: { kind: 'int', value: -1 } });
  assert.equal(m.nodes[3]!.attrs['alpha'], { kind: 'float', value: 1 });
});

Parse('infers attribute types from their literals', () => {
  const n = nodeOf(
    '  Z = Op <i = -3, f = 2.5, e = 1e-3, s = "a \\"q\\"", is = [1, 2], fs = [1, 0.5], ss = ["x", "y"], t = int64[2] {4, 5}, n = -inf> (X)',
  );
  assert.equal(n.attrs, {
    i: { kind: 'int', value: -3 },
    f: { kind: 'float', value: 2.5 },
    e: { kind: 'float', value: Math.fround(1e-3) },
    s: { kind: 'string', value: 'a "q"' },
    is: { kind: 'ints', value: [1, 2] },
    fs: { kind: 'floats', value: [1, 0.5] },
    ss: { kind: 'strings', value: ['x', 'y'] },
    t: { kind: 'tensor', value: { dtype: 'int64', shape: [2], values: new Float64Array([4, 5]) } },
    n: { kind: 'float', value: -Infinity },
  });
});

Parse('applies `name: type` annotations: ints widen to floats, empty lists take the type', () => {
  const n = nodeOf(
    '  Z = Op <a: float = 2, b: floats = [1, 2], c: ints = [], d: strings = []> (X)',
  );
  assert.equal(n.attrs, {
    a: { kind: 'float', value: 2 },
    b: { kind: 'floats', value: [1, 2] },
    c: { kind: 'ints', value: [] },
    d: { kind: 'strings', value: [] },
  });
});

Parse(
  'reads node inputs as onnx.parser does: empty items are omitted inputs, a trailing comma adds none',
  () => {
    const ins = (list: string) => nodeOf(`  Z = Op (${list})`).inputs;
    assert.equal(ins(''), []);
    assert.equal(ins('X, , X'), ['X', '', 'X']);
    assert.equal(ins(',X'), ['', 'X']);
    assert.equal(ins('X,'), ['X']);
    assert.equal(ins(','), ['']);
    assert.equal(ins('X, ""'), ['X', '']);
    assert.equal(nodeOf('  Z, , W = Op (X)').outputs, ['Z', '', 'W']);
  },
);

Parse(
  'reads labels, domains (ai.onnx is the default domain), quoted names and trailing attributes',
  () => {
    const m = parseOnnxText(
      model(
        '  [first] "a/b.0" = com.microsoft.FusedMatMul (X, X)\n  Y = ai.onnx.Transpose ("a/b.0") <perm = [0]>',
      ),
    );
    assert.equal(
      m.nodes.map((n) => [n.name, n.domain, n.op, n.inputs, n.outputs]),
      [
        ['first', 'com.microsoft', 'FusedMatMul', ['X', 'X'], ['a/b.0']],
        ['', '', 'Transpose', ['a/b.0'], ['Y']],
      ],
    );
    assert.equal(m.nodes[1]!.attrs, { perm: { kind: 'ints', value: [0] } });
  },
);

Parse('reads types: sizes, symbolic and `?` dims, `[]` (unknown rank), bare (scalar), none', () => {
  const m = parseOnnxText(`${HEADER}g (float[N, "a b", ?, 3] A, int64[] B, bool C, D) => (A) { }`);
  assert.equal(m.inputs, [
    { name: 'A', dtype: 'float32', dims: ['N', 'a b', undefined, 3] },
    { name: 'B', dtype: 'int64' },
    { name: 'C', dtype: 'bool', dims: [] },
    { name: 'D' },
  ]);
});

Parse('decodes every element type; float16 and bfloat16 from their bit patterns', () => {
  const m = parseOnnxText(readFileSync(textFixture('syntax-tour.onnxtxt'), 'utf8'));
  const init = Object.fromEntries(m.initializers.map((t) => [t.name, t]));
  const values = (name: string) => Array.from(init[name]!.values as ArrayLike<number>);
  assert.equal(values('h'), [1, -2, 0]);
  assert.equal(values('bf'), [1, -2]);
  assert.equal(values('d'), [0.1, -2500]);
  assert.instance(init['d']!.values, Float64Array);
  assert.equal(values('i8'), [-128, 127]);
  assert.equal(values('u64'), [2 ** 64]);
  assert.equal(values('i64'), [-1, 0, 2 ** 63]);
  assert.equal(values('flags'), [1, 0]);
  assert.equal(init['eps']!.shape, []);
  assert.equal(init['empty']!.shape, [0]);
  assert.equal(
    m.valueInfo.map((v) => v.name),
    ['t1', 't2', 't3'],
  );
});

Parse('an input written with a value is an input and an initializer', () => {
  const m = parseOnnxText(readFileSync(textFixture('syntax-tour.onnxtxt'), 'utf8'));
  assert.ok(m.inputs.some((i) => i.name === 'bias'));
  assert.equal(
    Array.from(m.initializers.find((t) => t.name === 'bias')!.values),
    [0.5, -0.5, 0.25, 0],
  );
});

Parse(
  'keeps graph, type and reference attributes as unsupported kinds, for the importer to name',
  () => {
    const n = nodeOf(
      '  Z = If (X) <then_branch = t () => (float[2] Y) { Y = Relu (X) }, dt = float[2], r: int = @k>',
    );
    assert.equal(n.attrs, {});
    assert.equal(n.unsupportedAttrs, {
      then_branch: 'graph',
      dt: 'type_proto',
      r: 'attribute reference',
    });
  },
);

Parse('takes attribute names that are also Object.prototype names as plain attributes', () => {
  const n = nodeOf('  Z = Op <constructor = 1, toString = "s", __proto__ = [2]> (X)');
  assert.equal(Object.keys(n.attrs), ['constructor', 'toString', '__proto__']);
  assert.equal(n.attrs['__proto__'], { kind: 'ints', value: [2] });
});

Parse('reads tensor bodies the same with and without the number-list prescan', () => {
  for (const f of ['mlp.onnxtxt', 'tiny-cnn.onnxtxt', 'syntax-tour.onnxtxt']) {
    const text = readFileSync(textFixture(f), 'utf8');
    assert.equal(parseOnnxTextAst(text), parseOnnxTextAst(text, { isPrescanEnabled: false }), f);
  }
});

Parse.run();

const Errors = suite('parseOnnxText errors');

const error = (text: string) => thrown(() => parseOnnxText(text, { file: 'm.onnxtxt' }));
const firstLine = (text: string): string => error(text).message.split('\n')[0]!;

Errors('a syntax error names file:line:col, what was expected and the text before it', () => {
  const err = error(model('  T1 = MatMul (X, Wt\n  Y = Relu (T1)'));
  assert.is(err.code, 'E_ONNX_SYNTAX');
  assert.is(err.details.where, 'm.onnxtxt:3:21');
  assert.is(
    err.message,
    'm.onnxtxt:3:21: expected ")" or "," after "T1 = MatMul (X, Wt"\n' +
      '  3 |   T1 = MatMul (X, Wt\n' +
      '    |                     ^',
  );
});

Errors('a syntax error at a line break is reported after the last token, skipping comments', () => {
  assert.is(
    firstLine(model('  Y = Relu (X   # unclosed\n\n  # more\n')),
    'm.onnxtxt:3:14: expected ")" or "," after "Y = Relu (X"',
  );
  assert.is(
    firstLine(`${HEADER}g (float[2] X) => (float[2] Y) {\n  Y = Relu (X)\n`),
    'm.onnxtxt:3:15: expected "}", "=", or "<" after "Y = Relu (X)"',
  );
});

Errors('syntax errors after a prescanned tensor body keep their columns', () => {
  assert.is(
    firstLine(model('  Y = Relu (X)', '<float[3] W = {1, 2, 3} float[1] B = {1}> ')),
    'm.onnxtxt:2:56: expected ">" or "," after "…loat[2] X) => (float[2] Y) <float[3] W = {1, 2, 3}"',
  );
});

Errors('syntax errors in the header, in types and in attribute values say what fits', () => {
  assert.is(
    firstLine('<ir_vers: 8> g () => () {}'),
    'm.onnxtxt:1:2: expected a header field such as ir_version or opset_import after "<"',
  );
  assert.is(
    firstLine(`${HEADER}g (float[2 X) => () {}`),
    'm.onnxtxt:2:12: expected "]" or "," after "g (float[2"',
  );
  assert.match(
    firstLine(model('  Y = Relu <alpha = > (X)')),
    /^m\.onnxtxt:3:21: expected a number or a string, a name, "@", a type, or "\["/,
  );
  assert.match(firstLine('\n# nothing\n'), /expected a model such as < ir_version/);
  assert.match(
    firstLine(model('  Y = Relu <a = 1> (X) <b = 2>')),
    /^m\.onnxtxt:3:24: expected "}" or "=" after "Y = Relu <a = 1> \(X\)"$/,
  );
});

Errors('semantic errors name the line and column and the offending name', () => {
  const cases: [string, string][] = [
    [
      model('  Y = Relu (Z)'),
      'm.onnxtxt:3:13: node "Relu_0" reads "Z", which no graph input, initializer or node output defines',
    ],
    [
      model('  Y = Relu (X)\n  Y = Relu (X)'),
      'm.onnxtxt:4:3: "Y" is defined twice (first at line 3, column 3)',
    ],
    [
      model('  Y = Relu (X)', '<float[3] W = {1, 2}> '),
      'm.onnxtxt:2:46: tensor "W" has 2 values but its shape [3] needs 3',
    ],
    [
      model('  Y = Relu (X)', '<float[1] W = {1}, float[1] W = {2}> '),
      'm.onnxtxt:2:60: "W" is defined twice (first at line 2, column 42)',
    ],
    [
      model('  Y = Relu (X)', '<int8[2] W = {1, 300}> '),
      'm.onnxtxt:2:49: tensor "W" (int8): 300 is outside [-128, 127]',
    ],
    [
      model('  Y = Relu (X)', '<int32[1] W = {1.5}> '),
      'm.onnxtxt:2:47: tensor "W" (int32): 1.5 is not an integer',
    ],
    [
      model('  Y = Relu (X)', '<float16[1] W = {1.5}> '),
      'm.onnxtxt:2:49: tensor "W" (float16): 1.5 is not an integer (write the 16-bit pattern as an integer, as onnx.parser does)',
    ],
    [
      model('  Y = Relu (X)', '<float[N] W = {1}> '),
      'm.onnxtxt:2:33: tensor "W" needs a shape of numbers, not float[N]',
    ],
    [
      model('  Y = Relu (X)', '<float[1] W = ["location": "w.bin"]> '),
      'm.onnxtxt:2:46: tensor "W": external data is not supported in ONNX text; write the values in { }',
    ],
    [
      model('  Y = Relu <a = 1, a = 2> (X)'),
      'm.onnxtxt:3:20: node "Relu_0": attribute "a" is given twice',
    ],
    [
      model('  Y = Relu <a: int = 1.5> (X)'),
      'm.onnxtxt:3:13: node "Relu_0" attribute "a": the value is of type float but the type is int',
    ],
    [
      model('  Y = Relu <a = []> (X)'),
      'm.onnxtxt:3:13: node "Relu_0" attribute "a": an empty list needs a type, e.g. "name: ints = []"',
    ],
    [
      model('  Y = Relu <a: ints = 1> (X)'),
      'm.onnxtxt:3:13: node "Relu_0" attribute "a": the value is not a list but the type is ints',
    ],
    [
      model('  Y = Relu <a = [1, "x"]> (X)'),
      'm.onnxtxt:3:21: node "Relu_0" attribute "a": a list mixes strings and numbers',
    ],
    [
      model('  Y = Relu:v2 (X)'),
      'm.onnxtxt:3:3: node "Relu_0": op overloads (Op:name) need functions, which are not supported',
    ],
    [
      `${HEADER}g (seq(float[2]) X) => (X) {}`,
      'm.onnxtxt:2:4: graph input "X": type seq(float[2]) is not supported',
    ],
    [
      `${HEADER}g (complex64[2] X) => (X) {}`,
      'm.onnxtxt:2:4: graph input "X": type complex64 is not supported',
    ],
    [
      `${HEADER}g (float[2] X) => (float[2] Z) {}`,
      'm.onnxtxt:2:29: graph output "Z" is produced by no node, input or initializer',
    ],
    [
      `${HEADER}g (float[2] X) => (X) {}\n<domain: "d"> f (a) => (b) { b = Relu (a) }`,
      'm.onnxtxt:3:15: function "f": model-local functions are not supported; write the nodes in the graph',
    ],
    [
      'g (float[2] X) => (X) {}',
      'm.onnxtxt:1:1: the model header gives no ir_version: start the file with < ir_version: 8, opset_import: ["" : 17] >',
    ],
    [
      '<ir_version: 8> g (float[2] X) => (X) {}',
      'm.onnxtxt:1:1: the model header gives no opset_import: start the file with < ir_version: 8, opset_import: ["" : 17] >',
    ],
    [
      '<ir_version: 8, ir_version: 9> g () => () {}',
      'm.onnxtxt:1:17: header field "ir_version" is given twice',
    ],
  ];
  for (const [text, message] of cases) {
    const err = error(text);
    assert.is(err.code, 'E_ONNX_INVALID', message);
    assert.is(err.message.split('\n')[0], message);
    assert.match(err.message.split('\n')[2]!, /^ +\| +\^$/);
  }
});

Errors.run();

const Grammar = suite('compileOnnxTextGrammar');

Grammar(
  'the grammar file is found from source and from dist/ alike, and every action fits it',
  () => {
    assert.ok(onnxTextGrammarPath().endsWith(path.join('compiler', 'onnx', 'onnx-text.ohm')));
    const { grammar } = compileOnnxTextGrammar(); // ohm throws here if an action's arity drifted
    assert.ok(grammar.match(HEADER + 'g () => () {}').succeeded());
  },
);

Grammar.run();

const Load = suite('loadOnnxModel (.onnxtxt)');

Load('imports every text fixture into a Graph', () => {
  const mlp = loadOnnxModel(textFixture('mlp.onnxtxt'), { batch: 2 });
  assert.equal(
    mlp.nodes.map((n) => n.op),
    ['MatMul', 'Add', 'Relu', 'Gemm', 'Softmax'],
  );
  assert.equal(mlp.tensors[mlp.outputs[0]!]!.shape, [2, 3]);
  const cnn = loadOnnxModel(textFixture('tiny-cnn.onnxtxt'));
  assert.equal(cnn.tensors[cnn.outputs[0]!]!.shape, [1, 2]);
  assert.is(cnn.nodes[0]!.name, 'conv');
  const tour = loadOnnxModel(textFixture('syntax-tour.onnxtxt'), { inputShapes: { x: [2, 3, 4] } });
  assert.equal(
    tour.outputs.map((o) => tour.tensors[o]!.shape),
    [
      [2, 3, 4],
      [2, 3, 4],
    ],
  );
});

Load('reads .onnxtxt bytes when modelPath names a text model', () => {
  const file = textFixture('mlp.onnxtxt');
  const g = importOnnx(readFileSync(file), { modelPath: file });
  assert.is(g.nodes.length, 5);
  assert.is(readOnnxModel(readFileSync(file), { modelPath: file }).graphName, 'mlp');
});

Load('a missing .onnxtxt file is E_FILE naming the file', () => {
  const err = thrown(() => loadOnnxModel('no/such/model.onnxtxt'));
  assert.is(err.code, 'E_FILE');
  assert.is(err.message, 'no/such/model.onnxtxt: cannot read ONNX model (no such file)');
});

Load('ops the compiler lacks are refused by the importer with the node name', () => {
  const file = 'x.onnxtxt';
  const text = model('  [mystery] Y = NoSuchOp (X)');
  const err = thrown(() => importOnnx(Buffer.from(text), { modelPath: file }));
  assert.is(err.code, 'E_ONNX_UNSUPPORTED_OP');
  assert.match(err.message, /node "mystery": op NoSuchOp/);
});

Load('spatialc inspect and run take .onnxtxt models', async () => {
  for (const command of ['inspect', 'run']) {
    let out = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
      isTty: false,
    };
    assert.is(await main([command, textFixture('tiny-cnn.onnxtxt')], io), 0, command);
    assert.match(out, command === 'run' ? /model "tiny-cnn\.onnxtxt"/ : /graph tiny_cnn/);
  }
});

Load(
  'spatialc prints a syntax error as one line: file:line:col, what was expected, the text before',
  async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'spatialc-onnxtxt-')), 'model.onnxtxt');
    writeFileSync(file, model('  T1 = MatMul (X, Wt\n  Y = Relu (T1)'));
    let err = '';
    const code = await main(['inspect', file], {
      out: () => {},
      err: (t) => {
        err += t;
      },
      isTty: false,
    });
    assert.is(code, 2);
    assert.is(
      err,
      `spatialc: error: ${file}:3:21: expected ")" or "," after "T1 = MatMul (X, Wt"\n`,
    );
  },
);

Load.run();
