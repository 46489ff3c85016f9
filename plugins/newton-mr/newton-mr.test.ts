import test from 'node:test';
import assert from 'node:assert/strict';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle, QUARTIC_FLAT_MINIMUM } from '../../problems/quartic/oracle.js';
import { runStepper } from '../../core/run/run-loop.js';
import type { StepMetrics } from '../../core/stepper/stepper.js';
import { assertClose } from '../../core/testing/assert-close.js';
import { newtonMrPlugin } from './index.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(newtonMrPlugin);
  return r;
}

test('quartic, left basin: Newton-MR converges to the critical point (−3, 0) at the float64 floor', () => {
  const stepper = makeRegistry().create('newton-mr', new QuarticOracle());
  const out = runStepper(stepper, Float64Array.of(-3.5, 1.5), { maxIterations: 100 });
  assertClose(out.state.theta[0], -3, 1e-12, 'x');
  assertClose(out.state.theta[1], 0, 1e-12, 'y');
  assert.ok(out.state.gradNormSq < 1e-24, `‖g‖² = ${out.state.gradNormSq}`);
});

test('quartic, right basin: Newton-MR stalls at the strict gradient-flat point (√2, 0), with r → 1', () => {
  const stepper = makeRegistry().create('newton-mr', new QuarticOracle());
  const steps: StepMetrics[] = [];
  const out = runStepper(stepper, Float64Array.of(1, 0.5), { maxIterations: 200, onStep: (m) => steps.push(m) });
  // Convergence to (√2, 0) is slow (the paper's Fig. 2 notes oscillation): check closeness loosely in x.
  assertClose(out.state.theta[0], QUARTIC_FLAT_MINIMUM[0], 1e-3, 'x');
  assertClose(out.state.theta[1], 0, 1e-4, 'y'); // y contracts by (1 − α) per step; α stays small here
  // ‖g‖² at (√2, 0) is (9 − 4√2)² ≈ 11.2; its x-derivative vanishes there, so the error is second order.
  assertClose(out.state.gradNormSq, (9 - 4 * Math.SQRT2) ** 2, 1e-4, '‖g‖²');
  const last = steps[steps.length - 1];
  assert.ok(last.newton!.r_solverA > 0.9, `r at the end = ${last.newton!.r_solverA}`);
});

test('quadratic with SPD Hessian: the first step is the exact Newton step, accepted as a unit step', () => {
  const oracle = QuadraticOracle.diagonal([1, 2, 5], [1, -1, 2]);
  const stepper = makeRegistry().create('newton-mr', oracle);
  const s0 = stepper.init(Float64Array.of(0, 0, 0));
  const { state, metrics } = stepper.step(s0);
  assert.equal(metrics.lineSearch?.accepted, 'unit');
  assert.equal(metrics.alpha, 1);
  // θ* = −A⁻¹b
  assertClose(state.theta[0], -1, 1e-12); assertClose(state.theta[1], 0.5, 1e-12); assertClose(state.theta[2], -0.4, 1e-12);
  assert.ok(state.gradNormSq < 1e-24);
});

test('when no step is accepted, θ stays where it is (the reference code returns the zero vector)', () => {
  // At the strict gradient-flat point of a singular quadratic, g ∈ ker H: the minimum-norm
  // least-squares direction is 0, so nothing can decrease ‖g‖². θ ≠ 0 here on purpose.
  const oracle = QuadraticOracle.diagonal([2, 0], [0, 1]);
  const stepper = makeRegistry().create('newton-mr', oracle);
  const theta0 = Float64Array.of(0, 3);
  const s0 = stepper.init(theta0);
  const res = stepper.step(s0);
  assert.ok(res.halted, 'the step says it could not move');
  assert.deepEqual(Array.from(res.state.theta), [0, 3]);
  assert.equal(res.metrics.stepNorm, 0);
  assert.ok(res.metrics.newton!.r_solverA > 0.99, 'r ≈ 1 at a gradient-flat point');
  const out = runStepper(stepper, theta0, { maxIterations: 10 });
  assert.deepEqual(Array.from(out.state.theta), [0, 3]);
  assert.match(out.stopReason, /line-search/);
});

test('hyperparameters are validated with messages that name the field', () => {
  const reg = makeRegistry();
  assert.throws(() => reg.create('newton-mr', new QuarticOracle(), { rho: 2 }), /hyperparameter 'rho' must be ≤ 1/);
  assert.throws(() => reg.create('newton-mr', new QuarticOracle(), { rhoo: 0.1 }), /unknown hyperparameter 'rhoo'.*Known: rtol/);
  assert.throws(() => reg.create('newton-mr', new QuarticOracle(), { maxit: 2.5 }), /'maxit' must be an integer/);
  assert.throws(() => reg.create('newton', new QuarticOracle()), /unknown stepper 'newton'.*newton-mr/);
});

test('forcing rules loosen the solve far from a critical point and tighten it near one', async () => {
  const { stepTolerance } = await import('./newton-mr.js');
  const hp = { rtol: 1e-10, forcingMax: 0.1 };
  assert.equal(stepTolerance({ ...hp, forcing: 'none' }, 100), 1e-10);
  assert.equal(stepTolerance({ ...hp, forcing: 'gradient' }, 100), 0.1);
  assert.equal(stepTolerance({ ...hp, forcing: 'gradient' }, 1e-6), 1e-3);
  assert.equal(stepTolerance({ ...hp, forcing: 'sqrt-gradient' }, 1e-8), 1e-2);
  assert.equal(stepTolerance({ ...hp, forcing: 'gradient' }, 1e-30), 1e-10);
});
