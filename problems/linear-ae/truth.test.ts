import test from 'node:test';
import assert from 'node:assert/strict';
import { gaussianData, linearlySpacedVariances } from '../../core/data/gaussian.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { dot } from '../../core/linalg/vector.js';
import { Rng } from '../../core/random/rng.js';
import { morseIndex, spectrumOf } from '../../core/analysis/spectrum.js';
import { denseHessian } from '../../core/oracle/dense-hessian.js';
import { equivalentData, linearAePoint, linearAeSpec, subsetsUpTo } from './truth.js';
import { covarianceEigen } from '../common/covariance.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import { assertClose, assertVectorClose } from '../../core/testing/assert-close.js';

const d = 16, p = 4, N = 2000;
const x = gaussianData(N, linearlySpacedVariances(d), new Rng(11));
const kernels = typescriptKernels;
const eig = covarianceEigen(x, N, d, kernels);
const full = new MlpOracle(linearAeSpec(d, p), { inputs: x, targets: x, N }, kernels);

test('there are Σ_{k≤4} C(16, k) = 2517 candidate subsets', () => {
  assert.equal(subsetsUpTo(16, 4).length, 1 + 16 + 120 + 560 + 1820);
});

test('the d-row equivalent data has the same loss, gradient and HVP as the full data', () => {
  const y = equivalentData(eig);
  const small = new MlpOracle(linearAeSpec(d, p), { inputs: y, targets: y, N: d }, kernels);
  const r = new Rng(5);
  const theta = Float64Array.from({ length: full.dim }, () => r.normal() * 0.3);
  const v = Float64Array.from({ length: full.dim }, () => r.normal());
  const a = full.gradient(theta), b = small.gradient(theta);
  // Both sum N or d terms of size O(10); relative agreement to ~1e-12 is round-off.
  assertClose(b.loss, a.loss, 1e-12 * a.loss, 'loss');
  assertVectorClose(b.gradient, a.gradient, 1e-11, 'gradient');
  assertVectorClose(small.hvp(theta, v), full.hvp(theta, v), 1e-11, 'HVP');
});

test('every analytic point is critical on the full data (‖g‖² < 1e-20) with loss (tr Σ − Σ_I λ)/d', () => {
  const trace = eig.values.reduce((s, l) => s + l, 0);
  let worst = 0;
  for (const subset of subsetsUpTo(d, p)) {
    const theta = linearAePoint(eig, p, subset);
    const { loss, gradient } = full.gradient(theta);
    worst = Math.max(worst, dot(gradient, gradient));
    const expected = (trace - subset.reduce((s, i) => s + eig.values[i], 0)) / d;
    assertClose(loss, expected, 1e-12 * expected, `loss of ${subset}`);
  }
  assert.ok(worst < 1e-20, `largest ‖g‖² over the 2517 points = ${worst}`);
});

test('only the top-p subset is a minimum (index 0); leaving out a large eigenvalue makes a saddle', () => {
  const y = equivalentData(eig);
  const small = new MlpOracle(linearAeSpec(d, p), { inputs: y, targets: y, N: d }, kernels);
  const indexOf = (subset: number[]) => morseIndex(spectrumOf(denseHessian(small, linearAePoint(eig, p, subset)), small.dim, kernels).eigenvalues, 1e-5);
  assert.equal(indexOf([0, 1, 2, 3]).negativeCount, 0);
  for (const s of [[0, 1, 2, 4], [1, 2, 3, 4], [0, 1, 2], [], [15]]) {
    assert.ok(indexOf(s).negativeCount > 0, `subset ${s} should be a saddle`);
  }
  // Dropping a larger eigenvalue costs more descent directions: index grows as I leaves the top.
  assert.ok(indexOf([1, 2, 3, 4]).negativeCount > indexOf([0, 1, 2, 4]).negativeCount);
});
