import test from 'node:test';
import assert from 'node:assert/strict';
import { morseIndex } from './spectrum.js';
import { denseHessian } from '../oracle/dense-hessian.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import type { Oracle } from '../oracle/oracle.js';

test('Morse index is the fraction of eigenvalues below −cutoff, and carries its cutoff', () => {
  const eig = Float64Array.of(-2, -1e-4, -1e-6, 0, 3);
  assert.deepEqual(morseIndex(eig, 1e-5), { index: 2 / 5, negativeCount: 2, n: 5, cutoff: 1e-5 });
  assert.deepEqual(morseIndex(eig, 1e-3), { index: 1 / 5, negativeCount: 1, n: 5, cutoff: 1e-3 });
});

test('dense Hessian from HVPs equals the closed form when the oracle has no dense Hessian', () => {
  const q = new QuarticOracle();
  const hvpOnly: Oracle = { dim: 2, capabilities: new Set(), counters: q.counters, loss: (t) => q.loss(t), gradient: (t, o) => q.gradient(t, o), hvp: (t, v, o) => q.hvp(t, v, o) };
  const theta = Float64Array.of(0.7, -1.3);
  assert.deepEqual(Array.from(denseHessian(hvpOnly, theta)), Array.from(q.hessian(theta)));
});
