import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { symmetricEigen } from '../../core/linalg/symmetric-eigen.js';
import type { LayerStatistics } from '../../core/oracle/oracle.js';
import { activationValue, layerLayout, resolveMlpSpec, type MlpSpec } from './architecture.js';
import { seededNormal } from './init.js';
import { layerStatistics as rawLayerStatistics } from './layer-statistics.js';
import { MlpOracle, type MlpData } from './mlp-oracle.js';
import { denseFromProducts, randomMlpData, randomVec } from './testing.js';

// ---- helpers -------------------------------------------------------------------------------

function makeProblem(spec: MlpSpec, N: number, seed: number, blockRows = 4) {
  const normal = seededNormal(seed);
  const data = randomMlpData(spec, N, normal);
  // Small blocks: the blocked passes run over several blocks with a partial last one.
  const oracle = new MlpOracle(spec, data, typescriptKernels, { blockRows, threads: 1 });
  const theta = randomVec(oracle.dim, normal, 0.7);
  return { oracle, data, theta, normal };
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-300);
}

/**
 * Scalar reference of the network from layer `from` on: starting at layer `from`'s
 * pre-activation z (from = 1..L), or at the input x (z = null, from = 1). Returns ŷ.
 */
function referenceOutput(spec: MlpSpec, theta: Float64Array, x: number[], from = 0, zFrom: number[] | null = null): number[] {
  const lay = layerLayout(resolveMlpSpec(spec));
  let a = x;
  for (const l of lay) {
    let z: number[];
    if (l.index < from) continue;
    if (l.index === from && zFrom !== null) z = zFrom;
    else {
      z = [];
      for (let o = 0; o < l.outputs; o++) {
        let s = l.biasOffset >= 0 ? theta[l.biasOffset + o] : 0;
        for (let c = 0; c < l.inputs; c++) s += theta[l.weightOffset + o * l.inputs + c] * a[c];
        z.push(s);
      }
    }
    a = z.map((t) => activationValue(l.activation, t));
  }
  return a;
}

/** Layer inputs a_{l−1} and pre-activations z_l of one sample (scalar reference). */
function referenceLayers(spec: MlpSpec, theta: Float64Array, x: number[]): { inputs: number[][]; z: number[][] } {
  const lay = layerLayout(resolveMlpSpec(spec));
  const inputs: number[][] = [];
  const zs: number[][] = [];
  let a = x;
  for (const l of lay) {
    inputs.push(a);
    const z: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.biasOffset >= 0 ? theta[l.biasOffset + o] : 0;
      for (let c = 0; c < l.inputs; c++) s += theta[l.weightOffset + o * l.inputs + c] * a[c];
      z.push(s);
    }
    zs.push(z);
    a = z.map((t) => activationValue(l.activation, t));
  }
  return { inputs, z: zs };
}

/** Per-sample output Hessian M_i (d×d row-major) at the output ŷ. */
function outputHessian(spec: MlpSpec, yhat: number[]): number[] {
  const d = yhat.length;
  const M = new Array<number>(d * d).fill(0);
  if (spec.loss === 'mse') {
    for (let k = 0; k < d; k++) M[k * d + k] = 2 / d;
  } else {
    const m = Math.max(...yhat);
    const e = yhat.map((t) => Math.exp(t - m));
    const s = e.reduce((u, t) => u + t, 0);
    const p = e.map((t) => t / s);
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) M[j * d + k] = (j === k ? p[j] : 0) - p[j] * p[k];
  }
  return M;
}

/** Central-difference Jacobian of `fn` (R^m → R^d) at u: d×m row-major. */
function fdJacobian(fn: (u: number[]) => number[], u: number[], h = 1e-6): number[][] {
  const d = fn(u).length;
  const J: number[][] = Array.from({ length: d }, () => new Array<number>(u.length).fill(0));
  for (let j = 0; j < u.length; j++) {
    const up = u.slice(); up[j] += h;
    const dn = u.slice(); dn[j] -= h;
    const fp = fn(up);
    const fm = fn(dn);
    for (let k = 0; k < d; k++) J[k][j] = (fp[k] - fm[k]) / (2 * h);
  }
  return J;
}

/** J^T M J for J d×m, M d×d: m×m row-major, accumulated into out with weight w. */
function addJtMJ(J: number[][], M: number[], out: Float64Array, w: number): void {
  const d = J.length;
  const m = J[0].length;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) s += J[j][a] * M[j * d + k] * J[k][b];
      out[a * m + b] += w * s;
    }
  }
}

/** Dense Gauss-Newton matrix (1/N) Σ J_iᵀ M_i J_i + (2λ/n)I from finite-difference Jacobians. */
function denseGaussNewtonFd(spec: MlpSpec, data: MlpData, theta: Float64Array): Float64Array {
  const n = theta.length;
  const dIn = spec.layers[0];
  const GN = new Float64Array(n * n);
  for (let i = 0; i < data.N; i++) {
    const x = Array.from(data.inputs.subarray(i * dIn, (i + 1) * dIn));
    const J = fdJacobian((t) => referenceOutput(spec, Float64Array.from(t), x), Array.from(theta));
    addJtMJ(J, outputHessian(spec, referenceOutput(spec, theta, x)), GN, 1 / data.N);
  }
  for (let a = 0; a < n; a++) GN[a * n + a] += (2 * spec.l2) / n;
  return GN;
}

function matVec(M: Float64Array, v: Float64Array): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let a = 0; a < n; a++) { let s = 0; for (let b = 0; b < n; b++) s += M[a * n + b] * v[b]; out[a] = s; }
  return out;
}


function assertSymmetricPsd(M: Float64Array, k: number, what: string): void {
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) assert.equal(M[i * k + j], M[j * k + i], `${what} symmetric at (${i},${j})`);
  const { values } = symmetricEigen(M, k, false);
  const top = Math.max(...values);
  assert.ok(top > 0, `${what}: largest eigenvalue ${top} > 0`);
  assert.ok(values[0] >= -1e-13 * top, `${what}: smallest eigenvalue ${values[0]} (largest ${top}) must be ≥ 0 up to round-off`);
}

/** θ index of (row r, column c̄) of [W_l | b_l]: c̄ = inputs is the bias column. */
function thetaIndex(s: LayerStatistics, r: number, c: number): number {
  return c < s.inputs ? s.weightOffset + r * s.inputs + c : s.biasOffset + r;
}

// ---- Gauss-Newton product -------------------------------------------------------------------

const GN_CASES: { name: string; spec: MlpSpec }[] = [
  { name: 'MSE, biases, swish hidden, identity output, ℓ2', spec: { layers: [3, 4, 2], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0.3 } },
  { name: 'MSE, no biases, swish hidden, tanh output', spec: { layers: [3, 4, 3], hiddenActivation: 'swish', outputActivation: 'tanh', biases: false, loss: 'mse', l2: 0 } },
  { name: 'MSE, biases, tanh hidden, swish output, 3 layers', spec: { layers: [2, 3, 2, 3], hiddenActivation: 'tanh', outputActivation: 'swish', biases: true, loss: 'mse', l2: 0.1 } },
  { name: 'CE, biases, tanh hidden', spec: { layers: [3, 4, 3], hiddenActivation: 'tanh', biases: true, loss: 'softmax-cross-entropy', l2: 0.2 } },
  { name: 'CE, no biases, swish hidden, swish output', spec: { layers: [3, 3, 3], hiddenActivation: 'swish', outputActivation: 'swish', biases: false, loss: 'softmax-cross-entropy', l2: 0 } },
];

for (const { name, spec } of GN_CASES) {
  test(`gaussNewtonProduct equals the dense GN from finite-difference Jacobians: ${name}`, () => {
    const { oracle, data, theta, normal } = makeProblem(spec, 7, 11, 3);
    const GN = denseGaussNewtonFd(spec, data, theta);
    const dense = denseFromProducts(oracle.dim, (e) => oracle.gaussNewtonProduct(theta, e));
    assert.ok(relErr(dense, GN) < 1e-7, `dense GN relative error ${relErr(dense, GN)}`);
    for (let r = 0; r < 3; r++) {
      const v = randomVec(oracle.dim, normal);
      const gv = oracle.gaussNewtonProduct(theta, v);
      assert.ok(relErr(gv, matVec(GN, v)) < 1e-7, `GN·v relative error ${relErr(gv, matVec(GN, v))}`);
    }
    // Symmetric PSD up to round-off.
    for (let a = 0; a < oracle.dim; a++) for (let b = 0; b < a; b++) {
      assert.ok(Math.abs(dense[a * oracle.dim + b] - dense[b * oracle.dim + a]) < 1e-13 * (1 + Math.abs(dense[a * oracle.dim + b])));
    }
    oracle.dispose();
  });
}

for (const biases of [false, true]) {
  test(`deep linear network with MSE: GN = Hessian at zero residual, not elsewhere (biases ${biases})`, () => {
    // H = GN + (1/N)Σ_i (2/d)(ŷ_i − y_i)ᵀ ∂²ŷ_i/∂θ²; ŷ is bilinear in (W_1, W_2, …), so the
    // residual term vanishes only where ŷ_i = y_i (or for one layer, next test).
    const spec: MlpSpec = { layers: [4, 3, 2, 4], hiddenActivation: 'identity', biases, loss: 'mse', l2: 0.05 };
    const normal = seededNormal(5);
    const N = 23;
    const inputs = randomVec(N * 4, normal);
    const probe = new MlpOracle(spec, { inputs, N, targets: randomVec(N * 4, normal) }, typescriptKernels, { blockRows: 5, threads: 1 });
    const theta = randomVec(probe.dim, normal, 0.7);
    const targets = new Float64Array(N * 4);
    for (let i = 0; i < N; i++) targets.set(referenceOutput(spec, theta, Array.from(inputs.subarray(i * 4, i * 4 + 4))), i * 4);
    const exact = new MlpOracle(spec, { inputs, N, targets }, typescriptKernels, { blockRows: 5, threads: 1 });
    for (let r = 0; r < 3; r++) {
      const v = randomVec(probe.dim, normal);
      const gv = exact.gaussNewtonProduct(theta, v);
      assert.ok(relErr(gv, exact.hvp(theta, v)) < 1e-12, `zero residual: relative difference ${relErr(gv, exact.hvp(theta, v))}`);
      assert.ok(relErr(probe.gaussNewtonProduct(theta, v), gv) < 1e-14, 'GN does not depend on the targets');
      assert.ok(relErr(probe.hvp(theta, v), gv) > 1e-3, 'non-zero residual: H ≠ GN');
    }
    probe.dispose(); exact.dispose();
  });
}

for (const biases of [false, true]) {
  test(`one-layer linear network with MSE: gaussNewtonProduct equals the HVP exactly, biases ${biases}`, () => {
    const spec: MlpSpec = { layers: [4, 3], hiddenActivation: 'identity', biases, loss: 'mse', l2: 0.05 };
    const { oracle, theta, normal } = makeProblem(spec, 23, 5, 5);
    for (let r = 0; r < 3; r++) {
      const v = randomVec(oracle.dim, normal);
      const hv = oracle.hvp(theta, v);
      const gv = oracle.gaussNewtonProduct(theta, v);
      assert.ok(relErr(gv, hv) < 1e-13, `relative difference ${relErr(gv, hv)}`);
    }
    oracle.dispose();
  });
}

test('gaussNewtonProduct: out may alias v; blockRows does not change the result beyond round-off; N not a multiple of the block', () => {
  const spec: MlpSpec = { layers: [3, 5, 2], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 0.1 };
  const normal = seededNormal(3);
  const data = randomMlpData(spec, 37, normal);
  const a = new MlpOracle(spec, data, typescriptKernels, { blockRows: 5, threads: 1 });
  const b = new MlpOracle(spec, data, typescriptKernels, { blockRows: 512, threads: 1 });
  const theta = randomVec(a.dim, normal, 0.7);
  const v = randomVec(a.dim, normal);
  const ref = b.gaussNewtonProduct(theta, v);
  assert.ok(relErr(a.gaussNewtonProduct(theta, v), ref) < 1e-14);
  const w = v.slice();
  const res = a.gaussNewtonProduct(theta, w, w);
  assert.equal(res, w);
  assert.ok(relErr(w, ref) < 1e-14);
  const sa = a.layerStatistics(theta);
  const sb = b.layerStatistics(theta);
  for (let l = 0; l < sa.length; l++) {
    assert.ok(relErr(sa[l].A, sb[l].A) < 1e-14 && relErr(sa[l].G, sb[l].G) < 1e-14, `layer ${l + 1}`);
  }
  a.dispose(); b.dispose();
});

// ---- Kronecker factors ----------------------------------------------------------------------

for (const biases of [false, true]) {
  test(`one-layer network with MSE, identity output: the GN matrix is exactly G ⊗ A (biases ${biases})`, () => {
    const spec: MlpSpec = { layers: [4, 3], hiddenActivation: 'identity', biases, loss: 'mse', l2: 0 };
    const { oracle, theta } = makeProblem(spec, 29, 8, 6);
    const [s] = oracle.layerStatistics(theta);
    assert.equal(s.layer, 1);
    assert.equal(s.aDim, 4 + (biases ? 1 : 0));
    assert.equal(s.biasOffset, biases ? 12 : -1);
    const n = oracle.dim;
    const GN = denseFromProducts(n, (e) => oracle.gaussNewtonProduct(theta, e));
    let maxAbs = 0;
    for (const x of GN) maxAbs = Math.max(maxAbs, Math.abs(x));
    for (let r = 0; r < s.outputs; r++) for (let c = 0; c < s.aDim; c++) {
      for (let r2 = 0; r2 < s.outputs; r2++) for (let c2 = 0; c2 < s.aDim; c2++) {
        const kron = s.G[r * s.outputs + r2] * s.A[c * s.aDim + c2];
        const gn = GN[thetaIndex(s, r, c) * n + thetaIndex(s, r2, c2)];
        assert.ok(Math.abs(kron - gn) <= 1e-14 * maxAbs, `(${r},${c})×(${r2},${c2}): kron ${kron} vs GN ${gn}`);
      }
    }
    // G = (2/d)·I for MSE with an identity output.
    for (let r = 0; r < 3; r++) for (let r2 = 0; r2 < 3; r2++) assert.equal(s.G[r * 3 + r2], r === r2 ? 2 / 3 : 0);
    oracle.dispose();
  });
}

const STAT_CASES: { name: string; spec: MlpSpec }[] = [
  { name: 'MSE, biases, swish hidden, identity output after a bottleneck', spec: { layers: [3, 4, 2, 3], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0.1 } },
  { name: 'MSE, no biases, tanh hidden, swish output', spec: { layers: [3, 4, 3], hiddenActivation: 'tanh', outputActivation: 'swish', biases: false, loss: 'mse', l2: 0 } },
  { name: 'MSE, biases, swish hidden, identity output wider than d_out', spec: { layers: [2, 4, 3], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 } },
  { name: 'CE, biases, swish hidden', spec: { layers: [3, 4, 3], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: 0 } },
  { name: 'CE, no biases, tanh hidden, tanh output', spec: { layers: [2, 3, 4], hiddenActivation: 'tanh', outputActivation: 'tanh', biases: false, loss: 'softmax-cross-entropy', l2: 0 } },
  { name: 'one layer, CE, biases', spec: { layers: [3, 4], hiddenActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 0 } },
];

for (const { name, spec } of STAT_CASES) {
  test(`layerStatistics: A and G equal their definitions (finite-difference ∂ŷ/∂z_l), symmetric PSD: ${name}`, () => {
    const { oracle, data, theta } = makeProblem(spec, 9, 17, 4);
    const stats = oracle.layerStatistics(theta);
    assert.equal(oracle.counters.statistics, 1);
    const lay = layerLayout(resolveMlpSpec(spec));
    assert.equal(stats.length, lay.length);
    const dIn = spec.layers[0];
    const refA = lay.map((l) => new Float64Array((l.inputs + (spec.biases ? 1 : 0)) ** 2));
    const refG = lay.map((l) => new Float64Array(l.outputs ** 2));
    for (let i = 0; i < data.N; i++) {
      const x = Array.from(data.inputs.subarray(i * dIn, (i + 1) * dIn));
      const { inputs, z } = referenceLayers(spec, theta, x);
      const M = outputHessian(spec, referenceOutput(spec, theta, x));
      lay.forEach((l, li) => {
        const abar = spec.biases ? [...inputs[li], 1] : inputs[li];
        const k = abar.length;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) refA[li][a * k + b] += (abar[a] * abar[b]) / data.N;
        const J = fdJacobian((zz) => referenceOutput(spec, theta, x, l.index, zz), z[li]);
        addJtMJ(J, M, refG[li], 1 / data.N);
      });
    }
    stats.forEach((s, li) => {
      const l = lay[li];
      assert.deepEqual(
        [s.layer, s.inputs, s.outputs, s.weightOffset, s.biasOffset, s.aDim],
        [l.index, l.inputs, l.outputs, l.weightOffset, l.biasOffset, l.inputs + (spec.biases ? 1 : 0)],
      );
      assert.ok(relErr(s.A, refA[li]) < 1e-14, `A_${l.index} relative error ${relErr(s.A, refA[li])}`);
      assert.ok(relErr(s.G, refG[li]) < 1e-8, `G_${l.index} relative error ${relErr(s.G, refG[li])}`);
      assertSymmetricPsd(s.A, s.aDim, `A_${l.index}`);
      assertSymmetricPsd(s.G, s.outputs, `G_${l.index}`);
    });
    oracle.dispose();
  });
}

test('one-layer CE: the Kronecker product is NOT the exact Fisher (p depends on the sample)', () => {
  // F = (1/N) Σ_i M_i ⊗ ā_i ā_iᵀ ≠ ((1/N) Σ M_i) ⊗ ((1/N) Σ ā_i ā_iᵀ) unless M_i is the same for every sample.
  const spec: MlpSpec = { layers: [3, 4], hiddenActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 0 };
  const { oracle, theta } = makeProblem(spec, 40, 2, 8);
  const [s] = oracle.layerStatistics(theta);
  const n = oracle.dim;
  const F = denseFromProducts(n, (e) => oracle.gaussNewtonProduct(theta, e));
  let maxDiff = 0;
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let r2 = 0; r2 < 4; r2++) for (let c2 = 0; c2 < 4; c2++) {
    maxDiff = Math.max(maxDiff, Math.abs(s.G[r * 4 + r2] * s.A[c * 4 + c2] - F[thetaIndex(s, r, c) * n + thetaIndex(s, r2, c2)]));
  }
  assert.ok(maxDiff > 1e-4, `the Kronecker factorisation should differ from the exact Fisher here (max diff ${maxDiff})`);
  oracle.dispose();
});

test("MlpOracle declares 'layer-statistics', counts the calls and validates θ and v", () => {
  const spec: MlpSpec = { layers: [2, 3, 2], hiddenActivation: 'swish', biases: true, loss: 'mse', l2: 0 };
  const { oracle, theta } = makeProblem(spec, 5, 1, 2);
  assert.ok(oracle.capabilities.has('layer-statistics'));
  assert.ok(oracle.capabilities.has('dense-hessian'));
  oracle.gaussNewtonProduct(theta, theta);
  oracle.gaussNewtonProduct(theta, theta);
  oracle.layerStatistics(theta);
  assert.equal(oracle.counters.gvp, 2);
  assert.equal(oracle.counters.statistics, 1);
  assert.equal(oracle.counters.hvp, 0);
  assert.throws(() => oracle.layerStatistics(new Float64Array(3)), /parameter vector θ has length 3/);
  const bad = theta.slice(); bad[2] = NaN;
  assert.throws(() => oracle.gaussNewtonProduct(theta, bad), /Gauss-Newton product direction v has a non-finite entry NaN at index 2/);
  assert.throws(() => oracle.gaussNewtonProduct(bad, theta), /parameter vector θ has a non-finite entry/);
  assert.throws(() => oracle.gaussNewtonProduct(theta, theta, new Float64Array(2)), /gaussNewtonProduct: 'out' must be a Float64Array of length/);
  oracle.dispose();
});

test('the statistics do not depend on the caller mutating its data arrays afterwards', () => {
  const spec: MlpSpec = { layers: [2, 3, 2], hiddenActivation: 'tanh', biases: false, loss: 'mse', l2: 0 };
  const { oracle, data, theta } = makeProblem(spec, 6, 4, 2);
  const before = oracle.layerStatistics(theta)[0].A.slice();
  data.inputs.fill(100);
  assert.deepEqual(Array.from(oracle.layerStatistics(theta)[0].A), Array.from(before));
  // The pure function, given the mutated inputs, sees them.
  const r = resolveMlpSpec(spec);
  assert.notDeepEqual(Array.from(rawLayerStatistics(r, data, theta, typescriptKernels)[0].A), Array.from(before));
  oracle.dispose();
});
