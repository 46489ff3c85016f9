import test from 'node:test';
import assert from 'node:assert/strict';
import { classifyPoint, rayleighIndices, residualsOf } from './flatness.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { assertClose } from '../testing/assert-close.js';

// H = diag(2, 0), gradient g = Hθ + b. With b = (0, 1), g always has the component 1 in ker H.
const oracle = QuadraticOracle.diagonal([2, 0], [0, 1]);

test('r(0) = 1, and the exact Newton solution has r = 0 on a compatible system', () => {
  const theta = Float64Array.of(1, 0);
  const g = oracle.gradient(theta).gradient; // (2, 1): incompatible part 1
  assert.equal(residualsOf(oracle, theta, g, new Float64Array(2), 2).r, 1);
  const spd = QuadraticOracle.diagonal([2, 4], [0, 1]);
  const g2 = spd.gradient(theta).gradient; // (2, 1)
  const p = Float64Array.of(-1, -0.25); // −H⁻¹g
  assert.equal(residualsOf(spd, theta, g2, p, Math.hypot(2, 4)).r, 0);
});

test('at a strict gradient-flat point (g ∈ ker H): r = 1 for the min-norm solution p = 0, and the Rayleigh index is 0', () => {
  const theta = Float64Array.of(0, 5);
  const g = oracle.gradient(theta).gradient; // (0, 1) ∈ ker H
  const res = residualsOf(oracle, theta, g, new Float64Array(2), 2);
  assert.equal(res.r, 1);
  assert.equal(res.rH, 0); // H(Hp + g) = Hg = 0
  assert.deepEqual(rayleighIndices(oracle, theta, g, 2), { rayleigh: 0, hgRatio: 0 });
});

test('least-squares solution away from flatness: r and rH match their closed forms', () => {
  const theta = Float64Array.of(1, 0);
  const g = oracle.gradient(theta).gradient; // (2, 1)
  const p = Float64Array.of(-1, 0); // min-norm LS solution of Hp = −g
  const res = residualsOf(oracle, theta, g, p, 2);
  // Hp + g = (0, 1): r = 1 / (2·1 + √5); H(Hp + g) = 0: rH = 0
  assertClose(res.r, 1 / (2 + Math.sqrt(5)), 1e-15);
  assert.equal(res.rH, 0);
});

test('classes follow the figures: critical by ‖g‖², else flat by r, with an optional rH test', () => {
  assert.equal(classifyPoint(1e-9, 0.99, 1), 'critical');
  assert.equal(classifyPoint(1e-3, 0.95, 1), 'gradient-flat');
  assert.equal(classifyPoint(1e-3, 0.5, 0), 'neither');
  assert.equal(classifyPoint(1e-3, 0.95, 1e-2, { critical: 1e-8, flatR: 0.9, flatRH: 5e-4 }), 'neither');
  assert.equal(classifyPoint(1e-3, 0.95, 1e-5, { critical: 1e-8, flatR: 0.9, flatRH: 5e-4 }), 'gradient-flat');
});
