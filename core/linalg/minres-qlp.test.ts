/**
 * MINRES-QLP tests. Truth never shares the solver's code path: test matrices are
 * A = Q·diag(λ)·Qᵀ with Q a random orthogonal matrix, so A⁻¹b and pinv(A)b are the closed form
 * Σ_{λ_i ≠ 0} q_i (q_iᵀ b)/λ_i, and the kernel of A is spanned by the q_i with λ_i = 0.
 *
 * Tolerances. Let r = b − Ax. Two exact identities give every bound used below:
 *  (a) nonsingular A:  x − A⁻¹b = −A⁻¹r, so ‖x − x*‖ ≤ ‖r‖/min|λ|;
 *      with the stopping test ‖r‖ ≤ rtol(Anorm‖x‖ + ‖b‖) ≤ rtol·‖A‖(‖x‖ + ‖x*‖) this is
 *      ‖x − x*‖/‖x*‖ ≲ 2κ·rtol.
 *  (b) singular A, x* = pinv(A)b: on range(A), A(x − x*) = −P_range r, and P_range r = A⁺(A r)
 *      restricted to range, so ‖P_range(x − x*)‖ ≤ ‖A r‖/σ₊² (σ₊ = smallest nonzero |λ|);
 *      the kernel part of x − x* is the kernel part of x, which an exact Krylov method keeps at
 *      zero when b ⟂ ker A and MINRES-QLP keeps at zero by construction otherwise.
 * On top of the algorithmic error there is rounding in forming A = QΛQᵀ and in the recurrences,
 * of relative size about c·n·eps·κ (c a small constant); each test states its budget.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minresQlp, type MinresQlpResult } from './minres-qlp.js';
import { Rng } from '../random/rng.js';

const EPS = Number.EPSILON;

// ---------- seeded uniform and Gaussian samples ----------
/** Uniform [0, 1) draws from gradflat's seeded generator. */
function mulberry32(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.uniform();
}
function gaussian(rng: () => number): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
function randomVector(n: number, rng: () => number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = gaussian(rng);
  return v;
}

// ---------- dense helpers (test-only, independent of the solver) ----------
function dotT(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function normT(a: Float64Array): number {
  return Math.sqrt(dotT(a, a));
}
function diffNorm(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Columns of a random orthogonal matrix: modified Gram–Schmidt, applied twice for orthogonality to ~eps. */
function randomOrthogonal(n: number, rng: () => number): Float64Array[] {
  const Q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const q = randomVector(n, rng);
    for (let pass = 0; pass < 2; pass++) {
      for (const p of Q) {
        const c = dotT(p, q);
        for (let i = 0; i < n; i++) q[i] -= c * p[i];
      }
    }
    const s = 1 / normT(q);
    for (let i = 0; i < n; i++) q[i] *= s;
    Q.push(q);
  }
  return Q;
}

interface TestProblem {
  n: number;
  Q: Float64Array[];
  lambda: number[];
  A: Float64Array; // row-major dense
  apply: (v: Float64Array, out: Float64Array) => void;
  norm2: number; // ‖A‖₂ = max|λ|
}

function eigProblem(lambda: number[], seed: number): TestProblem {
  const n = lambda.length;
  const Q = randomOrthogonal(n, mulberry32(seed));
  const A = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const q = Q[k];
    const l = lambda[k];
    if (l === 0) continue;
    for (let i = 0; i < n; i++) {
      const lqi = l * q[i];
      for (let j = 0; j < n; j++) A[i * n + j] += lqi * q[j];
    }
  }
  // Symmetrise exactly so the operator is symmetric to the last bit.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (A[i * n + j] + A[j * n + i]);
      A[i * n + j] = s;
      A[j * n + i] = s;
    }
  }
  return { n, Q, lambda, A, apply: denseApply(A, n), norm2: Math.max(...lambda.map(Math.abs)) };
}

function denseApply(A: Float64Array, n: number): (v: Float64Array, out: Float64Array) => void {
  return (v, out) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += A[row + j] * v[j];
      out[i] = s;
    }
  };
}

function diagApply(d: number[]): (v: Float64Array, out: Float64Array) => void {
  return (v, out) => {
    for (let i = 0; i < d.length; i++) out[i] = d[i] * v[i];
  };
}

/** pinv(A − σI)·b = Σ_{λ_i − σ ≠ 0} q_i (q_iᵀb)/(λ_i − σ), in closed form. */
function pinvSolve(p: TestProblem, b: Float64Array, sigma = 0): Float64Array {
  const x = new Float64Array(p.n);
  for (let k = 0; k < p.n; k++) {
    const l = p.lambda[k] - sigma;
    if (l === 0) continue;
    const c = dotT(p.Q[k], b) / l;
    for (let i = 0; i < p.n; i++) x[i] += c * p.Q[k][i];
  }
  return x;
}

/** ‖P_ker x‖ where ker A = span{q_k : λ_k = 0}. */
function kernelComponent(p: TestProblem, x: Float64Array): number {
  let s = 0;
  for (let k = 0; k < p.n; k++) if (p.lambda[k] === 0) s += dotT(p.Q[k], x) ** 2;
  return Math.sqrt(s);
}

/** Residual r = b − (A − σI)x and (A − σI)r, recomputed in the test. */
function residuals(p: TestProblem, x: Float64Array, b: Float64Array, sigma = 0) {
  const Ax = new Float64Array(p.n);
  p.apply(x, Ax);
  const r = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) r[i] = b[i] - (Ax[i] - sigma * x[i]);
  const Ar = new Float64Array(p.n);
  p.apply(r, Ar);
  for (let i = 0; i < p.n; i++) Ar[i] -= sigma * r[i];
  return { r, rnorm: normT(r), Arnorm: normT(Ar) };
}

/** λ's: `count` values with |λ| log-spaced in [lo, hi], signs alternating when `indefinite`. */
function spectrum(count: number, lo: number, hi: number, indefinite: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = count === 1 ? 0 : i / (count - 1);
    const mag = lo * Math.pow(hi / lo, t);
    out.push(indefinite && i % 2 === 1 ? -mag : mag);
  }
  return out;
}

function describe(res: MinresQlpResult): string {
  const { x: _x, ...rest } = res;
  return JSON.stringify(rest);
}

// Exits with which MINRES-QLP ends a singular incompatible solve (see minres-qlp.ts's header).
const LEAST_SQUARES_EXITS = new Set(['rtol-least-squares', 'eps-least-squares', 'singular-system', 'xnorm-exceeds-maxxnorm']);

/** Counts calls so tests can check the cost model (one apply per iteration + 2 for the final check). */
function counted(apply: (v: Float64Array, out: Float64Array) => void) {
  const c = { calls: 0, apply: (v: Float64Array, out: Float64Array) => { c.calls++; apply(v, out); } };
  return c;
}

/** Sizes of P_range(x − x*) and P_ker(x) with x* = pinv(A)b. */
function splitError(p: TestProblem, x: Float64Array, xStar: Float64Array) {
  const e = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) e[i] = x[i] - xStar[i];
  const ker = kernelComponent(p, x); // x* has no kernel part
  const total = normT(e);
  return { ker, range: Math.sqrt(Math.max(0, total * total - ker * ker)), total };
}

test('SPD, well conditioned: x = A⁻¹b, exit rtol, relres ≤ rtol', () => {
  const n = 30;
  const p = eigProblem(spectrum(n, 1, 10, false), 1); // κ = 10
  const b = randomVector(n, mulberry32(11));
  const rtol = 1e-12;
  const ctr = counted(p.apply);
  const res = minresQlp(ctr.apply, b, { rtol, maxit: 4 * n });
  const xStar = pinvSolve(p, b);
  assert.equal(res.exit, 'rtol', describe(res));
  assert.ok(res.relres <= rtol, describe(res));
  // (a): ‖x − x*‖/‖x*‖ ≲ 2κ·rtol = 2e-11, plus rounding n·eps·κ ≈ 7e-14 → allow 1e-10.
  assert.ok(diffNorm(res.x, xStar) / normT(xStar) <= 1e-10);
  // Well conditioned: Acond stays below trancond, so no QLP step is taken.
  assert.equal(res.qlpIterations, 0);
  // Cost: one apply per iteration plus the two of the final direct residual check.
  assert.equal(ctr.calls, res.iterations + 2);
});

test('indefinite nonsingular: x = A⁻¹b', () => {
  const n = 30;
  const p = eigProblem(spectrum(n, 1, 10, true), 2); // |λ| ∈ [1, 10], alternating signs: κ = 10
  const b = randomVector(n, mulberry32(12));
  const rtol = 1e-12;
  // Indefinite + finite precision: Lanczos loses orthogonality, so allow 4n (minresqlp.m v2 default).
  const res = minresQlp(p.apply, b, { rtol, maxit: 4 * n });
  const xStar = pinvSolve(p, b);
  assert.equal(res.exit, 'rtol', describe(res));
  assert.ok(res.relres <= rtol, describe(res));
  // (a) with κ = 10: 2κ·rtol = 2e-11 (+ rounding ~1e-13) → 1e-10.
  assert.ok(diffNorm(res.x, xStar) / normT(xStar) <= 1e-10);
});

test('ill-conditioned (κ = 1e8 > trancond): MINRES phase, transfer to QLP, accurate solution', () => {
  const n = 30;
  const p = eigProblem(spectrum(n, 1e-8, 1, true), 3); // |λ| ∈ [1e-8, 1]
  const kappa = 1e8;
  const y = randomVector(n, mulberry32(13));
  const b = new Float64Array(n);
  p.apply(y, b); // x* = y, so ‖x*‖ is O(1) and maxxnorm is not in play
  const xStar = pinvSolve(p, b);
  const rtol = 1e-10;
  // Error budget: (a) 2κ·rtol = 2e-2, plus forming A in floating point, n·eps·κ ≈ 7e-7.
  const budget = 2 * kappa * rtol + n * EPS * kappa;

  const mixed = minresQlp(p.apply, b, { rtol, maxit: 10 * n }); // trancond = 1e7
  assert.equal(mixed.exit, 'rtol', describe(mixed));
  assert.ok(mixed.qlpIterations > 0 && mixed.qlpIterations < mixed.iterations, describe(mixed));
  assert.ok(diffNorm(mixed.x, xStar) / normT(xStar) <= budget);

  const qlpOnly = minresQlp(p.apply, b, { rtol, maxit: 10 * n, trancond: 1 });
  assert.equal(qlpOnly.qlpIterations, qlpOnly.iterations);
  assert.ok(diffNorm(qlpOnly.x, xStar) / normT(xStar) <= budget);

  const minresOnly = minresQlp(p.apply, b, { rtol, maxit: 10 * n, trancond: 1e15 });
  assert.equal(minresOnly.qlpIterations, 0);
  assert.ok(diffNorm(minresOnly.x, xStar) / normT(xStar) <= budget);

  // The three variants are the same Krylov iterates in exact arithmetic and stop at the same step.
  assert.equal(qlpOnly.iterations, mixed.iterations);
  assert.equal(minresOnly.iterations, mixed.iterations);

  // The paper's point: on ill-conditioned systems QLP updates reach a smaller true residual than
  // MINRES updates (whose attainable relres is ~eps·cond(T_k)·‖x‖-limited). Run to maxit.
  const deep = { rtol: 1e-14, maxit: 10 * n };
  const q = minresQlp(p.apply, b, { ...deep, trancond: 1 });
  const m = minresQlp(p.apply, b, { ...deep, trancond: 1e15 });
  assert.ok(q.relres * 10 <= m.relres, `QLP relres ${q.relres} vs MINRES relres ${m.relres}`);
});

test('b = 0 → x = 0, exit b-zero, no apply', () => {
  const ctr = counted(diagApply([1, 2, 3]));
  const res = minresQlp(ctr.apply, new Float64Array(3));
  assert.equal(res.exit, 'b-zero');
  assert.deepEqual(Array.from(res.x), [0, 0, 0]);
  assert.equal(res.iterations, 0);
  assert.equal(ctr.calls, 0);
});

test('one-dimensional Krylov space: A b = 0 and A b = α b', () => {
  // b in ker A: x = 0 is the minimum-length least-squares solution.
  const z = minresQlp(diagApply([0, 0, 1, 2]), new Float64Array([1, 0, 0, 0]));
  assert.equal(z.exit, 'x-zero-is-solution');
  assert.deepEqual(Array.from(z.x), [0, 0, 0, 0]);
  // b an eigenvector (λ = 2, all products exact): x = b/2.
  const e = minresQlp(diagApply([2, 3, 4]), new Float64Array([3, 0, 0]));
  assert.equal(e.exit, 'b-eigenvector');
  assert.deepEqual(Array.from(e.x), [1.5, 0, 0]);
  assert.equal(e.rnorm, 0);
});

test('shift: (A − σI)x = b matches the closed form', () => {
  const n = 30;
  const lambda = spectrum(n, 1, 10, false);
  const p = eigProblem(lambda, 6);
  const b = randomVector(n, mulberry32(16));
  const sigma = 2.7; // inside the spectrum: A − σI is indefinite
  const gaps = lambda.map((l) => Math.abs(l - sigma));
  const kappaS = Math.max(...gaps) / Math.min(...gaps);
  const rtol = 1e-12;
  const res = minresQlp(p.apply, b, { rtol, shift: sigma, maxit: 4 * n });
  const xStar = pinvSolve(p, b, sigma);
  assert.equal(res.exit, 'rtol', describe(res));
  // (a) for A − σI: 2κ_σ·rtol, plus rounding n·eps·κ_σ.
  const budget = 2 * kappaS * rtol + n * EPS * kappaS;
  assert.ok(diffNorm(res.x, xStar) / normT(xStar) <= budget, `${diffNorm(res.x, xStar) / normT(xStar)} > ${budget}`);
  // The returned residuals are those of the shifted system.
  const rr = residuals(p, res.x, b, sigma);
  assert.ok(Math.abs(rr.rnorm - res.rnorm) <= 1e-12 * res.rnorm + 1e-15 * normT(b));
});

test('singular compatible (b ∈ range A): x = pinv(A)b, no kernel component', () => {
  const n = 30;
  const lambda = [0, 0, 0, ...spectrum(n - 3, 1, 10, true)]; // ker A has dimension 3, σ₊ = 1
  const p = eigProblem(lambda, 4);
  const b = new Float64Array(n);
  p.apply(randomVector(n, mulberry32(14)), b);
  const xStar = pinvSolve(p, b); // = P_range y
  const rtol = 1e-12;
  const res = minresQlp(p.apply, b, { rtol, maxit: 4 * n });
  assert.equal(res.exit, 'rtol', describe(res));
  const err = splitError(p, res.x, xStar);
  // Range part by (a) on range(A) with κ₊ = 10: 2κ₊·rtol = 2e-11 (+ rounding) → 1e-10·‖x*‖.
  assert.ok(err.range <= 1e-10 * normT(xStar), JSON.stringify(err));
  // Kernel part: b's kernel component is rounding (~n·eps·‖A‖‖y‖), amplified at most by Acond.
  assert.ok(err.ker <= 10 * EPS * res.Acond * normT(xStar) * n, JSON.stringify(err));
});

test('singular incompatible: minimum-length least-squares solution pinv(A)b', async (t) => {
  await t.test('diag(1,2,3,0): exact Krylov termination at step 4', () => {
    const apply = diagApply([1, 2, 3, 0]);
    // b = 1: pinv(A)b = (1, 1/2, 1/3, 0). b = (1,2,3,1): pinv(A)b = (1, 1, 1, 0).
    for (const [b, xStar] of [
      [[1, 1, 1, 1], [1, 1 / 2, 1 / 3, 0]],
      [[1, 2, 3, 1], [1, 1, 1, 0]],
    ]) {
      const bb = new Float64Array(b);
      const res = minresQlp(apply, bb, { rtol: 1e-12 });
      assert.ok(LEAST_SQUARES_EXITS.has(res.exit), describe(res));
      // Four Lanczos steps on a 4×4 problem with κ₊ = 3: error a few ulps → 1e-14.
      for (let i = 0; i < 4; i++) assert.ok(Math.abs(res.x[i] - xStar[i]) <= 1e-14, `x = ${Array.from(res.x)}`);
      // r = (0,0,0,1) exactly: ‖r‖ = 1, Ar = 0. relres = 1/(Anorm‖x‖ + ‖b‖) ≥ 1/(3·√3 + √15) > 0.1.
      assert.ok(res.relres > 0.1, describe(res));
      assert.ok(res.relAres <= 1e-14, describe(res));
    }
  });

  await t.test('30×30, spectrum exhausted at step 10 (9 distinct nonzero eigenvalues)', () => {
    const n = 30;
    const values = [1, 2, 3, -1.5, -2.5, 4, -4.5, 5, -0.5];
    const lambda = [0, 0, 0, ...Array.from({ length: n - 3 }, (_, i) => values[i % values.length])];
    const p = eigProblem(lambda, 5);
    const b = randomVector(n, mulberry32(15));
    const xStar = pinvSolve(p, b);
    const res = minresQlp(p.apply, b, { rtol: 1e-12, maxit: 4 * n });
    assert.ok(LEAST_SQUARES_EXITS.has(res.exit), describe(res));
    const sigmaPlus = 0.5;
    const err = splitError(p, res.x, xStar);
    // (b): ‖P_range(x − x*)‖ ≤ ‖Ar‖/σ₊², plus rounding in A (n·eps·κ₊·‖x*‖).
    assert.ok(err.range <= res.Arnorm / sigmaPlus ** 2 + n * EPS * 10 * normT(xStar), JSON.stringify(err));
    assert.ok(err.total <= 1e-10 * normT(xStar), JSON.stringify(err));
    // ‖r‖ ≥ ‖P_ker b‖ for every x: relres must stay large.
    const bKer = kernelComponent(p, b);
    assert.ok(res.relres >= (bKer / (res.Anorm * res.xnorm + normT(b))) * (1 - 1e-12), describe(res));
    assert.ok(res.relAres <= 1e-10, describe(res));
  });

  await t.test('30×30 continuous spectrum: null direction detected by maxxnorm', () => {
    const n = 30;
    const lambda = [0, 0, ...spectrum(n - 2, 1, 4, false)]; // σ₊ = 1, ‖A‖ = 4
    const p = eigProblem(lambda, 5);
    const b = randomVector(n, mulberry32(15));
    const xStar = pinvSolve(p, b);
    // minresQLP.m's examples for singular systems use maxxnorm = 1e2.
    const opts = { rtol: 1e-12, maxit: 4 * n, maxxnorm: 1e2 };
    const res = minresQlp(p.apply, b, opts);
    assert.ok(LEAST_SQUARES_EXITS.has(res.exit), describe(res));
    assert.ok(res.qlpIterations > 0);
    const err = splitError(p, res.x, xStar);
    // (b) with σ₊ = 1, plus rounding.
    assert.ok(err.range <= res.Arnorm + n * EPS * 4 * normT(xStar), JSON.stringify(err));
    // Kernel part left after dropping u_k: rounding amplified by cond(T_k) ≤ Acond.
    assert.ok(err.ker <= 10 * EPS * res.Acond * normT(xStar), JSON.stringify(err));
    assert.ok(err.total <= 1e-6 * normT(xStar), JSON.stringify(err));
    const bKer = kernelComponent(p, b);
    assert.ok(res.relres >= (bKer / (res.Anorm * res.xnorm + normT(b))) * (1 - 1e-12));
    // Without the final truncation the iterate carries an O(‖x*‖) kernel component (it equals the
    // MINRES iterate): stopping one step earlier shows it.
    const before = minresQlp(p.apply, b, { ...opts, maxit: res.iterations });
    assert.equal(before.exit, 'maxit');
    assert.ok(kernelComponent(p, before.x) >= 0.1 * normT(xStar), describe(before));
  });
});

test('maxit: 3 iterations on a 50×50 problem', () => {
  const n = 50;
  const p = eigProblem(spectrum(n, 1, 100, true), 7);
  const b = randomVector(n, mulberry32(17));
  const ctr = counted(p.apply);
  const res = minresQlp(ctr.apply, b, { rtol: 1e-12, maxit: 3 });
  assert.equal(res.exit, 'maxit');
  assert.equal(res.iterations, 3);
  assert.equal(ctr.calls, 3 + 2);
  // Default maxit is n.
  const d = minresQlp(p.apply, b, { rtol: 1e-300 });
  assert.equal(d.exit, 'maxit');
  assert.equal(d.iterations, n);
});

test('estimates: Anorm ≤ ‖A‖₂, close to it after convergence; relres/relAres match the returned x', () => {
  const n = 30;
  const cases: Array<[TestProblem, Float64Array, number]> = [];
  {
    const p = eigProblem(spectrum(n, 1, 10, false), 1);
    cases.push([p, randomVector(n, mulberry32(11)), 0]);
  }
  {
    const p = eigProblem(spectrum(n, 1, 10, true), 2);
    cases.push([p, randomVector(n, mulberry32(12)), 0]);
    cases.push([p, randomVector(n, mulberry32(18)), 0.3]);
  }
  {
    const p = eigProblem([0, 0, ...spectrum(n - 2, 1, 4, false)], 5);
    cases.push([p, randomVector(n, mulberry32(15)), 0]);
  }
  for (const [p, b, sigma] of cases) {
    const res = minresQlp(p.apply, b, { rtol: 1e-12, maxit: 4 * n, shift: sigma, maxxnorm: 1e2 });
    const normA = Math.max(...p.lambda.map((l) => Math.abs(l - sigma)));
    // Every term of Anorm is a column norm of T or an entry of L, hence ≤ ‖T‖ ≤ ‖A‖ (+ rounding).
    assert.ok(res.Anorm <= normA * (1 + 1e-12), `${res.Anorm} > ${normA}`);
    // ‖T‖₂ ≤ √(‖T‖₁‖T‖∞) ≤ √3·max_k‖T e_k‖ (three nonzeros per column), and ‖T‖₂ → ‖A‖ once the
    // extreme Ritz value has converged, which it has after these ≥ n/2 steps: Anorm ≥ ‖A‖/√3.
    assert.ok(res.Anorm >= (0.99 * normA) / Math.sqrt(3), `${res.Anorm} vs ${normA}`);
    // relres and relAres recomputed from x, with the solver's Anorm.
    const rr = residuals(p, res.x, b, sigma);
    const xn = normT(res.x);
    const relres = rr.rnorm / (res.Anorm * xn + normT(b));
    const relAres = rr.Arnorm / (res.Anorm * rr.rnorm);
    // The solver forms r = b − Ax + σx, the test b − (Ax − σx): the two r's differ by the rounding
    // of that sum, δr ≤ n·eps·(‖b‖ + √n·‖A − σI‖‖x‖) (|fl(Ax) − Ax| ≤ n·eps·|A||x|), which is not
    // small relative to a converged r. Propagating δr through both definitions:
    const dr = n * EPS * (normT(b) + Math.sqrt(n) * normA * xn);
    const relresTol = dr / (res.Anorm * xn + normT(b)) + 1e-13 * relres;
    const relAresTol = ((normA / res.Anorm + relAres) * dr) / rr.rnorm + 1e-13 * relAres;
    assert.ok(Math.abs(relres - res.relres) <= relresTol, `${relres} vs ${res.relres}`);
    assert.ok(Math.abs(relAres - res.relAres) <= relAresTol, `${relAres} vs ${res.relAres}`);
    // Where r is not at rounding level (the incompatible case) the agreement is tight.
    if (rr.rnorm > 1e3 * dr) assert.ok(Math.abs(relAres - res.relAres) <= 1e-10 * relAres);
    assert.ok(Math.abs(xn - res.xnorm) <= 1e-13 * xn);
  }
});

test('NaN/Inf from apply → exit nan-or-inf, x finite (the last good iterate)', () => {
  const n = 20;
  const p = eigProblem(spectrum(n, 1, 10, true), 8);
  const b = randomVector(n, mulberry32(19));
  for (const bad of [NaN, Infinity]) {
    let calls = 0;
    const apply = (v: Float64Array, out: Float64Array) => {
      calls++;
      p.apply(v, out);
      if (calls === 5) out[3] = bad;
    };
    const res = minresQlp(apply, b, { rtol: 1e-12 });
    assert.equal(res.exit, 'nan-or-inf');
    assert.equal(res.iterations, 4);
    assert.equal(calls, 5); // stops at once, no final check through the broken operator
    assert.ok(res.x.every(Number.isFinite));
    // x is exactly the 4-step iterate.
    const ref = minresQlp(p.apply, b, { rtol: 1e-12, maxit: 4 });
    assert.deepEqual(Array.from(res.x), Array.from(ref.x));
    assert.ok(Number.isFinite(res.rnorm) && Number.isFinite(res.relres));
  }
  // Non-finite b.
  const bad = minresQlp(p.apply, new Float64Array(n).fill(NaN));
  assert.equal(bad.exit, 'nan-or-inf');
  assert.ok(bad.x.every((v) => v === 0));
});
