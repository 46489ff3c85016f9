/**
 * Twice-differentiable versions of the tfjs ops whose built-in gradients break double backprop.
 *
 * tfjs differentiates a gradient again (tf.grad of tf.grad) only through ops whose gradient
 * function uses the op's INPUTS. tf.exp, tf.sigmoid and tf.tanh compute their
 * gradient from the op's saved OUTPUT, which the second pass treats as a constant: the second
 * derivative of the op itself is then silently dropped (swish x·σ(x) gets a Hessian off by 60%
 * at x = −1.3), or, when nothing else connects, tf.grad throws. tf.logSoftmax (a custom-gradient
 * op) fails the same way: silently wrong composed with other ops (the Hessian of Σ logSoftmax(z)²
 * is off by tens of percent), throwing in a cross-entropy. tf.losses.softmaxCrossEntropy throws,
 * and so do tf.max and tf.minimum (their gradients use Equal and LessEqual, which have no
 * gradients) and tf.where with a condition computed from θ (tf.greater etc. have no gradients).
 * tf.pow is right (its gradient uses its inputs). Measured in safe-ops.test.ts, which also guards
 * against tfjs fixing or changing this unnoticed.
 *
 * Each op here keeps a stable float32 kernel for the VALUE and defines its gradient with
 * tf.customGrad from the saved INPUT, written with the same safe ops — so every derivative order
 * is right. Use them in loss functions given to `TfjsFunctionOracle`, whose HVP is double backprop.
 *
 * Losses are computed per row (sample) so that small losses keep their float32 digits: cross-
 * entropy row i is logsumexp(z_i − z_i,y_i), whose value is max + log1p(Σ of the other terms), so
 * a confidently right row with loss 1e-9 is 1e-9 to float32 accuracy, not the difference of two
 * numbers near |z|. The `…Rows` forms return the N row losses, for a caller that sums them in
 * float64 (the tfjs oracles do; WASM reductions sum in float32).
 */
import type * as TF from '@tensorflow/tfjs';
import { loadTfjs, type Tf } from './backend.js';

export interface SafeOps {
  exp(x: TF.Tensor): TF.Tensor;
  sigmoid(x: TF.Tensor): TF.Tensor;
  tanh(x: TF.Tensor): TF.Tensor;
  /** x·σ(x) */
  swish(x: TF.Tensor): TF.Tensor;
  /** log Σ exp over the last axis (that axis removed), stable. */
  logSumExp(x: TF.Tensor): TF.Tensor;
  /** log-softmax over the last axis. */
  logSoftmax(x: TF.Tensor): TF.Tensor;
  /** mean over rows of [logsumexp(z_i) − z_i,y_i] for logits N×C and integer labels (or one-hot N×C). */
  softmaxCrossEntropy(logits: TF.Tensor2D, labels: TF.Tensor): TF.Scalar;
  /** The N row losses logsumexp(z_i − z_i,y_i) (= logsumexp(z_i) − z_i,y_i, computed without cancellation). */
  softmaxCrossEntropyRows(logits: TF.Tensor2D, labels: TF.Tensor): TF.Tensor1D;
  /** mean over all entries of (prediction − target)² (gradflat's MSE: over samples and outputs). */
  meanSquaredError(prediction: TF.Tensor, target: TF.Tensor): TF.Scalar;
  /** Per row: Σ over the last axis of (prediction − target)² (N values for N×d). */
  squaredErrorRows(prediction: TF.Tensor, target: TF.Tensor): TF.Tensor;
  /** An activation by name: identity|linear, swish, tanh, sigmoid, relu. */
  activation(name: string): (x: TF.Tensor) => TF.Tensor;
}

let cached: SafeOps | null = null;

/** The safe ops for the loaded tfjs. */
export function safeOps(): SafeOps {
  if (cached === null) cached = makeSafeOps(loadTfjs());
  return cached;
}

function makeSafeOps(tf: Tf): SafeOps {
  // Recursive definitions: each gradient calls the safe op itself, so the tape of a gradient is
  // again made of safe ops.
  const exp: (x: TF.Tensor) => TF.Tensor = tf.customGrad(((x: TF.Tensor, save: TF.GradSaveFunc) => {
    save([x]);
    return { value: tf.exp(x), gradFunc: (dy: TF.Tensor, [s]: TF.Tensor[]) => tf.mul(dy, exp(s)) };
  }) as never) as never;
  const sigmoid: (x: TF.Tensor) => TF.Tensor = tf.customGrad(((x: TF.Tensor, save: TF.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.sigmoid(x),
      gradFunc: (dy: TF.Tensor, [s]: TF.Tensor[]) => { const y = sigmoid(s); return tf.mul(dy, tf.mul(y, tf.sub(1, y))); },
    };
  }) as never) as never;
  const tanh: (x: TF.Tensor) => TF.Tensor = tf.customGrad(((x: TF.Tensor, save: TF.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.tanh(x),
      gradFunc: (dy: TF.Tensor, [s]: TF.Tensor[]) => { const y = tanh(s); return tf.mul(dy, tf.sub(1, tf.square(y))); },
    };
  }) as never) as never;
  // logsumexp over the last axis as m + log1p(Σ_{k ≠ argmax} exp(x_k − m)), m = max: the argmax
  // term is exactly 1 and stays out of the sum, so a result near 0 keeps its relative accuracy
  // (tf.logSumExp's m + log(1 + tiny) rounds tiny away).
  const logSumExpValue = (x: TF.Tensor): TF.Tensor => {
    const axis = x.rank - 1;
    const m = tf.max(x, axis, true);
    const others = tf.sub(1, tf.oneHot(tf.argMax(x, axis), x.shape[axis]!));
    return tf.add(tf.squeeze(m, [axis]), tf.log1p(tf.sum(tf.mul(tf.exp(tf.sub(x, m)), others), axis)));
  };
  // d/dx logsumexp(x) = softmax(x) = exp(x − logsumexp(x)).
  const logSumExp: (x: TF.Tensor) => TF.Tensor = tf.customGrad(((x: TF.Tensor, save: TF.GradSaveFunc) => {
    save([x]);
    return {
      value: logSumExpValue(x),
      gradFunc: (dy: TF.Tensor, [s]: TF.Tensor[]) => tf.mul(tf.expandDims(dy, -1), exp(tf.sub(s, tf.expandDims(logSumExp(s), -1)))),
    };
  }) as never) as never;
  const logSoftmax = (x: TF.Tensor) => tf.sub(x, tf.expandDims(logSumExp(x), -1));
  const swish = (x: TF.Tensor) => tf.mul(x, sigmoid(x));
  const softmaxCrossEntropyRows = (logits: TF.Tensor2D, labels: TF.Tensor): TF.Tensor1D => {
    const C = logits.shape[1];
    const oneHot = labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32') as TF.Tensor1D, C) : labels;
    // Row i: lse(z_i − z_i,y) — the label's logit subtracted first (exactly: the one-hot row sum
    // picks one entry), so the row loss is not the difference of two numbers of size |z|.
    const zy = tf.sum(tf.mul(logits, oneHot), 1, true);
    return logSumExp(tf.sub(logits, zy)) as TF.Tensor1D;
  };
  const softmaxCrossEntropy = (logits: TF.Tensor2D, labels: TF.Tensor): TF.Scalar =>
    tf.div(tf.sum(softmaxCrossEntropyRows(logits, labels)), logits.shape[0]) as TF.Scalar;
  const squaredErrorRows = (p: TF.Tensor, t: TF.Tensor) => tf.sum(tf.square(tf.sub(p, t)), -1);
  const meanSquaredError = (p: TF.Tensor, t: TF.Tensor) => tf.div(tf.sum(squaredErrorRows(p, t)), p.size) as TF.Scalar;
  const relu = (x: TF.Tensor) => tf.relu(x);
  const identity = (x: TF.Tensor) => x;
  const activation = (name: string) => {
    switch (name) {
      case 'identity': case 'linear': return identity;
      case 'swish': return swish;
      case 'tanh': return tanh;
      case 'sigmoid': return sigmoid;
      case 'relu': return relu;
      default: throw new Error(`safeOps.activation: no twice-differentiable activation '${name}' (have identity, linear, swish, tanh, sigmoid, relu)`);
    }
  };
  return { exp, sigmoid, tanh, swish, logSumExp, logSoftmax, softmaxCrossEntropy, softmaxCrossEntropyRows, meanSquaredError, squaredErrorRows, activation };
}

/**
 * H(θ)·v by double backprop: the gradient of ⟨∇f(θ), v⟩. Right only when f is built from ops whose
 * gradients are themselves differentiable (the safe ops above, matMul, add, mul, square, log, …).
 */
export function doubleBackpropHvp(tf: Tf, f: (theta: TF.Tensor1D) => TF.Scalar, theta: TF.Tensor1D, v: TF.Tensor1D): TF.Tensor1D {
  const g = tf.grad(f as (x: TF.Tensor) => TF.Tensor);
  return tf.grad((t: TF.Tensor) => tf.sum(tf.mul(g(t), v)))(theta) as TF.Tensor1D;
}
