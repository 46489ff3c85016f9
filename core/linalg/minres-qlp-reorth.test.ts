import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../random/rng.js';
import { combination, spectralApply, spectralMatrix } from '../testing/spectral-matrices.js';
import { denseMatVec } from './exact-newton.js';
import { minresQlp } from './minres-qlp.js';
import { norm2 } from './vector.js';

const diff = (a: Float64Array, b: Float64Array) => norm2(Float64Array.from(a, (v, i) => v - b[i]));

test('MINRES-QLP with reorthogonalisation agrees with the exact solution on small well-conditioned systems', () => {
  const rng = new Rng(3);
  for (const [seed, lambda] of [
    [1, Array.from({ length: 30 }, (_, i) => 1 + i / 10)],
    [2, Array.from({ length: 30 }, (_, i) => (i % 2 ? -1 : 1) * (1 + i / 10))],
  ] as const) {
    const m = spectralMatrix([...lambda], seed);
    const b = combination(m, () => rng.normal());
    const exact = spectralApply(m, b, (l) => 1 / l);
    const s = minresQlp((v, out) => { denseMatVec(m.a, m.n, v, out); }, b, { rtol: 1e-14, reorthogonalize: true });
    assert.ok(diff(s.x, exact) <= 1e-12 * norm2(exact), `seed ${seed}: ‖x − A⁻¹b‖/‖A⁻¹b‖ = ${diff(s.x, exact) / norm2(exact)}`);
  }
});

test('on an ill-conditioned system with maxit = n, reorthogonalisation is at least as accurate as plain MINRES-QLP', () => {
  // Eigenvalues spread over 10 decades, clustered at both ends: plain Lanczos loses orthogonality
  // and n steps do not span the space; with full reorthogonalisation n steps do.
  const n = 120;
  const lambda = Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * 10 ** (-10 * (i / (n - 1)) ** 0.5));
  const m = spectralMatrix(lambda, 7);
  const rng = new Rng(9);
  const b = combination(m, () => rng.normal());
  const exact = spectralApply(m, b, (l) => 1 / l);
  const opts = { rtol: 1e-16, maxit: n, maxxnorm: 1e30, acondlim: 1e30, trancond: 1e30 };
  const plain = minresQlp((v, out) => { denseMatVec(m.a, m.n, v, out); }, b, opts);
  const reorth = minresQlp((v, out) => { denseMatVec(m.a, m.n, v, out); }, b, { ...opts, reorthogonalize: true });
  const res = (x: Float64Array) => diff(denseMatVec(m.a, m.n, x), b) / norm2(b);
  const err = (x: Float64Array) => diff(x, exact) / norm2(exact);
  assert.ok(res(reorth.x) <= res(plain.x), `true residual: reorth ${res(reorth.x)} vs plain ${res(plain.x)}`);
  assert.ok(err(reorth.x) <= err(plain.x), `error: reorth ${err(reorth.x)} vs plain ${err(plain.x)}`);
  assert.ok(res(reorth.x) <= 1e-6, `reorth residual ${res(reorth.x)}`);
});

test('the reorthogonalising option leaves the default path alone: same iterates as before when off', () => {
  const m = spectralMatrix(Array.from({ length: 20 }, (_, i) => i - 9.5), 11);
  const b = combination(m, (k) => 1 + k);
  const a = minresQlp((v, out) => { denseMatVec(m.a, m.n, v, out); }, b, { rtol: 1e-12 });
  const c = minresQlp((v, out) => { denseMatVec(m.a, m.n, v, out); }, b, { rtol: 1e-12, reorthogonalize: false });
  assert.deepEqual(Array.from(a.x), Array.from(c.x));
  assert.equal(a.iterations, c.iterations);
});
