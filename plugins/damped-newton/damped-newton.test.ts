import test from 'node:test';
import assert from 'node:assert/strict';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle, QUARTIC_CRITICAL_POINT } from '../../problems/quartic/oracle.js';
import { measuredStep, runStepper } from '../../core/run/run-loop.js';
import type { MeasuredStepMetrics } from '../../core/stepper/stepper.js';
import { assertClose, assertVectorClose } from '../../core/testing/assert-close.js';
import { gammaLadder } from './candidates.js';
import { dampedNewtonPlugin, saddleFreeNewtonPlugin } from './index.js';
import { closedFormStep, fromEigenCoordinates, quadraticMeritAfter, withEigenvalues } from './test-matrices.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(dampedNewtonPlugin);
  r.register(saddleFreeNewtonPlugin);
  return r;
}

test('the kept candidate has the smallest ‖g‖², here a middle γ (neither the first nor the last)', () => {
  // On a quadratic the gradient after p_γ is γ(H+γI)⁻¹g, so ‖g‖² = Σ (γc_k/(λ_k+γ))². An
  // eigenvalue just below 0 (−5e-7, between 0 and −gammaMin) makes small γ blow its term up,
  // a positive one makes large γ leave its term; the best ladder γ is 1e-2.
  const lambda = [-5e-7, 1, 4];
  const c = [1e-3, 1e-3, 1e-4];
  const oracle = new QuadraticOracle(withEigenvalues(lambda), fromEigenCoordinates(c)); // g(0) = b = Qc
  const stepper = makeRegistry().create('damped-newton', oracle);
  const s0 = stepper.init(new Float64Array(3));
  const ladder = gammaLadder(0.1, 1e-6, 10);
  const merits = ladder.map((gm) => quadraticMeritAfter(lambda, c, gm));
  const bestIndex = merits.indexOf(Math.min(...merits));
  assert.ok(bestIndex > 0 && bestIndex < ladder.length - 1, `fixture: best γ index ${bestIndex} is in the middle`);
  // With the reference code's closure bug every candidate is the γ = 1e-6 step, which RAISES ‖g‖².
  assert.ok(merits[ladder.length - 1] > s0.gradNormSq);

  const before = { ...oracle.counters };
  const { state, metrics, halted } = measuredStep(stepper, s0, oracle.counters);
  assert.equal(halted, undefined);
  assert.equal(metrics.extra?.gamma, ladder[bestIndex]);
  assert.equal(metrics.extra?.candidates, ladder.length);
  assert.equal(metrics.alpha, 1);
  assertVectorClose(state.theta, closedFormStep(lambda, c, ladder[bestIndex]), 1e-9, 'θ₁');
  assertClose(state.gradNormSq, merits[bestIndex], 1e-15, '‖g(θ₁)‖²');
  assertClose(metrics.directionNorm, metrics.stepNorm, 1e-12, '‖p‖ vs ‖θ₁ − θ₀‖');
  assert.equal(metrics.newton, undefined, 'damped residuals are not reported as the paper\'s r');
  assert.equal(metrics.extra?.dampedExit, 'rtol');
  // The next state's loss and gradient are the ones evaluated for the candidate: one gradient per γ, no more.
  assert.equal(oracle.counters.gradient - before.gradient, ladder.length);
  assert.equal(metrics.work.gradient, ladder.length);
  const fresh = oracle.gradient(state.theta);
  assert.equal(state.loss, fresh.loss);
  assert.deepEqual(Array.from(state.gradient), Array.from(fresh.gradient));
});

test('quartic, left basin: damped Newton reaches the critical point (−3, 0)', () => {
  // Starts with x ≤ −2.3 all converge; closer to −√2 the Newton step overshoots and γ ≤ 0.1 cannot
  // shorten it, so the method halts (next test) — a limitation of the ladder, not a failure to find.
  const starts: number[][] = [];
  for (const x of [-6, -5, -4, -3.5, -3, -2.5, -2.3]) for (const y of [-2, 0, 1.5]) starts.push([x, y]);
  for (const start of starts) {
    const stepper = makeRegistry().create('damped-newton', new QuarticOracle());
    const steps: MeasuredStepMetrics[] = [];
    const out = runStepper(stepper, Float64Array.from(start), { maxIterations: 60, targetGradNormSq: 1e-24, onStep: (m) => steps.push(m) });
    assert.ok(out.state.gradNormSq < 1e-10, `from ${start}: ‖g‖² = ${out.state.gradNormSq} (${out.stopReason})`);
    assertClose(out.state.theta[0], QUARTIC_CRITICAL_POINT[0], 1e-8, `x from ${start}`);
    assertClose(out.state.theta[1], QUARTIC_CRITICAL_POINT[1], 1e-8, `y from ${start}`);
    // Every step lowered ‖g‖² (the merit is monotone by construction).
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i].gradNormSq < steps[i - 1].gradNormSq);
  }
});

test('no candidate lowers ‖g‖² at a strict gradient-flat point: halted, θ unchanged (not the zero vector)', () => {
  // H = diag(2, 0), b = (0, 1) at θ = (0, 3): g = (0, 1) ∈ ker H, so H p never changes g.
  const oracle = QuadraticOracle.diagonal([2, 0], [0, 1]);
  const stepper = makeRegistry().create('damped-newton', oracle);
  const s0 = stepper.init(Float64Array.of(0, 3));
  const res = stepper.step(s0);
  assert.match(res.halted ?? '', /damped-newton: no γ in \[0.000001, 0.1\] lowers ‖g‖²/);
  assert.deepEqual(Array.from(res.state.theta), [0, 3]);
  assert.equal(res.state, s0);
  assert.equal(res.metrics.alpha, 0);
  assert.equal(res.metrics.stepNorm, 0);
  assert.equal(res.metrics.extra?.candidates, 6);
});

test('no candidate lowers ‖g‖² when every damped step overshoots: halted, θ unchanged', () => {
  // At x = −2 the Newton step lands near x = −4.2 where |∂f/∂x| is 3× larger; γ ≤ 0.1 cannot shorten it.
  const stepper = makeRegistry().create('damped-newton', new QuarticOracle());
  const out = runStepper(stepper, Float64Array.of(-2, 0.5), { maxIterations: 10 });
  assert.equal(out.steps, 0);
  assert.deepEqual(Array.from(out.state.theta), [-2, 0.5]);
  assert.match(out.stopReason, /^damped-newton: no γ/);
});

test('hyperparameters: ladder validated at construction, unknown names rejected', () => {
  const reg = makeRegistry();
  assert.throws(() => reg.create('damped-newton', new QuarticOracle(), { gammaMin: 1, gammaMax: 0.1 }), /gammaMin \(1\) must be ≤ gammaMax \(0.1\)/);
  assert.throws(() => reg.create('damped-newton', new QuarticOracle(), { ladderFactor: 1 }), /'ladderFactor' must be > 1/);
  assert.throws(() => reg.create('damped-newton', new QuarticOracle(), { gamma: 1 }), /unknown hyperparameter 'gamma'/);
  // A one-rung ladder is allowed.
  const s = reg.create('damped-newton', new QuarticOracle(), { gammaMax: 1e-3, gammaMin: 1e-3 });
  const r = s.step(s.init(Float64Array.of(-3.5, 1.5)));
  assert.equal(r.metrics.extra?.candidates, 1);
  assert.equal(r.metrics.extra?.gamma, 1e-3);
});
