import test from 'node:test';
import assert from 'node:assert/strict';
import { classifyPaper, nonFiniteWarning } from './flatness.js';
import { evaluatePoint } from './evaluate-point.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';

// Regression: a diverged run (‖g‖² = ∞, r = 1 from the solver's nan-or-inf exit) was classed gradient-flat.
test('a point with a non-finite loss, ‖g‖² or r is never critical or gradient-flat', () => {
  for (const [g, r, rH, loss] of [[Infinity, 1, 0, 1], [NaN, 0.99, 0, 1], [1e-3, NaN, 0, 1], [1e-12, 0.99, 0, Infinity], [1e-3, 0.95, 0, NaN], [1e-3, Infinity, 0, 0]]) {
    assert.equal(classifyPaper(g, r, rH, undefined, loss), 'non-finite', `‖g‖² ${g}, r ${r}, loss ${loss}`);
  }
  // rH matters only when the co-kernel test is on.
  assert.equal(classifyPaper(1e-3, 0.95, NaN), 'gradient-flat');
  assert.equal(classifyPaper(1e-3, 0.95, NaN, { critical: 1e-8, flatR: 0.9, flatRH: 5e-4 }), 'non-finite');
  // Finite inputs keep the figures' classes; the loss defaults to a finite value for old callers.
  assert.equal(classifyPaper(1e-9, 0.99, 1), 'critical');
  assert.equal(classifyPaper(1e-3, 0.95, 1, undefined, 1e300), 'gradient-flat');
});

test('evaluatePoint classes an overflowing quartic point non-finite', () => {
  // f = 0.25x⁴ + …: at x = 1e100 the loss and ‖g‖² overflow to ∞ while the Hessian stays finite.
  const rep = evaluatePoint(new QuarticOracle(), Float64Array.of(1e100, 0), typescriptKernels);
  assert.equal(rep.loss, Infinity);
  assert.equal(rep.class, 'non-finite');
  const ok = evaluatePoint(new QuarticOracle(), Float64Array.of(-3, 0), typescriptKernels);
  assert.equal(ok.class, 'critical');
});

test('the warning names the count and says the points are counted apart', () => {
  assert.equal(nonFiniteWarning(0, 5, 'runs'), undefined);
  assert.match(nonFiniteWarning(2, 5, 'runs')!, /2 of 5 runs ended at a non-finite point.*'non-finite', never critical or gradient-flat/);
});
