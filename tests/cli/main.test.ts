import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { encodeNpy } from '../../compiler/onnx/npy.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, isTty: false });
  return { code, out, err };
}

const fixture = (f: string) => join('tests/fixtures/onnx', f);
const tmp = mkdtempSync(join(tmpdir(), 'spatialc-cli-'));

function badArch(edit: (a: Record<string, any>) => void): string {
  const a = JSON.parse(readFileSync('arch/presets/wormhole_n150.json', 'utf8'));
  edit(a);
  const file = join(tmp, `arch-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(a));
  return file;
}

const Main = suite('main');

const expectOneLineError = async (argv: string[], pattern: RegExp) => {
  const r = await run(...argv);
  assert.is(r.code, 2, `exit code for ${argv.join(' ')}: ${r.err}`);
  assert.is(r.out, '');
  const lines = r.err.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line, got: ${r.err}`);
  assert.match(lines[0]!, /^spatialc: error: /);
  assert.match(lines[0]!, pattern);
  assert.not.match(r.err, /\n\s+at /, 'no stack trace');
};

Main('a missing model file is one line naming the file, exit 2', async () => {
  await expectOneLineError(['run', 'no/such/model.onnx'], /no\/such\/model\.onnx: .*no such file/);
});

Main('a truncated .onnx is one line naming the file, exit 2', async () => {
  await expectOneLineError(['run', fixture('broken/truncated.onnx')], /truncated\.onnx: not a valid ONNX model/);
});

Main('an unknown op names the node, the op and its opset, exit 2', async () => {
  await expectOneLineError(['run', fixture('broken/unknown_op.onnx')], /node "mystery": op FooBar \(opset \d+\) is not supported/);
});

Main('an unknown preset lists the presets, exit 2', async () => {
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--arch', 'wormhole_n999'], /unknown arch "wormhole_n999".*wormhole_n150/);
});

Main('an arch file with a wrong type and a negative size names both fields, exit 2', async () => {
  const file = badArch((a) => { a.core.sramBytes = 'lots'; a.noc.linkBytesPerCycle = -32; });
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--arch', file], /core\.sramBytes: .*noc\.linkBytesPerCycle: |noc\.linkBytesPerCycle: .*core\.sramBytes: /);
});

Main('bad flags are one-line usage errors, exit 2', async () => {
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--dtype', 'fp64'], /--dtype: expected one of fp32, bf16/);
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--batch', '0'], /--batch: expected a positive integer/);
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--weight-layout', 'near'], /--weight-layout: expected one of interleaved, near-readers, got "near"/);
  // A negative value is the flag's own error, not parseArgs' "argument is ambiguous".
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--compile-budget', '-1'], /--compile-budget: expected a number of seconds >= 0, got "-1"/);
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--batch', '-3'], /--batch: expected a positive integer, got "-3"/);
  await expectOneLineError(['frobnicate'], /unknown command "frobnicate"/);
});

Main('COMMAND --help (or -h) prints the usage and runs nothing, exit 0', async () => {
  for (const argv of [['run', '--help'], ['run', fixture('tiny_cnn.onnx'), '-h'], ['noc', '--help'], ['compile', '--help']]) {
    const r = await run(...argv);
    assert.is(r.code, 0, argv.join(' '));
    assert.match(r.out, /^spatialc: compile and simulate/);
    assert.match(r.out, /spatialc run MODEL\.onnx/);
    assert.not.match(r.out, /spatialc report/);
    assert.is(r.err, '');
  }
});

Main('run --json prints one report object with the documented keys', async () => {
  const r = await run('run', fixture('tiny_cnn.onnx'), '--arch', 'wormhole.json', '--json', '--verify');
  assert.is(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  for (const k of ['cycles', 'latencySeconds', 'throughputPerSecond', 'tops', 'topsPerWatt', 'energyJoules', 'utilization', 'dataMovementMmPerOp', 'macs', 'dtype', 'mathFidelity', 'coresUsed', 'batch', 'predictedCycles']) {
    assert.ok(k in rep, `missing key ${k}`);
  }
  for (const k of ['compute', 'sram', 'noc', 'dram', 'static', 'total']) assert.type(rep.energyJoules[k], 'number');
  for (const k of ['coresMean', 'linksMean', 'linksMax', 'dramBandwidth']) assert.type(rep.utilization[k], 'number');
  assert.is(rep.dtype, 'bf16');
  assert.is(rep.mathFidelity, 'HiFi2');
  const e = rep.energyJoules;
  assert.ok(Math.abs(e.compute + e.sram + e.noc + e.dram + e.static - e.total) <= 1e-12 * Math.max(1, e.total));
});

Main('the same run twice gives byte-identical reports', async () => {
  const a = await run('run', fixture('tiny_transformer.onnx'), '--json', '--batch', '2');
  const b = await run('run', fixture('tiny_transformer.onnx'), '--json', '--batch', '2');
  assert.is(a.code, 0, a.err);
  assert.is(a.out, b.out);
});

Main('compile -o then sim gives the same report as run', async () => {
  const prog = join(tmp, 'prog.json');
  const c = await run('compile', fixture('tiny_cnn.onnx'), '--arch', 'wormhole_n150', '-o', prog);
  assert.is(c.code, 0, c.err);
  const s = await run('sim', prog, '--arch', 'wormhole_n150', '--json');
  const r = await run('run', fixture('tiny_cnn.onnx'), '--arch', 'wormhole_n150', '--json');
  assert.is(s.out, r.out);
});

Main('a program compiled for another arch is refused by sim', async () => {
  const prog = join(tmp, 'prog-bh.json');
  await run('compile', fixture('tiny_cnn.onnx'), '--arch', 'blackhole_p150', '-o', prog);
  const s = await run('sim', prog, '--arch', 'wormhole_n150');
  assert.is(s.code, 2);
});

Main('run --check --json reports the functional error against the reference', async () => {
  const r = await run('run', fixture('tiny_transformer.onnx'), '--batch', '2', '--check', '--json', '--dtype', 'bf16');
  assert.is(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.type(rep.check.maxAbsError, 'number');
  assert.ok(rep.check.maxRelError > 1e-5 && rep.check.maxRelError < 0.1, `bf16 error ${rep.check.maxRelError}`);
  assert.is(rep.check.outputs.length, 1);
});

Main('run --check with an input file of the wrong shape is one line naming the input, exit 2', async () => {
  const file = join(tmp, 'bad.npy');
  writeFileSync(file, encodeNpy({ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8], values: new Float32Array(192) }));
  await expectOneLineError(['run', fixture('tiny_cnn.onnx'), '--check', '--inputs', file], /input ".*": expected shape 1x3x32x32, got 1x3x8x8/);
});

Main.run();
