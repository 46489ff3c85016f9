import test from 'node:test';
import assert from 'node:assert/strict';
import { REFERENCE_SOLVER_SETTINGS } from '../../core/newton/direction.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { MinresQlpWorkspace } from '../../core/linalg/minres-qlp.js';
import { assertVectorClose } from '../../core/testing/assert-close.js';
import { dampedNewtonCandidates, gammaLadder, pickBest, saddleFreeCandidates } from './candidates.js';
import { closedFormStep, fromEigenCoordinates, matVec, withEigenvalues } from './test-matrices.js';

const LADDER = gammaLadder(0.1, 1e-6, 10);

function assertPairwiseDistinct(ps: Float64Array[]): void {
  for (let i = 0; i < ps.length; i++) {
    for (let j = 0; j < i; j++) {
      let d = 0;
      for (let k = 0; k < ps[i].length; k++) d = Math.max(d, Math.abs(ps[i][k] - ps[j][k]));
      assert.ok(d > 1e-8, `candidates ${j} and ${i} coincide (max |diff| ${d})`);
    }
  }
}

test('the default ladder is {1e-1, …, 1e-6}, descending, with both ends included', () => {
  assert.deepEqual(LADDER, [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]);
  assert.deepEqual(gammaLadder(1, 0.25, 2), [1, 0.5, 0.25]);
  assert.deepEqual(gammaLadder(0.3, 0.3, 10), [0.3]);
  assert.throws(() => gammaLadder(1e-6, 0.1, 10), /gammaMin \(0.1\) must be ≤ gammaMax/);
  assert.throws(() => gammaLadder(0.1, 1e-6, 1), /ladderFactor must be/);
  assert.throws(() => gammaLadder(1, 1e-300, 1.01), /more than 64 rungs/);
});

test('damped candidates, indefinite H: each is −(H+γI)⁻¹g for its own γ, all distinct', () => {
  const lambda = [-5e-7, 1, 4];
  const c = [1e-3, 1e-3, 1e-4];
  const h = withEigenvalues(lambda);
  const g = fromEigenCoordinates(c);
  const cands = dampedNewtonCandidates((v, out) => matVec(h, v, out), g, LADDER, { ...REFERENCE_SOLVER_SETTINGS });
  assert.deepEqual(cands.map((k) => k.gamma), LADDER);
  for (const k of cands) assertVectorClose(k.p, closedFormStep(lambda, c, k.gamma), 1e-9, `p(γ=${k.gamma})`);
  // The reference code's closures made every candidate the γ = 1e-6 step; here they differ.
  assertPairwiseDistinct(cands.map((k) => k.p));
});

test('damped candidates, singular and indefinite H: (H+γI)⁺ — the γ = −λ component is dropped', () => {
  // λ = −0.01 makes H + 0.01·I singular with g partly in its kernel (an incompatible system):
  // MINRES-QLP must return the minimum-length least-squares step, i.e. the pseudo-inverse.
  const lambda = [-0.01, 0, 2];
  const c = [1, 0.5, 1];
  const h = withEigenvalues(lambda);
  const g = fromEigenCoordinates(c);
  const cands = dampedNewtonCandidates((v, out) => matVec(h, v, out), g, LADDER, { rtol: 1e-12, maxxnorm: 1e8 });
  for (const k of cands) assertVectorClose(k.p, closedFormStep(lambda, c, k.gamma), 1e-8, `p(γ=${k.gamma})`);
  const singular = cands[1];
  assert.equal(singular.gamma, 0.01);
  // Its component along the kernel direction q_0 is 0 (the pseudo-inverse), not ±∞.
  const q0 = fromEigenCoordinates([1, 0, 0]);
  assert.ok(Math.abs(q0.reduce((s, x, i) => s + x * singular.p[i], 0)) < 1e-8);
  assertPairwiseDistinct(cands.map((k) => k.p));
});

test('damped candidates through one MINRES-QLP workspace: the fresh solves bit for bit, each p its own buffer', () => {
  const lambda = [-0.01, 0, 2];
  const c = [1, 0.5, 1];
  const h = withEigenvalues(lambda);
  const g = fromEigenCoordinates(c);
  const opts = { rtol: 1e-12, maxxnorm: 1e8 };
  const fresh = dampedNewtonCandidates((v, out) => matVec(h, v, out), g, LADDER, opts);
  const ws = new MinresQlpWorkspace(g.length);
  for (let round = 0; round < 2; round++) {
    const shared = dampedNewtonCandidates((v, out) => matVec(h, v, out), g, LADDER, opts, ws);
    shared.forEach((k, i) => {
      assert.deepEqual(Array.from(k.p), Array.from(fresh[i].p), `p(γ=${k.gamma})`);
      assert.equal(k.solve.x, k.p, 'solve.x is the candidate\'s own copy');
      assert.deepEqual({ ...k.solve, x: null }, { ...fresh[i].solve, x: null });
    });
    assert.equal(new Set([ws.x, ...shared.map((k) => k.p)]).size, LADDER.length + 1, 'no candidate aliases the workspace or another');
    assertPairwiseDistinct(shared.map((k) => k.p));
  }
});

test('saddle-free candidates are −(|H|+γI)⁻¹g for each γ', () => {
  const lambda = [-2, 0.5, 3];
  const c = [0.7, -0.2, 1.1];
  const eig = typescriptKernels.symmetricEigen(withEigenvalues(lambda), 3, true);
  const cands = saddleFreeCandidates(eig, fromEigenCoordinates(c), LADDER);
  for (const k of cands) assertVectorClose(k.p, closedFormStep(lambda, c, k.gamma, true), 1e-12, `p(γ=${k.gamma})`);
  assert.throws(() => saddleFreeCandidates({ values: eig.values }, fromEigenCoordinates(c), LADDER), /needs eigenvectors/);
});

test('pickBest: the smallest finite merit strictly below the current one; ties to the larger γ; −1 if none', () => {
  assert.equal(pickBest([3, 1, 2], 5), 1);
  assert.equal(pickBest([3, 1, 1], 5), 1);
  assert.equal(pickBest([NaN, Infinity, 4], 5), 2);
  assert.equal(pickBest([5, 6, NaN], 5), -1);
  assert.equal(pickBest([], 5), -1);
});
