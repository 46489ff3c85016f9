// tf.LayersModel (Sequential Dense) → gradflat problem: the loss equals what the model itself
// predicts, θ round-trips through the model's weights, an MlpSpec network gives the same numbers
// on the f64 and tfjs engines, other Dense stacks get a double-backprop oracle whose HVP matches
// finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { norm2 } from '../../core/linalg/vector.js';
import { layerLayout, type MlpSpec } from '../mlp/architecture.js';
import { seededNormal } from '../mlp/init.js';
import { MlpOracle } from '../mlp/mlp-oracle.js';
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

test('a relu network that is no MlpSpec (no bias on one layer) gets a double-backprop oracle whose HVP is accepted and equals the float64 engine’s', () => {
  // relu, relu, linear with biases on layers 1 and 3 only. The float64 engine computes the same
  // function as the MlpSpec with biases everywhere and b₂ = 0; its HVP restricted to the model's
  // coordinates is the model's HVP (relu″ = 0 away from kinks, on both engines).
  const widths = [5, 8, 6, 3];
  const bias = [true, false, true];
  const model = sequential(widths, ['relu', 'relu', 'linear'], bias);
  const normal = seededNormal(12);
  const N = 200;
  const xs = Float64Array.from({ length: N * widths[0] }, normal);
  const ys = Float64Array.from({ length: N * widths[3] }, normal);
  const p = tfjsModelProblem(model, { x: xs, y: ys }, { loss: 'mse' });
  assert.equal(p.spec, null);
  const spec: MlpSpec = { layers: widths, hiddenActivation: 'relu', outputActivation: 'identity', biases: true, loss: 'mse', l2: 0 };
  const f64 = new MlpOracle(spec, { inputs: Float64Array.from(Float32Array.from(xs)), targets: Float64Array.from(Float32Array.from(ys)), N }, typescriptKernels, { threads: 1 });
  // model θ index → float64-engine θ index
  const map: number[] = [];
  layerLayout(spec).forEach((l, k) => {
    for (let i = 0; i < l.inputs * l.outputs; i++) map.push(l.weightOffset + i);
    if (bias[k]) for (let i = 0; i < l.outputs; i++) map.push(l.biasOffset + i);
  });
  assert.equal(map.length, p.oracle.dim);
  const embed = (x: Float64Array) => { const e = new Float64Array(f64.dim); map.forEach((j, i) => { e[j] = x[i]; }); return e; };
  const restrict = (e: Float64Array) => Float64Array.from(map, (j) => e[j]);
  const theta = Float64Array.from(Float32Array.from(p.theta, (t) => 2 * t));
  assert.ok(Math.abs(p.oracle.loss(theta) - f64.loss(embed(theta))) <= 1e-6 * f64.loss(embed(theta)));
  for (let k = 0; k < 3; k++) {
    const v = Float64Array.from({ length: p.oracle.dim }, normal);
    const hv = p.oracle.hvp(theta, v); // refused before: the finite-difference check crossed relu's kinks
    const ref = restrict(f64.hvp(embed(theta), embed(v)));
    assert.ok(relErr(hv, ref) < 2e-5, `relu HVP vs float64 engine: rel. error ${relErr(hv, ref)}`);
  }
  assert.ok(relErr(p.oracle.gradient(theta).gradient, restrict(f64.gradient(embed(theta)).gradient)) < 2e-5);
  p.oracle.dispose?.();
  f64.dispose();
});

test('a model that is no MlpSpec: its ℓ2 term is added on the host in float64 (value, gradient, HVP), exactly', () => {
  const model = sequential([4, 5, 3], ['tanh', 'linear'], [true, false]);
  const normal = seededNormal(6);
  const xs = Array.from({ length: 30 }, () => Array.from({ length: 4 }, normal));
  const ys = Array.from({ length: 30 }, () => Array.from({ length: 3 }, normal));
  const lam = 0.37;
  const p0 = tfjsModelProblem(model, { x: xs, y: ys }, { loss: 'mse' });
  const p1 = tfjsModelProblem(model, { x: xs, y: ys }, { loss: 'mse', l2: lam });
  assert.equal(p1.spec, null);
  const n = p1.oracle.dim;
  const theta = Float64Array.from({ length: n }, () => 0.1 + normal()); // not float32 numbers
  const v = Float64Array.from({ length: n }, normal);
  const l2 = (lam / n) * theta.reduce((s, t) => s + t * t, 0);
  const { loss: l0, gradient: g0 } = p0.oracle.gradient(theta);
  const { loss: l1, gradient: g1 } = p1.oracle.gradient(theta);
  // In float32 inside the tfjs function the sum would be rounded (~6e-8 relative); on the host it is exact.
  assert.ok(Math.abs(l1 - l0 - l2) <= 1e-13 * l1, `ℓ2 term: ${l1 - l0} vs ${l2}`);
  assert.ok(Math.abs(p1.oracle.loss(theta) - p0.oracle.loss(theta) - l2) <= 1e-13 * l1);
  const gmax = Math.max(...g1.map(Math.abs));
  g1.forEach((g, i) => assert.ok(Math.abs(g - g0[i] - (2 * lam / n) * theta[i]) <= 1e-13 * gmax, `gradient[${i}]`));
  const h0 = p0.oracle.hvp(theta, v);
  const h1 = p1.oracle.hvp(theta, v);
  const hmax = Math.max(...h1.map(Math.abs));
  h1.forEach((h, i) => assert.ok(Math.abs(h - h0[i] - (2 * lam / n) * v[i]) <= 1e-13 * hmax, `H·v[${i}]`));
  p0.oracle.dispose?.();
  p1.oracle.dispose?.();
});

test('class labels are range-checked for every model, also those that are no MlpSpec', () => {
  const mixed = sequential([3, 4, 2], ['tanh', 'linear'], [true, false]); // no MlpSpec: mixed biases
  const x = [[1, 2, 3], [0.5, -1, 0]];
  const ce = { loss: 'sparseCategoricalCrossentropy' };
  assert.throws(() => tfjsModelProblem(mixed, { x, y: [5, -1] }, ce), /data\.y\[0\] = 5 is out of range.*0\.\.1/);
  assert.throws(() => tfjsModelProblem(mixed, { x, y: [1, -1] }, ce), /data\.y\[1\] = -1 is out of range/);
  assert.throws(() => tfjsModelProblem(mixed, { x, y: Int32Array.of(0, 2) }, ce), /out of range/);
  assert.throws(() => tfjsModelProblem(mixed, { x, y: tf.tensor1d([0, 7]) }, ce), /out of range/);
  assert.throws(() => tfjsModelProblem(mixed, { x, y: [0.5, 1] }, ce), /data\.y\[0\] = 0\.5 is not a class index/);
  assert.throws(() => tfjsModelProblem(mixed, { x, y: [0, 1, 1] }, ce), /3 labels but data\.x has 2 samples/);
  const ok = tfjsModelProblem(mixed, { x, y: [1, 0] }, ce);
  assert.ok(ok.oracle.loss(ok.theta) > 0);
  ok.oracle.dispose?.();
});
