// The GEMM measurement tables validate:gemm reads: both spellings of tt-metal's report columns,
// clear one-line errors for what is missing, and the grid a row asks for on each preset.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadArch } from '../../arch/index.js';
import { SpatialcError } from '../../arch/errors.js';
import { gridFor, parseGemmTable } from '../../scripts/gemm-table.js';

const GemmTable = suite('gemm-table');

// Values made up for the test; the layouts are the two the report's tables come in.
const CSV = [
  'm,k,n,use_trace,grid_x,grid_y,in0_sharded,out_sharded,in0_storage_type,in1_storage_type,out_storage_type,dtype,math_fidelity,inference_time_avg [ns],TFLOPs (avg),Host based utilization[%],Device based utilization[%]',
  '512,1024,2048,False,8,8,True,True,L1,DRAM,L1,BFLOAT16,HiFi2,1000.0,1.0,10.0,50.0',
  '1024,1024,1024,False,8,7,False,False,DRAM,DRAM,DRAM,BFLOAT8_B,LoFi,1000.0,1.0,10.0,40.5',
].join('\n');

const REPORT_CSV = [
  'M,K,N,Use Trace,Grid Size,In0 Storage Type,In1 Storage Type,Out Storage Type,Dtype,Math Fidelity,Inference Time Avg [ns],TFLOPs (avg),Host Based Utilization[%],Device Based Utilization[%]',
  '640,832,832,False,"(13, 10)",L1,DRAM,L1,DataType.BFLOAT16,MathFidelity.HiFi4,1000.0,1.0,10.0,43.3',
  '640,832,832,True,"(11, 10)",DRAM,DRAM,DRAM,DataType.UINT8,MathFidelity.LoFi,1000.0,1.0,10.0,12.0',
].join('\n');

const MARKDOWN = [
  '| m | k | n | use_trace | grid_size | in0_sharded | out_sharded | in0_storage_type | in1_storage_type | out_storage_type | dtype | math_fidelity | inference_time_avg [ns] | TFLOPs (avg) | Host based utilization[%] | Device based utilization[%] |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  '| 1280 | 1664 | 3328 | False | (13, 10) | True | True | L1 | DRAM | L1 | DataType.BFLOAT4_B | MathFidelity.LoFi | 1000.0 | 1.0 | 10.0 | 70.1 |',
].join('\n');

GemmTable('the n150 CSV spelling: grid_x and grid_y, plain dtype and fidelity names', () => {
  const { rows, skipped } = parseGemmTable(CSV, 't.csv');
  assert.is(skipped.length, 0);
  assert.equal(rows.map((r) => [r.m, r.k, r.n, r.gridX, r.gridY, r.dtype, r.fidelity, r.deviceUtilization, r.in0Storage, r.outStorage]), [
    [512, 1024, 2048, 8, 8, 'bf16', 'HiFi2', 50, 'L1', 'L1'],
    [1024, 1024, 1024, 8, 7, 'bfp8', 'LoFi', 40.5, 'DRAM', 'DRAM'],
  ]);
  assert.equal(rows.map((r) => r.line), [2, 3]);
});

GemmTable("the report's spelling: a quoted grid_size, DataType. and MathFidelity. prefixes; an unmodelled dtype is skipped", () => {
  const { rows, skipped } = parseGemmTable(REPORT_CSV, 'bh.csv');
  assert.equal(rows.map((r) => [r.gridX, r.gridY, r.dtype, r.fidelity, r.deviceUtilization, r.in0Storage]), [[13, 10, 'bf16', 'HiFi4', 43.3, 'L1']]);
  assert.equal(skipped.map((s) => s.line), [3]);
  assert.match(skipped[0]!.reason, /dtype "DataType.UINT8"/);
});

GemmTable("the report's markdown table (its separator row ignored)", () => {
  const { rows } = parseGemmTable(MARKDOWN, 'bh.md');
  assert.equal(rows.map((r) => [r.m, r.gridX, r.gridY, r.dtype, r.fidelity, r.deviceUtilization]), [[1280, 13, 10, 'bfp4', 'LoFi', 70.1]]);
});

GemmTable('a missing column or a bad value is an error naming the file, the line and what was expected', () => {
  const fail = (text: string): string => {
    try {
      parseGemmTable(text, 'x.csv');
    } catch (e) {
      assert.instance(e, SpatialcError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  assert.match(fail(CSV.replace('Device based utilization[%]', 'util')), /^x\.csv: no device-based utilization column/);
  assert.match(fail(CSV.replace('grid_x', 'gx')), /^x\.csv: no grid \(grid_x and grid_y, or grid_size\) column/);
  assert.match(fail(CSV.replace('HiFi2', 'HiFi9')), /^x\.csv:2: math fidelity "HiFi9" is not one of LoFi, HiFi2, HiFi3, HiFi4/);
  assert.match(fail(CSV.replace('512,1024', 'abc,1024')), /^x\.csv:2: M "abc" is not a positive integer/);
  assert.match(fail(REPORT_CSV.replace('"(13, 10)"', '"13 by 10"')), /^x\.csv:2: grid size "13 by 10" is not "\(x, y\)"/);
  assert.match(fail(''), /^x\.csv: no table/);
});

GemmTable('gridFor: the compute grid first, then usable Tensix rows software leaves to dispatch; none that do not exist', () => {
  const n300 = loadArch('wormhole_n300');
  assert.is(n300.computeGrid.rows.length, 7);
  // The GEMM report runs n300 with dispatch on the Ethernet cores: all 8 usable rows compute.
  const g = gridFor(n300, 8, 8)!;
  assert.equal(g.computeGrid.rows, [...n300.computeGrid.rows, 9]);
  assert.equal(gridFor(n300, 4, 2)!.computeGrid, { columns: n300.computeGrid.columns.slice(0, 4), rows: n300.computeGrid.rows.slice(0, 2) });
  assert.is(gridFor(n300, 8, 9), undefined);
  assert.is(gridFor(loadArch('wormhole_n150'), 9, 8), undefined);
  const p150 = loadArch('blackhole_p150');
  assert.equal(gridFor(p150, 13, 10)!.computeGrid, p150.computeGrid);
  assert.is(gridFor(p150, 11, 10)!.computeGrid.columns.length, 11);
  assert.is(gridFor(p150, 14, 10)!.computeGrid.columns.length, 14);
});

GemmTable.run();
