/**
 * Twice-differentiable versions of the tfjs ops whose built-in gradients break double backprop.
 *
 * tfjs differentiates a gradient again (tf.grad of tf.grad) only through ops whose gradient
 * function uses the op's INPUTS. exp, sigmoid, tanh (tfjs issue 3252) and pow compute their
 * gradient from the op's saved OUTPUT, which the second pass treats as a constant: the second
 * derivative of the op itself is then silently dropped (swish x·σ(x) gets a Hessian off by 60%
 * at x = −1.3), or, when nothing else connects, tf.grad throws. Custom-gradient ops (logSoftmax,
 * tf.losses.softmaxCrossEntropy) and max/where (their gradients use Equal and LogicalNot, which
 * have no gradients) fail the same way. Measured in safe-ops.test.ts, which also guards against
 * tfjs fixing or changing this unnoticed.
 *
 * Each op here keeps tfjs's own stable kernel for the VALUE and defines its gradient with
 * tf.customGrad from the saved INPUT, written with the same safe ops — so every derivative order
 * is right. Use them in loss functions given to `TfjsFunctionOracle`, whose HVP is double backprop.
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
  /** mean over all entries of (prediction − target)² (gradflat's MSE: over samples and outputs). */
  meanSquaredError(prediction: TF.Tensor, target: TF.Tensor): TF.Scalar;
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
  // d/dx logsumexp(x) = softmax(x) = exp(x − logsumexp(x)); the value uses tfjs's stable kernel.
  const logSumExp: (x: TF.Tensor) => TF.Tensor = tf.customGrad(((x: TF.Tensor, save: TF.GradSaveFunc) => {
    save([x]);
    return {
      value: tf.logSumExp(x, -1),
      gradFunc: (dy: TF.Tensor, [s]: TF.Tensor[]) => tf.mul(tf.expandDims(dy, -1), exp(tf.sub(s, tf.expandDims(logSumExp(s), -1)))),
    };
  }) as never) as never;
  const logSoftmax = (x: TF.Tensor) => tf.sub(x, tf.expandDims(logSumExp(x), -1));
  const swish = (x: TF.Tensor) => tf.mul(x, sigmoid(x));
  const softmaxCrossEntropy = (logits: TF.Tensor2D, labels: TF.Tensor): TF.Scalar => {
    const [N, C] = logits.shape;
    const oneHot = labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32') as TF.Tensor1D, C) : labels;
    // (1/N) Σ_i lse(z_i) − (1/N) Σ_i z_i,y_i; the one-hot mask is a constant.
    return tf.div(tf.sub(tf.sum(logSumExp(logits)), tf.sum(tf.mul(logits, oneHot))), N) as TF.Scalar;
  };
  const meanSquaredError = (p: TF.Tensor, t: TF.Tensor) => tf.mean(tf.square(tf.sub(p, t))) as TF.Scalar;
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
  return { exp, sigmoid, tanh, swish, logSumExp, logSoftmax, softmaxCrossEntropy, meanSquaredError, activation };
}

/**
 * H(θ)·v by double backprop: the gradient of ⟨∇f(θ), v⟩. Right only when f is built from ops whose
 * gradients are themselves differentiable (the safe ops above, matMul, add, mul, square, log, …).
 */
export function doubleBackpropHvp(tf: Tf, f: (theta: TF.Tensor1D) => TF.Scalar, theta: TF.Tensor1D, v: TF.Tensor1D): TF.Tensor1D {
  const g = tf.grad(f as (x: TF.Tensor) => TF.Tensor);
  return tf.grad((t: TF.Tensor) => tf.sum(tf.mul(g(t), v)))(theta) as TF.Tensor1D;
}
