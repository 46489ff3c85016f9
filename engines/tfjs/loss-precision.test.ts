// The tfjs engine's loss values against the float64 engine where float32 is at its weakest:
// MSE at the genuine critical points of the linear autoencoder (the truth table matches losses
// to 1e-6 relative; WASM's float32 tf.mean missed that by up to 4e-6), and softmax cross-entropy
// at small losses (Σ lse − Σ z_y cancels). Run on WASM when installed, and on the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { gaussianData, linearlySpacedVariances } from '../../core/data/gaussian.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { norm2 } from '../../core/linalg/vector.js';
import { Rng } from '../../core/random/rng.js';
import { linearAePoint, linearAeSpec } from '../../problems/linear-ae/truth.js';
import { covarianceEigen } from '../../problems/common/covariance.js';
import { matchToTruth } from '../../core/analysis/truth.js';
import { layerLayout, type MlpSpec } from '../mlp/architecture.js';
import { seededNormal } from '../mlp/init.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
import { mlpOutputs } from '../mlp/predict.js';
import { loadTfjs, selectTfjsBackend } from './backend.js';
import { tfjsModelProblem } from './layers-model.js';
import { TfjsMlpOracle } from './mlp-r-operator.js';

function relErr(a: ArrayLike<number>, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / norm2(b);
}

async function onBackends(t: { skip(msg: string): void; diagnostic(msg: string): void }, run: (backend: string) => void): Promise<void> {
  for (const b of ['wasm', 'cpu'] as const) {
    try {
      await selectTfjsBackend(b);
    } catch (e) {
      t.diagnostic(`${b} unavailable: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    run(b);
  }
}

test('MSE at genuine linear-AE critical points (N = 1,000): within 1e-6 of the exact loss, so the truth table matches them', async (t) => {
  const N = 1000;
  const d = 16;
  const x = gaussianData(N, linearlySpacedVariances(d), new Rng(1).fork(1));
  const eig = covarianceEigen(x, N, d, typescriptKernels);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += eig.values[i];
  const subsets = [[0, 1, 2, 3], [0, 1, 2], [1, 2, 3, 5], [12, 13, 14, 15]];
  const truth = subsets.map((subset) => ({ subset, loss: (trace - subset.reduce((s, i) => s + eig.values[i], 0)) / d, index: 0, negativeEigenvalues: 0 }));
  await onBackends(t, (backend) => {
    const o = new TfjsMlpOracle(linearAeSpec(d, 4), { inputs: x, targets: x, N });
    try {
      truth.forEach((p) => {
        const loss = o.loss(linearAePoint(eig, 4, p.subset));
        const rel = Math.abs(loss - p.loss) / p.loss;
        assert.ok(rel <= 1e-6, `${backend}, subset ${p.subset}: loss ${loss} vs exact ${p.loss} (rel. ${rel.toExponential(2)})`);
        assert.ok(matchToTruth(loss, 0, [p]).matched, `${backend}: subset ${p.subset} matched to the truth table`);
      });
    } finally {
      o.dispose();
    }
  });
});

test('softmax cross-entropy at small loss (output layer ×50): loss, gradient and HVP within ~1e-5 of the float64 engine, MLP and layers-model oracles', async (t) => {
  const spec: MlpSpec = { layers: [6, 8, 4], hiddenActivation: 'tanh', outputActivation: 'identity', biases: true, loss: 'softmax-cross-entropy', l2: 0 };
  const normal = seededNormal(5);
  const N = 200;
  const inputs = Float64Array.from(Float32Array.from({ length: N * 6 }, normal));
  const layout = layerLayout(spec);
  const base = Float64Array.from(Float32Array.from({ length: 6 * 8 + 8 + 8 * 4 + 4 }, normal));
  // Labels: the network's own predictions, so every row is right and, scaled, confident.
  const logits = mlpOutputs(spec, inputs, N, base);
  const labels = Int32Array.from({ length: N }, (_, i) => { const z = logits.subarray(i * 4, i * 4 + 4); return z.indexOf(Math.max(...z)); });
  const theta = Float64Array.from(base);
  const last = layout[layout.length - 1];
  for (let i = last.weightOffset; i < theta.length; i++) theta[i] = Math.fround(50 * theta[i]);
  const f64 = new MlpOracle(spec, { inputs, N, labels }, typescriptKernels, { threads: 1 });
  const ref = f64.gradient(theta);
  assert.ok(ref.loss < 5e-3, `a small loss: ${ref.loss}`);
  const v = Float64Array.from({ length: theta.length }, normal);
  const href = f64.hvp(theta, v);
  // The same network as a tf.LayersModel whose second layer has no bias: not an MlpSpec, so its
  // oracle is the safe-ops loss (double backprop, per-row losses summed in float64). Its float64
  // reference is the MlpSpec with that bias 0.
  const b2 = last.biasOffset;
  const thetaNoB2 = theta.slice(0, b2);
  const thetaB2zero = Float64Array.from(theta, (x, i) => (i >= b2 ? 0 : x));
  const refNoB2 = f64.gradient(thetaB2zero);
  await onBackends(t, (backend) => {
    const tf = loadTfjs();
    const o = new TfjsMlpOracle(spec, { inputs, N, labels });
    try {
      const got = o.gradient(theta);
      const rel = Math.abs(got.loss - ref.loss) / ref.loss;
      assert.ok(rel <= 2e-5, `${backend}: CE loss ${got.loss} vs ${ref.loss} (rel. ${rel.toExponential(2)})`);
      assert.ok(relErr(got.gradient, ref.gradient) <= 5e-5, `${backend}: gradient rel. error ${relErr(got.gradient, ref.gradient)}`);
      assert.ok(relErr(o.hvp(theta, v), href) <= 5e-5, `${backend}: HVP rel. error ${relErr(o.hvp(theta, v), href)}`);
    } finally {
      o.dispose();
    }
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'tanh' }),
      tf.layers.dense({ units: 4, useBias: false }),
    ] });
    const p = tfjsModelProblem(model, { x: inputs, y: labels }, { loss: 'softmax-cross-entropy' });
    try {
      assert.equal(p.spec, null);
      const got = p.oracle.gradient(thetaNoB2);
      const rel = Math.abs(got.loss - refNoB2.loss) / refNoB2.loss;
      assert.ok(rel <= 2e-5, `${backend}, layers model: CE loss ${got.loss} vs ${refNoB2.loss} (rel. ${rel.toExponential(2)})`);
      assert.ok(Math.abs(p.oracle.loss(thetaNoB2) - refNoB2.loss) <= 2e-5 * refNoB2.loss);
    } finally {
      p.oracle.dispose?.();
      (model as unknown as TF.LayersModel).dispose();
    }
  });
  f64.dispose();
});

