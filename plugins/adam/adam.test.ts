import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyCounters } from '../../core/oracle/oracle.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { measuredStep, runStepper } from '../../core/run/run-loop.js';
import { assertClose, assertVectorClose } from '../../core/testing/assert-close.js';
import { adamPlugin } from './index.js';
import type { AdamState } from './adam.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(adamPlugin);
  return r;
}

test('step 1 moves every coordinate by lr·g/(|g| + ε) ≈ lr·sign(g), whatever the gradient scale', () => {
  // f = ½‖θ‖² + bᵀθ at θ = 0: g = b, spanning six orders of magnitude. m̂₁ = g, v̂₁ = g².
  const b = [1e3, -1e-3, 2, -0.5];
  const lr = 1e-3, eps = 1e-8;
  const stepper = makeRegistry().create('adam', QuadraticOracle.diagonal([1, 1, 1, 1], b));
  const { state, metrics } = stepper.step(stepper.init(new Float64Array(4)));
  for (let i = 0; i < 4; i++) {
    assertClose(state.theta[i], -lr * b[i] / (Math.abs(b[i]) + eps), 1e-18, `θ₁[${i}]`);
    assertClose(Math.abs(state.theta[i]), lr, lr * eps / Math.abs(b[i]) + 1e-18, `|Δθ[${i}]| ≈ lr`);
  }
  assert.equal(metrics.alpha, lr);
  assertClose(metrics.directionNorm, 2, 1e-5, '‖m̂/(√v̂ + ε)‖ ≈ ‖sign(g)‖');
});

test('the first three steps match a hand computation (f = ½θ², θ₀ = 1, lr = 0.1, 40-digit decimals)', () => {
  // t=1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1; θ₁ = 1 − 0.1/(1 + 1e-8).
  // t=2: g = θ₁; m = 0.09 + 0.1θ₁, v = 0.000999 + 0.001θ₁²; θ₂ = θ₁ − 0.1·(m/0.19)/(√(v/0.001999) + 1e-8). Likewise t=3.
  const expected = [0.9000000009999999900000000999999990000000, 0.8004122297123373911055116710497527589775, 0.7015862745044142142348834821348618237043];
  const stepper = makeRegistry().create('adam', QuadraticOracle.diagonal([1], [0]), { learningRate: 0.1 });
  let state = stepper.init(Float64Array.of(1)) as AdamState;
  for (let t = 1; t <= 3; t++) {
    state = stepper.step(state).state as AdamState;
    assertClose(state.theta[0], expected[t - 1], 2.5e-16, `θ_${t}`); // within 2 ulps (bias corrections via expm1)
    assert.equal(state.extra.t, t);
  }
  // m and v after step 3, from the same recursion on the float64 iterates.
  const g = [1, expected[0], expected[1]];
  let m = 0, v = 0;
  for (const gi of g) { m = 0.9 * m + 0.1 * gi; v = 0.999 * v + 0.001 * gi * gi; }
  assertClose(state.extra.m[0], m, 1e-15, 'm₃');
  assertClose(state.extra.v[0], v, 1e-17, 'v₃');
});

test('Adam converges on a well-conditioned quadratic', () => {
  const d = [1, 2, 3], b = [1, -1, 2];
  const stepper = makeRegistry().create('adam', QuadraticOracle.diagonal(d, b), { learningRate: 0.01 });
  const out = runStepper(stepper, new Float64Array(3), { maxIterations: 3000 });
  assert.equal(out.stopReason, 'max-iterations');
  assertVectorClose(out.state.theta, d.map((di, i) => -b[i] / di), 1e-12, 'θ*');
  assert.ok(out.state.gradNormSq < 1e-24, `‖g‖² = ${out.state.gradNormSq}`);
});

test('state (m, v, t) lives in extra as Float64Arrays; the input state is not modified; one gradient a step', () => {
  const oracle = QuadraticOracle.diagonal([1, 4], [1, -1]);
  const stepper = makeRegistry().create('adam', oracle, { learningRate: 0.05 });
  let state = stepper.init(Float64Array.of(0.5, 0.5)) as AdamState;
  assert.ok(state.extra.m instanceof Float64Array && state.extra.v instanceof Float64Array);
  assert.deepEqual([Array.from(state.extra.m), Array.from(state.extra.v), state.extra.t], [[0, 0], [0, 0], 0]);
  for (let k = 0; k < 10; k++) {
    const copy = { theta: Float64Array.from(state.theta), m: Float64Array.from(state.extra.m), v: Float64Array.from(state.extra.v) };
    const { state: next, metrics } = measuredStep(stepper, state, oracle.counters);
    assert.deepStrictEqual([state.theta, state.extra.m, state.extra.v], [copy.theta, copy.m, copy.v]);
    assert.deepEqual(metrics.work, { ...emptyCounters(), gradient: 1 });
    assert.equal(metrics.iteration, k);
    assert.equal(metrics.loss, state.loss);
    assertClose(metrics.stepNorm, Math.hypot(next.theta[0] - state.theta[0], next.theta[1] - state.theta[1]), 0);
    assertClose(metrics.stepNorm, metrics.alpha * metrics.directionNorm, 1e-15, 'stepNorm = lr‖m̂/(√v̂ + ε)‖');
    const fresh = QuadraticOracle.diagonal([1, 4], [1, -1]).gradient(next.theta);
    assert.equal(next.loss, fresh.loss);
    assert.deepStrictEqual(next.gradient, fresh.gradient);
    state = next as AdamState;
  }
  assert.equal(oracle.counters.gradient, 11);
});

test('an exact critical point with m = 0 halts with θ unchanged; hyperparameters are checked by name', () => {
  const stepper = makeRegistry().create('adam', QuadraticOracle.diagonal([1, 2], [-1, -2]));
  const s0 = stepper.init(Float64Array.of(1, 1));
  const res = stepper.step(s0);
  assert.match(res.halted ?? '', /converged/);
  assert.equal(res.state, s0);
  const reg = makeRegistry();
  assert.deepEqual(reg.resolveHyperparameters('adam'), { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  assert.throws(() => reg.create('adam', QuadraticOracle.diagonal([1], [0]), { beta2: 1 }), /'beta2' must be < 1/);
  assert.throws(() => reg.create('adam', QuadraticOracle.diagonal([1], [0]), { epsilon: 0 }), /'epsilon' must be > 0/);
});
