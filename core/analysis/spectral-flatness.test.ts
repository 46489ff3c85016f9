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

// Lanczos brackets against closed forms: operators H = P diag(d) Pᵀ of known spectrum, g = P c, so
// the exact share at every τ is exactShare(d, c, τ), whatever n.
import { exactShare, rotatedDiagonal } from '../testing/householder-operator.js';
import { bracketAt, DEFAULT_FLATNESS_CRITERION, flatnessVerdict, lanczosSpectralFlatness } from './spectral-flatness.js';

function assertBracketsContain(d: ArrayLike<number>, c: Float64Array, seed: number, what: string, opts = {}) {
  const h = rotatedDiagonal(d, seed);
  const f = lanczosSpectralFlatness(h.op, h.n, h.rotate(c), opts);
  assert.equal(f.method, 'lanczos');
  f.taus.forEach((tau, i) => {
    const exact = exactShare(d, c, tau);
    assert.ok(f.sharesLower[i] <= exact + 1e-9 && exact <= f.sharesUpper[i] + 1e-9, `${what}: τ = ${tau}: ${f.sharesLower[i]} ≤ ${exact} ≤ ${f.sharesUpper[i]}`);
    assert.ok(f.sharesLower[i] <= f.shares[i] && f.shares[i] <= f.sharesUpper[i], `${what}: the estimate lies in the bracket at τ = ${tau}`);
  });
  const max = Array.from(d).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  assert.ok(f.spectralNormBounds[0] <= max * (1 + 1e-12) && max <= f.spectralNormBounds[1] * (1 + 1e-12), `${what}: ‖H‖₂ = ${max} in [${f.spectralNormBounds}]`);
  return f;
}

/** A spectrum of n values: a few outliers up to `top`, a bulk spread log-uniformly over [1e-9, 1e-1]·top with both signs, and `zeros` exact zeros. */
function nnLikeSpectrum(n: number, zeros: number, seed: number, top = 10): Float64Array {
  const rng = new Rng(seed);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (i < zeros) d[i] = 0;
    else if (i < zeros + 5) d[i] = top * (0.3 + 0.7 * rng.uniform()) * (i === zeros ? 1 / (0.3 + 0.7 * 0) : 1);
    else d[i] = (rng.uniform() < 0.7 ? 1 : -1) * top * 10 ** (-9 + 8 * rng.uniform());
  }
  d[zeros] = top;
  return d;
}

for (const n of [300, 2600]) {
  test(`lanczos, n = ${n}: g in an exact kernel direction → share 1 at every τ, exact, classed flat`, () => {
    const d = nnLikeSpectrum(n, 3, 11);
    const c = new Float64Array(n);
    c[0] = 1; c[2] = -2; // two of the three exact zeros
    const f = assertBracketsContain(d, c, 12, 'kernel');
    assert.ok(f.invariant, 'the Krylov space of a kernel vector is itself: Lanczos stops at once');
    assert.ok(f.steps! <= 2, `steps ${f.steps}`);
    f.taus.forEach((tau, i) => assert.ok(f.sharesLower[i] > 1 - 1e-9, `share 1 certified at τ = ${tau}`));
    assert.equal(flatnessVerdict(f), 'flat');
  });

  test(`lanczos, n = ${n}: random g on a neural-network-like spectrum → every τ's bracket contains the exact share; g along the curvature is not flat`, () => {
    const d = nnLikeSpectrum(n, 0, 13);
    const rng = new Rng(14);
    const c = Float64Array.from({ length: n }, () => rng.normal());
    assertBracketsContain(d, c, 15, 'random g');
    // A gradient along the curvature (c_i ∝ d_i, as near a minimum's basin) is certainly not flat.
    const along = Float64Array.from(d, (x) => x * (1 + rng.uniform()));
    const f = assertBracketsContain(d, along, 15, 'g along the curvature');
    assert.equal(flatnessVerdict(f), 'not-flat', `share at 1e-4 is ${exactShare(d, along, 1e-4)}`);
  });

  test(`lanczos, n = ${n}: g in a band of small eigenvalues and a point mass exactly at τ‖H‖₂`, () => {
    const d = nnLikeSpectrum(n, 0, 16);
    d[20] = 1e-3 * 10; // exactly at τ = 1e-3 (‖H‖₂ = 10)
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) if (Math.abs(d[i]) < 1e-6 * 10) c[i] = 1;
    c[20] = 0.5;
    c[1] = 1e-3; // a little curvature
    assertBracketsContain(d, c, 17, 'band + point mass');
  });
}

test('lanczos: the run stops once the criterion is decided; a tighter budget still brackets', () => {
  const n = 1000;
  const d = nnLikeSpectrum(n, 0, 21);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = Math.abs(d[i]) < 1e-7 * 10 ? 1 : 1e-4;
  const h = rotatedDiagonal(d, 22);
  const full = lanczosSpectralFlatness(h.op, n, h.rotate(c), { maxSteps: 300 });
  assert.equal(flatnessVerdict(full), 'flat');
  assert.ok(full.steps! < 300, `decided after ${full.steps} steps`);
  const tiny = lanczosSpectralFlatness(h.op, n, h.rotate(c), { maxSteps: 3 });
  const [lo, hi] = bracketAt(tiny, DEFAULT_FLATNESS_CRITERION.tau);
  const exact = exactShare(d, c, DEFAULT_FLATNESS_CRITERION.tau);
  assert.ok(lo <= exact && exact <= hi, `3 steps: ${lo} ≤ ${exact} ≤ ${hi}`);
  assert.equal(tiny.steps, 3);
});

test('lanczos and dense agree: same shares within the bracket on a dense matrix of known spectrum', () => {
  const n = 120;
  const lambda = Array.from({ length: n }, (_, i) => (i % 3 ? 1 : -1) * 10 ** (-10 * i / (n - 1)));
  const m = spectralMatrix(lambda, 23);
  const rng = new Rng(24);
  const g = combination(m, () => rng.normal());
  const dense = spectralFlatness(eigOf(m.a, n), g);
  const op = (v: Float64Array, out: Float64Array) => { for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += m.a[i * n + j] * v[j]; out[i] = s; } };
  const lz = lanczosSpectralFlatness(op, n, g, { maxSteps: n });
  dense.taus.forEach((tau, i) => {
    assert.ok(lz.sharesLower[i] <= dense.shares[i] + 1e-9 && dense.shares[i] <= lz.sharesUpper[i] + 1e-9, `τ = ${tau}: ${lz.sharesLower[i]} ≤ ${dense.shares[i]} ≤ ${lz.sharesUpper[i]}`);
  });
});

test('lanczos: a zero gradient has share 0; the memory budget caps the steps', () => {
  const h = rotatedDiagonal([1, 2, 3, 0], 1);
  assert.deepEqual(lanczosSpectralFlatness(h.op, 4, new Float64Array(4)).sharesUpper, SPECTRAL_TAUS.map(() => 0));
  const n = 5000;
  const big = rotatedDiagonal(nnLikeSpectrum(n, 0, 2), 3);
  const f = lanczosSpectralFlatness(big.op, n, big.rotate(Float64Array.from({ length: n }, (_, i) => (i % 7) - 3)), { memoryBytes: 8 * n * 10 });
  assert.ok(f.steps! <= 10, `steps ${f.steps} under a 10-vector budget`);
});

test('‖H‖₂ bracket: the upper bound covers a top eigenvector a ±1 start can miss, for every seed', () => {
  // H = diag(1, …) plus 10 on (e₀ − e₁)/√2: a Rademacher start has no component along it half the
  // time, so a Ritz value plus its residual could miss it; a Gaussian start never does (a.s.) and
  // the Kuczyński–Woźniakowski bound holds with probability ≥ 1 − 2e-6.
  const n = 50;
  const op = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = (0.5 + (i % 5) / 10) * v[i];
    const c = 10 * (v[0] - v[1]) / 2;
    out[0] += c;
    out[1] -= c;
  };
  // The top eigenvalue: on span(e₀, e₁) H acts as diag(0.5, 0.6) + 5[[1, −1], [−1, 1]].
  const top = (() => { const a = 5.5, b = 5.6, c = -5; const m = (a + b) / 2, d = Math.hypot((a - b) / 2, c); return m + d; })();
  for (let seed = 1; seed <= 20; seed++) {
    const f = lanczosSpectralFlatness(op, n, Float64Array.from({ length: n }, (_, i) => (i > 1 ? 1 : 0)), { seed, normSteps: 8 });
    assert.ok(f.spectralNormBounds[0] <= top * (1 + 1e-12) && top <= f.spectralNormBounds[1], `seed ${seed}: ${top} in [${f.spectralNormBounds}]`);
  }
});

test('H = 0: every share is 1 (all curvature is zero); a non-finite g or product gives NaN shares, not a throw', () => {
  const n = 30;
  const zero = (_v: Float64Array, out: Float64Array) => { out.fill(0); };
  const f = lanczosSpectralFlatness(zero, n, Float64Array.from({ length: n }, (_, i) => i + 1));
  assert.ok(f.sharesLower.every((s) => s === 1));
  const h = rotatedDiagonal(Array.from({ length: n }, (_, i) => i + 1), 2);
  const g = h.rotate(Float64Array.from({ length: n }, () => 1));
  g[3] = NaN;
  assert.ok(lanczosSpectralFlatness(h.op, n, g).shares.every((s) => Number.isNaN(s)));
  const nanOp = (_v: Float64Array, out: Float64Array) => { out.fill(NaN); };
  assert.ok(lanczosSpectralFlatness(nanOp, n, Float64Array.from({ length: n }, () => 1)).sharesUpper.every((s) => Number.isNaN(s)));
});
