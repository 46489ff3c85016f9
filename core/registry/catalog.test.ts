import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { Rng } from '../random/rng.js';
import { buildProblem } from './catalog.js';
import { registerBuiltins } from '../../builtins.js';

registerBuiltins();

test('the paper networks have the parameter counts of [GF] (Figs. 1, 3, 4, 5)', () => {
  const expected: Record<string, number> = {
    'linear-ae': 128, 'swish-ae': 384, 'mnist-ae': 552, 'mnist-classifier': 398, 'mnist-memorize': 1160,
  };
  for (const [name, n] of Object.entries(expected)) {
    const p = buildProblem({ name, seed: 1, samples: name === 'mnist-memorize' ? 50 : 200 }, typescriptKernels);
    try {
      assert.equal(p.oracle.dim, n, name);
      assert.equal(p.info.parameters, n);
    } finally {
      p.oracle.dispose?.();
    }
  }
});

test('MNIST problems: losses at the paper initialisation are finite, starts come from momentum training', () => {
  const p = buildProblem({ name: 'mnist-classifier', seed: 2, samples: 300, starts: { trainings: 1, steps: 20 } }, typescriptKernels);
  assert.equal((p.info.starts as { momentum: number }).momentum, 0.9);
  const starts = p.startingPoints(3, new Rng(3));
  for (const s of starts) assert.ok(Number.isFinite(p.oracle.loss(s)));
  // ln 10 is the loss of a classifier that says nothing: training starts near it.
  assert.ok(Math.abs(p.oracle.loss(starts[0]) - Math.log(10)) < 1);
  assert.throws(() => buildProblem({ name: 'mnist-ae', seed: 1, dataFile: 'x.csv' }, typescriptKernels), /problem\.dataFile: unknown field\. Valid fields of problem: .*\(problem 'mnist-ae'/);
  assert.throws(() => buildProblem({ name: 'mnist-ae', seed: 1, samples: 70_000 }, typescriptKernels), /samples must be an integer in 1\.\.60000/);
});
