// TfjsFunctionOracle: any tfjs function of θ as an Oracle. Closed forms (quadratic, Rosenbrock,
// a Swish sum), the first-call HVP check that catches tfjs's silently wrong second derivatives,
// memory, counters and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { ensureTfjsBackend, loadTfjs } from './backend.js';
import { TfjsFunctionOracle } from './function-oracle.js';
import { safeOps } from './safe-ops.js';

ensureTfjsBackend('cpu');
const tf = loadTfjs();

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length);
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * scale, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('quadratic ½θᵀAθ + bᵀθ: loss, gradient Aθ + b and HVP Av exact to float32', () => {
  const n = 5;
  const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 3 + i : 0.3 / (1 + i + j))));
  const b = [0.5, -1, 2, 0, 0.25];
  const At = tf.tensor2d(A);
  const bt = tf.tensor1d(b);
  const f = (t: TF.Tensor1D) => tf.add(tf.mul(0.5, tf.sum(tf.mul(t, tf.squeeze(tf.matMul(At, tf.expandDims(t, 1)))))), tf.sum(tf.mul(bt, t))) as TF.Scalar;
  const o = new TfjsFunctionOracle(f, n, { owned: [At, bt] });
  const theta = Float64Array.of(0.1, -0.7, 1.3, 2, -0.4);
  const v = Float64Array.of(1, 0.5, -2, 0.25, 3);
  const Ax = (x: Float64Array) => A.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
  const th32 = Float64Array.from(Float32Array.from(theta));
  const loss = 0.5 * th32.reduce((s, x, i) => s + x * Ax(th32)[i], 0) + b.reduce((s, bi, i) => s + bi * th32[i], 0);
  const { loss: l, gradient } = o.gradient(theta);
  assert.ok(Math.abs(l - loss) <= 1e-6 * Math.abs(loss));
  assert.equal(o.loss(theta), l);
  close(gradient, Ax(th32).map((x, i) => x + b[i]), 1e-6, 'gradient');
  close(o.hvp(theta, v), Ax(v), 1e-6, 'H·v');
  assert.deepEqual(o.counters, { loss: 1, gradient: 1, hvp: 1, gvp: 0, statistics: 0 });
  assert.equal(o.provenance.precision, 'float32');
  assert.equal(o.provenance.hvp, 'double backprop');
  o.dispose();
  assert.ok(At.isDisposed && bt.isDisposed, 'owned tensors disposed');
});

test('Rosenbrock (polynomial ops): gradient and Hessian equal the closed forms; dense Hessian is symmetric', () => {
  const f = (t: TF.Tensor1D) => {
    const [x, y] = tf.unstack(t);
    return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as TF.Scalar;
  };
  const o = new TfjsFunctionOracle(f, 2);
  const [x, y] = [-1.2, 1];
  const { gradient } = o.gradient(Float64Array.of(x, y));
  close(gradient, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], 1e-6, 'gradient');
  const H = o.hessian(Float64Array.of(x, y));
  close(H, [2 - 400 * (y - 3 * x * x), -400 * x, -400 * x, 200], 1e-6, 'Hessian');
  assert.equal(o.counters.hvp, 2);
});

test("the first HVP is checked by finite differences: a loss using tfjs's own sigmoid is refused, the safe-ops version passes", () => {
  const X = tf.tensor2d([[0.3, -1], [1.2, 0.4], [-0.8, 2], [0.1, 0.1]]);
  const swishNet = (act: (z: TF.Tensor) => TF.Tensor) => (t: TF.Tensor1D) =>
    tf.mean(tf.square(act(tf.matMul(X, tf.reshape(t, [2, 3]))))) as TF.Scalar;
  const theta = Float64Array.of(0.5, -1.1, 0.8, 1.4, 0.3, -0.6);
  const v = Float64Array.of(1, 0, 0, 0, 0, 0);
  const bad = new TfjsFunctionOracle(swishNet((z) => tf.mul(z, tf.sigmoid(z))), 6);
  assert.throws(() => bad.hvp(theta, v), /disagrees with finite differences.*safeOps/s);
  const ops = safeOps();
  const good = new TfjsFunctionOracle(swishNet(ops.swish), 6);
  const hv = good.hvp(theta, v);
  // Reference: central differences of the (float32, but smooth) gradient, h = 1e-3.
  const h = 1e-3;
  const gp = good.gradient(Float64Array.from(theta, (x, i) => x + h * v[i])).gradient;
  const gm = good.gradient(Float64Array.from(theta, (x, i) => x - h * v[i])).gradient;
  close(hv, gp.map((g, i) => (g - gm[i]) / (2 * h)), 2e-3, 'H·e₁');
  // With the check off, the wrong HVP is returned silently: that is why the check is on by default.
  const unchecked = new TfjsFunctionOracle(swishNet((z) => tf.mul(z, tf.sigmoid(z))), 6, { checkHvp: 'never' });
  const wrong = unchecked.hvp(theta, v);
  assert.ok(wrong.some((w, i) => Math.abs(w - hv[i]) > 1e-2 * Math.max(...hv.map(Math.abs))), 'built-in sigmoid gives a different (wrong) HVP');
  X.dispose();
});

test('no tensor leaks across steps; non-scalar losses and bad θ are refused', () => {
  const ops = safeOps();
  const f = (t: TF.Tensor1D) => tf.add(tf.sum(ops.tanh(t)), ops.logSumExp(t)) as TF.Scalar;
  const o = new TfjsFunctionOracle(f, 4);
  const theta = Float64Array.of(0.1, 0.2, -0.3, 0.4);
  const v = Float64Array.of(1, -1, 0.5, 2);
  o.hvp(theta, v);
  const count = tf.memory().numTensors;
  for (let k = 0; k < 20; k++) {
    theta[k % 4] += 0.01;
    o.loss(theta);
    o.gradient(theta);
    o.hvp(theta, v);
  }
  assert.equal(tf.memory().numTensors, count);
  const vec = new TfjsFunctionOracle((t) => tf.square(t) as unknown as TF.Scalar, 3);
  assert.throws(() => vec.loss(new Float64Array(3)), /must return a scalar/);
  assert.throws(() => o.gradient(new Float64Array(2)), /length 2/);
  assert.throws(() => new TfjsFunctionOracle(f, 0), /positive integer/);
});

test('a failed first-call HVP check is sticky: every later hvp() and hessian() throws it too', () => {
  const X = tf.tensor2d([[0.3, -1], [1.2, 0.4], [-0.8, 2], [0.1, 0.1]]);
  const f = (t: TF.Tensor1D) => tf.mean(tf.square(tf.mul(tf.matMul(X, tf.reshape(t, [2, 3])), tf.sigmoid(tf.matMul(X, tf.reshape(t, [2, 3])))))) as TF.Scalar;
  const theta = Float64Array.of(0.5, -1.1, 0.8, 1.4, 0.3, -0.6);
  const v = Float64Array.of(1, 0, 0, 0, 0, 0);
  const bad = new TfjsFunctionOracle(f, 6);
  assert.throws(() => bad.hvp(theta, v), /disagrees with finite differences/);
  // Before: the second call returned the wrong product silently.
  assert.throws(() => bad.hvp(theta, v), /disagrees with finite differences/);
  assert.throws(() => bad.hvp(Float64Array.from(theta, (x) => x + 0.1), v), /disagrees with finite differences/);
  assert.throws(() => bad.hessian(theta), /disagrees with finite differences/);
  const bad2 = new TfjsFunctionOracle(f, 6);
  assert.throws(() => bad2.hessian(theta), /disagrees with finite differences/);
  assert.throws(() => bad2.hvp(theta, v), /disagrees with finite differences/);
  // Gradients are still served (they are right).
  assert.ok(Number.isFinite(bad.gradient(theta).loss));
  X.dispose();
});

test('options terms and l2: the loss value is the float64 sum of the terms, λ·mean(θ²) is added on the host', () => {
  // Many terms of very different sizes: a float32 reduction loses the small ones.
  const c = tf.tensor1d(Float32Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? 1e4 : 1e-3 * i)));
  const terms = (t: TF.Tensor1D) => tf.mul(c, tf.sum(tf.square(t)));
  const f = (t: TF.Tensor1D) => tf.sum(terms(t)) as TF.Scalar;
  const o = new TfjsFunctionOracle(f, 3, { terms: { terms, scale: 1 }, l2: 0.5 });
  const theta = Float64Array.of(1, 0, 0); // Σθ² = 1: the loss is Σc + λ/n
  const cs = c.dataSync();
  let exact = 0;
  for (let i = 0; i < cs.length; i++) exact += cs[i];
  exact += 0.5 / 3;
  assert.ok(Math.abs(o.loss(theta) - exact) <= 1e-12 * exact, `loss ${o.loss(theta)} vs ${exact}`);
  const { loss, gradient } = o.gradient(theta);
  assert.ok(Math.abs(loss - exact) <= 1e-12 * exact);
  assert.ok(Math.abs(gradient[0] - (2 * (exact - 0.5 / 3) + (2 * 0.5) / 3)) <= 1e-6 * gradient[0]);
  const hv = o.hvp(theta, Float64Array.of(0, 1, 0));
  assert.ok(Math.abs(hv[1] - (2 * (exact - 0.5 / 3) + (2 * 0.5) / 3)) <= 1e-6 * hv[1]);
  assert.throws(() => new TfjsFunctionOracle(f, 3, { l2: -1 }), /l2 must be/);
  o.dispose();
  c.dispose();
});
