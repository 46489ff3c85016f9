import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { Rng } from '../random/rng.js';
import { assertClose } from '../testing/assert-close.js';
import { combination, spectralMatrix } from '../testing/spectral-matrices.js';
import { SPECTRAL_TAUS, spectralFlatness } from './spectral-flatness.js';

const eigOf = (a: Float64Array, n: number) => {
  const { values, vectors } = typescriptKernels.symmetricEigen(a, n, true);
  return { n, values, vectors: vectors! };
};

test('the τ grid is 1e-10 … 1, one point per decade', () => {
  assert.equal(SPECTRAL_TAUS.length, 11);
  assertClose(SPECTRAL_TAUS[0], 1e-10, 1e-15);
  assert.equal(SPECTRAL_TAUS[10], 1);
});

test('diagonal H: share(τ) = Σ_{|d_i| ≤ τ max|d|} g_i² / ‖g‖² (closed form)', () => {
  const d = [4, -1e-3, 0, 2e-7, -4, 1e-11];
  const g = [1, 2, 3, -1, 0.5, 2];
  const n = d.length;
  const a = new Float64Array(n * n);
  d.forEach((v, i) => { a[i * n + i] = v; });
  const s = spectralFlatness(eigOf(a, n), Float64Array.from(g));
  const total = g.reduce((t, v) => t + v * v, 0);
  s.taus.forEach((tau, k) => {
    const expected = g.reduce((t, v, i) => t + (Math.abs(d[i]) <= tau * 4 ? v * v : 0), 0) / total;
    assertClose(s.shares[k], expected, 1e-14, `share(${tau})`);
  });
  assert.equal(s.spectralNorm, 4);
  assertClose(s.shares[0], (9 + 4) / total, 1e-14, 'τ = 1e-10 holds the exact zero and 1e-11');
});

test('random matrices: shares are nondecreasing in τ and share(1) = 1; disjoint bands of the spectrum sum to 1', () => {
  const rng = new Rng(5);
  const n = 30;
  const lambda = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-12 * i / (n - 1)));
  const m = spectralMatrix(lambda, 8);
  const g = combination(m, () => rng.normal());
  const s = spectralFlatness(eigOf(m.a, n), g);
  for (let k = 1; k < s.shares.length; k++) assert.ok(s.shares[k] >= s.shares[k - 1], `nondecreasing at τ = ${s.taus[k]}`);
  assert.equal(s.shares[s.shares.length - 1], 1);
  // Partition the spectrum into the bands (τ_{k−1}, τ_k]: their shares are the increments and sum to 1.
  const bands = s.shares.map((v, k) => v - (k ? s.shares[k - 1] : 0));
  assertClose(bands.reduce((t, v) => t + v, 0), 1, 1e-15, 'band shares sum to 1');
  // Each share equals the closed form from the known eigenvectors, up to the eigensolver's error
  // in the invariant subspace below τ‖H‖: about n·eps·‖H‖ / (spectral gap there) ≈ 1e-14/τ.
  const gg = Array.from(g).reduce((t, v) => t + v * v, 0);
  const coef = m.q.map((q) => q.reduce((t, qi, i) => t + qi * g[i], 0) ** 2 / gg);
  s.taus.forEach((tau, k) => {
    const expected = coef.reduce((t, c, i) => t + (Math.abs(lambda[i]) <= tau * (1 + 1e-9) ? c : 0), 0);
    assertClose(s.shares[k], expected, Math.max(1e-12, 1e-13 / tau), `share(${tau})`);
  });
});

test('a zero gradient has share 0 everywhere; a bad τ grid is refused', () => {
  const a = Float64Array.of(1, 0, 0, 2);
  assert.deepEqual(spectralFlatness(eigOf(a, 2), new Float64Array(2)).shares, SPECTRAL_TAUS.map(() => 0));
  assert.throws(() => spectralFlatness(eigOf(a, 2), Float64Array.of(1, 1), [1, 0.1]), /strictly ascending/);
});
