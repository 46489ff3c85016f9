// tf.LayersModel (Sequential Dense) → gradflat problem: the loss equals what the model itself
// predicts, θ round-trips through the model's weights, an MlpSpec network gives the same numbers
// on the f64 and tfjs engines, other Dense stacks get a double-backprop oracle whose HVP matches
// finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { typescriptKernels } from '../../linalg/kernels-typescript.js';
import { norm2 } from '../../linalg/vector.js';
import { seededNormal } from '../mlp/init.js';
import { ensureTfjsBackend, loadTfjs } from './backend.js';
import { tfjsModelProblem } from './layers-model.js';
import { PAPER_NETWORKS } from './paper-networks.js';

ensureTfjsBackend('cpu');
const tf = loadTfjs();

function relErr(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d += (a[i] - b[i]) ** 2;
  return Math.sqrt(d) / norm2(b);
}

function sequential(widths: number[], activations: string[], useBias: boolean | boolean[]): TF.Sequential {
  const model = tf.sequential();
  widths.slice(1).forEach((units, i) => model.add(tf.layers.dense({
    units, activation: activations[i] as never, useBias: Array.isArray(useBias) ? useBias[i] : useBias,
    ...(i === 0 && { inputShape: [widths[0]] }), kernelInitializer: tf.initializers.randomNormal({ seed: 10 + i }),
    biasInitializer: tf.initializers.randomNormal({ seed: 20 + i, stddev: 0.3 }),
  })));
  return model;
}

test('Fig. 4 classifier (16→12→8→10 swish, softmax output, categoricalCrossentropy): same spec, loss = the model’s own, f64 = tfjs engine', () => {
  const model = sequential([16, 12, 8, 10], ['swish', 'swish', 'softmax'], true);
  const normal = seededNormal(4);
  const N = 40;
  const xs = Array.from({ length: N }, () => Array.from({ length: 16 }, normal));
  const labels = Array.from({ length: N }, (_, i) => (i * 7) % 10);
  const x = tf.tensor2d(xs);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const p = tfjsModelProblem(model, { x, y }, { loss: 'categoricalCrossentropy', l2: 1e-4 });
  assert.deepEqual(p.spec, { ...PAPER_NETWORKS['swish-classifier'], outputActivation: 'identity' });
  assert.equal(p.engine, 'tfjs');
  assert.equal(p.oracle.dim, 398);
  // The model's prediction gives the same cross-entropy (ℓ2 aside).
  const probs = (model.predict(x) as TF.Tensor).arraySync() as number[][];
  const ce = -probs.reduce((s, row, i) => s + Math.log(row[labels[i]]), 0) / N;
  const l2 = (1e-4 / p.theta.length) * p.theta.reduce((s, t) => s + t * t, 0);
  assert.ok(Math.abs(p.oracle.loss(p.theta) - (ce + l2)) <= 1e-5 * ce, `loss ${p.oracle.loss(p.theta)} vs model ${ce + l2}`);
  // The same problem on the float64 engine.
  const f = tfjsModelProblem(model, { x, y: Int32Array.from(labels) }, { loss: 'softmax-cross-entropy', l2: 1e-4, engine: 'f64', kernels: typescriptKernels });
  assert.equal(f.engine, 'f64');
  assert.deepEqual(Array.from(f.theta), Array.from(p.theta));
  const v = Float64Array.from({ length: p.oracle.dim }, normal);
  assert.ok(relErr(p.oracle.gradient(p.theta).gradient, f.oracle.gradient(f.theta).gradient) < 2e-5);
  assert.ok(relErr(p.oracle.hvp(p.theta, v), f.oracle.hvp(f.theta, v)) < 2e-5);
  p.oracle.dispose?.();
  f.oracle.dispose?.();
  tf.dispose([x, y]);
});

test('θ round-trips through the model: toModel(θ) then reading the weights back gives θ (rounded to float32), and predictions follow', () => {
  const model = sequential([16, 4, 16], ['linear', 'linear'], false);
  const normal = seededNormal(9);
  const xs = Float64Array.from({ length: 30 * 16 }, normal);
  const p = tfjsModelProblem(model, { x: xs, y: xs }, { loss: 'mse' });
  assert.deepEqual(p.spec, { ...PAPER_NETWORKS['linear-ae'], outputActivation: 'identity' });
  const theta = Float64Array.from({ length: p.theta.length }, normal);
  p.toModel(theta);
  const again = tfjsModelProblem(model, { x: xs, y: xs }, { loss: 'meanSquaredError' });
  assert.deepEqual(Array.from(again.theta), Array.from(Float32Array.from(theta)));
  // The oracle's MSE (mean over samples and outputs) is tf.losses.meanSquaredError of the model's prediction.
  const x = tf.tensor2d(Float32Array.from(xs), [30, 16]);
  const mse = tf.losses.meanSquaredError(x, model.predict(x) as TF.Tensor).dataSync()[0];
  assert.ok(Math.abs(again.oracle.loss(again.theta) - mse) <= 1e-5 * mse);
  // W_1 (4×16 row-major) is the transpose of the first kernel (16×4).
  const k = (model.layers[0].getWeights()[0].arraySync() as number[][]);
  assert.equal(again.theta[1 * 16 + 3], Math.fround(k[3][1]));
  for (const o of [p, again]) o.oracle.dispose?.();
  x.dispose();
});

test('mixed activations and biases (tanh, sigmoid, no bias on one layer): a double-backprop oracle whose HVP matches finite differences', () => {
  const model = sequential([5, 6, 4, 3], ['tanh', 'sigmoid', 'linear'], [true, false, true]);
  const normal = seededNormal(2);
  const xs = Array.from({ length: 25 }, () => Array.from({ length: 5 }, normal));
  const ys = Array.from({ length: 25 }, () => Array.from({ length: 3 }, normal));
  const p = tfjsModelProblem(model, { x: xs, y: ys }, { loss: 'mse', l2: 1e-3 });
  assert.equal(p.spec, null);
  assert.equal(p.oracle.dim, 5 * 6 + 6 + 6 * 4 + 4 * 3 + 3);
  assert.equal(p.oracle.provenance?.hvp, 'double backprop');
  assert.throws(() => tfjsModelProblem(model, { x: xs, y: ys }, { loss: 'mse', engine: 'f64' }), /only the tfjs engine/);
  // The loss is the model's own MSE plus ℓ2.
  const pred = (model.predict(tf.tensor2d(xs)) as TF.Tensor).arraySync() as number[][];
  const mse = pred.reduce((s, r, i) => s + r.reduce((t, q, k) => t + (q - ys[i][k]) ** 2, 0), 0) / (25 * 3);
  const l2 = (1e-3 / p.theta.length) * p.theta.reduce((s, t) => s + t * t, 0);
  assert.ok(Math.abs(p.oracle.loss(p.theta) - (mse + l2)) <= 1e-5 * mse);
  const v = Float64Array.from({ length: p.oracle.dim }, normal);
  const hv = p.oracle.hvp(p.theta, v); // passes the first-call check
  const h = 1e-3 / norm2(v);
  const gp = p.oracle.gradient(Float64Array.from(p.theta, (t, i) => t + h * v[i])).gradient;
  const gm = p.oracle.gradient(Float64Array.from(p.theta, (t, i) => t - h * v[i])).gradient;
  const fd = gp.map((g, i) => (g - gm[i]) / (2 * h));
  assert.ok(relErr(hv, fd) < 5e-3, `HVP vs finite differences: ${relErr(hv, fd)}`);
  p.oracle.dispose?.();
});

test('unsupported models and losses are refused with a message that says what to do', () => {
  const conv = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [8, 1], filters: 2, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
  assert.throws(() => tfjsModelProblem(conv, { x: [[1]], y: [0] }, { loss: 'mse' }), /Conv1D.*TfjsFunctionOracle/);
  const soft = sequential([3, 2], ['softmax'], true);
  assert.throws(() => tfjsModelProblem(soft, { x: [[1, 2, 3]], y: [[0, 1]] }, { loss: 'mse' }), /ends in softmax/);
  assert.throws(() => tfjsModelProblem(soft, { x: [[1, 2, 3]], y: [0] }, { loss: 'hinge' }), /unsupported loss 'hinge'/);
  assert.throws(() => tfjsModelProblem(soft, { x: [[1, 2, 3]], y: [[0.5, 0.5]] }, { loss: 'categoricalCrossentropy' }), /not one-hot/);
  assert.throws(() => tfjsModelProblem(soft, { x: [[1, 2]], y: [0] }, { loss: 'categoricalCrossentropy' }), /array of 3 numbers/);
  assert.throws(() => tfjsModelProblem(soft, { x: [[1, 2, 3]], y: [5] }, { loss: 'categoricalCrossentropy' }), /out of range/);
});
