import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_ELTWISE_OPTIONS,
  eltwiseTile,
  f32ToBits,
  quantizeTile,
  roundBf16,
  SFPU_FUNCTIONS,
  sfpuFunction,
  sfpuTile,
} from '../../../sim/numerics/index.js';
import { randomNormal } from './helpers.js';

const PACKED = { site: 'packer', fp8: 'ocp-e4m3fn' } as const;

const Eltwise = suite('eltwiseTile');

Eltwise(
  'add and sub of bf16 tiles: inputs rounded to bf16, sum rounded in Dst, packed with ties away',
  () => {
    const a = randomNormal(1024, 1);
    const b = randomNormal(1024, 2);
    const qa = quantizeTile(a, 'bf16');
    const qb = quantizeTile(b, 'bf16');
    const sum = eltwiseTile('add', a, b, 'bf16');
    const diff = eltwiseTile('sub', a, b, 'bf16');
    sum.forEach((s, i) => assert.is(s, roundBf16(roundBf16(qa[i]! + qb[i]!), 'packer')));
    diff.forEach((d, i) => assert.is(d, roundBf16(roundBf16(qa[i]! - qb[i]!), 'packer')));
  },
);

Eltwise('fp32 add with an fp32 Dst is the fp32 sum of the TF32-truncated inputs', () => {
  const a = new Float32Array(1024).fill(1 + 2 ** -10 + 2 ** -20); // 2^-20 is below TF32's 10 mantissa bits
  const b = new Float32Array(1024).fill(2 ** -12);
  const out = eltwiseTile('add', a, b, 'fp32', {
    ...DEFAULT_ELTWISE_OPTIONS,
    accumulateFp32: true,
  });
  assert.ok(out.every((x) => x === 1 + 2 ** -10 + 2 ** -12));
});

Eltwise(
  'mul at HiFi4 is the exact bf16 product (then rounded); LoFi drops low operand bits',
  () => {
    const a = quantizeTile(randomNormal(1024, 3), 'bf16');
    const b = quantizeTile(randomNormal(1024, 4), 'bf16');
    const opts = { ...DEFAULT_ELTWISE_OPTIONS, accumulateFp32: true };
    const hifi = eltwiseTile('mul', a, b, 'bf16', opts);
    hifi.forEach((y, i) => assert.is(y, roundBf16(a[i]! * b[i]!, 'packer')));
    const lofi = eltwiseTile('mul', a, b, 'bf16', { ...opts, fidelity: 'LoFi' });
    let differ = 0;
    lofi.forEach((y, i) => (differ += y === hifi[i] ? 0 : 1));
    assert.ok(differ > 300, `${differ} of 1024 products changed`);
  },
);

Eltwise('the result is stored in the tile format (bfp8 output is on the bfp8 grid)', () => {
  const out = eltwiseTile('add', randomNormal(1024, 5), randomNormal(1024, 6), 'bfp8');
  assert.equal(Array.from(quantizeTile(out, 'bfp8', PACKED)), Array.from(out));
});
Eltwise.run();

const Sfpu = suite('sfpuTile');

Sfpu('computes each function in fp32 and stores the result in the tile format', () => {
  const x = new Float32Array(1024).fill(4);
  assert.ok(sfpuTile('sqrt', x, 'bf16').every((y) => y === 2));
  assert.ok(sfpuTile('reciprocal', x, 'bf16').every((y) => y === 0.25));
  assert.ok(sfpuTile('exp', new Float32Array(1024), 'bfp8').every((y) => y === 1));
  const g = sfpuTile('gelu', new Float32Array([1, -1, 0, 3, ...new Array(1020).fill(0)]), 'fp32');
  assert.ok(Math.abs(g[0]! - 0.8413447) < 1e-6 && Math.abs(g[1]! + 0.1586553) < 1e-6 && g[2] === 0);
  const t = sfpuTile('tanh', randomNormal(1024, 7), 'bf16');
  assert.ok(t.every((y) => (f32ToBits(y) & 0xffff) === 0 && Math.abs(y) <= 1));
});

Sfpu('every SFPU function is defined on positive inputs', () => {
  for (const fn of SFPU_FUNCTIONS) assert.ok(Number.isFinite(sfpuFunction(fn, 0.75)), fn);
  assert.is(sfpuFunction('log', 1), 0);
  assert.is(sfpuFunction('sigmoid', 0), 0.5);
  assert.is(sfpuFunction('relu', -3), 0);
});
Sfpu.run();
