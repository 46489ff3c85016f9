import test from 'node:test';
import assert from 'node:assert/strict';
import { matrixWithSpectrum } from '../testing/synthetic-spectrum.js';
import { extremalEigenpairs, lanczos, rademacher, ritzValues, ritzVector } from './lanczos.js';
import { tridiagonalEigen } from './symmetric-eigen.js';
import { typescriptKernels } from './kernels-typescript.js';
import { loadOpenBlasKernels } from './kernels-openblas.js';
import { dot, norm2 } from './vector.js';

test('tridiagonalEigen: T·s = θ·s for every pair, values ascending', () => {
  const d = [2, -1, 0.5, 3, -2];
  const e = [1, 0.3, -0.7, 2];
  const { values, vectors } = tridiagonalEigen(d, e, true);
  const k = d.length;
  for (let i = 0; i < k; i++) {
    const s = vectors!.subarray(i * k, (i + 1) * k);
    for (let r = 0; r < k; r++) {
      const ts = d[r] * s[r] + (r > 0 ? e[r - 1] * s[r - 1] : 0) + (r < k - 1 ? e[r] * s[r + 1] : 0);
      assert.ok(Math.abs(ts - values[i] * s[r]) < 1e-13);
    }
    if (i > 0) assert.ok(values[i] >= values[i - 1]);
  }
});

test('Lanczos with full reorthogonalisation: orthonormal basis, T = QᵀAQ, exact spectrum after n steps', () => {
  const lam = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.1 + i));
  const { op, n } = matrixWithSpectrum(lam, 4);
  const run = lanczos(op, n, rademacher(n, 2), n);
  assert.equal(run.steps, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    assert.ok(Math.abs(dot(run.basis[i], run.basis[j]) - (i === j ? 1 : 0)) < 1e-12, `q${i}·q${j}`);
  }
  const ritz = ritzValues(run);
  const sorted = [...lam].sort((a, b) => a - b);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(ritz.values[i] - sorted[i]) < 1e-10, `θ${i} ${ritz.values[i]} vs ${sorted[i]}`);
  assert.ok(Math.abs(ritz.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('residual bound β_k|s_k,i| equals ‖A y − θ y‖ and brackets an eigenvalue', () => {
  const lam = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 3 + (i === 0 ? -8 : 0) + (i === 1 ? 9 : 0));
  const { op, n } = matrixWithSpectrum(lam, 5);
  const run = lanczos(op, n, rademacher(n, 3), 40);
  const ritz = ritzValues(run);
  for (const i of [0, 1, 20, 38, 39]) {
    const y = ritzVector(run, ritz, i, n);
    const ay = new Float64Array(n);
    op(y, ay);
    for (let r = 0; r < n; r++) ay[r] -= ritz.values[i] * y[r];
    const rho = norm2(ay);
    assert.ok(Math.abs(rho - ritz.residuals[i]) < 1e-9 * 10, `pair ${i}: ${rho} vs ${ritz.residuals[i]}`);
    const nearest = Math.min(...lam.map((l) => Math.abs(l - ritz.values[i])));
    assert.ok(nearest <= ritz.residuals[i] * (1 + 1e-8) + 1e-12, `pair ${i}: eigenvalue within ρ`);
  }
});

test('extremalEigenpairs: both ends of a spread spectrum to within the residual bound, verified by one HVP', () => {
  const lam = Array.from({ length: 300 }, (_, i) => -5 + 10 * (i / 299) ** 2);
  lam[10] = -12; lam[20] = 15; lam[30] = 14;
  const { op, n } = matrixWithSpectrum(lam, 6);
  const ex = extremalEigenpairs(op, n, { k: 2, steps: 60, seed: 9, verify: true });
  const sorted = [...lam].sort((a, b) => a - b);
  assert.ok(Math.abs(ex.smallest[0].value - sorted[0]) <= ex.smallest[0].residual + 1e-10);
  assert.ok(Math.abs(ex.largest[0].value - sorted[n - 1]) <= ex.largest[0].residual + 1e-10);
  assert.ok(Math.abs(ex.largest[1].value - sorted[n - 2]) <= ex.largest[1].residual + 1e-10);
  assert.ok(ex.smallest[0].value >= sorted[0] - 1e-12, 'Ritz values lie inside the spectrum');
  for (const p of [...ex.smallest, ...ex.largest]) assert.ok(Math.abs(p.verifiedResidual! - p.residual) < 1e-8);
  assert.ok(ex.smallest[0].residual < 1e-6 && ex.largest[0].residual < 1e-6, 'isolated extremes converge in 60 steps');
});

test('an invariant Krylov space stops early with zero residuals; bad input is refused', () => {
  const { op, n } = matrixWithSpectrum([1, 1, 1, 2, 2, 3, 3, 3, 3, 3], 7);
  const run = lanczos(op, n, rademacher(n, 1), 10);
  assert.ok(run.invariant);
  assert.equal(run.steps, 3, 'three distinct eigenvalues: a 3-dimensional Krylov space');
  assert.deepEqual(Array.from(ritzValues(run).values, (x) => Math.round(x * 1e10) / 1e10), [1, 2, 3]);
  assert.throws(() => lanczos(op, n, new Float64Array(3), 2), /start has length 3/);
  assert.throws(() => lanczos(op, n, rademacher(n, 1), 0), /steps must be an integer/);
});

test('reorthogonalisation by kernel gemm (TypeScript and OpenBLAS) gives the loops\' tridiagonal to round-off', () => {
  const lam = Array.from({ length: 120 }, (_, i) => Math.cos(i) * 4);
  const { op, n } = matrixWithSpectrum(lam, 8);
  const ref = lanczos(op, n, rademacher(n, 5), 50);
  const loaded = loadOpenBlasKernels();
  const sets = [typescriptKernels, ...('kernels' in loaded ? [loaded.kernels] : [])];
  for (const kernels of sets) {
    const run = lanczos(op, n, rademacher(n, 5), 50, { kernels });
    for (let j = 0; j < 50; j++) {
      assert.ok(Math.abs(run.alpha[j] - ref.alpha[j]) < 1e-9, `${kernels.name} α${j}`);
      assert.ok(Math.abs(run.beta[j] - ref.beta[j]) < 1e-9, `${kernels.name} β${j}`);
    }
  }
});
