// A problem on engine tfjs makes its starting points by float64 training, exactly as on engine
// f64: "the same suite on f64 and on tfjs" starts from the same points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { Rng } from '../../core/random/rng.js';
import { buildProblem } from '../../core/registry/catalog.js';
import { ensureTfjsBackend } from './backend.js';
import { registerBuiltins } from '../../builtins.js';

// buildProblem without a registry uses the default one: give it the built-in problems.
registerBuiltins();

ensureTfjsBackend('cpu');

test('starting points of a tfjs problem are those of the same problem on f64 (float64 training), bit for bit', () => {
  for (const name of ['linear-ae', 'swish-ae'] as const) {
    const config = { name, seed: 3, samples: 120, starts: { trainings: 2, steps: 25 } };
    const f64 = buildProblem({ ...config, engine: 'f64' }, typescriptKernels, { threads: 1 });
    const tfjs = buildProblem({ ...config, engine: 'tfjs' }, typescriptKernels, { threads: 1 });
    try {
      assert.equal(tfjs.oracle.provenance?.engine, 'tfjs');
      const a = f64.startingPoints(4, new Rng(9));
      const b = tfjs.startingPoints(4, new Rng(9));
      assert.equal(b.length, 4);
      b.forEach((theta, i) => assert.deepEqual(Array.from(theta), Array.from(a[i]), `${name} start ${i}`));
      assert.deepEqual(tfjs.training, f64.training);
      // No float32 point: float64 training moves θ off float32 numbers.
      assert.ok(b.some((theta) => theta.some((x) => x !== Math.fround(x))));
    } finally {
      f64.oracle.dispose?.();
      tfjs.oracle.dispose?.();
    }
  }
});
