import test from 'node:test';
import assert from 'node:assert/strict';
import { QuarticOracle, QUARTIC_CRITICAL_POINT, QUARTIC_FLAT_MINIMUM, QUARTIC_FLAT_SADDLE, quarticGrid } from './oracle.js';
import { assertClose } from '../../core/testing/assert-close.js';

const q = new QuarticOracle();

test('gradient matches central differences of the loss; HVP matches central differences of the gradient', () => {
  // Central differences: truncation O(h²·f‴) ≈ 1e-8 at h = 1e-4, round-off O(eps·f/h) ≈ 1e-10.
  const h = 1e-4;
  for (const [x, y] of [[0.3, -0.7], [-2.5, 1.1], [3, 2]]) {
    const t = Float64Array.of(x, y);
    const g = q.gradient(t).gradient;
    for (let i = 0; i < 2; i++) {
      const tp = Float64Array.from(t); tp[i] += h;
      const tm = Float64Array.from(t); tm[i] -= h;
      assertClose(g[i], (q.loss(tp) - q.loss(tm)) / (2 * h), 1e-6 * (1 + Math.abs(g[i])), `∂f/∂θ${i}`);
      const hv = q.hvp(t, Float64Array.of(i === 0 ? 1 : 0, i === 1 ? 1 : 0));
      const gp = q.gradient(tp).gradient, gm = q.gradient(tm).gradient;
      for (let j = 0; j < 2; j++) assertClose(hv[j], (gp[j] - gm[j]) / (2 * h), 1e-6 * (1 + Math.abs(hv[j])), `H[${j},${i}]`);
    }
  }
});

test('(−3, 0) is critical; (±√2, 0) are strict gradient-flat: g ≠ 0 but Hg = 0', () => {
  assert.deepEqual(Array.from(q.gradient(Float64Array.from(QUARTIC_CRITICAL_POINT)).gradient), [0, 0]);
  for (const p of [QUARTIC_FLAT_MINIMUM, QUARTIC_FLAT_SADDLE]) {
    const t = Float64Array.from(p);
    const g = q.gradient(t).gradient;
    assert.ok(Math.abs(g[0]) > 1);
    const hg = q.hvp(t, g);
    assertClose(hg[0], 0, 1e-13 * Math.abs(g[0]), 'Hg');
    assert.equal(hg[1], 0);
  }
  const g = q.gradient(Float64Array.from(QUARTIC_FLAT_MINIMUM)).gradient;
  assertClose(g[0] * g[0] + g[1] * g[1], (9 - 4 * Math.SQRT2) ** 2, 1e-12, '‖g‖² at (√2, 0)');
});

test('grid covers [−4, 4]² with m² points and rejects bad sizes', () => {
  const g = quarticGrid(5);
  assert.equal(g.length, 25);
  assert.deepEqual(Array.from(g[0]), [-4, -4]);
  assert.deepEqual(Array.from(g[24]), [4, 4]);
  assert.throws(() => quarticGrid(0), /positive integer/);
});

test('non-finite or wrong-length θ is rejected with a clear message', () => {
  assert.throws(() => q.loss(Float64Array.of(NaN, 0)), /non-finite entry NaN at index 0/);
  assert.throws(() => q.gradient(Float64Array.of(1)), /length 1, but the problem has 2 parameters/);
});
