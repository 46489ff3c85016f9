// Second derivatives through tfjs's double backprop: the safe ops against closed forms, and the
// built-in ops whose second derivatives tfjs gets wrong (why safe-ops.ts exists; if tfjs fixes
// them, the 'built-in' test fails and the docs should say so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { ensureTfjsBackend, loadTfjs } from './backend.js';
import { doubleBackpropHvp, safeOps } from './safe-ops.js';

ensureTfjsBackend('cpu');
const tf = loadTfjs();
const ops = safeOps();
const xs = [-31, -4.2, -1.3, -0.2, 0, 0.4, 2.1, 40];
const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** Diagonal of the Hessian of Σ_i g(x_i) (v = 1): g''(x_i). */
function secondDerivatives(f: (t: TF.Tensor1D) => TF.Scalar, at: number[]): number[] {
  return tf.tidy(() => Array.from(doubleBackpropHvp(tf, f, tf.tensor1d(at), tf.ones([at.length]) as TF.Tensor1D).dataSync()));
}

function close(actual: number[], expected: number[], tol: number, what: string, at = xs): void {
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what} at x = ${at[i]}: got ${a}, expected ${e}`);
  });
}

test("safe activations: tfjs's double backprop gives their closed-form second derivatives, also for |x| ≫ 1", () => {
  const cases: [string, (x: TF.Tensor) => TF.Tensor, (z: number) => number][] = [
    ['sigmoid', ops.sigmoid, (z) => sig(z) * (1 - sig(z)) * (1 - 2 * sig(z))],
    ['tanh', ops.tanh, (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2)],
    ['swish', ops.swish, (z) => sig(z) * (1 - sig(z)) * (2 + z * (1 - 2 * sig(z)))],
    ['exp', ops.exp, Math.exp],
  ];
  for (const [name, g, d2] of cases) {
    const at = name === 'exp' ? xs.map((x) => Math.min(x, 10)) : xs; // exp(40) overflows float32
    const got = secondDerivatives((t) => tf.sum(g(t)) as TF.Scalar, at);
    close(got, at.map(d2), 2e-6, name, at);
    for (const v of got) assert.ok(Number.isFinite(v), `${name}: non-finite second derivative`);
  }
});

test('safe activations: values equal the built-in kernels (only the gradients differ)', () => {
  const x = tf.tensor1d(xs);
  for (const [a, b] of [[ops.sigmoid(x), tf.sigmoid(x)], [ops.tanh(x), tf.tanh(x)], [ops.exp(x), tf.exp(x)], [ops.swish(x), tf.mul(x, tf.sigmoid(x))]]) {
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  }
  tf.dispose(x);
});

test('logSumExp and softmax cross-entropy: Hessian = (diag(p) − ppᵀ)/N row by row, exactly as the closed form', () => {
  // Two rows of logits (one with a large entry: stability), labels [2, 0].
  const Z = [[0.3, -1.2, 2.0], [50, 49, -3]];
  const labels = [2, 0];
  const N = Z.length;
  const C = 3;
  const flat = Z.flat();
  const rng = [0.7, -0.4, 1.1, 0.2, -0.9, 0.5];
  const f = (t: TF.Tensor1D) => ops.softmaxCrossEntropy(tf.reshape(t, [N, C]) as TF.Tensor2D, tf.tensor1d(labels, 'int32'));
  const got = tf.tidy(() => Array.from(doubleBackpropHvp(tf, f, tf.tensor1d(flat), tf.tensor1d(rng)).dataSync()));
  const expected: number[] = [];
  for (let i = 0; i < N; i++) {
    const m = Math.max(...Z[i]);
    const e = Z[i].map((z) => Math.exp(z - m));
    const s = e.reduce((a, b) => a + b);
    const p = e.map((x) => x / s);
    const v = rng.slice(i * C, (i + 1) * C);
    const pv = p.reduce((acc, pk, k) => acc + pk * v[k], 0);
    for (let k = 0; k < C; k++) expected.push((p[k] * v[k] - p[k] * pv) / N);
  }
  got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) <= 1e-6, `H·v[${i}] = ${g}, expected ${expected[i]}`));
  // The loss itself: mean of logsumexp − z_label.
  const loss = tf.tidy(() => f(tf.tensor1d(flat)).dataSync()[0]);
  const ref = Z.reduce((acc, z, i) => { const m = Math.max(...z); return acc + m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0)) - z[labels[i]]; }, 0) / N;
  assert.ok(Math.abs(loss - ref) <= 1e-6 * Math.max(1, ref), `loss ${loss} vs ${ref}`);
});

test("built-in tf.sigmoid, tf.tanh, tf.exp: tfjs's double backprop drops their second derivative (their gradients use the saved output)", () => {
  const at = [-1.3, 0.4, 2.1];
  // Composed so that the tape connects: swish = x·σ(x) comes out wrong by tens of percent …
  const wrong = secondDerivatives((t) => tf.sum(tf.mul(t, tf.sigmoid(t))) as TF.Scalar, at);
  const right = at.map((z) => sig(z) * (1 - sig(z)) * (2 + z * (1 - 2 * sig(z))));
  assert.ok(wrong.some((w, i) => Math.abs(w - right[i]) > 0.1 * Math.abs(right[i])), `tfjs's built-in swish Hessian is now right (${wrong} vs ${right}): update safe-ops.ts and docs/precision.md`);
  // … and alone the first gradient does not depend on x at all on the tape, so tf.grad throws.
  for (const op of [tf.sigmoid, tf.tanh, tf.exp] as ((x: TF.Tensor) => TF.Tensor)[]) {
    assert.throws(() => secondDerivatives((t) => tf.sum(op(t)) as TF.Scalar, at), /Cannot compute gradient/);
  }
});

test('safe ops leak no tensors through double backprop', () => {
  const x = tf.tensor1d(xs);
  const v = tf.onesLike(x) as TF.Tensor1D;
  const f = (t: TF.Tensor1D) => tf.add(tf.sum(ops.swish(t)), ops.logSumExp(ops.tanh(t))) as TF.Scalar;
  tf.tidy(() => doubleBackpropHvp(tf, f, x, v));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) tf.tidy(() => { doubleBackpropHvp(tf, f, x, v); });
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, v]);
});

test('built-in tf.pow is right under double backprop; tf.logSoftmax is wrong or throws; tf.losses.softmaxCrossEntropy, tf.max, tf.minimum and tf.where on a θ-dependent condition throw', () => {
  const W = tf.tensor2d([[0.3, -0.2, 0.5], [1.1, 0.4, -0.6], [0.2, 0.9, 0.1]]);
  const lin = (t: TF.Tensor) => tf.squeeze(tf.matMul(W, tf.expandDims(t, 1)));
  const at = [-1.3, 0.4, 2.1];
  const v = [1, 0.5, -0.7];
  const hvp = (f: (t: TF.Tensor1D) => TF.Scalar, x = at) => tf.tidy(() => Array.from(doubleBackpropHvp(tf, f, tf.tensor1d(x), tf.tensor1d(v)).dataSync()));
  // pow: Σ (Wt + 3)^2.5 against the same function written as u²·√u (tf.sqrt's gradient uses its input).
  const viaPow = hvp((t) => tf.sum(tf.pow(tf.add(lin(t), 3), 2.5)) as TF.Scalar);
  const viaSqrt = hvp((t) => { const u = tf.add(lin(t), 3); return tf.sum(tf.mul(tf.square(u), tf.sqrt(u))) as TF.Scalar; });
  close(viaPow, viaSqrt, 1e-5, 'tf.pow');
  // logSoftmax: Σ logSoftmax(z)² silently wrong (safe version right), and a cross-entropy with it throws.
  const Z = [0.3, -1.2, 2.0, 0.5, 0.1, -0.4];
  const v6 = tf.tensor1d([0.7, -0.4, 1.1, 0.2, -0.9, 0.5]);
  const sq = (ls: (z: TF.Tensor) => TF.Tensor) => tf.tidy(() => Array.from(doubleBackpropHvp(tf, (t) => tf.sum(tf.square(ls(tf.reshape(t, [2, 3])))) as TF.Scalar, tf.tensor1d(Z), v6).dataSync()));
  const right = sq(ops.logSoftmax);
  // Float64 finite differences of the gradient of Σ logSoftmax(z)², for the reference.
  const lsm = (z: number[]) => { const m = Math.max(...z); const l = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0)); return z.map((x) => x - l); };
  const grad = (z: number[]) => [z.slice(0, 3), z.slice(3)].flatMap((row) => { const y = lsm(row); const p = y.map(Math.exp); const s = y.reduce((a, b) => a + b, 0); return y.map((yi, k) => 2 * (yi - p[k] * s)); });
  const dv = v6.arraySync();
  const h = 1e-5;
  const ref = grad(Z.map((z, i) => z + h * dv[i])).map((g, i) => (g - grad(Z.map((z, j) => z - h * dv[j]))[i]) / (2 * h));
  close(right, ref, 1e-5, 'safe logSoftmax', Z);
  const builtin = sq((z) => tf.logSoftmax(z));
  assert.ok(builtin.some((b, i) => Math.abs(b - ref[i]) > 0.1 * Math.max(...ref.map(Math.abs))), `tf.logSoftmax's second derivative is now right (${builtin} vs ${ref}): update safe-ops.ts, README and docs/precision.md`);
  const Y = tf.tensor2d([[0, 0, 1], [1, 0, 0]]);
  assert.throws(() => tf.tidy(() => doubleBackpropHvp(tf, (t) => tf.neg(tf.mean(tf.sum(tf.mul(Y, tf.logSoftmax(tf.reshape(t, [2, 3]))), 1))) as TF.Scalar, tf.tensor1d(Z), v6)), /Cannot compute gradient/);
  assert.throws(() => tf.tidy(() => doubleBackpropHvp(tf, (t) => tf.losses.softmaxCrossEntropy(Y, tf.reshape(t, [2, 3])) as TF.Scalar, tf.tensor1d(Z), v6)), /Cannot compute gradient/);
  assert.throws(() => hvp((t) => tf.add(tf.max(tf.square(t)), tf.sum(tf.square(t))) as TF.Scalar), /gradient function not found for Equal/);
  assert.throws(() => hvp((t) => tf.sum(tf.mul(tf.minimum(t, 1), t)) as TF.Scalar), /gradient function not found/);
  assert.throws(() => hvp((t) => tf.sum(tf.where(tf.greater(t, 0), tf.square(t), tf.mul(t, t))) as TF.Scalar), /gradient function not found/);
  tf.dispose([W, v6, Y]);
});

test('softmax cross-entropy keeps its relative accuracy at small losses (row-wise lse(z − z_y) with log1p)', () => {
  // Two confidently right rows (losses ~1e-9 and ~2e-5) and one less sure: float64 reference.
  const Z = [[30, 10, 9.5], [2, 12.8, 2.1], [0.4, 0.1, 1.2]];
  const labels = [0, 1, 2];
  const rows = Z.map((z, i) => { const d = z.map((x) => x - z[labels[i]]); return Math.log(d.reduce((s, x) => s + Math.exp(x), 0)); });
  const got = tf.tidy(() => Array.from(ops.softmaxCrossEntropyRows(tf.tensor2d(Z), tf.tensor1d(labels, 'int32')).dataSync()));
  got.forEach((g, i) => assert.ok(Math.abs(g - rows[i]) <= 1e-6 * rows[i], `row ${i}: ${g} vs ${rows[i]}`));
  const mean = tf.tidy(() => ops.softmaxCrossEntropy(tf.tensor2d(Z.slice(0, 2)), tf.tensor1d(labels.slice(0, 2), 'int32')).dataSync()[0]);
  const ref = (rows[0] + rows[1]) / 2;
  assert.ok(Math.abs(mean - ref) <= 1e-6 * ref, `mean of two small row losses: ${mean} vs ${ref}`);
});
