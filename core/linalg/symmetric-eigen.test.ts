/**
 * Tests for the pure-TypeScript symmetric eigensolver.
 *
 * Error bounds used below. The solver applies only orthogonal transformations (Householder
 * reflectors, Givens rotations), so it is backward stable: the computed V̂, Λ̂ are the exact
 * eigen-decomposition of A + E with ‖E‖₂ ≤ c₁·n·ε·‖A‖₂ and V̂ is orthogonal up to
 * ‖V̂V̂ᵀ − I‖ ≤ c₂·n·ε (Wilkinson; Golub & Van Loan §8.3; the classical worst case has n², the
 * observed growth is ~√n). Hence
 *   residual     ‖A·v̂ᵢ − λ̂ᵢ·v̂ᵢ‖₂ ≤ ‖E‖₂ + |λ̂ᵢ|·‖V̂V̂ᵀ − I‖ ≲ (c₁ + c₂)·n·ε·‖A‖,
 *   eigenvalues  |λ̂ᵢ − λᵢ| ≤ ‖E‖₂ (Weyl),
 *   orthogonality max |(V̂V̂ᵀ − I)ᵢⱼ| ≤ c₂·n·ε.
 * With ‖A‖ taken as the Frobenius norm (≥ ‖A‖₂) we assert these with c = 10, which leaves a
 * margin of about 10× over what is observed (≈ 0.3–2·n·ε).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigen } from './symmetric-eigen.js';
import { Rng } from '../random/rng.js';

const EPS = 2 ** -52;
const C = 10;

/** Uniform [0, 1) draws from gradflat's seeded generator. */
function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.uniform();
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * r() - 1;
  return a;
}

/** Random orthogonal Q (row-major) as a product of n random Householder reflectors. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let h = 0; h < n; h++) {
    let vv = 0;
    for (let i = 0; i < n; i++) { v[i] = 2 * r() - 1; vv += v[i] * v[i]; }
    // Q ← Q·(I − 2vvᵀ/vᵀv)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += q[i * n + j] * v[j];
      s *= 2 / vv;
      for (let j = 0; j < n; j++) q[i * n + j] -= s * v[j];
    }
  }
  return q;
}

/** Q·diag(λ)·Qᵀ, exactly symmetrized. */
function withSpectrum(q: Float64Array, lambda: number[]): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
      a[i * n + j] = a[j * n + i] = s;
    }
  }
  return a;
}

function frobenius(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

/** Checks ascending order, residual, orthogonality and (optionally) the eigenvalues. */
function checkDecomposition(a: Float64Array, n: number, expected?: number[]): void {
  const before = Float64Array.from(a);
  const { values, vectors } = symmetricEigen(a, n, true);
  assert.deepEqual(a, before, 'input must not be modified');
  assert.ok(vectors !== undefined);
  assert.equal(values.length, n);
  assert.equal(vectors.length, n * n);
  const anorm = frobenius(a);
  for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i], `values not ascending at ${i}`);

  const resTol = C * n * EPS * Math.max(anorm, Number.MIN_VALUE);
  let worstRes = 0;
  for (let r = 0; r < n; r++) {
    let rr = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[r * n + j];
      const d = s - values[r] * vectors[r * n + i];
      rr += d * d;
    }
    worstRes = Math.max(worstRes, Math.sqrt(rr));
  }
  assert.ok(worstRes <= resTol, `residual ${worstRes} > ${resTol}`);

  let worstOrth = 0;
  for (let r = 0; r < n; r++) {
    for (let q = 0; q < n; q++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[r * n + j] * vectors[q * n + j];
      worstOrth = Math.max(worstOrth, Math.abs(s - (r === q ? 1 : 0)));
    }
  }
  assert.ok(worstOrth <= C * n * EPS, `‖VVᵀ − I‖max = ${worstOrth} > ${C * n * EPS}`);

  if (expected !== undefined) {
    const sorted = [...expected].sort((x, y) => x - y);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(values[i] - sorted[i]) <= resTol, `λ${i} = ${values[i]}, expected ${sorted[i]}`);
    }
  }

  // The values-only path runs the same arithmetic on d and e, so it agrees exactly.
  assert.deepEqual(symmetricEigen(a, n, false).values, values);
}

test('n = 0, 1 and 2', () => {
  assert.deepEqual(symmetricEigen(new Float64Array(0), 0, true), { values: new Float64Array(0), vectors: new Float64Array(0) });
  const one = symmetricEigen(new Float64Array([-3.5]), 1, true);
  assert.deepEqual(one.values, new Float64Array([-3.5]));
  assert.deepEqual(one.vectors, new Float64Array([1]));
  assert.equal(symmetricEigen(new Float64Array([7]), 1, false).vectors, undefined);

  const two = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2, true);
  assert.ok(Math.abs(two.values[0] - 1) < 4 * EPS && Math.abs(two.values[1] - 3) < 8 * EPS);
  const v = two.vectors!;
  const h = Math.SQRT1_2;
  // Row 0 ∥ (1, −1)/√2, row 1 ∥ (1, 1)/√2 (up to sign).
  assert.ok(Math.abs(Math.abs(v[0]) - h) < 4 * EPS && Math.abs(v[0] + v[1]) < 4 * EPS);
  assert.ok(Math.abs(Math.abs(v[2]) - h) < 4 * EPS && Math.abs(v[2] - v[3]) < 4 * EPS);
  checkDecomposition(new Float64Array([1, 1e-9, 1e-9, 1]), 2, [1 - 1e-9, 1 + 1e-9]);
  checkDecomposition(new Float64Array([0, 0, 0, 0]), 2, [0, 0]);
});

test('diagonal matrix: sorted values, unit-vector eigenvectors', () => {
  const diag = [3, -1, 0, 2.5, -7, 3, 1e-3];
  const n = diag.length;
  const a = new Float64Array(n * n);
  diag.forEach((x, i) => { a[i * n + i] = x; });
  const { values, vectors } = symmetricEigen(a, n, true);
  assert.deepEqual(Array.from(values), [...diag].sort((x, y) => x - y));
  for (let r = 0; r < n; r++) {
    // Exactly a signed unit vector at a position holding that value.
    const nz = [];
    for (let j = 0; j < n; j++) if (vectors![r * n + j] !== 0) nz.push(j);
    assert.equal(nz.length, 1);
    assert.equal(Math.abs(vectors![r * n + nz[0]]), 1);
    assert.equal(diag[nz[0]], values[r]);
  }
  checkDecomposition(a, n, diag);
});

test('Q·diag(λ)·Qᵀ with repeated and zero eigenvalues', () => {
  const n = 24;
  const lambda: number[] = [];
  for (let i = 0; i < n; i++) lambda.push(i < 5 ? 0 : i < 11 ? 2 : i < 14 ? -1.5 : i - 20);
  const a = withSpectrum(randomOrthogonal(n, 7), lambda);
  checkDecomposition(a, n, lambda);
  // Rank-deficient with a cluster: only two distinct nonzero values.
  const lam2 = Array.from({ length: 15 }, (_, i) => (i < 10 ? 0 : 4));
  checkDecomposition(withSpectrum(randomOrthogonal(15, 8), lam2), 15, lam2);
});

test('random symmetric matrices of several orders', () => {
  for (const n of [3, 4, 5, 6, 9, 16, 33, 60]) checkDecomposition(randomSymmetric(n, n), n);
});

test('1-D Laplacian tridiag(−1, 2, −1): λₖ = 2 − 2cos(kπ/(n+1))', () => {
  for (const n of [5, 50]) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
    }
    const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    checkDecomposition(a, n, exact);
  }
});

test('uses the symmetric part of a non-symmetric input', () => {
  const n = 12;
  const s = randomSymmetric(n, 3);
  const r = rng(4);
  const a = Float64Array.from(s);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { const k = r() - 0.5; a[i * n + j] += k; a[j * n + i] -= k; }
  const fromA = symmetricEigen(a, n, false).values;
  const fromS = symmetricEigen(s, n, false).values;
  for (let i = 0; i < n; i++) assert.ok(Math.abs(fromA[i] - fromS[i]) <= C * n * EPS * frobenius(s));
});

test('huge and tiny scales keep relative accuracy', () => {
  const n = 10;
  const lambda = Array.from({ length: n }, (_, i) => i - 4);
  const base = withSpectrum(randomOrthogonal(n, 11), lambda);
  for (const scale of [1e300, 1e-300]) {
    const a = base.map((x) => x * scale);
    const { values } = symmetricEigen(a, n, false);
    for (let i = 0; i < n; i++) {
      const expected = lambda[i] * scale;
      const tol = C * n * EPS * frobenius(base) * scale;
      assert.ok(Math.abs(values[i] - expected) <= tol, `scale ${scale}: λ${i} = ${values[i]} vs ${expected}`);
    }
  }
});

test('rejects bad input', () => {
  assert.throws(() => symmetricEigen(new Float64Array([1, NaN, NaN, 1]), 2, false), RangeError);
  assert.throws(() => symmetricEigen(new Float64Array([Infinity]), 1, true), RangeError);
  assert.throws(() => symmetricEigen(new Float64Array(3), 2, false), RangeError);
  assert.throws(() => symmetricEigen(new Float64Array(4), 1.5, false), RangeError);
});

test('extreme magnitudes (1e-300, 1e300) are rescaled internally: the spectrum scales exactly', () => {
  // tridiag(1, 2, 1) of order 3 has eigenvalues 2 − √2, 2, 2 + √2.
  const a = Float64Array.of(2, 1, 0, 1, 2, 1, 0, 1, 2);
  const expected = [2 - Math.SQRT2, 2, 2 + Math.SQRT2];
  for (const s of [1e-300, 1e300]) {
    const values = symmetricEigen(a.map((x) => x * s), 3, false).values;
    values.forEach((v, i) => assert.ok(Math.abs(v / s - expected[i]) <= 8 * EPS * 4, `λ${i} at scale ${s}: ${v / s}`));
  }
});
