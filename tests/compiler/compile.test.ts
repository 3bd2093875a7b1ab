import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch, archFingerprint } from '../../arch/index.js';
import { compileGraph } from '../../compiler/compile.js';
import { verifyProgram } from '../../compiler/verify-program.js';
import type { Graph } from '../../compiler/graph.js';
import { simulate, buildReport } from '../../sim/index.js';
import { matmulGraph, smallResidualCnn } from './helpers/graphs.js';
import { checkProgram, randomInputs } from '../../cli/check.js';

const arch = loadArch('wormhole_n150');
const compile = (g: Graph, dtype: 'bf16' | 'fp32' = 'fp32') =>
  compileGraph(g, arch, { dtype, fidelity: dtype === 'fp32' ? 'HiFi4' : 'HiFi2', model: g.name, batch: 1, archFingerprint: archFingerprint(arch) });

const CompileGraph = suite('compileGraph');

CompileGraph('a matmul compiles to a program the verifier accepts, covering every output tile once', () => {
  const p = compile(matmulGraph(256, 512, 384));
  assert.equal(verifyProgram(p, arch), []);
  assert.is(p.macs, 256 * 512 * 384);
  const computed = p.tasks.reduce((s, t) => s + (t.kind === 'compute' ? t.macs : 0), 0);
  assert.is(computed, p.macs);
});

CompileGraph('a residual CNN compiles, verifies and simulates; the report is consistent', () => {
  const p = compile(smallResidualCnn(2, 64, 28));
  assert.equal(verifyProgram(p, arch), []);
  const r = buildReport(p, arch, simulate(p, arch, { fingerprint: archFingerprint(arch) }));
  assert.ok(r.cycles > 0);
  assert.ok(r.utilization.coresMean <= 1 && r.utilization.linksMax <= 1);
});

CompileGraph.run();

const MultiOutput = suite('compileGraph with multi-output ops');
MultiOutput('both halves of a Split reach their consumers', () => {
  const g = matmulGraph(64, 64, 128);
  const mm = g.outputs[0]!;
  const tensors = [...g.tensors];
  const id = (n: number) => n as never;
  const a = tensors.length;
  tensors.push({ id: id(a), name: 'half0', dtype: 'float32', shape: [64, 64], isConstant: false, producer: id(1) });
  tensors.push({ id: id(a + 1), name: 'half1', dtype: 'float32', shape: [64, 64], isConstant: false, producer: id(1) });
  tensors.push({ id: id(a + 2), name: 'sum', dtype: 'float32', shape: [64, 64], isConstant: false, producer: id(2) });
  const nodes = [
    ...g.nodes,
    { id: id(1), name: 'split', op: 'Split', domain: '', opset: 17, inputs: [mm], outputs: [id(a), id(a + 1)], attrs: { axis: { kind: 'int' as const, value: 1 } } },
    { id: id(2), name: 'add', op: 'Add', domain: '', opset: 17, inputs: [id(a), id(a + 1)], outputs: [id(a + 2)], attrs: {} },
  ];
  const p = compile({ ...g, tensors, nodes, outputs: [id(a + 2)] });
  assert.equal(verifyProgram(p, arch), []);
  assert.is(new Set(p.ops.filter((o) => o.name === 'split').map((o) => o.output)).size, 2, 'one op per Split output');
  const timing = simulate(p, arch, { fingerprint: archFingerprint(arch) });
  const g2 = { ...g, tensors, nodes, outputs: [id(a + 2)] };
  const inputs = randomInputs(g2, 3);
  const check = checkProgram(p, g2, timing, inputs);
  assert.ok(check.maxRelError < 1e-5, `functional result matches the reference (rel ${check.maxRelError})`);
  buildReport(p, arch, simulate(p, arch, { fingerprint: archFingerprint(arch) }));
});
MultiOutput.run();
