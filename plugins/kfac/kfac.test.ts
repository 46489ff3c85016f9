import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { symmetricEigen } from '../../core/linalg/symmetric-eigen.js';
import { dot } from '../../core/linalg/vector.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import { initMlpParameters, seededNormal } from '../../engines/mlp/init.js';
import { MlpOracle, type MlpData } from '../../engines/mlp/mlp-oracle.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { measuredStep, runStepper } from '../../core/run/run-loop.js';
import type { MeasuredStepMetrics } from '../../core/stepper/stepper.js';
import { kfacPlugin } from './index.js';
import { factoredPi, kfacDirection, type KfacState } from './kfac.js';
import { denseFromProducts, randomVec } from '../../engines/mlp/testing.js';
import { maxRelErr } from '../../core/testing/assert-close.js';

function makeRegistry() {
  const r = new PluginRegistry();
  r.register(kfacPlugin);
  return r;
}

function problem(spec: MlpSpec, N: number, seed: number) {
  const normal = seededNormal(seed);
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const inputs = randomVec(N * dIn, normal);
  let data: MlpData;
  if (spec.loss === 'mse') data = { inputs, N, targets: randomVec(N * dOut, normal) };
  else {
    const labels = new Int32Array(N);
    for (let i = 0; i < N; i++) labels[i] = Math.floor(Math.abs(normal() * 1e6)) % dOut;
    data = { inputs, N, labels };
  }
  const oracle = new MlpOracle(spec, data, typescriptKernels, { threads: 1 });
  return { oracle, theta: randomVec(oracle.dim, normal, 0.5), normal };
}


/** x = M⁻¹b for a symmetric positive-definite M, via its eigendecomposition. */
function solveSpd(M: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = 0.5 * (M[i * n + j] + M[j * n + i]);
  const { values, vectors } = symmetricEigen(sym, n, true);
  const V = vectors as Float64Array;
  assert.ok(values[0] > 0, `matrix must be positive definite (smallest eigenvalue ${values[0]})`);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) c += V[i * n + j] * b[j];
    c /= values[i];
    for (let j = 0; j < n; j++) x[j] += c * V[i * n + j];
  }
  return x;
}

/** The step actually taken, divided by α: the K-FAC direction Δ. */
function takenDirection(s0: KfacState, s1: KfacState, alpha: number): Float64Array {
  return Float64Array.from(s1.theta, (t, i) => (t - s0.theta[i]) / alpha);
}

for (const biases of [false, true]) {
  test(`one-layer linear MSE (biases ${biases}), damping 0: the first K-FAC step is the exact Gauss-Newton (= Newton, natural-gradient) step −GN⁻¹g, α = 1`, () => {
    const spec: MlpSpec = { layers: [4, 3], hiddenActivation: 'identity', biases, loss: 'mse', l2: 0 };
    const { oracle, theta } = problem(spec, 50, 3);
    const stepper = makeRegistry().create('kfac', oracle, { damping: 0, ema: 0.5 }) as unknown as import('./kfac.js').Kfac;
    const s0 = stepper.init(theta);
    const GN = denseFromProducts(oracle.dim, (e) => oracle.gaussNewtonProduct(theta, e));
    const H = denseFromProducts(oracle.dim, (e) => oracle.hvp(theta, e));
    assert.ok(maxRelErr(GN, H) < 1e-13, 'GN = Hessian here');
    const exact = solveSpd(GN, s0.gradient).map((x) => -x);
    const { state: s1, metrics } = measuredStep(stepper, s0, oracle.counters);
    assert.ok(Math.abs(metrics.alpha - 1) < 1e-12, `α* = ${metrics.alpha}`);
    const dir = takenDirection(s0, s1, metrics.alpha);
    assert.ok(maxRelErr(dir, exact) < 1e-10, `direction relative error ${maxRelErr(dir, exact)}`);
    // A linear least-squares problem: one exact Newton step lands on the minimiser.
    assert.ok(s1.gradNormSq < 1e-20 * s0.gradNormSq, `‖g‖² ${s0.gradNormSq} → ${s1.gradNormSq}`);
    assert.equal(metrics.extra?.statsRefreshed, true);
    assert.equal(metrics.extra?.damping, 0);
    assert.deepEqual({ ...metrics.work }, { loss: 0, gradient: 1, hvp: 0, gvp: 1, statistics: 1 });
    assert.ok(Math.abs(metrics.stepNorm - metrics.alpha * metrics.directionNorm) === 0);
    oracle.dispose();
  });
}

test('one-layer softmax CE: Δ is the damped Kronecker formula, α the quadratic-model scale (the Kronecker Fisher is not exact for CE)', () => {
  // For CE the per-sample output Hessian diag(p_i) − p_i p_iᵀ varies with the sample, so
  // A ⊗ G ≠ F even for one layer (see layer-statistics.test.ts); Δ is therefore checked against
  // −[(G + πγI) ⊗ (A + γ/π I)]⁻¹ g built densely, and α against −gᵀΔ/(Δᵀ(F + λI)Δ) with the exact F.
  const spec: MlpSpec = { layers: [3, 4], hiddenActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 0.01 };
  const { oracle, theta } = problem(spec, 60, 9);
  const lambda = 0.03;
  const stepper = makeRegistry().create('kfac', oracle, { damping: lambda, learningRate: 1e6 });
  const s0 = stepper.init(theta) as KfacState;
  const [st] = oracle.layerStatistics(theta);
  const n = oracle.dim;
  const eigA = symmetricEigen(st.A, st.aDim, false).values;
  const eigG = symmetricEigen(st.G, st.outputs, false).values;
  const pi = factoredPi({ aValues: eigA.map((x) => Math.max(0, x)), gValues: eigG.map((x) => Math.max(0, x)), aDim: st.aDim, outputs: st.outputs });
  let ta = 0, tg = 0;
  for (let i = 0; i < st.aDim; i++) ta += st.A[i * st.aDim + i];
  for (let i = 0; i < st.outputs; i++) tg += st.G[i * st.outputs + i];
  assert.ok(Math.abs(pi - Math.sqrt((ta / st.aDim) / (tg / st.outputs))) < 1e-12 * pi, 'π from the traces');
  const gamma = Math.sqrt(lambda);
  const idx = (r: number, c: number) => (c < st.inputs ? st.weightOffset + r * st.inputs + c : st.biasOffset + r);
  const K = new Float64Array(n * n);
  for (let r = 0; r < st.outputs; r++) for (let c = 0; c < st.aDim; c++) for (let r2 = 0; r2 < st.outputs; r2++) for (let c2 = 0; c2 < st.aDim; c2++) {
    const g = st.G[r * st.outputs + r2] + (r === r2 ? gamma / pi : 0);
    const a = st.A[c * st.aDim + c2] + (c === c2 ? pi * gamma : 0);
    K[idx(r, c) * n + idx(r2, c2)] = g * a;
  }
  const expected = solveSpd(K, s0.gradient).map((x) => -x);
  const { state: s1, metrics } = stepper.step(s0);
  const dir = takenDirection(s0, s1 as KfacState, metrics.alpha);
  assert.ok(maxRelErr(dir, expected) < 1e-10, `direction relative error ${maxRelErr(dir, expected)}`);
  const Fd = oracle.gaussNewtonProduct(theta, expected);
  const alphaStar = -dot(s0.gradient, expected) / (dot(expected, Fd) + lambda * dot(expected, expected));
  assert.ok(Math.abs(metrics.alpha - alphaStar) < 1e-10 * alphaStar, `α ${metrics.alpha} vs α* ${alphaStar}`);
  assert.equal(metrics.extra?.alphaStar, metrics.alpha);
  assert.ok(s1.loss < s0.loss, 'the scaled step decreases the loss');
  oracle.dispose();
});

test('learningRate caps α*, and quadraticModel: false uses it as the step size without a GVP', () => {
  const spec: MlpSpec = { layers: [3, 4], hiddenActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 0 };
  const { oracle, theta } = problem(spec, 30, 2);
  const capped = makeRegistry().create('kfac', oracle, { learningRate: 1e-3 });
  const r1 = capped.step(capped.init(theta));
  assert.equal(r1.metrics.alpha, 1e-3);
  assert.ok((r1.metrics.extra?.alphaStar as number) > 1e-3);
  const plain = makeRegistry().create('kfac', oracle, { quadraticModel: false, learningRate: 0.2 });
  const r2 = measuredStep(plain, plain.init(theta), oracle.counters);
  assert.equal(r2.metrics.alpha, 0.2);
  assert.equal(r2.metrics.work.gvp, 0);
  assert.equal(r2.metrics.extra?.rho, undefined);
  const clip = makeRegistry().create('kfac', oracle, { maxStepNorm: 1e-4 });
  const r3 = clip.step(clip.init(theta));
  assert.ok(Math.abs(r3.metrics.stepNorm - 1e-4) < 1e-18);
  assert.equal(r3.metrics.extra?.clipped, true);
  oracle.dispose();
});

test('moving averages: the second estimate is averaged with weight min(1 − 1/2, ema) = 1/2; statsEvery and inverseEvery skip passes', () => {
  const spec: MlpSpec = { layers: [3, 4, 2], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 };
  const { oracle, theta } = problem(spec, 40, 5);
  const stepper = makeRegistry().create('kfac', oracle, { ema: 0.95 });
  const s0 = stepper.init(theta) as KfacState;
  const s1 = stepper.step(s0).state as KfacState;
  const s2 = stepper.step(s1).state as KfacState;
  const f0 = oracle.layerStatistics(s0.theta);
  const f1 = oracle.layerStatistics(s1.theta);
  for (let l = 0; l < 2; l++) {
    const A = f0[l].A.map((x, i) => 0.5 * x + 0.5 * f1[l].A[i]);
    const G = f0[l].G.map((x, i) => 0.5 * x + 0.5 * f1[l].G[i]);
    assert.ok(maxRelErr(s2.extra.factors[l].A, A) < 1e-14 && maxRelErr(s2.extra.factors[l].G, G) < 1e-14, `layer ${l + 1}`);
    assert.ok(maxRelErr(s1.extra.factors[l].A, f0[l].A) < 1e-15, 'first estimate taken as is');
  }
  assert.equal(s2.extra.statsCount, 2);

  const lazy = makeRegistry().create('kfac', oracle, { statsEvery: 3, inverseEvery: 2 });
  let st = lazy.init(theta) as KfacState;
  const seen: MeasuredStepMetrics[] = [];
  for (let k = 0; k < 4; k++) { const r = measuredStep(lazy, st, oracle.counters); seen.push(r.metrics); st = r.state as KfacState; }
  assert.deepEqual(seen.map((m) => m.work.statistics), [1, 0, 0, 1]);
  assert.deepEqual(seen.map((m) => m.extra?.statsRefreshed), [true, false, false, true]);
  assert.deepEqual(seen.map((m) => m.extra?.inverseRefreshed), [true, false, true, false]);
  oracle.dispose();
});

test('K-FAC decreases the loss of a small swish autoencoder over 20 steps', () => {
  const spec: MlpSpec = { layers: [8, 8, 3, 8], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 1e-4 };
  const normal = seededNormal(21);
  const N = 300;
  const inputs = randomVec(N * 8, normal);
  for (let i = 0; i < N; i++) for (let j = 0; j < 8; j++) inputs[i * 8 + j] *= Math.sqrt(1 + j);
  const oracle = new MlpOracle(spec, { inputs, N, targets: inputs }, typescriptKernels, { threads: 1 });
  const stepper = makeRegistry().create('kfac', oracle);
  const steps: MeasuredStepMetrics[] = [];
  const theta0 = initMlpParameters(spec, normal);
  const out = runStepper(stepper, theta0, { maxIterations: 20, counters: oracle.counters, onStep: (m) => steps.push(m) });
  assert.equal(out.steps, 20, out.stopReason);
  const loss0 = steps[0].loss;
  assert.ok(out.state.loss < 0.6 * loss0, `loss ${loss0} → ${out.state.loss}`);
  for (const m of steps) {
    assert.ok(m.alpha > 0 && Number.isFinite(m.alpha));
    assert.equal(m.work.statistics, 1);
    assert.equal(m.work.gvp, 1);
  }
  oracle.dispose();
});

test("kfac fails at construction with a clear message when the oracle lacks 'layer-statistics'", () => {
  const reg = makeRegistry();
  assert.throws(() => reg.create('kfac', new QuarticOracle()), /stepper 'kfac' needs the oracle capability 'layer-statistics'.*declares only/);
  assert.throws(() => reg.create('kfac', new QuarticOracle(), { damping: -1 }), /layer-statistics|'damping' must be ≥ 0/);
  const spec: MlpSpec = { layers: [2, 2], hiddenActivation: 'identity', biases: false, loss: 'mse', l2: 0 };
  const { oracle } = problem(spec, 4, 1);
  assert.throws(() => reg.create('kfac', oracle, { ema: 1 }), /'ema' must be < 1/);
  assert.throws(() => reg.create('kfac', oracle, { statsEvery: 0 }), /'statsEvery' must be ≥ 1/);
  oracle.dispose();
});

test('a zero gradient halts without a step', () => {
  // One-layer linear MSE at its exact minimiser: solve, then restart there.
  const spec: MlpSpec = { layers: [2, 2], hiddenActivation: 'identity', biases: false, loss: 'mse', l2: 0 };
  const oracle = new MlpOracle(spec, { inputs: Float64Array.of(1, 0, 0, 1), N: 2, targets: Float64Array.of(1, 0, 0, 1) }, typescriptKernels, { threads: 1 });
  const stepper = makeRegistry().create('kfac', oracle);
  const res = stepper.step(stepper.init(Float64Array.of(1, 0, 0, 1)));
  assert.match(res.halted ?? '', /converged/);
  assert.equal(res.metrics.stepNorm, 0);
  oracle.dispose();
});

test('factored damping ([MG] §6.3): with A = aI, G = gI the step is −∇/((a + πγ)(g + γ/π)), π = √(a/g)', () => {
  // Independent of the dense reference above: a layer with isotropic factors of very different
  // scale, where putting πγ on the wrong factor changes the step by orders of magnitude.
  const a = 1, gScale = 1e-4, lambda = 1e-3, out = 2, aDim = 3;
  const eye = (m: number, s: number) => Float64Array.from({ length: m * m }, (_, i) => (i % (m + 1) === 0 ? s : 0));
  const layer = {
    layer: 1, inputs: aDim, outputs: out, weightOffset: 0, biasOffset: -1, aDim,
    A: eye(aDim, a), G: eye(out, gScale),
    aValues: Float64Array.from({ length: aDim }, () => a), aVectors: eye(aDim, 1),
    gValues: Float64Array.from({ length: out }, () => gScale), gVectors: eye(out, 1),
  };
  const grad = Float64Array.from({ length: out * aDim }, (_, i) => i + 1);
  const pi = Math.sqrt(a / gScale);
  const gamma = Math.sqrt(lambda);
  const delta = kfacDirection([layer as never], grad, lambda);
  grad.forEach((gi, i) => {
    const expected = -gi / ((a + pi * gamma) * (gScale + gamma / pi));
    assert.ok(Math.abs(delta[i] - expected) <= 1e-12 * Math.abs(expected), `Δ[${i}] = ${delta[i]}, expected ${expected}`);
  });
});
