// Test helpers: compare one-op models between the reference kernels and onnxruntime-node.
import * as assert from 'uvu/assert';
import { importOnnx } from '../../../compiler/onnx/import.js';
import { runReference } from '../../../compiler/reference/interpret.js';
import { compareWithOrt, randomInputs, runOrt } from '../reference/oracle.js';

/** Largest error allowed, relative to the largest value of an output. */
export const TOLERANCE = 1e-4;

/** Deterministic values in [-1, 1] for initializers. */
export const seeded = (n: number, seed: number): number[] =>
  Array.from({ length: n }, (_, k) => Math.sin(seed * 7.31 + k * 1.73));

/** Asserts the model's outputs agree with onnxruntime within TOLERANCE. */
export async function check(model: Uint8Array): Promise<void> {
  const { rel } = await compareWithOrt(model);
  assert.ok(rel <= TOLERANCE, `relative error ${rel} exceeds ${TOLERANCE}`);
}

/**
 * Quantised outputs: within one step of the integer grid of onnxruntime's, since requantising
 * rounds float results whose last bits depend on the order the runtime sums in.
 */
export async function checkQuantized(model: Uint8Array): Promise<void> {
  const graph = importOnnx(model);
  const inputs = randomInputs(graph, 1);
  const ref = runReference(graph, inputs);
  for (const [name, want] of Object.entries(await runOrt(model, inputs))) {
    const got = Array.from(ref[name]!.values as ArrayLike<number>);
    want.values.forEach((w, k) =>
      assert.ok(Math.abs(w - got[k]!) <= 1, `${name}[${k}]: ${got[k]} vs ${w}`),
    );
  }
}
