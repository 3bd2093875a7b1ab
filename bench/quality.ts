// Benchmark: mapping quality against the roofline on wormhole_n150 (issue 5's targets). For each
// model: the roofline lower bound = max(compute-bound: all MACs on every core's matrix unit at the
// fidelity used; DRAM-bound: weights + model inputs + outputs moved once at the channels' sustained
// bandwidth), the simulated latency (packet-level NoC; --flit for the flit-level one) and the ratio.
// Target: within 1.5x of the roofline. Models come from `npm run models`; absent ones are skipped.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { archFingerprint, loadArch } from '../arch/index.js';
import type { ArchSpec, DeviceDtype, MathFidelity } from '../arch/spec.js';
import { compileGraph } from '../compiler/compile.js';
import type { Graph } from '../compiler/graph.js';
import { loadOnnxModel } from '../compiler/onnx/import.js';
import { buildReport, simulate } from '../sim/index.js';

const arch = loadArch('wormhole_n150');
const dir = process.env['SPATIALC_MODELS'] ?? 'models';
const nocModel = process.argv.includes('--flit') ? 'flit' : 'packet';
const dtype: DeviceDtype = 'bf16';
const fidelity: MathFidelity = 'HiFi2';

/** Roofline seconds of `macs` MACs with `graph`'s unavoidable DRAM bytes on `a`. */
function roofline(a: ArchSpec, g: Graph, macs: number): { compute: number; dram: number } {
  const cores = a.computeGrid.columns.length * a.computeGrid.rows.length;
  const macsPerCycle = (cores * a.core.matmulMacsPerCyclePerPhase) / a.core.fidelityPhases[fidelity];
  const bytesPerElement = a.core.dtypes[dtype]!.tileBytes / (a.core.tileSize * a.core.tileSize);
  const elements = (ids: readonly number[]): number => ids.reduce((s, t) => s + g.tensors[t]!.shape.reduce((p, d) => p * d, 1), 0);
  const weights = g.tensors.filter((t) => t.isInitializer).map((t) => t.id as number);
  const bytes = (elements(weights) + elements(g.inputs as readonly number[]) + elements(g.outputs as readonly number[])) * bytesPerElement;
  const bw = a.dram.channels.reduce((s, c) => s + c.bytesPerSecond, 0) * a.dram.efficiency;
  return { compute: macs / macsPerCycle / a.clockHz, dram: bytes / bw };
}

console.log(`mapping quality on ${arch.name}, ${dtype} ${fidelity}, ${nocModel}-level NoC (us)`);
console.log(`${'model'.padEnd(22)} ${'compute'.padStart(9)} ${'dram'.padStart(9)} ${'roofline'.padStart(9)} ${'simulated'.padStart(10)} ${'ratio'.padStart(6)}  target 1.5x`);
for (const [name, file, batch] of [
  ['resnet50 b1', 'resnet50_op17.onnx', 1], ['resnet50 b16', 'resnet50_op17.onnx', 16],
  ['mobilenet_v2 b1', 'mobilenet_v2_op17.onnx', 1], ['bert_base s128 b1', 'bert_base_op17.onnx', 1],
] as const) {
  const f = path.join(dir, file);
  if (!existsSync(f)) { console.log(`${name.padEnd(22)} skipped (no ${f}; npm run models)`); continue; }
  const g = loadOnnxModel(f, { batch });
  const p = compileGraph(g, arch, { dtype, fidelity, model: name, batch, archFingerprint: archFingerprint(arch) });
  const r = buildReport(p, arch, simulate(p, arch, { nocModel }));
  const rf = roofline(arch, g, p.macs);
  const bound = Math.max(rf.compute, rf.dram);
  const us = (s: number): string => (s * 1e6).toFixed(1).padStart(9);
  console.log(`${name.padEnd(22)} ${us(rf.compute)} ${us(rf.dram)} ${us(bound)} ${us(r.latencySeconds).padStart(10)} ${(r.latencySeconds / bound).toFixed(2).padStart(6)}  ${r.latencySeconds / bound <= 1.5 ? 'ok' : 'not yet'}`);
}
