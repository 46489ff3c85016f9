import test from 'node:test';
import assert from 'node:assert/strict';
import { probeCountBounds, slq, spectralDensity, studentTQuantile, normalQuantile } from '../linalg/slq.js';
import { rademacher } from '../linalg/lanczos.js';
import { dot } from '../linalg/vector.js';
import { deriveSeed, Rng } from '../random/rng.js';
import { matrixWithSpectrum } from '../testing/synthetic-spectrum.js';
import { estimateIndex } from './index-estimate.js';

/** n eigenvalues: `neg` negatives log-uniform in [−1, −1e-3], `zeros` exact zeros, the rest in [1e-3, 10]. */
function spectrum(n: number, neg: number, zeros: number, rng: Rng): number[] {
  const lam: number[] = [];
  for (let i = 0; i < neg; i++) lam.push(-Math.exp(Math.log(1e-3) * rng.uniform()));
  for (let i = 0; i < zeros; i++) lam.push(0);
  while (lam.length < n) lam.push(Math.exp(Math.log(1e-3) + rng.uniform() * Math.log(1e4)));
  return lam;
}

test('quantiles: normal and Student t at 97.5%', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(studentTQuantile(0.975, 9) - 2.262157) < 2e-3);
  assert.ok(Math.abs(studentTQuantile(0.975, 29) - 2.045230) < 1e-4);
});

test('SLQ: probe brackets contain the exact quadratic form zᵀ1[A<t]z; the density integrates to 1', () => {
  const lam = spectrum(120, 15, 10, new Rng(3));
  const { op, n, vectors } = matrixWithSpectrum(lam, 3);
  const t = -1e-5;
  const res = slq(op, n, { probes: 6, steps: 25, seed: 2 });
  res.probes.forEach((p, i) => {
    const z = rademacher(n, deriveSeed(2, 1000 + i));
    let exact = 0;
    lam.forEach((l, k) => { if (l < t) exact += dot(vectors.subarray(k * n, (k + 1) * n), z) ** 2; });
    const total = p.weights.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - n) < 1e-9, 'Rademacher ‖z‖² = n');
    // Gauss rule is exact for degree ≤ 2m − 1: Σ w θ = zᵀAz, whose mean over probes is tr A.
    const b = probeCountBounds(p, t);
    assert.ok(b.lo <= b.gauss + 1e-9 && b.gauss <= b.hi + 1e-9);
    assert.ok(b.lo - 1e-9 <= exact && exact <= b.hi + 1e-9, `probe ${i}: ${exact} outside [${b.lo}, ${b.hi}]`);
  });
  const grid = Array.from({ length: 2001 }, (_, i) => -2 + (14 * i) / 2000);
  const dens = spectralDensity(res.probes, grid, 0.05, n);
  const integral = dens.reduce((a, b) => a + b, 0) * (14 / 2000);
  assert.ok(Math.abs(integral - 1) < 0.02, `∫ density = ${integral}`);
});

test('lanczos-slq index: the true count lies in the 95% interval on ≥ 95% of random spectra; extremes match', () => {
  let covered = 0;
  const trials = 24;
  for (let s = 0; s < trials; s++) {
    const rng = new Rng(50 + s);
    const neg = 2 + rng.int(20);
    const lam = spectrum(100, neg, rng.int(12), rng);
    const { op, n } = matrixWithSpectrum(lam, 70 + s);
    const e = estimateIndex(op, n, 1e-5, { seed: s + 1, lanczosSteps: 50, slqSteps: 30 });
    assert.ok(e.exactNegatives <= neg, 'locked negatives are real negatives');
    if (e.countInterval[0] <= neg && neg <= e.countInterval[1]) covered++;
    const sorted = [...lam].sort((a, b) => a - b);
    assert.ok(Math.abs(e.smallest[0].value - sorted[0]) <= e.smallest[0].residual + 1e-9);
    assert.ok(Math.abs(e.largest[0].value - sorted[n - 1]) <= e.largest[0].residual + 1e-9);
    assert.equal(e.index, e.negativeCount / n);
  }
  if (process.env.GRADFLAT_SHOW_CASES) console.log(`coverage ${covered}/${trials}`);
  assert.ok(covered / trials >= 0.95, `coverage ${covered}/${trials}`);
});

test('lanczos-slq index is exact when Lanczos exhausts the space, and for well-separated spectra', () => {
  const lam = [-3, -2, -2, -1, -1e-7, 0, 0, 2, 5, 7];
  const { op, n } = matrixWithSpectrum(lam, 11);
  const e = estimateIndex(op, n, 1e-5, { seed: 3 });
  assert.deepEqual(e.countInterval, [4, 4]);
  assert.equal(e.negativeCount, 4);
  // n = 300, 12 well-separated negatives: all are locked, the rest of the count is 0.
  const big = Array.from({ length: 300 }, (_, i) => (i < 12 ? -5 - i : 1 + (i % 17)));
  const m = matrixWithSpectrum(big, 12);
  const e2 = estimateIndex(m.op, 300, 1e-5, { seed: 4 });
  assert.equal(e2.exactNegatives, 12);
  assert.deepEqual(e2.countInterval, [12, 12]);
  assert.throws(() => estimateIndex(op, n, -1), /cutoff must be a finite number ≥ 0/);
  assert.throws(() => estimateIndex(op, n, 1e-5, { probes: 2 }), /probes must be an integer ≥ 4/);
});
