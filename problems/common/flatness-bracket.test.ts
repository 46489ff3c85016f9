// On the built-in networks' points, the matrix-free Lanczos bracket of the spectral share
// (core/analysis/spectral-flatness.ts) contains the exact share from the dense eigendecomposition,
// at every τ of the grid. Small data so it stays fast; outside core/ because it builds problems.
import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { Rng } from '../../core/random/rng.js';
import { buildProblem } from '../../core/registry/catalog.js';
import { hvpOperator } from '../../core/analysis/index-estimate.js';
import { lanczosSpectralFlatness, spectralFlatness } from '../../core/analysis/spectral-flatness.js';
import { hessianEigen } from '../../core/newton/exact-direction.js';
import { registerBuiltins } from '../../builtins.js';

registerBuiltins();

for (const name of ['linear-ae', 'swish-ae'] as const) {
  test(`${name}: the Lanczos bracket contains the dense share at every τ (random points, and with steps stopped early)`, () => {
    const { oracle } = buildProblem({ name, seed: 3, samples: 64 }, typescriptKernels);
    const n = oracle.dim;
    const rng = new Rng(11);
    for (let point = 0; point < 2; point++) {
      const theta = Float64Array.from({ length: n }, () => 0.4 * rng.normal());
      const g = oracle.gradient(theta).gradient;
      const dense = spectralFlatness(hessianEigen(oracle, theta, typescriptKernels), g);
      for (const maxSteps of [12, 60]) {
        const lz = lanczosSpectralFlatness(hvpOperator(oracle, theta), n, g, { stopWhenDecided: false, maxSteps, kernels: typescriptKernels });
        assert.equal(lz.method, 'lanczos');
        dense.taus.forEach((tau, i) => {
          const exact = dense.shares[i];
          // Slack for round-off in the eigenvalues and the sums only.
          assert.ok(lz.sharesLower[i] <= exact + 1e-9 && exact <= lz.sharesUpper[i] + 1e-9,
            `${name} point ${point}, ${maxSteps} steps, τ ${tau}: dense ${exact} outside [${lz.sharesLower[i]}, ${lz.sharesUpper[i]}]`);
        });
        assert.ok(lz.spectralNormBounds[0] <= dense.spectralNorm * (1 + 1e-12) && dense.spectralNorm <= lz.spectralNormBounds[1] * (1 + 1e-12));
      }
    }
  });
}
