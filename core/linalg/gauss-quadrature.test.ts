import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../random/rng.js';
import { assertClose } from '../testing/assert-close.js';
import { distributionBracket, gaussRule, intervalBracket, radauRule } from './gauss-quadrature.js';
import { lanczos, type LinearOperator } from './lanczos.js';

// A diagonal operator with a chosen spectrum and a start u: μ = Σ u_i² δ(d_i) / ‖u‖², so every
// moment and every value of the distribution function is a closed form.
function setup(n: number, seed: number) {
  const rng = new Rng(seed);
  const d = Float64Array.from({ length: n }, () => 2 * rng.uniform() - 1);
  const u = Float64Array.from({ length: n }, () => rng.normal());
  const op: LinearOperator = (v, out) => { for (let i = 0; i < n; i++) out[i] = d[i] * v[i]; };
  const uu = u.reduce((t, x) => t + x * x, 0);
  const moment = (m: number) => d.reduce((t, x, i) => t + x ** m * u[i] * u[i], 0) / uu;
  const cdf = (x: number, closed: boolean) => d.reduce((t, y, i) => t + ((closed ? y <= x : y < x) ? u[i] * u[i] : 0), 0) / uu;
  return { d, u, op, moment, cdf };
}

test('the k-node Gauss rule integrates moments 0 … 2k − 1 exactly, and not 2k (Golub–Welsch)', () => {
  const { u, op, moment } = setup(60, 1);
  const k = 6;
  const run = lanczos(op, 60, u, k);
  const rule = gaussRule(run.alpha, run.beta, k);
  const q = (m: number) => rule.nodes.reduce((t, x, i) => t + x ** m * rule.weights[i], 0);
  for (let m = 0; m < 2 * k; m++) assertClose(q(m), moment(m), 1e-12, `moment ${m}`);
  assert.ok(Math.abs(q(2 * k) - moment(2 * k)) > 1e-8, 'degree 2k is not exact (the rule would be the measure)');
});

test('the Gauss–Radau rule has a node at x and integrates moments 0 … 2k exactly', () => {
  const { u, op, moment } = setup(60, 2);
  const k = 5;
  const run = lanczos(op, 60, u, k);
  for (const x of [-1.2, -0.3, 0.01, 0.5, 1.1]) {
    const rule = radauRule(run.alpha, run.beta, k, x)!;
    assert.equal(rule.nodes.length, k + 1);
    assert.ok(rule.nodes.some((v) => Math.abs(v - x) < 1e-12), `a node at ${x}`);
    const q = (m: number) => rule.nodes.reduce((t, v, i) => t + v ** m * rule.weights[i], 0);
    for (let m = 0; m <= 2 * k; m++) assertClose(q(m), moment(m), 1e-11, `x = ${x}, moment ${m}`);
  }
});

test('CMS: the bracket contains μ((−∞, x)) and μ((−∞, x]) at every k, and closes when the space is exhausted', () => {
  for (const seed of [3, 4, 5]) {
    const n = 40;
    const { u, op, cdf, d } = setup(n, seed);
    const xs = [-0.9, -0.5, -0.05, 0, 0.02, 0.3, 0.77, d[7] /* an eigenvalue */];
    for (const k of [1, 3, 8, 15, 25, n]) {
      const run = lanczos(op, n, u, k);
      for (const x of xs) {
        const [lo, hi] = distributionBracket(run.alpha, run.beta, run.steps, x);
        assert.ok(lo <= cdf(x, false) + 1e-12, `seed ${seed} k ${k} x ${x}: lower ${lo} ≤ F(x−) ${cdf(x, false)}`);
        assert.ok(cdf(x, true) <= hi + 1e-12, `seed ${seed} k ${k} x ${x}: F(x) ${cdf(x, true)} ≤ upper ${hi}`);
        if (k === n) {
          assert.ok(run.invariant);
          assertClose(lo, cdf(x, false), 1e-10, `exhausted: lower = F(x−) at ${x}`);
          assertClose(hi, cdf(x, true), 1e-10, `exhausted: upper = F(x) at ${x}`);
        }
      }
    }
  }
});

test('the interval bracket contains μ([−a, a]), also with the end known only within [aLow, aHigh]', () => {
  const n = 50;
  const { u, op, cdf } = setup(n, 6);
  const share = (a: number) => cdf(a, true) - cdf(-a, false);
  for (const k of [2, 6, 12, 30]) {
    const run = lanczos(op, n, u, k);
    for (const a of [0.01, 0.1, 0.4, 0.9]) {
      const [lo, hi] = intervalBracket(run.alpha, run.beta, run.steps, a);
      assert.ok(lo <= share(a) + 1e-12 && share(a) <= hi + 1e-12, `k ${k} a ${a}: ${lo} ≤ ${share(a)} ≤ ${hi}`);
      const [lo2, hi2] = intervalBracket(run.alpha, run.beta, run.steps, 0.9 * a, 1.1 * a);
      assert.ok(lo2 <= share(0.9 * a) + 1e-12 && share(1.1 * a) <= hi2 + 1e-12, `k ${k} a ∈ [${0.9 * a}, ${1.1 * a}]`);
    }
  }
});

test('k = 0 knows nothing: [0, 1]', () => {
  assert.deepEqual(distributionBracket([], [], 0, 0.5), [0, 1]);
});
