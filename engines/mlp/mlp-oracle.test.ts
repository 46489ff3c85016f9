import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { dot, norm2 } from '../../core/linalg/vector.js';
import {
  activationValue, layerLayout, parameterCount, resolveMlpSpec,
  type HiddenActivation, type MlpSpec, type OutputActivation,
} from './architecture.js';
import { seededNormal } from './init.js';
import { MlpOracle, type MlpData } from './mlp-oracle.js';
import { randomMlpData, randomVec } from './testing.js';

// ---- helpers -------------------------------------------------------------------------------

function makeProblem(spec: MlpSpec, N: number, seed: number, blockRows = 4) {
  const normal = seededNormal(seed);
  const data = randomMlpData(spec, N, normal);
  // Small blocks, so the blocked passes run over several blocks with a partial last one.
  const oracle = new MlpOracle(spec, data, typescriptKernels, { blockRows });
  // Random (not paper-init) parameters so that biases are non-zero and activations nonlinear.
  const theta = randomVec(oracle.dim, normal, 0.7);
  return { oracle, data, theta, normal };
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Independent scalar reference of the loss conventions (no gemm, no caching). */
function referenceLoss(spec: MlpSpec, data: MlpData, theta: Float64Array): number {
  const r = resolveMlpSpec(spec);
  const lay = layerLayout(r);
  const dOut = r.layers[r.layers.length - 1];
  let total = 0;
  for (let i = 0; i < data.N; i++) {
    let a = Array.from(data.inputs.subarray(i * r.layers[0], (i + 1) * r.layers[0]));
    for (const l of lay) {
      const next: number[] = [];
      for (let o = 0; o < l.outputs; o++) {
        let z = l.biasOffset >= 0 ? theta[l.biasOffset + o] : 0;
        for (let c = 0; c < l.inputs; c++) z += theta[l.weightOffset + o * l.inputs + c] * a[c];
        next.push(activationValue(l.activation, z));
      }
      a = next;
    }
    if (r.loss === 'mse') {
      for (let k = 0; k < dOut; k++) total += (a[k] - (data.targets as Float64Array)[i * dOut + k]) ** 2 / dOut;
    } else {
      const m = Math.max(...a);
      const lse = m + Math.log(a.reduce((s, x) => s + Math.exp(x - m), 0));
      total += lse - a[(data.labels as Int32Array)[i]];
    }
  }
  let sq = 0;
  for (const t of theta) sq += t * t;
  return total / data.N + r.l2 * (sq / theta.length);
}

const HIDDEN: HiddenActivation[] = ['identity', 'swish', 'tanh', 'relu'];
const OUTPUT: OutputActivation[] = ['identity', 'swish', 'tanh'];
const LOSSES = ['mse', 'softmax-cross-entropy'] as const;

function* allSpecs(): Generator<MlpSpec> {
  for (const hiddenActivation of HIDDEN) {
    for (const outputActivation of OUTPUT) {
      for (const loss of LOSSES) {
        for (const biases of [false, true]) {
          yield { layers: [3, 5, 4, 3], hiddenActivation, outputActivation, loss, biases, l2: 0.03 };
        }
      }
    }
  }
}

const label = (s: MlpSpec): string => `${s.hiddenActivation}/${s.outputActivation}/${s.loss}/biases=${s.biases}`;

// ---- tests ---------------------------------------------------------------------------------

test('loss follows the reference conventions (MSE mean over samples and units, CE mean over samples, λ·mean(θ²))', () => {
  let seed = 100;
  for (const spec of allSpecs()) {
    const { oracle, data, theta } = makeProblem(spec, 6, seed++);
    const f = oracle.loss(theta);
    const ref = referenceLoss(spec, data, theta);
    // Same sums in a different order: agreement to a few ulps of the summands (|f| ~ 1).
    assert.ok(Math.abs(f - ref) <= 1e-13 * (1 + Math.abs(ref)), `${label(spec)}: ${f} vs ${ref}`);
  }
});

test('gradient matches central finite differences of the loss for every activation × loss × biases', () => {
  // Central differences with step h: error ≈ h²/6·|f'''| (truncation) + ε·|f|/h (round-off).
  // With h = 1e-5, |f'''| ≲ 10 and |f| ≲ 10 on these small networks: ≈ 2e-10 + 2e-10, so an
  // absolute tolerance of 1e-7 (plus 1e-6 relative) leaves a margin of ~100 while a wrong
  // derivative term (O(1e-2) or larger) would fail.
  const h = 1e-5;
  let seed = 1;
  for (const spec of allSpecs()) {
    const { oracle, theta } = makeProblem(spec, 7, seed++);
    const { loss, gradient } = oracle.gradient(theta);
    assert.equal(loss, oracle.loss(theta));
    const tp = theta.slice();
    for (let i = 0; i < theta.length; i++) {
      tp[i] = theta[i] + h;
      const fp = oracle.loss(tp);
      tp[i] = theta[i] - h;
      const fm = oracle.loss(tp);
      tp[i] = theta[i];
      const fd = (fp - fm) / (2 * h);
      assert.ok(Math.abs(fd - gradient[i]) <= 1e-7 + 1e-6 * Math.abs(fd),
        `${label(spec)}: ∂f/∂θ[${i}] = ${gradient[i]}, finite difference ${fd}`);
    }
  }
});

test('HVP matches central finite differences of the gradient, and uᵀ(Hv) = vᵀ(Hu)', () => {
  // (g(θ+hv) − g(θ−hv))/(2h) − Hv ≈ h²/6·∇³f[v,v] + ε·|g|/h. With h = 1e-5, ‖v‖ ~ 4 and third
  // derivatives ≲ 10²: truncation ≲ 2e-8, round-off ≈ 1e-11·(N-term sums) ≲ 1e-9. Tolerance
  // 1e-6 + 1e-6·|entry|. Symmetry is exact up to round-off of two dot products of length n:
  // |uᵀHv − vᵀHu| ≲ n·ε·‖u‖‖Hv‖ → 1e-12 relative.
  const h = 1e-5;
  let seed = 500;
  for (const spec of allSpecs()) {
    const { oracle, theta, normal } = makeProblem(spec, 7, seed++);
    const n = oracle.dim;
    const v = randomVec(n, normal);
    const u = randomVec(n, normal);
    const hv = oracle.hvp(theta, v);
    const hu = oracle.hvp(theta, u);
    const gp = oracle.gradient(Float64Array.from(theta, (t, i) => t + h * v[i])).gradient;
    const gm = oracle.gradient(Float64Array.from(theta, (t, i) => t - h * v[i])).gradient;
    for (let i = 0; i < n; i++) {
      const fd = (gp[i] - gm[i]) / (2 * h);
      assert.ok(Math.abs(fd - hv[i]) <= 1e-6 + 1e-6 * Math.abs(fd), `${label(spec)}: (Hv)[${i}] = ${hv[i]}, finite difference ${fd}`);
    }
    const a = dot(u, hv);
    const b = dot(v, hu);
    assert.ok(Math.abs(a - b) <= 1e-12 * (norm2(u) * norm2(hv) + norm2(v) * norm2(hu)), `${label(spec)}: uᵀHv = ${a}, vᵀHu = ${b}`);
  }
});

test('closed form: one-layer linear MSE model has H = 2/(N·d_out)·(I_out ⊗ XᵀX) + (2λ/n)·I', () => {
  const dIn = 4; const dOut = 3; const N = 9; const lam = 0.2;
  const spec: MlpSpec = { layers: [dIn, dOut], hiddenActivation: 'swish', biases: false, loss: 'mse', l2: lam };
  const { oracle, data, theta } = makeProblem(spec, N, 77);
  const n = dOut * dIn;
  assert.equal(oracle.dim, n);
  const H = oracle.hessian(theta);
  const X = data.inputs;
  let maxEntry = 0;
  for (let r = 0; r < dOut; r++) for (let c = 0; c < dIn; c++) for (let r2 = 0; r2 < dOut; r2++) for (let c2 = 0; c2 < dIn; c2++) {
    let xtx = 0;
    for (let i = 0; i < N; i++) xtx += X[i * dIn + c] * X[i * dIn + c2];
    const expected = (r === r2 ? (2 / (N * dOut)) * xtx : 0) + (r === r2 && c === c2 ? (2 * lam) / n : 0);
    const got = H[(r * dIn + c) * n + r2 * dIn + c2];
    maxEntry = Math.max(maxEntry, Math.abs(expected));
    // Both sides are sums of N products of O(1) numbers: round-off ≲ N·ε·max|X|² ≈ 1e-14.
    assert.ok(Math.abs(got - expected) <= 1e-13, `H[(${r},${c}),(${r2},${c2})] = ${got}, expected ${expected}`);
  }
  assert.ok(maxEntry > 0.1);
  // The Hessian of a quadratic does not depend on θ, and its HVPs equal H·v.
  const H2 = oracle.hessian(new Float64Array(n).fill(0.5));
  assert.ok(maxAbsDiff(H, H2) <= 1e-13);
});

test('dense hessian equals the HVPs and is symmetric', () => {
  for (const spec of [
    { layers: [3, 4, 2, 3], hiddenActivation: 'swish', outputActivation: 'tanh', biases: true, loss: 'mse', l2: 0.01 },
    { layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'softmax-cross-entropy', l2: 0 },
  ] satisfies MlpSpec[]) {
    const { oracle, theta, normal } = makeProblem(spec, 8, 31);
    const n = oracle.dim;
    const before = oracle.counters.hvp;
    const H = oracle.hessian(theta);
    assert.equal(oracle.counters.hvp - before, n, 'hessian counts n HVPs');
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(H[i * n + j], H[j * n + i]);
    const scale = maxAbs(H);
    for (let t = 0; t < 3; t++) {
      const v = randomVec(n, normal);
      const hv = oracle.hvp(theta, v);
      const Hv = new Float64Array(n);
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += H[i * n + j] * v[j]; Hv[i] = s; }
      // Symmetrisation changes entries by the HVP's round-off asymmetry (≈ ε·scale); the
      // products then differ by ≲ n·ε·scale·‖v‖∞ ≈ 1e-13·scale.
      assert.ok(maxAbsDiff(hv, Hv) <= 1e-12 * scale * maxAbs(v), `${spec.hiddenActivation}: ${maxAbsDiff(hv, Hv)}`);
    }
    // Unit-vector HVPs equal the Hessian's columns.
    const e = new Float64Array(n);
    e[2] = 1;
    const col = oracle.hvp(theta, e);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(col[i] - H[i * n + 2]) <= 1e-13 * scale);
  }
});

test('cache: θ₁, θ₂, θ₁ again and in-place mutation never return stale results', () => {
  const spec: MlpSpec = { layers: [4, 5, 4], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0.01 };
  const { oracle, data, theta: t1, normal } = makeProblem(spec, 10, 9);
  const n = oracle.dim;
  const t2 = randomVec(n, normal, 0.7);
  const v = randomVec(n, normal);
  const fresh = (t: Float64Array) => {
    const o = new MlpOracle(spec, data, typescriptKernels, { blockRows: 4 });
    return { hv: o.hvp(t, v), g: o.gradient(t).gradient, f: o.loss(t) };
  };
  const r1 = fresh(t1);
  const r2 = fresh(t2);
  assert.ok(maxAbsDiff(r1.hv, r2.hv) > 1e-3, 'the two points must differ for the test to mean anything');
  // Deterministic computations: a warm cache must reproduce the fresh results bit for bit.
  assert.deepEqual(oracle.hvp(t1, v), r1.hv);
  assert.deepEqual(oracle.hvp(t1, v), r1.hv);
  assert.deepEqual(oracle.hvp(t2, v), r2.hv);
  assert.deepEqual(oracle.hvp(t1, v), r1.hv);
  // The caller mutates its θ array in place between calls.
  const t = t1.slice();
  assert.deepEqual(oracle.hvp(t, v), r1.hv);
  t.set(t2);
  assert.deepEqual(oracle.hvp(t, v), r2.hv);
  assert.equal(oracle.loss(t), r2.f);
  assert.deepEqual(oracle.gradient(t).gradient, r2.g);
  t.set(t1);
  assert.equal(oracle.loss(t), r1.f); // loss-only pass, then the HVP must add the missing passes
  assert.deepEqual(oracle.hvp(t, v), r1.hv);
  assert.deepEqual(oracle.gradient(t).gradient, r1.g);
  // A one-ulp change in the last entry invalidates the cache.
  t[n - 1] = t1[n - 1] + Math.abs(t1[n - 1]) * Number.EPSILON * 2;
  const r3 = fresh(t.slice());
  assert.deepEqual(oracle.hvp(t, v), r3.hv);
  assert.deepEqual(oracle.gradient(t).gradient, r3.g);
  // Mutating v after a call does not matter; `out` may alias v.
  const w = v.slice();
  const out = oracle.hvp(t1, w, w);
  assert.equal(out, w);
  assert.deepEqual(out, r1.hv);
  // `out` for the gradient is filled and returned.
  const gOut = new Float64Array(n);
  assert.equal(oracle.gradient(t1, gOut).gradient, gOut);
  assert.deepEqual(gOut, r1.g);
});

test('block size changes nothing but round-off', () => {
  for (const spec of [
    { layers: [3, 5, 4, 3], hiddenActivation: 'swish', outputActivation: 'tanh', biases: true, loss: 'mse', l2: 0.01 },
    { layers: [3, 5, 4], hiddenActivation: 'tanh', biases: false, loss: 'softmax-cross-entropy', l2: 0 },
  ] satisfies MlpSpec[]) {
    const { oracle: ref, data, theta, normal } = makeProblem(spec, 11, 8, 1000);
    const v = randomVec(ref.dim, normal);
    const f = ref.loss(theta);
    const g = ref.gradient(theta).gradient;
    const hv = ref.hvp(theta, v);
    for (const blockRows of [1, 2, 3, 5, 10, 11]) {
      const o = new MlpOracle(spec, data, typescriptKernels, { blockRows });
      // Only the order of the per-sample sums changes: a few ulps of the largest partial sum.
      assert.ok(Math.abs(o.loss(theta) - f) <= 1e-14 * Math.abs(f));
      assert.ok(maxAbsDiff(o.gradient(theta).gradient, g) <= 1e-14 * maxAbs(g));
      assert.ok(maxAbsDiff(o.hvp(theta, v), hv) <= 1e-14 * maxAbs(hv));
    }
  }
  assert.throws(() => new MlpOracle({ layers: [1, 1], hiddenActivation: 'identity', biases: false, loss: 'mse', l2: 0 },
    { inputs: new Float64Array(1), N: 1, targets: new Float64Array(1) }, typescriptKernels, { blockRows: 0 }), /blockRows/);
});

test('counters count calls', () => {
  const spec: MlpSpec = { layers: [2, 3, 2], hiddenActivation: 'tanh', biases: true, loss: 'mse', l2: 0 };
  const { oracle, theta, normal } = makeProblem(spec, 4, 3);
  const v = randomVec(oracle.dim, normal);
  oracle.loss(theta); oracle.loss(theta);
  oracle.gradient(theta);
  oracle.hvp(theta, v); oracle.hvp(theta, v); oracle.hvp(theta, v);
  assert.deepEqual({ ...oracle.counters }, { loss: 2, gradient: 1, hvp: 3, gvp: 0, statistics: 0 });
  assert.ok(oracle.capabilities.has('dense-hessian'));
  assert.ok(oracle.capabilities.has('layer-statistics'));
});

test('Swish network stays finite for huge pre-activations (|z| > 709)', () => {
  const spec: MlpSpec = { layers: [2, 3, 2], hiddenActivation: 'swish', outputActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 0 };
  const data: MlpData = { inputs: Float64Array.from([1000, -1000, -900, 800]), N: 2, labels: Int32Array.from([0, 1]) };
  const o = new MlpOracle(spec, data);
  const theta = new Float64Array(o.dim).fill(1);
  theta[1] = -1; theta[3] = 2;
  const { loss, gradient } = o.gradient(theta);
  const hv = o.hvp(theta, new Float64Array(o.dim).fill(1));
  assert.ok(Number.isFinite(loss));
  for (const x of gradient) assert.ok(Number.isFinite(x));
  for (const x of hv) assert.ok(Number.isFinite(x));
});

test('ReLU oracle reports non-smoothness', () => {
  const spec: MlpSpec = { layers: [2, 3, 2], hiddenActivation: 'relu', biases: true, loss: 'mse', l2: 0 };
  const { oracle } = makeProblem(spec, 3, 5);
  assert.equal(oracle.smooth, false);
  assert.match(oracle.warnings.join(' '), /not smooth/);
});

test('bad input throws errors naming the problem', () => {
  const spec: MlpSpec = { layers: [3, 4, 2], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 };
  const ce: MlpSpec = { ...spec, loss: 'softmax-cross-entropy' };
  const N = 4;
  const inputs = new Float64Array(N * 3).fill(0.5);
  const targets = new Float64Array(N * 2).fill(0.1);
  const labels = Int32Array.from([0, 1, 1, 0]);
  const bad = inputs.slice(); bad[7] = NaN;
  assert.throws(() => new MlpOracle(spec, { inputs: bad, N, targets }), /data\.inputs.*NaN.*sample 2, feature 1/);
  const badT = targets.slice(); badT[3] = Infinity;
  assert.throws(() => new MlpOracle(spec, { inputs, N, targets: badT }), /data\.targets.*Infinity.*sample 1, output 1/);
  assert.throws(() => new MlpOracle(spec, { inputs: inputs.subarray(1), N, targets }), /data\.inputs has length 11.*4×3 = 12/);
  assert.throws(() => new MlpOracle(spec, { inputs, N, targets: targets.subarray(1) }), /data\.targets has length 7.*4×2 = 8/);
  assert.throws(() => new MlpOracle(spec, { inputs, N: 5, targets }), /data\.inputs has length 12.*5×3 = 15/);
  assert.throws(() => new MlpOracle(spec, { inputs, N: 0, targets }), /data\.N.*positive integer/);
  assert.throws(() => new MlpOracle(spec, { inputs: Array.from(inputs) as never, N, targets }), /data\.inputs must be a Float64Array/);
  assert.throws(() => new MlpOracle(spec, { inputs, N }), /'mse' needs data\.targets.*targets = inputs/);
  assert.throws(() => new MlpOracle(spec, { inputs, N, targets, labels }), /data\.labels is only for loss 'softmax-cross-entropy'/);
  assert.throws(() => new MlpOracle(ce, { inputs, N }), /needs data\.labels/);
  assert.throws(() => new MlpOracle(ce, { inputs, N, labels: Int32Array.from([0, 1, 2, 0]) }), /data\.labels\[2\] = 2 is out of range.*0\.\.1/);
  assert.throws(() => new MlpOracle(ce, { inputs, N, labels: Int32Array.from([0, -1, 1, 0]) }), /data\.labels\[1\] = -1/);
  assert.throws(() => new MlpOracle(ce, { inputs, N, labels: labels.subarray(1) }), /data\.labels has length 3, but N = 4/);
  assert.throws(() => new MlpOracle(ce, { inputs, N, labels, targets }), /data\.targets is only for loss 'mse'/);
  assert.throws(() => new MlpOracle({ ...spec, layers: [3, 4, 0] }, { inputs, N, targets }), /'layers\[2\]'/);

  const o = new MlpOracle(spec, { inputs, N, targets });
  const n = parameterCount(spec);
  assert.equal(o.dim, n);
  const theta = new Float64Array(n).fill(0.1);
  assert.throws(() => o.loss(new Float64Array(n - 1)), /length 25, but the problem has 26 parameters/);
  assert.throws(() => o.gradient(new Float64Array(n + 1)), /length 27/);
  const nanTheta = theta.slice(); nanTheta[5] = NaN;
  assert.throws(() => o.gradient(nanTheta), /non-finite entry NaN at index 5/);
  assert.throws(() => o.hvp(theta, new Float64Array(3)), /hvp direction v has length 3/);
  const nanV = theta.slice(); nanV[0] = Infinity;
  assert.throws(() => o.hvp(theta, nanV), /hvp direction v has a non-finite entry/);
  assert.throws(() => o.hvp(theta, theta, new Float64Array(2)), /'out' must be a Float64Array of length 26/);
  assert.throws(() => o.gradient(theta, new Float64Array(2)), /'out' must be a Float64Array of length 26/);
  // A failed call leaves the oracle usable and correct.
  const o2 = new MlpOracle(spec, { inputs, N, targets });
  assert.equal(o.loss(theta), o2.loss(theta));
  // The oracle copies the data: later changes to the caller's arrays do not leak in.
  const myInputs = inputs.slice();
  const o3 = new MlpOracle(spec, { inputs: myInputs, N, targets });
  const f0 = o3.loss(theta);
  myInputs.fill(3);
  assert.equal(o3.loss(theta.map((x) => x + 1e-3)) !== f0, true);
  assert.equal(o3.loss(theta), f0);
});
