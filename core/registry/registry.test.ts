import test from 'node:test';
import assert from 'node:assert/strict';
import { PluginRegistry, injectableStepper, type StepperPlugin } from './registry.js';
import { HYPERPARAMETERS, ORACLE } from '../oracle/tokens.js';
import type { Oracle } from '../oracle/oracle.js';
import type { StepResult, Stepper, StepperState } from '../stepper/stepper.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { QuadraticOracle } from '../oracle/quadratic.js';

// Written as a plain-JavaScript user would: no decorator syntax, no reflected types.
class FixedStep implements Stepper {
  constructor(private readonly oracle: Oracle, private readonly hp: { lr: number }) {}
  init(theta0: Float64Array): StepperState {
    const { loss, gradient } = this.oracle.gradient(theta0);
    return { iteration: 0, theta: Float64Array.from(theta0), loss, gradient, gradNormSq: gradient.reduce((s, x) => s + x * x, 0), extra: {} };
  }
  step(s: StepperState): StepResult {
    const theta = s.theta.map((t, i) => t - this.hp.lr * s.gradient[i]);
    const next = this.init(theta);
    return {
      state: { ...next, iteration: s.iteration + 1 },
      metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: this.hp.lr, directionNorm: 0, stepNorm: 0, work: { loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 } },
    };
  }
}
injectableStepper(FixedStep, [ORACLE, HYPERPARAMETERS]);

const plugin: StepperPlugin = {
  name: 'fixed-step',
  description: 'gradient descent with a fixed step (test plugin)',
  hyperparameters: { lr: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, description: 'step size' } },
  stepper: FixedStep,
};

test('a plugin registered without decorator syntax gets its oracle and validated hyperparameters injected', () => {
  const reg = new PluginRegistry();
  reg.register(plugin);
  const oracle = QuadraticOracle.diagonal([1], [0]);
  const s = reg.create('fixed-step', oracle, { lr: '0.5' });
  const next = s.step(s.init(Float64Array.of(2))).state;
  assert.equal(next.theta[0], 1); // 2 − 0.5·2
});

test('each construction gets its own oracle: two steppers never share one', () => {
  const reg = new PluginRegistry();
  reg.register(plugin);
  const a = QuadraticOracle.diagonal([1], [0]);
  const b = QuadraticOracle.diagonal([3], [0]);
  const sa = reg.create('fixed-step', a);
  const sb = reg.create('fixed-step', b);
  sa.init(Float64Array.of(1));
  sb.init(Float64Array.of(1));
  assert.equal(a.counters.gradient, 1);
  assert.equal(b.counters.gradient, 1);
});

test('registration and lookup errors say what exists and how to fix it', () => {
  const reg = new PluginRegistry();
  reg.register(plugin);
  assert.throws(() => reg.register(plugin), /already registered/);
  assert.throws(() => reg.register({ ...plugin, name: 'Bad Name' }), /invalid/);
  assert.throws(() => reg.get('adam'), /unknown stepper 'adam'\. Registered steppers: fixed-step/);
  assert.throws(() => reg.create('fixed-step', new QuarticOracle(), { lr: -1 }), /'lr' must be > 0/);
  assert.throws(() => reg.create('fixed-step', new QuarticOracle(), { lr: 'fast' }), /'lr' must be a finite number/);
  assert.throws(() => reg.create('fixed-step', new QuarticOracle(), { momentum: 0.9 }), /unknown hyperparameter 'momentum'\. Known: lr/);
});

test('a stepper that needs a capability the oracle lacks fails at construction, naming it', () => {
  const reg = new PluginRegistry();
  reg.register({ ...plugin, name: 'needs-stats', requires: ['layer-statistics'] });
  assert.throws(() => reg.create('needs-stats', new QuarticOracle()), /needs the oracle capability 'layer-statistics'.*declares only: dense-hessian/);
});
