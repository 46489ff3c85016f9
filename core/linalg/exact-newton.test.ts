import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../random/rng.js';
import { combination, spectralApply, spectralMatrix, type SpectralMatrix } from '../testing/spectral-matrices.js';
import { DEFAULT_PINV_RCOND, denseMatVec, effectiveRcond, levenbergMarquardtSolve, pseudoInverseSolve, type EigenDecomposition } from './exact-newton.js';
import { typescriptKernels } from './kernels-typescript.js';
import { norm2 } from './vector.js';

const eigOf = (m: SpectralMatrix): EigenDecomposition => {
  const { values, vectors } = typescriptKernels.symmetricEigen(m.a, m.n, true);
  return { n: m.n, values, vectors: vectors! };
};
const diff = (a: Float64Array, b: Float64Array) => norm2(Float64Array.from(a, (v, i) => v - b[i]));
const relResidual = (m: SpectralMatrix, x: Float64Array, b: Float64Array) => diff(denseMatVec(m.a, m.n, x), b) / norm2(b);

const rng = new Rng(12);
const n = 40;
const spd = Array.from({ length: n }, (_, i) => 10 ** (-3 * i / (n - 1))); // κ = 1e3
const indefinite = Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (0.1 + i / n));
const singular = Array.from({ length: n }, (_, i) => (i < 6 ? 0 : (i % 3 ? 1 : -1) * (0.05 + i / n)));

for (const [name, lambda, seed] of [['SPD', spd, 1], ['indefinite', indefinite, 2], ['singular', singular, 3]] as const) {
  test(`pseudo-inverse solve: ${name} compatible system solved to ≤ 1e-10 relative`, () => {
    const m = spectralMatrix([...lambda], seed);
    // b in range(A): components only along eigenvectors with λ ≠ 0.
    const b = combination(m, (k) => (m.lambda[k] === 0 ? 0 : rng.normal()));
    const s = pseudoInverseSolve(eigOf(m), b);
    assert.ok(relResidual(m, s.x, b) <= 1e-10, `‖Ax − b‖/‖b‖ = ${relResidual(m, s.x, b)}`);
    const exact = spectralApply(m, b, (l) => 1 / l);
    assert.ok(diff(s.x, exact) <= 1e-10 * norm2(exact), `‖x − A⁺b‖/‖A⁺b‖ = ${diff(s.x, exact) / norm2(exact)}`);
    assert.equal(s.rank, m.lambda.filter((l) => l !== 0).length);
    assert.equal(s.cutoff, effectiveRcond(DEFAULT_PINV_RCOND, m.n) * s.spectralNorm);
    assert.equal(s.cutoff, m.n * Number.EPSILON * s.spectralNorm, 'the default keeps everything above the noise floor n·eps·‖A‖₂');
    assert.ok(Math.abs(s.spectralNorm - Math.max(...m.lambda.map(Math.abs))) <= 1e-13, '‖A‖₂ = max |λ|');
  });
}

test('pseudo-inverse solve: singular incompatible system gives the minimum-norm least-squares solution A⁺b', () => {
  const m = spectralMatrix([...singular], 4);
  const b = combination(m, () => rng.normal()); // has a kernel component: no exact solution
  const s = pseudoInverseSolve(eigOf(m), b);
  const exact = spectralApply(m, b, (l) => 1 / l);
  assert.ok(diff(s.x, exact) <= 1e-10 * norm2(exact), `‖x − A⁺b‖/‖A⁺b‖ = ${diff(s.x, exact) / norm2(exact)}`);
  // Least squares: the residual is orthogonal to range(A), i.e. A(Ax − b) ≈ 0; minimum norm: x ⟂ ker A.
  const r = denseMatVec(m.a, m.n, s.x).map((v, i) => v - b[i]);
  assert.ok(norm2(denseMatVec(m.a, m.n, r)) <= 1e-12 * norm2(b));
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(m.q[k].reduce((t, q, i) => t + q * s.x[i], 0)) <= 1e-12 * norm2(s.x), `x has no component along kernel vector ${k}`);
});

test('the cutoff drops eigenvalues |λ| ≤ rcond·‖A‖₂ and keeps the others', () => {
  const m = spectralMatrix([2, 1, 1e-6, -1e-9, 0.5], 5);
  const e = eigOf(m);
  const b = combination(m, () => 1);
  assert.equal(pseudoInverseSolve(e, b, 1e-8).rank, 4);
  assert.equal(pseudoInverseSolve(e, b, 1e-5).rank, 3);
  const x = pseudoInverseSolve(e, b, 1e-5).x;
  assert.ok(diff(x, spectralApply(m, b, (l) => (Math.abs(l) > 2e-5 ? 1 / l : 0))) <= 1e-9 * norm2(x));
  assert.throws(() => pseudoInverseSolve(e, b, -1), /rcond must be a finite number ≥ 0/);
});

test('the default cutoff is the noise floor n·eps·‖A‖₂: an eigenvalue at 1e-11·‖A‖₂ is kept and solved, one at eps·‖A‖₂ is not', () => {
  // The fixed 1e-10 cutoff used before dropped real curvature such as the 1e-11 here, leaving
  // b's component along it unsolved.
  const m = spectralMatrix([2, 1, 2e-11, 2 * Number.EPSILON * 0.5, 0.5], 6);
  const e = eigOf(m);
  const b = combination(m, (k) => (k === 3 ? 0 : 1));
  const s = pseudoInverseSolve(e, b);
  assert.equal(s.rank, 4);
  assert.ok(relResidual(m, s.x, b) <= 1e-4, `‖Ax − b‖/‖b‖ = ${relResidual(m, s.x, b)} with the 2e-11 direction kept`);
  assert.equal(pseudoInverseSolve(e, b, 1e-10).rank, 3, 'an explicit rcond still truncates');
});

test('Levenberg–Marquardt: x(μ) = (A² + μI)⁻¹Ab in closed form, and x(μ) → A⁺b as μ → 0', () => {
  const m = spectralMatrix([...singular], 6);
  const e = eigOf(m);
  const b = combination(m, () => rng.normal());
  const pinv = pseudoInverseSolve(e, b).x;
  const lm = levenbergMarquardtSolve(e, b, 0.3).x;
  const closed = spectralApply(m, b, (l) => l / (l * l + 0.3));
  assert.ok(diff(lm, closed) <= 1e-10 * norm2(closed));
  let prev = Infinity;
  for (const mu of [1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-12]) {
    const d = diff(levenbergMarquardtSolve(e, b, mu).x, pinv) / norm2(pinv);
    assert.ok(d < prev, `‖x(μ) − A⁺b‖ decreases (μ = ${mu}: ${d})`);
    prev = d;
  }
  assert.ok(prev <= 1e-8, `at μ = 1e-12: ${prev}`);
  assert.deepEqual(levenbergMarquardtSolve(e, b, 0).x.map((v, i) => Math.abs(v - pinv[i]) <= 1e-12 * norm2(pinv) ? 0 : 1).reduce((a, c) => a + c, 0), 0);
  assert.throws(() => levenbergMarquardtSolve(e, b, -1), /μ must be a finite number ≥ 0/);
});
