/**
 * Any loss written as a TensorFlow.js function of the flat parameter vector, as an `Oracle`.
 *
 *   loss, gradient  tf.valueAndGrad of f at θ (cast to float32; results widened to float64)
 *   hvp             double backprop: the gradient of ⟨∇f(θ), v⟩ (safe-ops.ts)
 *   hessian         n HVPs with the unit vectors, symmetrised
 * Options for losses that are sums: `terms` (the loss value is their float64 sum, not a float32
 * reduction) and `l2` (λ·mean(θ²) added on the host in float64), as the tfjs MLP oracle does.
 *
 * Double backprop is right only when every op in f has a gradient that tfjs can differentiate
 * again. tf.exp, tf.sigmoid, tf.tanh and tf.logSoftmax do not: composed with other ops their
 * second derivative comes out silently wrong, alone tf.grad throws; tf.losses.softmaxCrossEntropy,
 * tf.max, tf.minimum and tf.where on a condition computed from θ throw (safe-ops.ts, measured in
 * safe-ops.test.ts; tf.pow is right). Use `safeOps()` in f. As a guard, the FIRST HVP of each oracle is also checked against
 * a central difference of two gradients along a random direction (option `checkHvp`); a
 * disagreement beyond what float32 explains throws, names the likely cause, and every later
 * hvp()/hessian() call of that oracle throws the same error. The check's calls are not counted.
 * The check needs a loss that is smooth at the scale of its steps (1e-2·max(1, ‖θ‖∞)): a
 * piecewise-linear loss (relu) can fail it though its HVP is right — pass checkHvp: 'never'.
 *
 * Memory: every call runs inside tf.tidy; the oracle keeps no tensor between calls (the caller's
 * f may hold its data tensors; `dispose()` disposes those passed as `owned`).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossAndGradient, Oracle, OracleCapability, OracleCounters } from '../../core/oracle/oracle.js';
import { checkTheta, emptyCounters } from '../../core/oracle/oracle.js';
import { equalArrays, norm2 } from '../../core/linalg/vector.js';
import { Rng } from '../../core/random/rng.js';
import { ensureTfjsBackend, loadTfjs, scoped, type Tf } from './backend.js';
import { doubleBackpropHvp } from './safe-ops.js';
import { hessianFromHvps } from '../../core/linalg/dense-hessian.js';

export type TfjsLossFunction = (theta: TF.Tensor1D) => TF.Scalar;

/** A loss written as scale·Σ terms(θ) (see `TfjsFunctionOracleOptions.terms`). */
export interface TfjsLossTerms {
  terms: (theta: TF.Tensor1D) => TF.Tensor;
  scale: number;
}

export interface TfjsFunctionOracleOptions {
  /** 'first-call' (default): verify the first HVP by finite differences of the gradient (throws on disagreement); 'never'. */
  checkHvp?: 'first-call' | 'never';
  /** Tensors f uses (data) that the oracle should dispose in `dispose()`. */
  owned?: TF.Tensor[];
  /** Extra provenance entries (e.g. the model it came from). */
  provenance?: Record<string, string | number>;
  /** Relative tolerance of the first-call check (default 0.05: float32 differences are good to ~1e-3 here; the op bugs give 10–100%). */
  checkTolerance?: number;
  /**
   * The loss as a sum: `terms(θ)` returns a tensor (e.g. the N per-sample losses) and f(θ) must
   * equal `scale`·Σ terms(θ). Loss values are then the float64 sum of the float32 terms, times
   * scale — accurate where a float32 reduction of many terms is not (WASM sums in float32).
   * Gradients and HVPs still come from f.
   */
  terms?: TfjsLossTerms;
  /** ℓ2 strength λ: λ·mean(θ²) is added on the host in float64 (value, 2λ/n·θ, 2λ/n·v); f must not include it. Default 0. */
  l2?: number;
}

/** θ (float64) as a float32 tensor. */
export function toTensor(tf: Tf, x: Float64Array): TF.Tensor1D {
  return tf.tensor1d(Float32Array.from(x), 'float32');
}

/** A float32 tensor's values widened into a Float64Array (`out` when given). */
export function toFloat64(t: TF.Tensor, out?: Float64Array): Float64Array {
  const d = t.dataSync() as Float32Array;
  const res = out ?? new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) res[i] = d[i];
  return res;
}

export class TfjsFunctionOracle implements Oracle {
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian']);
  readonly counters: OracleCounters = emptyCounters();
  readonly provenance: Readonly<Record<string, string | number>>;
  private readonly tf: Tf;
  private readonly f: TfjsLossFunction;
  private readonly owned: TF.Tensor[];
  private readonly cacheTheta: Float64Array;
  private readonly cacheGradient: Float64Array;
  private cacheLevel = 0; // 0 none, 1 loss, 2 loss + gradient
  private cacheLoss = NaN;
  private checked: boolean;
  /** The first-call check's failure: every later hvp()/hessian() throws it again. */
  private checkFailure: Error | null = null;
  private readonly checkTolerance: number;
  private readonly terms: TfjsLossTerms | null;
  private readonly l2: number;
  private disposed = false;

  constructor(f: TfjsLossFunction, dim: number, options: TfjsFunctionOracleOptions = {}) {
    if (typeof f !== 'function') throw new TypeError('TfjsFunctionOracle: f must be a function (θ: tf.Tensor1D) => tf.Scalar');
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`TfjsFunctionOracle: dim must be a positive integer (the length of θ); got ${JSON.stringify(dim)}`);
    const backend = ensureTfjsBackend();
    this.tf = loadTfjs();
    this.f = f;
    this.dim = dim;
    this.owned = options.owned ?? [];
    this.checked = (options.checkHvp ?? 'first-call') === 'never';
    this.checkTolerance = options.checkTolerance ?? 0.05;
    this.terms = options.terms ?? null;
    if (this.terms !== null && !(typeof this.terms.terms === 'function' && Number.isFinite(this.terms.scale))) throw new TypeError('TfjsFunctionOracle: terms must be { terms: (θ) => tf.Tensor, scale: number }');
    this.l2 = options.l2 ?? 0;
    if (!(Number.isFinite(this.l2) && this.l2 >= 0)) throw new RangeError(`TfjsFunctionOracle: l2 must be a finite number ≥ 0; got ${this.l2}`);
    this.cacheTheta = new Float64Array(dim);
    this.cacheGradient = new Float64Array(dim);
    this.provenance = Object.freeze({
      engine: 'tfjs', precision: 'float32', backend: backend.backend, tfjs: backend.tfjsVersion,
      hvp: 'double backprop', ...options.provenance,
    });
  }

  loss(theta: Float64Array): number {
    this.counters.loss++;
    this.check(theta);
    if (!(this.cacheLevel >= 1 && equalArrays(this.cacheTheta, theta))) {
      const tf = this.tf;
      const value = scoped(tf, () => {
        const th = toTensor(tf, theta);
        return this.terms !== null ? this.sumOf(this.terms.terms(th)) : this.scalarOf(this.f(th));
      });
      this.cacheTheta.set(theta);
      this.cacheLoss = value;
      this.cacheLevel = 1;
    }
    return this.cacheLoss + this.l2Value(theta);
  }

  gradient(theta: Float64Array, out?: Float64Array): LossAndGradient {
    this.counters.gradient++;
    this.check(theta);
    if (out !== undefined && !(out instanceof Float64Array && out.length === this.dim)) throw new RangeError(`gradient: 'out' must be a Float64Array of length ${this.dim}`);
    if (!(this.cacheLevel >= 2 && equalArrays(this.cacheTheta, theta))) {
      const { loss, gradient } = this.evaluate(theta);
      this.cacheTheta.set(theta);
      this.cacheGradient.set(gradient);
      this.cacheLoss = loss;
      this.cacheLevel = 2;
    }
    const g = out ?? new Float64Array(this.dim);
    g.set(this.cacheGradient);
    if (this.l2 !== 0) {
      const c = (2 * this.l2) / this.dim;
      for (let i = 0; i < g.length; i++) g[i] += c * theta[i];
    }
    return { loss: this.cacheLoss + this.l2Value(theta), gradient: g };
  }

  hvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    this.counters.hvp++;
    this.check(theta);
    checkTheta(v, this.dim, 'hvp direction v');
    if (out !== undefined && !(out instanceof Float64Array && out.length === this.dim)) throw new RangeError(`hvp: 'out' must be a Float64Array of length ${this.dim}`);
    this.ensureChecked(theta);
    return this.addL2(v, this.rawHvp(theta, v, out));
  }

  hessian(theta: Float64Array): Float64Array {
    this.check(theta);
    this.ensureChecked(theta);
    const n = this.dim;
    const H = hessianFromHvps(n, (e, out) => { this.addL2(e, this.rawHvp(theta, e, out)); });
    this.counters.hvp += n;
    return H;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) if (!t.isDisposed) t.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------

  private check(theta: Float64Array): void {
    if (this.disposed) throw new Error('TfjsFunctionOracle: used after dispose()');
    checkTheta(theta, this.dim, 'parameter vector θ');
  }

  /** Runs the first-call HVP check once; a failure is kept and thrown by every later call. */
  private ensureChecked(theta: Float64Array): void {
    if (this.checkFailure !== null) throw new Error(this.checkFailure.message);
    if (this.checked) return;
    try {
      this.verifyHvp(theta);
    } catch (e) {
      this.checkFailure = e as Error;
      throw e;
    }
    this.checked = true;
  }

  private l2Value(theta: Float64Array): number {
    if (this.l2 === 0) return 0;
    let s = 0;
    for (let i = 0; i < theta.length; i++) s += theta[i] * theta[i];
    return (this.l2 / this.dim) * s;
  }

  private addL2(v: Float64Array, res: Float64Array): Float64Array {
    if (this.l2 !== 0) {
      const c = (2 * this.l2) / this.dim;
      for (let i = 0; i < res.length; i++) res[i] += c * v[i];
    }
    return res;
  }

  /** scale · Σ terms, summed in float64 on the host. */
  private sumOf(t: TF.Tensor): number {
    const d = t.dataSync() as Float32Array;
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return this.terms!.scale * s;
  }

  private scalarOf(t: TF.Tensor): number {
    if (t.size !== 1) throw new Error(`TfjsFunctionOracle: the loss function must return a scalar; it returned shape [${t.shape}]`);
    return t.dataSync()[0];
  }

  /** Data loss (no ℓ2) and its gradient at θ. */
  private evaluate(theta: Float64Array): LossAndGradient {
    const tf = this.tf;
    return scoped(tf, () => {
      if (this.terms !== null) {
        // One taped pass: scale·Σ terms, keeping the terms to sum their values in float64.
        const { terms, scale } = this.terms;
        let kept: TF.Tensor | null = null;
        const grad = tf.grad((th: TF.Tensor) => {
          const t = terms(th as TF.Tensor1D);
          kept = tf.keep(t);
          return tf.mul(scale, tf.sum(t)) as TF.Scalar;
        })(toTensor(tf, theta));
        try {
          return { loss: this.sumOf(kept!), gradient: toFloat64(grad) };
        } finally {
          (kept as TF.Tensor | null)?.dispose();
        }
      }
      const { value, grad } = tf.valueAndGrad(this.f)(toTensor(tf, theta));
      return { loss: this.scalarOf(value), gradient: toFloat64(grad) };
    });
  }

  private rawHvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    const tf = this.tf;
    const res = out ?? new Float64Array(this.dim);
    scoped(tf, () => { toFloat64(doubleBackpropHvp(tf, this.f, toTensor(tf, theta), toTensor(tf, v)), res); });
    return res;
  }

  /**
   * Compares H·w (double backprop) with [∇f(θ + hw) − ∇f(θ − hw)]/(2h) along a random unit w, for
   * two step sizes; throws when even the better one disagrees by more than the tolerance.
   */
  private verifyHvp(theta: Float64Array): void {
    const n = this.dim;
    const rng = new Rng(0x7f4a);
    const w = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) { w[i] = rng.normal(); s += w[i] * w[i]; }
    for (let i = 0; i < n; i++) w[i] /= Math.sqrt(s);
    const hw = this.rawHvp(theta, w);
    const hwNorm = norm2(hw);
    let thetaNorm = 0;
    for (let i = 0; i < n; i++) thetaNorm = Math.max(thetaNorm, Math.abs(theta[i]));
    const gNorm = norm2(this.evaluate(theta).gradient);
    let best = Infinity;
    for (const h of [1e-2, 3e-3].map((r) => r * Math.max(1, thetaNorm))) {
      const plus = Float64Array.from(theta, (x, i) => x + h * w[i]);
      const minus = Float64Array.from(theta, (x, i) => x - h * w[i]);
      const gp = this.evaluate(plus).gradient;
      const gm = this.evaluate(minus).gradient;
      let diff = 0;
      let fdNorm = 0;
      for (let i = 0; i < n; i++) {
        const fd = (gp[i] - gm[i]) / (2 * h);
        diff += (fd - hw[i]) ** 2;
        fdNorm += fd * fd;
      }
      // Float32 gradients differenced over 2h carry an absolute error ≈ 1e-6·‖g‖/h; allow for it.
      const noise = (4e-6 * gNorm) / h;
      best = Math.min(best, Math.sqrt(diff) / Math.max(hwNorm, Math.sqrt(fdNorm), noise, 1e-30));
      if (Math.sqrt(diff) <= this.checkTolerance * Math.max(hwNorm, Math.sqrt(fdNorm)) + noise) return;
    }
    throw new Error(`TfjsFunctionOracle: the double-backprop Hessian-vector product disagrees with finite differences of the gradient ` +
      `(relative difference ${best.toExponential(2)} > ${this.checkTolerance}). The loss function probably uses a tfjs op whose gradient tfjs cannot ` +
      `differentiate again (tf.exp, tf.sigmoid, tf.tanh, tf.logSoftmax): use safeOps() from gradflat ` +
      `(exp, sigmoid, tanh, swish, logSumExp, logSoftmax, softmaxCrossEntropy). A loss with kinks (relu, abs) can fail this check with a right HVP: ` +
      `pass checkHvp: 'never' if you are sure. Every later hvp()/hessian() call of this oracle throws this error.`);
  }
}
