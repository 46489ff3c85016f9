import test from 'node:test';
import assert from 'node:assert/strict';
import type { Oracle } from '../../core/oracle/oracle.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle, QUARTIC_CRITICAL_POINT } from '../../problems/quartic/oracle.js';
import { runStepper } from '../../core/run/run-loop.js';
import { assertClose, assertVectorClose } from '../../core/testing/assert-close.js';
import { dampedNewtonPlugin, saddleFreeNewtonPlugin } from './index.js';
import { SaddleFreeNewton } from './saddle-free-newton.js';
import { closedFormStep, fromEigenCoordinates, withEigenvalues } from './test-matrices.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(dampedNewtonPlugin);
  r.register(saddleFreeNewtonPlugin);
  return r;
}

test('indefinite quadratic: saddle-free Newton moves away from the saddle, which Newton steps onto', () => {
  // f = ½θᵀHθ with H = Q diag(2, −1) Qᵀ: the saddle is θ* = 0. Start at θ₀ = Q(0.1, 0.5).
  const lambda = [2, -1];
  const oracle = new QuadraticOracle(withEigenvalues(lambda), new Float64Array(2));
  const theta0 = fromEigenCoordinates([0.1, 0.5]);
  const stepper = makeRegistry().create('saddle-free-newton', oracle);
  const s0 = stepper.init(theta0);
  // Newton's step −H⁻¹g lands exactly on the saddle, uphill from θ₀.
  assert.ok(oracle.loss(new Float64Array(2)) > s0.loss, 'the saddle is above θ₀');

  const { state, metrics, halted } = stepper.step(s0);
  assert.equal(halted, undefined);
  assert.ok(state.loss < s0.loss, `loss ${s0.loss} → ${state.loss}`);
  // On a quadratic the loss after p_γ falls as γ falls, so the smallest γ wins.
  assert.equal(metrics.extra?.gamma, 1e-6);
  const gCoords = [lambda[0] * 0.1, lambda[1] * 0.5];
  assertVectorClose(state.theta, fromEigenCoordinates([0.1, 0.5]).map((x, i) => x + closedFormStep(lambda, gCoords, 1e-6, true)[i]), 1e-12, 'θ₁');
  // Along the negative-curvature direction q₁ the distance to the saddle doubles (0.5 → ≈1.0).
  const q1 = fromEigenCoordinates([0, 1]);
  assertClose(q1[0] * state.theta[0] + q1[1] * state.theta[1], 1, 1e-5, 'θ₁ along q₁');
  assertClose(metrics.extra?.minEigenvalue as number, -1, 1e-12, 'λ_min');
  // State's loss and gradient belong to θ₁.
  assert.equal(state.loss, oracle.loss(state.theta));
  assertVectorClose(state.gradient, oracle.gradient(state.theta).gradient, 0, 'g(θ₁)');
});

test('quartic: from right-basin starts (where Newton-MR stalls at (√2, 0)) saddle-free Newton reaches (−3, 0)', () => {
  for (const start of [[2, 1], [1, 0.5]]) {
    const stepper = makeRegistry().create('saddle-free-newton', new QuarticOracle());
    const out = runStepper(stepper, Float64Array.from(start), { maxIterations: 50 });
    assertClose(out.state.theta[0], QUARTIC_CRITICAL_POINT[0], 1e-6, `x from ${start}`);
    assertClose(out.state.theta[1], QUARTIC_CRITICAL_POINT[1], 1e-6, `y from ${start}`);
    assert.ok(out.state.gradNormSq < 1e-10, `‖g‖² = ${out.state.gradNormSq}`);
    // It stops by halting at the minimum: nothing lowers the loss there.
    assert.match(out.stopReason, /^saddle-free-newton: no γ/);
  }
});

test('saddle-free Newton halts with θ unchanged when every candidate raises the loss', () => {
  // At x = −1.5 the curvature is 0.75 and the Newton step overshoots to x ≈ −21; γ ≤ 0.1 cannot shorten it.
  const stepper = makeRegistry().create('saddle-free-newton', new QuarticOracle());
  const s0 = stepper.init(Float64Array.of(-1.5, 0));
  const res = stepper.step(s0);
  assert.match(res.halted ?? '', /saddle-free-newton: no γ in \[0.000001, 0.1\] lowers the loss/);
  assert.equal(res.state, s0);
  assert.deepEqual(Array.from(res.state.theta), [-1.5, 0]);
  assert.equal(res.metrics.alpha, 0);
  assert.equal(res.metrics.stepNorm, 0);
});

test('saddle-free Newton requires the dense-hessian capability; damped Newton does not', () => {
  const q = QuadraticOracle.diagonal([2, -1], [1, 1]);
  const hvpOnly: Oracle = {
    dim: q.dim, capabilities: new Set(), counters: q.counters,
    loss: (t) => q.loss(t), gradient: (t, o) => q.gradient(t, o), hvp: (t, v, o) => q.hvp(t, v, o),
  };
  const reg = makeRegistry();
  assert.deepEqual(saddleFreeNewtonPlugin.requires, ['dense-hessian']);
  assert.throws(() => reg.create('saddle-free-newton', hvpOnly), /stepper 'saddle-free-newton' needs the oracle capability 'dense-hessian', but this oracle declares only: none/);
  // Built without the registry, the constructor checks too.
  assert.throws(() => new SaddleFreeNewton(hvpOnly, { gammaMax: 0.1, gammaMin: 1e-6, ladderFactor: 10 }), /needs the oracle capability 'dense-hessian'/);
  assert.doesNotThrow(() => reg.create('damped-newton', hvpOnly));
});
