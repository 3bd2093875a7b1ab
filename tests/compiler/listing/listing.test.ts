import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { archFingerprint, loadArch } from '../../../arch/index.js';
import { SpatialcError } from '../../../arch/errors.js';
import { compileGraph } from '../../../compiler/compile.js';
import { parseListing } from '../../../compiler/listing/parse.js';
import { printListing } from '../../../compiler/listing/print.js';
import { loadOnnxModel } from '../../../compiler/onnx/import.js';
import type { Program } from '../../../compiler/program.js';
import { main } from '../../../cli/main.js';
import { programBuilder } from '../../sim/helpers/program.js';

const arch = loadArch('wormhole_n150');
const fp = archFingerprint(arch);
/** A Program as plain JSON data (what the .json format holds). */
const plain = (p: Program): unknown => JSON.parse(JSON.stringify(p));

const Listing = suite('program listing');

Listing('compiled programs round-trip: parse(print(p)) is p, and printing again gives the same text', () => {
  for (const [file, batch] of [['tests/fixtures/onnx/tiny_cnn.onnx', 2], ['tests/fixtures/onnx/tiny_transformer.onnx', 1]] as const) {
    const p = compileGraph(loadOnnxModel(file, { batch }), arch, { dtype: 'bfp8', fidelity: 'LoFi', model: file, batch, archFingerprint: fp });
    const text = printListing(p);
    const back = parseListing(text, 'x.lst');
    assert.equal(plain(back), plain(p), file);
    assert.is(printListing(back), text);
  }
});

Listing('hand-built programs with every task kind and optional field round-trip (fast-check)', () => {
  fc.assert(fc.property(
    fc.array(fc.record({
      kind: fc.constantFrom('compute', 'send', 'read', 'write'), core: fc.nat(3), bytes: fc.integer({ min: 1, max: 1e7 }),
      mc: fc.boolean(), fn: fc.string({ maxLength: 6 }), withAlloc: fc.boolean(), start: fc.double({ min: 0, max: 1e9, noNaN: true }),
      posted: fc.boolean(), endpoint: fc.option(fc.nat(2), { nil: undefined }),
    }), { minLength: 1, maxLength: 12 }),
    (specs) => {
      const b = programBuilder({ cores: [{ x: 1, y: 1 }, { x: 2, y: 1 }, { x: 3, y: 5 }, { x: 9, y: 11 }] });
      const buf = b.buffer(0, 4096, 'a "quoted" name\\n');
      specs.forEach((s, i) => {
        const deps = i > 0 ? [(i - 1) as never] : [];
        const extra = s.withAlloc ? { alloc: [buf], free: [] } : {};
        if (s.kind === 'compute') b.compute(s.core, { deps, ...extra, work: [{ unit: 'matmul', tiles: 3, rows: 17 }, { unit: 'sfpu', fn: s.fn, tiles: 2 }, { unit: 'eltwise', tiles: 1 }], macs: s.bytes });
        else if (s.kind === 'send') b.send(s.core, { deps, ...extra, dsts: [(s.core + 1) % 4, (s.core + 2) % 4], bytes: s.bytes, multicast: s.mc, noc: 1 });
        else if (s.kind === 'read') b.dramRead(s.core, { deps, ...extra, channelBytes: [s.bytes, 0, 3], posted: s.posted, ...(s.endpoint !== undefined ? { endpoints: [s.endpoint, 0, 1] } : {}) });
        else b.dramWrite(s.core, { deps, ...extra, channelBytes: [0, s.bytes], ...(s.endpoint !== undefined ? { endpoints: [0, s.endpoint] } : {}) });
      });
      const p = plain(b.build()) as Program;
      const withStarts = { ...p, tasks: p.tasks.map((t, i) => ({ ...t, predictedStartCycle: specs[i]!.start })) } as Program;
      assert.equal(plain(parseListing(printListing(withStarts))), plain(withStarts));
      return true;
    },
  ), { numRuns: 40, seed: 5 });
});

Listing('a broken listing is one line naming file, line, column and what was expected', () => {
  const p = compileGraph(loadOnnxModel('tests/fixtures/onnx/tiny_cnn.onnx', { batch: 1 }), arch, { dtype: 'bf16', fidelity: 'HiFi2', model: 'm', batch: 1, archFingerprint: fp });
  const lines = printListing(p).split('\n');
  const i = lines.findIndex((l) => l.includes(' send '));
  lines[i] = lines[i]!.replace(' bytes ', ' byte ');
  try {
    parseListing(lines.join('\n'), 'bad.lst');
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, SpatialcError);
    assert.match((e as Error).message, new RegExp(`^bad\\.lst:${i + 1}:\\d+: expected "bytes"`));
  }
  const dropped = printListing(p).split('\n').filter((l) => !/^\s+t0 /.test(l)).join('\n');
  assert.throws(() => parseListing(dropped, 'x.lst'), /task t0 is missing/);
});

Listing('spatialc compile -o prog.lst writes the listing and spatialc sim reads it back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spatialc-lst-'));
  const lst = join(dir, 'p.lst');
  const io = (sink: string[]) => ({ out: (t: string) => { sink.push(t); }, err: (t: string) => { sink.push(t); }, isTty: false });
  const sink: string[] = [];
  assert.is(await main(['compile', 'tests/fixtures/onnx/tiny_cnn.onnx', '-o', lst], io(sink)), 0, sink.join(''));
  assert.match(readFileSync(lst, 'utf8'), /^\/\/ .*\nprogram "/);
  const a: string[] = [], j: string[] = [];
  assert.is(await main(['sim', lst, '--json', '--noc-model', 'packet'], io(a)), 0, a.join(''));
  assert.is(await main(['run', 'tests/fixtures/onnx/tiny_cnn.onnx', '--json', '--noc-model', 'packet'], io(j)), 0, j.join(''));
  const ra = JSON.parse(a.join('')), rj = JSON.parse(j.join(''));
  assert.is(ra.cycles, rj.cycles);
});

Listing.run();
