// DRAM capacity: a model whose weights, or whose DRAM-resident tensors once placed, exceed the
// arch's DRAM cannot run even with every weight streamed from DRAM. Refused in one line that says
// how much is needed, the largest tensor, and what the arch has.

import type { ArchSpec } from '../../arch/spec.js';
import { SpatialcError } from '../../arch/errors.js';
import type { Graph } from '../graph.js';
import { numElements } from '../graph.js';
import type { ProgramTensor } from '../program.js';

/** Bytes in the largest binary unit that keeps the number at least 1 (2 decimals). */
function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (u < units.length - 1 && bytes >= 1024 ** (u + 1)) u++;
  return u === 0 ? `${bytes} B` : `${(bytes / 1024 ** u).toFixed(2)} ${units[u]}`;
}

function dramBytes(arch: ArchSpec): number {
  return arch.dram.channels.reduce((s, c) => s + c.capacityBytes, 0);
}

function refuse(arch: ArchSpec, what: string, total: number, largest: { name: string; bytes: number }): never {
  const have = dramBytes(arch);
  throw new SpatialcError('E_DOES_NOT_FIT',
    `${what} need ${size(total)} of DRAM (largest: "${largest.name}", ${size(largest.bytes)}), but arch "${arch.name}" has ${size(have)} over ${arch.dram.channels.length} channels`);
}

/** Before lowering: the weights alone, in the device format (`tileBytes` per 32x32 tile). */
export function checkWeightsFitDram(graph: Graph, arch: ArchSpec, tileBytes: number, model: string): void {
  const used = new Set(graph.nodes.flatMap((n) => n.inputs));
  let total = 0;
  let largest = { name: '', bytes: 0 };
  for (const t of graph.tensors) {
    if (!t.isConstant || !used.has(t.id)) continue;
    const bytes = Math.ceil(numElements(t.shape) / 1024) * tileBytes;
    total += bytes;
    if (bytes > largest.bytes) largest = { name: t.name, bytes };
  }
  if (total > dramBytes(arch)) refuse(arch, `model "${model}": its weights`, total, largest);
}

/** After lowering: every tensor the program keeps in DRAM (weights, inputs, outputs, spilled activations). */
export function checkTensorsFitDram(tensors: readonly ProgramTensor[], arch: ArchSpec, tileBytes: number, model: string): void {
  let total = 0;
  let largest = { name: '', bytes: 0 };
  for (const t of tensors) {
    if (t.home !== 'dram') continue;
    const bytes = t.tileRows * t.tileCols * tileBytes;
    total += bytes;
    if (bytes > largest.bytes) largest = { name: t.name, bytes };
  }
  if (total > dramBytes(arch)) refuse(arch, `model "${model}": weights, inputs, outputs and spilled activations`, total, largest);
}
