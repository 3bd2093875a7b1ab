import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { matmulTileCycles } from '../../arch/core-timing.js';
import type { ArchSpec } from '../../arch/spec.js';

const MatmulTileCycles = suite('matmulTileCycles');
const core = {
  tileSize: 32,
  matmulMacsPerCyclePerPhase: 2048,
  matmulMinRows: 8,
  fidelityPhases: { LoFi: 1, HiFi2: 2, HiFi3: 3, HiFi4: 4 },
} as unknown as ArchSpec['core'];
const arch = { core } as ArchSpec;

MatmulTileCycles('a full 32x32x32 tile costs 16 cycles per fidelity phase', () => {
  assert.is(matmulTileCycles(arch, { dtype: 'bf16', fidelity: 'LoFi' }, 32), 16);
  assert.is(matmulTileCycles(arch, { dtype: 'bf16', fidelity: 'HiFi2' }, 32), 32);
  assert.is(matmulTileCycles(arch, { dtype: 'bf16', fidelity: 'HiFi4' }, 32), 64);
});
MatmulTileCycles('an input narrower than 8 rows still costs a full 8-row pass', () => {
  assert.is(matmulTileCycles(arch, { dtype: 'bf16', fidelity: 'LoFi' }, 1), 4);
  assert.is(matmulTileCycles(arch, { dtype: 'bf16', fidelity: 'LoFi' }, 9), 8);
});
MatmulTileCycles('the unpackers bound a tile product when they are slower than the math (n150 GEMM steady state)', () => {
  const dtypes = { bf16: { tileBytes: 2048 }, bfp8: { tileBytes: 1088 }, bfp4: { tileBytes: 576 } };
  const fed = { core: { ...core, unpackBytesPerCycle: 44, dtypes } } as unknown as ArchSpec;
  assert.is(matmulTileCycles(fed, { dtype: 'bf16', fidelity: 'HiFi2' }, 32), 2048 / 44);
  assert.is(matmulTileCycles(fed, { dtype: 'bf16', fidelity: 'HiFi4' }, 32), 64);
  assert.is(matmulTileCycles(fed, { dtype: 'bfp8', fidelity: 'LoFi' }, 32), 1088 / 44);
  assert.is(matmulTileCycles(fed, { dtype: 'bfp8', fidelity: 'HiFi2' }, 32), 32);
  assert.is(matmulTileCycles(fed, { dtype: 'bfp4', fidelity: 'LoFi' }, 32), 16);
});
MatmulTileCycles.run();
