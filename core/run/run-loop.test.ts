import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import { countingOracle } from '../oracle/counting.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { measuredStep, runStepper } from './run-loop.js';
import type { StepResult, Stepper, StepperState } from '../stepper/stepper.js';

// f(θ) = θ² for θ < 3, NaN beyond: a loss that breaks down along the path.
const brittle: Oracle = {
  dim: 1, capabilities: new Set(), counters: emptyCounters(),
  loss: (t) => (t[0] < 3 ? t[0] * t[0] : NaN),
  gradient: (t) => ({ loss: t[0] < 3 ? t[0] * t[0] : NaN, gradient: Float64Array.of(t[0] < 3 ? 2 * t[0] : NaN) }),
  hvp: (_t, v) => Float64Array.of(2 * v[0]),
};

// Walks uphill by +1 per step until the loss turns NaN.
class Uphill implements Stepper {
  init(theta: Float64Array): StepperState {
    const { loss, gradient } = brittle.gradient(theta);
    return { iteration: 0, theta, loss, gradient, gradNormSq: gradient[0] ** 2, extra: {} };
  }
  step(s: StepperState): StepResult {
    const next = this.init(Float64Array.of(s.theta[0] + 1));
    return { state: { ...next, iteration: s.iteration + 1 }, metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 1, directionNorm: 1, stepNorm: 1, work: emptyCounters() } };
  }
}

test('a run that produces NaN stops, says why, and keeps the last finite point', () => {
  const out = runStepper(new Uphill(), Float64Array.of(0), { maxIterations: 10 });
  assert.equal(out.state.theta[0], 2);
  assert.equal(out.state.loss, 4);
  assert.match(out.stopReason, /non-finite loss or gradient after step 2/);
  assert.equal(out.steps, 2);
});

test('a non-finite start is refused before any step', () => {
  const out = runStepper(new Uphill(), Float64Array.of(5), { maxIterations: 10 });
  assert.equal(out.steps, 0);
  assert.match(out.stopReason, /starting point/);
});

test('target ‖g‖² stops the run; onState sees θ₀ and every accepted state', () => {
  const seen: number[] = [];
  const out = runStepper(new Uphill(), Float64Array.of(-2), { maxIterations: 10, targetGradNormSq: 1, onState: (s) => seen.push(s.theta[0]) });
  assert.equal(out.stopReason, 'target-reached');
  assert.deepEqual(seen, [-2, -1, 0]);
});

test('the harness measures each step\'s work: a stepper that forgets or misreports it is billed what it called', () => {
  const oracle = countingOracle(new QuarticOracle());
  // Two gradients and one HVP per step; reports no work (forgets) on even steps, nonsense on odd ones.
  const forgetful: Stepper = {
    init: (theta) => {
      const { loss, gradient } = oracle.gradient(theta);
      return { iteration: 0, theta, loss, gradient, gradNormSq: gradient[0] ** 2 + gradient[1] ** 2, extra: {} };
    },
    step(s) {
      oracle.hvp(s.theta, s.gradient);
      oracle.gradient(s.theta);
      const next = forgetful.init(Float64Array.of(s.theta[0] - 0.01 * s.gradient[0], s.theta[1] - 0.01 * s.gradient[1]));
      const metrics = { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 0.01, directionNorm: 1, stepNorm: 1 };
      return { state: { ...next, iteration: s.iteration + 1 }, metrics: s.iteration % 2 ? { ...metrics, work: { ...emptyCounters(), loss: 99 } } : metrics };
    },
  };
  const seen: OracleCounters[] = [];
  runStepper(forgetful, Float64Array.of(-3.5, 1), { maxIterations: 4, counters: oracle.counters, onStep: (m) => seen.push(m.work) });
  assert.deepEqual(seen, Array(4).fill({ ...emptyCounters(), gradient: 2, hvp: 1 }));
  assert.equal(oracle.counters.gradient, 1 + 4 * 2, 'init\'s gradient is not any step\'s');
});

test('without counters the stepper\'s own report is kept (callers that do not care about work)', () => {
  const res = measuredStep(new Uphill(), new Uphill().init(Float64Array.of(0)));
  assert.deepEqual(res.metrics.work, emptyCounters());
});
