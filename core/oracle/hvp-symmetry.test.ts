import test from 'node:test';
import assert from 'node:assert/strict';
import { PluginError } from '../io/errors.js';
import { checkHvpSymmetry } from './hvp-symmetry.js';

/** f(θ) = ½ θᵀAθ with A symmetric positive definite: a convex bowl, H = A. */
const A = [[2, 0.5, 0], [0.5, 3, 0.25], [0, 0.25, 1]];
const times = (M: number[][], v: Float64Array) => Float64Array.from(M.map((row) => row.reduce((s, x, j) => s + x * v[j], 0)));

test('a symmetric HVP passes; one that applies a non-symmetric matrix (a bug) is refused naming the problem', () => {
  assert.doesNotThrow(() => checkHvpSymmetry({ dim: 3, hvp: (_t, v) => times(A, v) }, 'bowl'));
  // The bug: an off-diagonal term on one side only (H v uses B ≠ Bᵀ).
  const B = A.map((r) => [...r]);
  B[0][2] = -4;
  assert.throws(() => checkHvpSymmetry({ dim: 3, hvp: (_t, v) => times(B, v) }, 'bowl'),
    (e: Error) => e instanceof PluginError && /problem 'bowl': its Hessian-vector product is not symmetric: for random u, v at a random θ, u·\(Hv\) = .* but v·\(Hu\) = /.test(e.message));
  // Float32-like round-off (relative 1e-6) is not a bug.
  assert.doesNotThrow(() => checkHvpSymmetry({ dim: 3, hvp: (_t, v) => times(A, v).map((x, i) => x * (1 + (i - 1) * 1e-6)) }, 'bowl'));
});
