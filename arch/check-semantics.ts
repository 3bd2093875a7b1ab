// Semantic checks of an ArchSpec that already matches arch/schema.json: relations between fields
// that a JSON Schema cannot express (coordinates inside the grid, the compute grid on usable
// tensix tiles, DRAM endpoints on DRAM tiles, number formats that exist, sources that name real
// fields). Every check appends to one list, so a user sees all problems at once.

import type { ArchSpec, Coord, MathFidelity } from './spec.js';
import { MATH_FIDELITIES } from './spec.js';
import { formatJsonPath, parseSourceKey, pathExists, type PathSegment } from './json-path.js';
import { semanticMessages as M, type ArchDiagnostic } from './messages.js';

type Report = (where: readonly PathSegment[], message: string) => void;

/** Every semantic problem of a schema-valid arch, in a stable order (by check, then document). */
export function checkSemantics(arch: ArchSpec): ArchDiagnostic[] {
  const out: ArchDiagnostic[] = [];
  const report: Report = (where, message) => out.push({ where: formatJsonPath(where), message });
  checkTiles(arch, report);
  checkComputeGrid(arch, report);
  checkDram(arch, report);
  checkCore(arch, report);
  checkNoc(arch, report);
  checkEnergy(arch, report);
  checkSources(arch, report);
  return out;
}

const key = (c: Coord) => `${c.x},${c.y}`;

function isInside(arch: ArchSpec, c: Coord): boolean {
  return c.x < arch.grid.cols && c.y < arch.grid.rows;
}

/** Tensix, Ethernet and PCIe tiles: inside the grid, not repeated, not on harvested rows. */
function checkTiles(arch: ArchSpec, report: Report): void {
  const { cols, rows } = arch.grid;
  arch.harvestedRows.forEach((r, i) => {
    if (r >= rows) report(['harvestedRows', i], M.rowOutsideGrid(r, rows));
  });
  const harvested = new Set(arch.harvestedRows);
  const firstSeen = new Map<string, string>();
  arch.tensix.forEach((c, i) => {
    const where = ['tensix', i];
    if (!isInside(arch, c)) report(where, M.outsideGrid(c, cols, rows));
    const first = firstSeen.get(key(c));
    if (first !== undefined) report(where, M.duplicateCoord(c, first));
    else firstSeen.set(key(c), formatJsonPath(where));
    if (harvested.has(c.y)) report(where, M.onHarvestedRow(c));
  });
  for (const field of ['ethernet', 'pcie'] as const) {
    arch[field].forEach((c, i) => {
      if (!isInside(arch, c)) report([field, i], M.outsideGrid(c, cols, rows));
      else if (firstSeen.has(key(c))) report([field, i], M.alsoTensix(c));
    });
  }
}

/** The compute grid's columns x rows must all be usable tensix tiles; a wholly bad line is named once. */
function checkComputeGrid(arch: ArchSpec, report: Report): void {
  const { columns, rows } = arch.computeGrid;
  const tensix = new Set(arch.tensix.map(key));
  const has = (x: number, y: number) => tensix.has(key({ x, y }));
  const columnProblem = (x: number) =>
    x >= arch.grid.cols ? M.columnOutsideGrid(x, arch.grid.cols)
    : rows.some((y) => has(x, y)) ? undefined
    : M.computeColumnEmpty(x);
  const goodColumns: number[] = [];
  columns.forEach((x, i) => {
    const problem = columnProblem(x);
    if (problem === undefined) goodColumns.push(x);
    else report(['computeGrid', 'columns', i], problem);
  });
  const rowProblem = (y: number) =>
    y >= arch.grid.rows ? M.rowOutsideGrid(y, arch.grid.rows)
    : goodColumns.length === 0 || goodColumns.some((x) => has(x, y)) ? undefined
    : M.computeRowEmpty(y);
  const goodRows: number[] = [];
  rows.forEach((y, j) => {
    const problem = rowProblem(y);
    if (problem === undefined) goodRows.push(y);
    else report(['computeGrid', 'rows', j], problem);
  });
  for (const x of goodColumns) {
    for (const y of goodRows) if (!has(x, y)) report(['computeGrid'], M.computeTileNotTensix(x, y));
  }
}

/** DRAM channels: dense ids; endpoints inside the grid, off tensix, and not shared across controllers. */
function checkDram(arch: ArchSpec, report: Report): void {
  const tensix = new Set(arch.tensix.map(key));
  const controllerOf = new Map<string, number>();
  arch.dram.channels.forEach((ch, i) => {
    if (ch.id !== i) report(['dram', 'channels', i, 'id'], M.channelIdOrder(i, ch.id));
    ch.endpoints.forEach((c, j) => {
      const where = ['dram', 'channels', i, 'endpoints', j];
      if (!isInside(arch, c)) return report(where, M.outsideGrid(c, arch.grid.cols, arch.grid.rows));
      if (tensix.has(key(c))) return report(where, M.dramOnTensix(c));
      const other = controllerOf.get(key(c));
      if (other !== undefined && other !== ch.controller) report(where, M.dramSharedByControllers(c, other));
      else controllerOf.set(key(c), ch.controller);
    });
  });
}

/** Core: reserved SRAM below the total, narrow passes within a tile, fidelities ordered, defaults supported. */
function checkCore(arch: ArchSpec, report: Report): void {
  const { core } = arch;
  if (core.sramReservedBytes >= core.sramBytes) {
    report(['core', 'sramReservedBytes'], M.notLessThan('core.sramBytes', core.sramBytes, core.sramReservedBytes));
  }
  if (core.matmulMinRows > core.tileSize) {
    report(['core', 'matmulMinRows'], M.greaterThan('core.tileSize', core.tileSize, core.matmulMinRows));
  }
  for (let i = 1; i < MATH_FIDELITIES.length; i++) {
    const lower = MATH_FIDELITIES[i - 1] as MathFidelity;
    const name = MATH_FIDELITIES[i] as MathFidelity;
    const lowerPhases = core.fidelityPhases[lower];
    const phases = core.fidelityPhases[name];
    if (phases < lowerPhases) report(['core', 'fidelityPhases', name], M.fidelityOrder(name, lower, lowerPhases, phases));
  }
  const have = Object.keys(core.dtypes);
  if (!have.includes(arch.defaults.dtype)) report(['defaults', 'dtype'], M.dtypeNotInCore(arch.defaults.dtype, have));
}

/** NoC: distinct instance names; packets and buffers whole flits. */
function checkNoc(arch: ArchSpec, report: Report): void {
  const { noc } = arch;
  const names = new Set<string>();
  noc.nocs.forEach((n, i) => {
    if (names.has(n.name)) report(['noc', 'nocs', i, 'name'], M.duplicateName(n.name));
    names.add(n.name);
  });
  if (noc.maxPacketPayloadBytes % noc.flitBytes !== 0) {
    report(['noc', 'maxPacketPayloadBytes'], M.notMultipleOf('noc.flitBytes', noc.flitBytes, noc.maxPacketPayloadBytes));
  }
  if (noc.routerBufferBytes % noc.flitBytes !== 0) {
    report(['noc', 'routerBufferBytes'], M.notMultipleOf('noc.flitBytes', noc.flitBytes, noc.routerBufferBytes));
  }
}

/** Energy: one MAC energy per core number format and none for formats the core lacks; static below board power. */
function checkEnergy(arch: ArchSpec, report: Report): void {
  const have = Object.keys(arch.core.dtypes);
  for (const dtype of Object.keys(arch.energy.macPj)) {
    if (!have.includes(dtype)) report(['energy', 'macPj', dtype], M.dtypeNotInCore(dtype, have));
  }
  for (const dtype of have) {
    if (!Object.hasOwn(arch.energy.macPj, dtype)) report(['energy', 'macPj'], M.macPjMissing(dtype));
  }
  if (arch.energy.staticWatts >= arch.boardWatts) {
    report(['energy', 'staticWatts'], M.notLessThan('boardWatts', arch.boardWatts, arch.energy.staticWatts));
  }
}

/** Every `sources` key must be a JSON path naming at least one field of this arch. */
function checkSources(arch: ArchSpec, report: Report): void {
  for (const k of Object.keys(arch.sources)) {
    const segments = parseSourceKey(k);
    if (segments === undefined) report(['sources', k], M.sourceKeyMalformed());
    else if (!pathExists(arch, segments)) report(['sources', k], M.sourceKeyUnknown(k));
  }
}
