import test from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePoint } from './evaluate-point.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { DEFAULT_FLATNESS_CRITERION, shareAt } from './spectral-flatness.js';

// H = diag(0, 1, 2, …, 29); at θ = 0, g = b. Put 60% of ‖g‖² in ker H and the rest spread over the spectrum.
const n = 30;
const b = Array.from({ length: n }, (_, i) => (i === 0 ? Math.sqrt(0.6) : Math.sqrt(0.4 / (n - 1))));
const oracle = QuadraticOracle.diagonal(Array.from({ length: n }, (_, i) => i), b);
const theta = new Float64Array(n);

test('evaluatePoint: beyond the dense limit (here denseMaxDim 0) the class comes from the Lanczos bracket and its budget', () => {
  // The default budget: Lanczos from g runs until the bracket at τ_flat decides; it contains 0.6
  // at every τ < 1/29 (where the exact share is 0.6: only λ = 0 is under τ‖H‖₂).
  const full = evaluatePoint(oracle, theta, typescriptKernels, { denseMaxDim: 0 });
  const f = full.spectralFlatness!;
  assert.equal(f.method, 'lanczos');
  f.taus.forEach((tau, i) => {
    if (tau < 1 / 29) assert.ok(f.sharesLower[i] <= 0.6 + 1e-12 && 0.6 <= f.sharesUpper[i] + 1e-12, `τ ${tau}: [${f.sharesLower[i]}, ${f.sharesUpper[i]}]`);
  });
  assert.equal(full.class, 0.6 >= DEFAULT_FLATNESS_CRITERION.share ? 'gradient-flat' : 'neither');
  assert.equal(full.classPaper !== undefined, true);
  // One Lanczos step cannot tell 60% at λ = 0 from a spread measure: undecided, never a guess.
  const capped = evaluatePoint(oracle, theta, typescriptKernels, { denseMaxDim: 0, flatness: { maxSteps: 1 } });
  assert.equal(capped.spectralFlatness!.steps, 1);
  assert.equal(capped.class, 'undecided');
  // Dense: the same share, exact.
  const dense = evaluatePoint(oracle, theta, typescriptKernels);
  assert.equal(dense.spectralFlatness!.method, 'dense');
  assert.ok(Math.abs(shareAt(dense.spectralFlatness!, DEFAULT_FLATNESS_CRITERION.tau) - 0.6) < 1e-12);
  assert.equal(dense.class, full.class);
});
