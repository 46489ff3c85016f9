// The tfjs MLP oracle against gradflat's float64 engine on every paper network (and tanh/relu
// variants): loss, gradient and HVP (R-operator and double backprop) agree to float32 accuracy at
// random points; no tensor leaks across steps; the engine switch builds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { norm2 } from '../../core/linalg/vector.js';
import type { MlpSpec } from '../mlp/architecture.js';
import type { MlpData } from '../mlp/data.js';
import { seededNormal } from '../mlp/init.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
import { createMlpOracle } from '../select.js';
import { loadTfjs, selectTfjsBackend, ensureTfjsBackend } from './backend.js';
import { TfjsMlpOracle } from './mlp-r-operator.js';
import { PAPER_NETWORKS } from './paper-networks.js';

ensureTfjsBackend('cpu');
const tf = loadTfjs();

function randomData(spec: MlpSpec, N: number, normal: () => number): MlpData {
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const inputs = Float64Array.from({ length: N * dIn }, normal);
  if (spec.loss === 'mse') return { inputs, N, targets: Float64Array.from({ length: N * dOut }, normal) };
  return { inputs, N, labels: Int32Array.from({ length: N }, () => Math.floor(Math.abs(normal()) * 1e6) % dOut) };
}

/** ‖a − b‖ / ‖b‖ */
function relErr(a: ArrayLike<number>, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / norm2(b);
}

// Float32 has 6e-8 relative resolution; sums over N samples and the layers' products cost a few
// hundred ulps. A wrong formula or a dropped second-derivative term is off by O(1e-2 … 1).
const TOL = 2e-5;

function agreement(backend: string, names: string[], N = 48): void {
  for (const name of names) {
    const spec = PAPER_NETWORKS[name];
    const normal = seededNormal(11);
    const data = randomData(spec, N, normal);
    const f64 = new MlpOracle(spec, data, typescriptKernels, { threads: 1 });
    const tfR = new TfjsMlpOracle(spec, data);
    const tfD = new TfjsMlpOracle(spec, data, { hvp: 'double-backprop' });
    assert.equal(tfR.provenance.backend, backend);
    try {
      for (let point = 0; point < 2; point++) {
        const theta = Float64Array.from({ length: f64.dim }, () => 0.8 * normal());
        const ref = f64.gradient(theta);
        const got = tfR.gradient(theta);
        const where = `${name} (${backend}), point ${point}`;
        assert.ok(Math.abs(got.loss - ref.loss) <= TOL * Math.abs(ref.loss), `${where}: loss ${got.loss} vs ${ref.loss}`);
        assert.ok(Math.abs(tfR.loss(theta) - ref.loss) <= TOL * Math.abs(ref.loss), `${where}: loss()`);
        assert.ok(relErr(got.gradient, ref.gradient) <= TOL, `${where}: gradient rel. error ${relErr(got.gradient, ref.gradient)}`);
        assert.ok(relErr(tfD.gradient(theta).gradient, ref.gradient) <= TOL, `${where}: gradient (double-backprop oracle)`);
        for (let k = 0; k < 2; k++) {
          const v = Float64Array.from({ length: f64.dim }, normal);
          const hRef = f64.hvp(theta, v);
          const hR = tfR.hvp(theta, v);
          const hD = tfD.hvp(theta, v);
          assert.ok(relErr(hR, hRef) <= TOL, `${where}: R-operator HVP rel. error ${relErr(hR, hRef)}`);
          assert.ok(relErr(hD, hRef) <= TOL, `${where}: double-backprop HVP rel. error ${relErr(hD, hRef)}`);
        }
      }
    } finally {
      f64.dispose();
      tfR.dispose();
      tfD.dispose();
    }
  }
}

test('tfjs (cpu) agrees with the float64 engine to float32 accuracy on every paper network, both HVP methods', () => {
  agreement('cpu', Object.keys(PAPER_NETWORKS));
});

test('relu hidden layers: R-operator HVP (σ″ = 0 a.e.) agrees with the float64 engine', () => {
  const spec: MlpSpec = { layers: [6, 5, 4], hiddenActivation: 'relu', outputActivation: 'swish', biases: true, loss: 'mse', l2: 1e-3 };
  const normal = seededNormal(5);
  const data = randomData(spec, 20, normal);
  const f64 = new MlpOracle(spec, data, typescriptKernels, { threads: 1 });
  const t = new TfjsMlpOracle(spec, data);
  const theta = Float64Array.from({ length: f64.dim }, normal);
  const v = Float64Array.from({ length: f64.dim }, normal);
  assert.ok(relErr(t.gradient(theta).gradient, f64.gradient(theta).gradient) <= TOL);
  assert.ok(relErr(t.hvp(theta, v), f64.hvp(theta, v)) <= TOL);
  t.dispose();
});

test('dense Hessian by n R-operator HVPs: symmetric, and equal to the float64 Hessian to float32 accuracy', () => {
  const spec = PAPER_NETWORKS['swish-classifier-2'];
  const small: MlpSpec = { ...spec, layers: [5, 4, 3, 2] };
  const normal = seededNormal(3);
  const data = randomData(small, 30, normal);
  const f64 = new MlpOracle(small, data, typescriptKernels, { threads: 1 });
  const t = new TfjsMlpOracle(small, data);
  const theta = Float64Array.from({ length: f64.dim }, normal);
  const before = t.counters.hvp;
  const H = t.hessian(theta);
  assert.equal(t.counters.hvp - before, f64.dim);
  const n = f64.dim;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(H[i * n + j], H[j * n + i]);
  assert.ok(relErr(H, f64.hessian(theta)) <= TOL);
  t.dispose();
});

test('no tensor leaks: the tensor count stays flat across 30 steps at new θ (loss, gradient, two HVPs each)', () => {
  for (const name of ['swish-classifier', 'tanh-ae'] as const) {
    const spec = PAPER_NETWORKS[name];
    const normal = seededNormal(8);
    const data = randomData(spec, 16, normal);
    for (const hvp of ['r-operator', 'double-backprop'] as const) {
      const o = new TfjsMlpOracle(spec, data, { hvp });
      const theta = Float64Array.from({ length: o.dim }, () => 0.5 * normal());
      const v = Float64Array.from({ length: o.dim }, normal);
      const step = (k: number) => {
        theta[k % o.dim] += 0.01;
        o.loss(theta);
        o.gradient(theta);
        o.hvp(theta, v);
        o.hvp(theta, v);
      };
      step(0);
      const count = tf.memory().numTensors;
      for (let k = 1; k <= 30; k++) step(k);
      assert.equal(tf.memory().numTensors, count, `${name} ${hvp}: tensors after 30 steps`);
      const before = tf.memory().numTensors;
      o.dispose();
      assert.ok(tf.memory().numTensors < before, 'dispose() frees the cached passes and the data');
      assert.throws(() => o.loss(theta), /after dispose/);
    }
  }
  assert.equal(tf.memory().numTensors, 0, 'every oracle disposed: no tensor left');
});

test("createMlpOracle(..., { engine: 'tfjs' }) builds the tfjs oracle; it says it computes in float32; bad input is refused", () => {
  const spec = PAPER_NETWORKS['linear-ae'];
  const data = randomData(spec, 8, seededNormal(1));
  const o = createMlpOracle(spec, data, typescriptKernels, { engine: 'tfjs' });
  assert.ok(o instanceof TfjsMlpOracle);
  assert.equal(o.provenance?.precision, 'float32');
  assert.equal(o.provenance?.engine, 'tfjs');
  assert.throws(() => o.gradient(new Float64Array(3)), /length 3/);
  assert.throws(() => o.hvp(new Float64Array(o.dim), new Float64Array(o.dim).fill(NaN)), /non-finite/);
  o.dispose?.();
  assert.throws(() => new TfjsMlpOracle(spec, data, { hvp: 'finite-differences' as never }), /r-operator/);
});

test('tfjs (wasm, when installed) agrees with the float64 engine on every paper network', async (t) => {
  try {
    await selectTfjsBackend('wasm');
  } catch (e) {
    t.skip(`wasm backend unavailable: ${(e as Error).message}`);
    return;
  }
  try {
    agreement('wasm', Object.keys(PAPER_NETWORKS));
  } finally {
    await selectTfjsBackend('cpu');
  }
});
