import test from 'node:test';
import assert from 'node:assert/strict';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { runStepper } from '../../core/run/run-loop.js';
import type { Oracle } from '../../core/oracle/oracle.js';
import type { StepMetrics } from '../../core/stepper/stepper.js';
import { assertClose } from '../../core/testing/assert-close.js';
import { newtonMrHyperparameters, newtonMrPlugin } from './index.js';
import { validateHyperparameters } from '../../core/registry/hyperparameters.js';

const registry = new PluginRegistry();
registry.register(newtonMrPlugin);

for (const solver of ['minres-qlp', 'minres-qlp-reorth', 'exact'] as const) {
  test(`solver ${solver}: on an SPD quadratic the first step is the exact Newton step, with its true residual logged`, () => {
    const oracle = QuadraticOracle.diagonal([1, 2, 5], [1, -1, 2]);
    const stepper = registry.create('newton-mr', oracle, { solver });
    const { state, metrics } = stepper.step(stepper.init(Float64Array.of(0, 0, 0)));
    assert.equal(metrics.lineSearch?.accepted, 'unit');
    [-1, 0.5, -0.4].forEach((v, i) => assertClose(state.theta[i], v, 1e-12, `θ[${i}]`));
    assert.equal(metrics.newton!.solver, solver);
    assert.ok(metrics.newton!.residual! <= 1e-12, `residual ${metrics.newton!.residual}`);
  });
}

test('solver exact-lm: converges on an indefinite quadratic (the model is exact, so μ only shrinks)', () => {
  const oracle = QuadraticOracle.diagonal([1, -2, 5, 0.01], [1, 1, -1, 0.3]);
  const steps: StepMetrics[] = [];
  const out = runStepper(registry.create('newton-mr', oracle, { solver: 'exact-lm' }), Float64Array.of(0, 0, 0, 0), { maxIterations: 60, onStep: (m) => steps.push(m), targetGradNormSq: 1e-26 });
  assert.ok(out.state.gradNormSq < 1e-26, `‖g‖² = ${out.state.gradNormSq}`);
  assertClose(steps[0].extra!.lmRho as number, 1, 1e-9, 'gain ratio of an exact model');
  assert.ok((steps[1].extra!.lmMu as number) < (steps[0].extra!.lmMu as number), 'μ shrinks after a good step');
  assert.equal(steps[0].newton!.solver, 'exact', "step metrics carry the paper's r from the exact Newton solve");
});

test('solver exact-lm: converges to the critical point (−3, 0) of the quartic, and stalls at the strict gradient-flat point of a singular quadratic', () => {
  const out = runStepper(registry.create('newton-mr', new QuarticOracle(), { solver: 'exact-lm' }), Float64Array.of(-3.5, 1.5), { maxIterations: 200 });
  assertClose(out.state.theta[0], -3, 1e-9, 'x');
  assert.ok(out.state.gradNormSq < 1e-20, `‖g‖² = ${out.state.gradNormSq}`);
  const flat = QuadraticOracle.diagonal([2, 0], [0, 1]);
  const res = registry.create('newton-mr', flat, { solver: 'exact-lm' }).step(registry.create('newton-mr', flat, { solver: 'exact-lm' }).init(Float64Array.of(0, 3)));
  assert.match(res.halted ?? '', /exact-lm: the model predicts no decrease/);
  assert.deepEqual(Array.from(res.state.theta), [0, 3]);
  assert.ok(res.metrics.newton!.r_solverA > 0.99);
});

test('bad input: exact solvers on an oracle without a dense Hessian, or an unknown solver, fail with clear messages', () => {
  const q = QuadraticOracle.diagonal([1, 2], [1, 1]);
  const hvpOnly: Oracle = { dim: 2, capabilities: new Set(), counters: q.counters, loss: (t) => q.loss(t), gradient: (t, o) => q.gradient(t, o), hvp: (t, v, o) => q.hvp(t, v, o) };
  assert.throws(() => registry.create('newton-mr', hvpOnly, { solver: 'exact' }), /stepper 'newton-mr': solver 'exact' needs the oracle capability 'dense-hessian'.*'minres-qlp-reorth'/);
  assert.throws(() => registry.create('newton-mr', hvpOnly, { solver: 'exact-lm' }), /'dense-hessian'/);
  assert.doesNotThrow(() => registry.create('newton-mr', hvpOnly, { solver: 'minres-qlp-reorth' }));
  assert.throws(() => registry.create('newton-mr', q, { solver: 'cholesky' }), /hyperparameter 'solver' must be one of minres-qlp, minres-qlp-reorth, exact, exact-lm/);
});

test("final points of an exact-lm run are judged with the exact Newton solve; the default adds nothing to the probe settings", () => {
  const hp = validateHyperparameters(newtonMrHyperparameters, { solver: 'exact-lm' }, "stepper 'newton-mr'");
  assert.equal(newtonMrPlugin.probeSolver!(hp).solver, 'exact');
  assert.equal(newtonMrPlugin.probeSolver!(validateHyperparameters(newtonMrHyperparameters, {}, "stepper 'newton-mr'")).solver, undefined);
});
