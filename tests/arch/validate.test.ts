import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { formatDiagnostic, parseArch, SpatialcError, validateArch } from '../../arch/index.js';

// The n150 preset as a mutable plain object; each test breaks a copy of it.
type Json = Record<string, any>;
const BASE = JSON.parse(readFileSync(new URL('../../../arch/presets/wormhole_n150.json', import.meta.url), 'utf8')) as Json;

function broken(mutate: (a: Json) => void): Json {
  const a = structuredClone(BASE);
  mutate(a);
  return a;
}

/** The message parseArch throws for `value` written to "my.json". */
function invalidMessage(value: Json): SpatialcError {
  try {
    parseArch(JSON.stringify(value, null, 2), 'my.json');
  } catch (e) {
    if (e instanceof SpatialcError) return e;
    throw e;
  }
  throw new Error('expected E_ARCH_INVALID');
}

const problems = (value: unknown) => validateArch(value).map(formatDiagnostic);

const ValidateArch = suite('validateArch');
ValidateArch('validateArch(preset) finds no problem', () => {
  assert.equal(problems(BASE), []);
});
ValidateArch('a negative size is reported with its JSON path, the bound and the value', () => {
  assert.equal(problems(broken((a) => (a.noc.linkBytesPerCycle = -32))), [
    'noc.linkBytesPerCycle: expected a number > 0, got -32',
  ]);
});
ValidateArch('wrong types name the expected type and the value found', () => {
  assert.equal(problems(broken((a) => ((a.noc.flitBytes = '32'), (a.core.sramBytes = 1.5), (a.noc.hasMulticast = 1)))), [
    'core.sramBytes: expected an integer, got 1.5',
    'noc.flitBytes: expected an integer, got "32" (a string)',
    'noc.hasMulticast: expected a boolean, got 1',
  ]);
  assert.equal(problems([1, 2]), ['(root): expected an object, got an array']);
});
ValidateArch('missing and unknown fields are named, with a did-you-mean for near misses', () => {
  const a = broken((a) => {
    delete a.noc.hopLatencyCycles;
    a.noc.hopLatency = 9;
    delete a.dram;
  });
  assert.equal(problems(a), [
    'dram: missing required field',
    'noc.hopLatencyCycles: missing required field',
    'noc.hopLatency: unknown field (did you mean "hopLatencyCycles"?)',
  ]);
});
ValidateArch('enums, unknown number formats and array items are checked', () => {
  const a = broken((a) => {
    a.noc.topology = 'ring';
    a.noc.nocs[1].xDirection = 0;
    a.core.dtypes.fp16 = { tileBytes: 2048, eltwiseCyclesPerTile: 104 };
    a.dram.efficiency = 1.5;
    a.computeGrid.rows = [1, 1];
    a.tensix[3] = { x: -1, y: 2 };
  });
  assert.equal(problems(a), [
    'tensix[3].x: expected an integer >= 0, got -1',
    'computeGrid.rows: items 0 and 1 are equal (expected unique items)',
    'core.dtypes.fp16: unknown key "fp16" (expected "fp32", "bf16", "bfp8", "bfp4", "fp8" or "int8")',
    'noc.topology: expected "torus" or "mesh", got "ring" (a string)',
    'noc.nocs[1].xDirection: expected 1 or -1, got 0',
    'dram.efficiency: expected a number <= 1, got 1.5',
  ]);
});
ValidateArch('fidelity phases must be positive integers, ordered from LoFi to HiFi4', () => {
  assert.equal(problems(broken((a) => (a.core.fidelityPhases.LoFi = 0.5))), [
    'core.fidelityPhases.LoFi: expected an integer, got 0.5',
  ]);
  assert.equal(problems(broken((a) => (a.core.fidelityPhases.HiFi3 = 1))), [
    "core.fidelityPhases.HiFi3: expected at least HiFi2's 2 phases (HiFi3 is the more precise setting), got 1",
  ]);
});
ValidateArch('coordinates must lie inside the grid, and DRAM endpoints off the tensix tiles', () => {
  const a = broken((a) => {
    a.tensix[0] = { x: 10, y: 1 };
    a.tensix[1] = { x: 3, y: 1 };
    a.ethernet[0] = { x: 4, y: 2 };
    a.dram.channels[0].endpoints[0] = { x: 1, y: 2 };
    a.dram.channels[5].id = 7;
  });
  assert.equal(problems(a), [
    'tensix[0]: (10,1) is outside the 10x12 grid',
    'tensix[2]: (3,1) is listed twice (first at tensix[1])',
    'ethernet[0]: (4,2) is also listed as a tensix tile',
    'computeGrid: (1,1) (column 1, row 1) is not a usable tensix tile',
    'computeGrid: (2,1) (column 2, row 1) is not a usable tensix tile',
    'dram.channels[0].endpoints[0]: (1,2) is a tensix tile, not a DRAM tile',
    'dram.channels[5].id: expected 5 (channel ids are dense and in order), got 7',
  ]);
});
ValidateArch('the compute grid must sit on usable tensix tiles: whole columns and rows are named once', () => {
  const a = broken((a) => {
    a.computeGrid.columns[0] = 5; // the DRAM column
    a.computeGrid.rows[7] = 11; // the harvested row
  });
  assert.equal(problems(a), [
    "computeGrid.columns[0]: column 5 has no usable tensix tile in the compute grid's rows",
    "computeGrid.rows[7]: row 11 has no usable tensix tile in the compute grid's columns",
  ]);
  assert.equal(problems(broken((a) => a.tensix.push({ x: 1, y: 11 }))), ['tensix[72]: (1,11) is on harvested row 11']);
});
ValidateArch('number formats used by energy and defaults must exist in core.dtypes', () => {
  const a = broken((a) => {
    a.core.dtypes = { bf16: a.core.dtypes.bf16, bfp8: a.core.dtypes.bfp8 };
    a.energy.macPj = { bf16: 0.5, fp8: 0.25 };
    a.defaults.dtype = 'int8';
    a.sources = { energy: 'calibration' };
  });
  assert.equal(problems(a), [
    'defaults.dtype: number format int8 is not in core.dtypes (it has: bf16, bfp8)',
    'energy.macPj.fp8: number format fp8 is not in core.dtypes (it has: bf16, bfp8)',
    'energy.macPj: missing an entry for bfp8 (listed in core.dtypes)',
  ]);
});
ValidateArch('sources keys must be JSON paths naming fields of the arch', () => {
  const a = broken((a) => {
    a.sources['noc.hopLatency'] = 'typo';
    a.sources['dram.channels[*].speed'] = 'typo';
    a.sources['noc..x'] = 'malformed';
  });
  assert.equal(problems(a), [
    'sources["noc.hopLatency"]: no field noc.hopLatency in this arch',
    'sources["dram.channels[*].speed"]: no field dram.channels[*].speed in this arch',
    'sources["noc..x"]: is not a JSON path (write e.g. "noc.hopLatencyCycles" or "dram.channels[*].bytesPerSecond")',
  ]);
});
ValidateArch.run();

const ParseArch = suite('parseArch');
ParseArch('parseArch(invalid) throws ONE E_ARCH_INVALID: a single line listing every problem, all in details.problems', () => {
  const e = invalidMessage(broken((a) => ((a.noc.linkBytesPerCycle = -32), (a.core.tileSize = 'big'), delete a.clockHz)));
  assert.is(e.code, 'E_ARCH_INVALID');
  assert.is(
    e.message,
    'my.json: 3 problems: clockHz: missing required field; core.tileSize: expected an integer, got "big" (a string); ' +
      'noc.linkBytesPerCycle: expected a number > 0, got -32',
  );
  assert.not.match(e.message, /\n/);
  assert.equal(e.details.problems, [
    'clockHz: missing required field',
    'core.tileSize: expected an integer, got "big" (a string)',
    'noc.linkBytesPerCycle: expected a number > 0, got -32',
  ]);
  assert.is(e.details.where, 'my.json');
});
ParseArch('parseArch(one problem) says "1 problem"', () => {
  const e = invalidMessage(broken((a) => (a.boardWatts = 0)));
  assert.is(e.message, 'my.json: 1 problem: boardWatts: expected a number > 0, got 0');
});
ParseArch('parseArch(bad JSON) throws E_ARCH_SYNTAX with file:line:col and a reason that does not depend on Node', () => {
  const cases: [string, string][] = [
    ['{"a": 1,\n}', "bad.json:2:1: invalid JSON: trailing comma before '}'"],
    ['{"a" 1}', "bad.json:1:6: invalid JSON: expected ':' after a property name, found '1'"],
    ['{\n  "name": "x",\n  // note\n}', 'bad.json:3:3: invalid JSON: comments are not allowed in JSON'],
    ['', 'bad.json:1:1: invalid JSON: unexpected end of file'],
    ['[1, 2', "bad.json:1:6: invalid JSON: expected ',' or ']' after an array item, found end of file"],
    ['{"a": 1} x', 'bad.json:1:10: invalid JSON: unexpected text after the JSON value'],
    ["{'a': 1}", "bad.json:1:2: invalid JSON: expected a double-quoted property name, found '''"],
    ['{"a": "b\n"}', 'bad.json:1:9: invalid JSON: unterminated string (line break inside a string)'],
  ];
  for (const [text, message] of cases) {
    try {
      parseArch(text, 'bad.json');
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (e) {
      assert.instance(e, SpatialcError);
      assert.is((e as SpatialcError).code, 'E_ARCH_SYNTAX');
      assert.is((e as SpatialcError).message, message);
    }
  }
});
ParseArch.run();
