import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyCounters, type Oracle } from '../../core/oracle/oracle.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import { QuadraticOracle } from '../../core/oracle/quadratic.js';
import { QuarticOracle, QUARTIC_CRITICAL_POINT, QUARTIC_FLAT_MINIMUM, quarticGrid } from '../../problems/quartic/oracle.js';
import { measuredStep, runStepper } from '../../core/run/run-loop.js';
import type { MeasuredStepMetrics, StepperState } from '../../core/stepper/stepper.js';
import { assertClose } from '../../core/testing/assert-close.js';
import { gnmPlugin } from './index.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(gnmPlugin);
  return r;
}

const LEFT_STARTS = [[-3.5, 1], [-2.5, -1], [-4, 2]];
/** ‖g‖² at the strict gradient-flat point (√2, 0): g_x = 9 − 4√2. */
const FLAT_GRAD_NORM_SQ = (9 - 4 * Math.SQRT2) ** 2;

test('quartic, left basin: backtracking GNM reaches the critical point (−3, 0) with ‖g‖² < 1e-10', () => {
  for (const start of LEFT_STARTS) {
    const oracle = new QuarticOracle();
    const steps: MeasuredStepMetrics[] = [];
    const out = runStepper(makeRegistry().create('gnm', oracle), Float64Array.from(start), { maxIterations: 1000, counters: oracle.counters, onStep: (m) => steps.push(m) });
    assert.ok(out.state.gradNormSq < 1e-10, `from (${start}): ‖g‖² = ${out.state.gradNormSq} (${out.stopReason})`);
    assertClose(out.state.theta[0], QUARTIC_CRITICAL_POINT[0], 1e-8, 'x');
    assertClose(out.state.theta[1], QUARTIC_CRITICAL_POINT[1], 1e-8, 'y');
    for (const m of steps) {
      // One HVP for Hg, one gradient per line-search trial; the accepted trial is reused, never recomputed.
      if (!m.lineSearch) { assert.deepEqual(m.work, emptyCounters(), 'a halt at ‖g‖² = 0 costs nothing'); continue; }
      assert.deepEqual(m.work, { ...emptyCounters(), hvp: 1, gradient: m.lineSearch.tries });
    }
    const total = steps.reduce((s, m) => s + m.work.gradient, 0);
    assert.equal(oracle.counters.gradient, 1 + total, 'init evaluates once, then only line-search trials');
  }
});

test('with the default ρ = 0.1 no first step jumps the ‖g‖² barrier at x = −√2: every left start of a 20×20 grid ends critical', () => {
  // (The reference code's ρ = 1e-4 sends 14 of these 140 starts into the right basin, to (√2, 0).)
  const left = quarticGrid(20).filter((t) => t[0] < -Math.SQRT2);
  assert.equal(left.length, 140);
  for (const start of left) {
    const out = runStepper(makeRegistry().create('gnm', new QuarticOracle()), start, { maxIterations: 1000, targetGradNormSq: 1e-20 });
    assert.ok(out.state.gradNormSq < 1e-10, `from (${Array.from(start)}): ‖g‖² = ${out.state.gradNormSq} at (${Array.from(out.state.theta)})`);
  }
});

test('every accepted backtracking step satisfies Armijo on ‖g‖²: ‖g₊‖² ≤ ‖g‖² − 2ρα‖Hg‖²', () => {
  const rho = gnmPlugin.hyperparameters.rho.default as number;
  const states: StepperState[] = [];
  const steps: MeasuredStepMetrics[] = [];
  runStepper(makeRegistry().create('gnm', new QuarticOracle()), Float64Array.of(-3.5, 1), {
    maxIterations: 50, onStep: (m) => steps.push(m), onState: (s) => states.push({ ...s }),
  });
  for (let k = 0; k + 1 < states.length; k++) {
    const m = steps[k];
    const hgNormSq = m.extra!.hgNormSq as number;
    assert.ok(states[k + 1].gradNormSq <= m.gradNormSq - 2 * rho * m.alpha * hgNormSq, `step ${k}`);
    assertClose(m.directionNorm, Math.sqrt(hgNormSq), 1e-12 * Math.sqrt(hgNormSq), '‖Hg‖');
  }
});

test('quartic, left basin: GD and momentum GNM decrease ‖g‖² to the critical point too (lr below 2/λmax(H)²)', () => {
  for (const variant of ['gd', 'momentum']) {
    for (const start of LEFT_STARTS.slice(0, 2)) {
      const norms: number[] = [];
      const out = runStepper(makeRegistry().create('gnm', new QuarticOracle(), { variant, learningRate: 1e-3 }), Float64Array.from(start), {
        maxIterations: 2000, onState: (s) => norms.push(s.gradNormSq),
      });
      assert.ok(out.state.gradNormSq < 1e-10 * norms[0], `${variant} from (${start}): ‖g‖² ${norms[0]} → ${out.state.gradNormSq}`);
      assertClose(out.state.theta[0], -3, 1e-8, `${variant}: x`);
      // Plain GD on φ with a small enough step is a descent method: ‖g‖² never rises.
      if (variant === 'gd') for (let k = 1; k < norms.length; k++) assert.ok(norms[k] <= norms[k - 1], `gd: ‖g‖² rose at step ${k}`);
    }
  }
});

test('quartic, right basin: GNM stalls at the gradient-flat point (√2, 0), a local minimum of ‖g‖² ≈ 11.18', () => {
  for (const variant of ['backtracking', 'gd', 'momentum']) {
    for (const start of [[1, 0.5], [3, 1]]) {
      const steps: MeasuredStepMetrics[] = [];
      const hp = variant === 'backtracking' ? {} : { variant, learningRate: 1e-3 };
      const out = runStepper(makeRegistry().create('gnm', new QuarticOracle(), hp), Float64Array.from(start), { maxIterations: 2000, onStep: (m) => steps.push(m) });
      const what = `${variant} from (${start})`;
      assertClose(out.state.theta[0], QUARTIC_FLAT_MINIMUM[0], 1e-6, `${what}: x`);
      assertClose(out.state.theta[1], 0, 1e-6, `${what}: y`);
      // The x-derivative of ‖g‖² vanishes at √2, so ‖g‖² is off by O(error²) only.
      assertClose(out.state.gradNormSq, FLAT_GRAD_NORM_SQ, 1e-9, `${what}: ‖g‖²`);
      assertClose(FLAT_GRAD_NORM_SQ, 11.1766, 1e-4);
      // There ∇φ = Hg → 0 although g does not: φ = ½‖g‖² has a local minimum, not a zero.
      assert.ok((steps.at(-1)!.extra!.hgNormSq as number) < 1e-10, `${what}: ‖Hg‖² = ${steps.at(-1)!.extra!.hgNormSq}`);
    }
  }
});

test('the GNM direction is −∇(½‖g‖²): the step matches central differences of ½‖g‖²', () => {
  const q = new QuarticOracle();
  const phi = (t: Float64Array) => { const g = q.gradient(t).gradient; return 0.5 * (g[0] * g[0] + g[1] * g[1]); };
  // Central differences: truncation O(h²·φ‴) ≈ 1e-7 relative at h = 1e-5, round-off O(eps·φ/h) smaller.
  const h = 1e-5;
  for (const variant of ['gd', 'backtracking']) {
    for (const [x, y] of [[0.3, -0.7], [-2.5, 1.1], [3, 2]]) {
      const theta0 = Float64Array.of(x, y);
      const stepper = makeRegistry().create('gnm', new QuarticOracle(), { variant, learningRate: 1e-3 });
      const { state, metrics } = stepper.step(stepper.init(theta0));
      assert.ok(metrics.alpha > 0, `${variant} at (${x}, ${y}) took a step`);
      for (let i = 0; i < 2; i++) {
        const tp = Float64Array.from(theta0); tp[i] += h;
        const tm = Float64Array.from(theta0); tm[i] -= h;
        const fd = (phi(tp) - phi(tm)) / (2 * h);
        const used = (theta0[i] - state.theta[i]) / metrics.alpha; // = (Hg)_i
        assertClose(used, fd, 1e-6 * (1 + Math.abs(fd)), `${variant} at (${x}, ${y}): ∂φ/∂θ${i}`);
      }
      assertClose(metrics.stepNorm, metrics.alpha * metrics.directionNorm, 1e-12 * metrics.stepNorm, 'stepNorm = α‖Hg‖');
    }
  }
});

test('after an accepted step α grows, α ← min(alphaMax, α/β); the next state carries loss and gradient at θ₊', () => {
  // f = ½θ² at θ = 1: every α ≤ 2(1 − ρ) = 1.8 passes, so α doubles each step until capped.
  const oracle = QuadraticOracle.diagonal([1], [0]);
  const stepper = makeRegistry().create('gnm', oracle, { alphaMax: 0.5 });
  let state = stepper.init(Float64Array.of(1));
  const alphas: number[] = [];
  const next: number[] = [];
  for (let k = 0; k < 4; k++) {
    const res = stepper.step(state);
    assert.equal(res.halted, undefined);
    alphas.push(res.metrics.alpha);
    next.push(res.state.extra.alpha as number);
    const fresh = QuadraticOracle.diagonal([1], [0]).gradient(res.state.theta);
    assert.equal(res.state.loss, fresh.loss);
    assert.deepEqual(Array.from(res.state.gradient), Array.from(fresh.gradient));
    assert.equal(res.state.iteration, k + 1);
    state = res.state;
  }
  assert.deepEqual(alphas, [0.1, 0.2, 0.4, 0.5]);
  assert.deepEqual(next, [0.2, 0.4, 0.5, 0.5]);
  assert.throws(() => makeRegistry().create('gnm', oracle, { alpha0: 2, alphaMax: 1 }), /alpha0 \(2\) must not exceed alphaMax \(1\)/);
});

test('halting at a gradient-flat point (Hg = 0, g ≠ 0): θ stays put, for every variant', () => {
  // f = θ₀² + θ₁ at θ = (0, 3): g = (0, 1) lies in ker H = span{e₁}, so ∇φ = Hg = 0.
  for (const variant of ['backtracking', 'gd', 'momentum']) {
    const oracle = QuadraticOracle.diagonal([2, 0], [0, 1]);
    const stepper = makeRegistry().create('gnm', oracle, { variant });
    const s0 = stepper.init(Float64Array.of(0, 3));
    const res = measuredStep(stepper, s0, oracle.counters);
    assert.match(res.halted ?? '', /Hg = 0/, variant);
    assert.equal(res.state, s0);
    assert.deepEqual(Array.from(res.state.theta), [0, 3]);
    assert.equal(res.metrics.stepNorm, 0);
    assert.equal(res.metrics.alpha, 0);
    assert.deepEqual(res.metrics.work, { ...emptyCounters(), hvp: 1 }, 'one HVP, no trial evaluated');
    const out = runStepper(stepper, Float64Array.of(0, 3), { maxIterations: 10 });
    assert.equal(out.steps, 0);
    assert.deepEqual(Array.from(out.state.theta), [0, 3]);
  }
});

/** An oracle whose HVP has the wrong sign, so −Hg ascends ‖g‖² and no α can pass Armijo. */
function lyingOracle(): Oracle {
  const q = QuadraticOracle.diagonal([1, 3], [0, 0]);
  return {
    dim: 2, capabilities: q.capabilities, counters: q.counters,
    loss: (t) => q.loss(t),
    gradient: (t, out) => q.gradient(t, out),
    hvp: (t, v, out) => { const r = q.hvp(t, v, out); r[0] = -r[0]; r[1] = -r[1]; return r; },
  };
}

test('halting when backtracking finds no α: θ unchanged, the reason names the failure, and trials are counted', () => {
  const oracle = lyingOracle();
  const stepper = makeRegistry().create('gnm', oracle, { minAlpha: 1e-3 });
  const s0 = stepper.init(Float64Array.of(1, 1));
  const theta0 = Array.from(s0.theta);
  const res = measuredStep(stepper, s0, oracle.counters);
  assert.match(res.halted ?? '', /line-search: alpha-underflow/);
  assert.equal(res.state, s0);
  assert.deepEqual(Array.from(res.state.theta), theta0, 'θ stays, never a zero vector');
  assert.deepEqual(Array.from(s0.theta), theta0, 'the input state is not modified');
  assert.equal(res.metrics.lineSearch?.accepted, 'none');
  assert.equal(res.metrics.lineSearch?.tries, 7); // α = 0.1·0.5^k ≥ 1e-3 for k = 0..6
  assert.deepEqual(res.metrics.work, { ...emptyCounters(), hvp: 1, gradient: 7 });
  assert.equal(res.metrics.stepNorm, 0);
  // With the default minAlpha the search shrinks α until θ − αHg rounds to θ.
  const res2 = makeRegistry().create('gnm', lyingOracle()).step(s0);
  assert.match(res2.halted ?? '', /line-search: no-change/);
  assert.deepEqual(Array.from(res2.state.theta), theta0);
});

test('a step to a non-finite θ is reported as NaN (the harness stops), not thrown by the oracle', () => {
  // lr·Hg ≈ 1e308·378 overflows: θ₁ = −∞ in x.
  const oracle = new QuarticOracle();
  const stepper = makeRegistry().create('gnm', oracle, { variant: 'gd', learningRate: 1e308 });
  const res = stepper.step(stepper.init(Float64Array.of(3, 1)));
  assert.equal(res.state.theta[0], -Infinity);
  assert.ok(Number.isNaN(res.state.loss) && Number.isNaN(res.state.gradNormSq));
  assert.equal(oracle.counters.gradient, 1, 'the oracle saw only θ₀');
  const out = runStepper(stepper, Float64Array.of(3, 1), { maxIterations: 5 });
  assert.match(out.stopReason, /non-finite/);
  assert.deepEqual(Array.from(out.state.theta), [3, 1]);
});

test('hyperparameters are validated with messages that name the field', () => {
  const reg = makeRegistry();
  assert.throws(() => reg.create('gnm', new QuarticOracle(), { variant: 'btls' }), /'variant' must be one of gd, momentum, backtracking/);
  assert.throws(() => reg.create('gnm', new QuarticOracle(), { momentum: 1 }), /'momentum' must be < 1/);
  assert.throws(() => reg.create('gnm', new QuarticOracle(), { beta: 1 }), /'beta' must be < 1/);
  assert.ok(reg.describe('gnm').some((l) => l.startsWith('variant: choice {gd|momentum|backtracking} = "backtracking"')));
});
