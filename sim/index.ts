// Public API of the simulator: run a Program on an ArchSpec, then derive energy and the report.

export { simulate } from './engine.js';
export type { SimResult, SimulateOptions } from './engine.js';
export type { Counters, OpCounters } from './counters.js';
export { computeEnergy, sumEnergyParts, ENERGY_PARTS } from './energy.js';
export type { EnergyJoules } from './energy.js';
export { buildReport } from './report.js';
export type { Report, OpReport, CoreReport, UtilizationReport, CounterTotals } from './report.js';
export type { DataMovement, DataMovementRow, ByteMm } from './data-movement-report.js';
export type { LinkUtilization } from './utilization.js';
export { reportToJson } from './report-json.js';
export { formatReport } from './format-report.js';
export { validateProgram } from './validate-program.js';
