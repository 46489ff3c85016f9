import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyCounters } from '../../core/oracle/oracle.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { measuredStep, runStepper } from '../../core/run/run-loop.js';
import { trainTrajectory } from '../../core/starts/training.js';
import type { MeasuredStepMetrics, StepperState } from '../../core/stepper/stepper.js';
import { assertClose, assertVectorClose } from '../../core/testing/assert-close.js';
import { gdPlugin } from './index.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(gdPlugin);
  return r;
}

/** θ₀, θ₁, ..., θ_steps of a plugin run (θ₀ included). */
function iterates(name: string, oracle: QuadraticOracle | QuarticOracle, theta0: Float64Array, hp: Record<string, unknown>, steps: number): StepperState[] {
  const states: StepperState[] = [];
  runStepper(makeRegistry().create(name, oracle, hp), theta0, { maxIterations: steps, onState: (s) => states.push(s) });
  return states;
}

// A = Q diag(1, 4) Qᵀ with Q the rotation by (0.6, 0.8): not diagonal, so the closed form mixes coordinates.
const C = 0.6, S = 0.8, L1 = 1, L2 = 4;
const A = Float64Array.of(C * C * L1 + S * S * L2, C * S * (L1 - L2), C * S * (L1 - L2), S * S * L1 + C * C * L2);
const B = Float64Array.of(1, -2);
const THETA_STAR = (() => { // −A⁻¹b = −Q diag(1/λ) Qᵀ b
  const u = [C * B[0] + S * B[1], -S * B[0] + C * B[1]];
  const w = [-u[0] / L1, -u[1] / L2];
  return [C * w[0] - S * w[1], S * w[0] + C * w[1]];
})();

test('GD on a quadratic follows the closed form θ_k = θ* + (I − lr·A)^k (θ₀ − θ*)', () => {
  const lr = 0.1;
  const theta0 = Float64Array.of(2, -1);
  const states = iterates('gd', new QuadraticOracle(A, B), theta0, { learningRate: lr }, 60);
  assert.equal(states.length, 61);
  const e0 = [theta0[0] - THETA_STAR[0], theta0[1] - THETA_STAR[1]];
  const u0 = [C * e0[0] + S * e0[1], -S * e0[0] + C * e0[1]]; // Qᵀe₀
  for (const [k, s] of states.entries()) {
    const u = [(1 - lr * L1) ** k * u0[0], (1 - lr * L2) ** k * u0[1]];
    const expected = [THETA_STAR[0] + C * u[0] - S * u[1], THETA_STAR[1] + S * u[0] + C * u[1]];
    assertVectorClose(s.theta, expected, 1e-14, `θ_${k}`);
    assert.equal(s.iteration, k);
  }
});

test('heavy-ball GD on a quadratic follows e_{k+1} = (1 + μ − lr·λ)e_k − μe_{k−1} in the eigenbasis', () => {
  const lr = 0.1, mu = 0.9;
  const d = [0.5, 2, 7];
  const oracle = QuadraticOracle.diagonal(d, [1, -2, 0.5]);
  const star = d.map((di, i) => -[1, -2, 0.5][i] / di);
  const theta0 = Float64Array.of(2, -1, 0.3);
  const states = iterates('gd', oracle, theta0, { learningRate: lr, momentum: mu }, 80);
  const e = states.map((s) => Array.from(s.theta, (t, i) => t - star[i]));
  for (let i = 0; i < 3; i++) {
    assertClose(e[1][i], (1 - lr * d[i]) * e[0][i], 1e-15, `e_1[${i}]`); // v₀ = 0
    for (let k = 1; k + 1 < e.length; k++) {
      assertClose(e[k + 1][i], (1 + mu - lr * d[i]) * e[k][i] - mu * e[k - 1][i], 1e-14, `e_${k + 1}[${i}]`);
    }
  }
});

test('the plugin reproduces trainTrajectory (core/starts/training.ts) bit for bit, with and without momentum', () => {
  const cases = [
    { oracle: () => new QuadraticOracle(A, B), theta0: Float64Array.of(2, -1), lr: 0.1 },
    { oracle: () => new QuarticOracle(), theta0: Float64Array.of(-3.7, 1.3), lr: 0.01 },
    { oracle: () => new QuarticOracle(), theta0: Float64Array.of(2.5, -0.4), lr: 0.01 },
  ];
  for (const c of cases) {
    for (const momentum of [0, 0.9]) {
      const steps = 300;
      const ref = trainTrajectory(c.oracle(), c.theta0, { learningRate: c.lr, momentum, steps, keepEvery: 1 });
      const states = iterates('gd', c.oracle(), c.theta0, { learningRate: c.lr, momentum }, steps);
      assert.equal(states.length, ref.thetas.length);
      for (let k = 0; k < states.length; k++) {
        // deepStrictEqual on Float64Arrays compares every entry with Object.is: bit for bit, −0 included.
        assert.deepStrictEqual(states[k].theta, ref.thetas[k], `μ = ${momentum}, θ_${k}`);
        assert.ok(Object.is(states[k].loss, ref.losses[k]), `μ = ${momentum}, loss_${k}`);
      }
    }
  }
});

test('Nesterov: θ ← θ + μv − lr·g is Sutskever et al.\'s look-ahead method in the variable θ + μv', () => {
  // Sutskever et al. 2013: v ← μv − lr·g(φ + μv), φ ← φ + v. Then θ_k = φ_k + μv_k.
  const lr = 0.05, mu = 0.9;
  const oracle = new QuarticOracle();
  const phi = Float64Array.of(-3.8, 1.2);
  const states = iterates('gd', new QuarticOracle(), Float64Array.from(phi), { learningRate: lr, momentum: mu, nesterov: true }, 100);
  const v = new Float64Array(2);
  for (let k = 0; k < states.length; k++) {
    assertVectorClose(states[k].theta, [phi[0] + mu * v[0], phi[1] + mu * v[1]], 1e-12, `θ_${k}`);
    const g = oracle.gradient(Float64Array.of(phi[0] + mu * v[0], phi[1] + mu * v[1])).gradient;
    for (let i = 0; i < 2; i++) { v[i] = mu * v[i] - lr * g[i]; phi[i] += v[i]; }
  }
  assertVectorClose(states.at(-1)!.theta, [-3, 0], 1e-8, 'converged to the minimum');
});

test('metrics describe θ_k and the step; the next state carries loss and gradient at θ_{k+1}, evaluated once', () => {
  const lr = 0.1;
  const oracle = new QuadraticOracle(A, B);
  const stepper = makeRegistry().create('gd', oracle, { learningRate: lr });
  let state = stepper.init(Float64Array.of(2, -1));
  assert.equal(oracle.counters.gradient, 1);
  for (let k = 0; k < 5; k++) {
    const before = { theta: Float64Array.from(state.theta), loss: state.loss, gradNormSq: state.gradNormSq, gNorm: Math.hypot(...state.gradient) };
    const { state: next, metrics } = measuredStep(stepper, state, oracle.counters);
    const m: MeasuredStepMetrics = metrics;
    assert.equal(m.iteration, k);
    assert.equal(m.loss, before.loss);
    assert.equal(m.gradNormSq, before.gradNormSq);
    assert.equal(m.alpha, lr);
    assertClose(m.directionNorm, before.gNorm, 1e-14 * before.gNorm, '‖g‖');
    assertClose(m.stepNorm, Math.hypot(next.theta[0] - before.theta[0], next.theta[1] - before.theta[1]), 0, '‖θ₊ − θ‖');
    assertClose(m.stepNorm, lr * before.gNorm, 1e-14, 'lr‖g‖');
    assert.deepEqual(m.work, { ...emptyCounters(), gradient: 1 });
    assert.deepStrictEqual(state.theta, before.theta, 'the input state is not modified');
    const fresh = new QuadraticOracle(A, B).gradient(next.theta);
    assert.equal(next.loss, fresh.loss);
    assert.deepStrictEqual(next.gradient, fresh.gradient);
    assert.equal(next.gradNormSq, fresh.gradient[0] ** 2 + fresh.gradient[1] ** 2);
    state = next;
  }
  assert.equal(oracle.counters.gradient, 6);
});

test('at an exact critical point with no velocity the step halts, θ unchanged, no oracle work', () => {
  const oracle = QuadraticOracle.diagonal([1, 2], [-1, -2]); // θ* = (1, 1), g(θ*) = 0 exactly
  const stepper = makeRegistry().create('gd', oracle, { momentum: 0.9 });
  const s0 = stepper.init(Float64Array.of(1, 1));
  const res = measuredStep(stepper, s0, oracle.counters);
  assert.match(res.halted ?? '', /converged/);
  assert.equal(res.state, s0);
  assert.equal(res.metrics.stepNorm, 0);
  assert.deepEqual(res.metrics.work, emptyCounters());
});

test('a step to a non-finite θ is reported as NaN (the harness stops), not thrown by the oracle', () => {
  const oracle = QuadraticOracle.diagonal([1], [0]);
  const stepper = makeRegistry().create('gd', oracle, { learningRate: 1e308 });
  const res = stepper.step(stepper.init(Float64Array.of(4)));
  assert.equal(res.state.theta[0], -Infinity);
  assert.ok(Number.isNaN(res.state.loss));
  assert.equal(oracle.counters.gradient, 1);
  const out = runStepper(stepper, Float64Array.of(4), { maxIterations: 3 });
  assert.match(out.stopReason, /non-finite/);
  assert.deepEqual(Array.from(out.state.theta), [4]);
});

test('hyperparameters: defaults lr 0.1, μ 0, no Nesterov; out-of-range values are refused by name', () => {
  const reg = makeRegistry();
  assert.deepEqual(reg.resolveHyperparameters('gd'), { learningRate: 0.1, momentum: 0, nesterov: false });
  assert.throws(() => reg.create('gd', new QuarticOracle(), { momentum: 1 }), /'momentum' must be < 1/);
  assert.throws(() => reg.create('gd', new QuarticOracle(), { learningRate: 0 }), /'learningRate' must be > 0/);
});
