/**
 * The MLP oracle in TensorFlow.js (float32): the same network, layout and loss conventions as
 * the float64 engine (engines/mlp/mlp-oracle.ts), so a problem runs on either (`engine: f64 | tfjs`).
 *
 * HVP ('r-operator', the default): Pearlmutter's R-operator written out in tfjs ops — the
 * forward and backward passes are explicit (no tape), cached per θ, and each HVP is one R-forward
 * and one R-backward pass over them, with the activations' closed-form σ' and σ''. It needs no
 * second derivative from tfjs at all, so it is right for every activation (identity, swish,
 * tanh, relu) and both losses (MSE, softmax cross-entropy), whatever tfjs's double backprop does.
 * The formulas are those of engines/mlp/mlp-oracle.ts's header:
 *   R{Z_l} = R{A_{l−1}}·W_lᵀ + A_{l−1}·V_lᵀ + 1·c_lᵀ,   R{A_l} = σ'(Z_l) ⊙ R{Z_l},   R{A_0} = 0
 *   R{dA_L} = MSE: 2/(N·d_out)·R{A_L};  CE: (P ⊙ R{A_L} − P ⊙ rowsum(P ⊙ R{A_L}))/N
 *   R{dZ_l} = R{dA_l} ⊙ σ'(Z_l) + dA_l ⊙ σ''(Z_l) ⊙ R{Z_l}
 *   R{dW_l} = R{dZ_l}ᵀ·A_{l−1} + dZ_lᵀ·R{A_{l−1}},   R{db_l} = 1ᵀ·R{dZ_l},   R{dA_{l−1}} = R{dZ_l}·W_l + dZ_l·V_l
 * HVP 'double-backprop': tf.grad of ⟨∇f, v⟩ over the same loss written with safeOps (for
 * comparison and cross-checks; about twice the cost).
 *
 * The ℓ2 term λ·mean(θ²) is added on the host in float64 (value, 2λ/n·θ, 2λ/n·v): it is exact
 * and costs nothing. Everything that touches the data runs in float32 on the tfjs backend, except
 * the loss's final sum: the N per-sample losses are copied to the host and summed in float64
 * (as the float64 engine does). Softmax CE is computed per sample as lse(z − z_y) with log1p, and
 * its gradient and HVP without the 1 − P_y cancellation, so small losses keep float32's relative
 * accuracy.
 *
 * Memory: the cached passes of ONE θ are kept (tf.keep) and disposed when θ changes or on
 * `dispose()`; everything else runs inside tf.tidy, so the tensor count is flat across steps
 * (tested with tf.memory()).
 */
import type * as TF from '@tensorflow/tfjs';
import type { LossAndGradient, Oracle, OracleCapability, OracleCounters } from '../../core/oracle/oracle.js';
import { hessianFromHvps } from '../../core/linalg/dense-hessian.js';
import { checkTheta, emptyCounters } from '../../core/oracle/oracle.js';
import { equalArrays, normSq } from '../../core/linalg/vector.js';
import { type LayerLayout, type MlpSpec, type ResolvedMlpSpec, layerLayout, parameterCount, resolveMlpSpec } from '../mlp/architecture.js';
import { type MlpData, validateMlpData } from '../mlp/data.js';
import { ensureTfjsBackend, loadTfjs, scoped, type Tf } from './backend.js';
import { toFloat64, toTensor } from './function-oracle.js';
import { doubleBackpropHvp, safeOps } from './safe-ops.js';

export type TfjsHvpMethod = 'r-operator' | 'double-backprop';

export interface TfjsMlpOracleOptions {
  /** How H·v is computed (default 'r-operator'). */
  hvp?: TfjsHvpMethod;
}

/** The data as float32 tensors: X (N×d_in), and Y (N×d_out) for MSE or the one-hot labels for CE. */
export interface TfjsMlpData {
  X: TF.Tensor2D;
  /** MSE targets, or the one-hot labels for softmax CE. */
  Y: TF.Tensor2D;
  N: number;
}

export function mlpDataToTensors(tf: Tf, spec: ResolvedMlpSpec, data: MlpData): TfjsMlpData {
  const dIn = spec.layers[0];
  const dOut = spec.layers[spec.layers.length - 1];
  const X = tf.tensor2d(Float32Array.from(data.inputs), [data.N, dIn], 'float32');
  const Y = spec.loss === 'mse'
    ? tf.tensor2d(Float32Array.from(data.targets!), [data.N, dOut], 'float32')
    : tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.labels!, 'int32'), dOut), 'float32') as TF.Tensor2D);
  return { X, Y, N: data.N };
}

/**
 * The data term of the MLP loss as a tfjs function of θ, written with safe ops so that tf.grad
 * of tf.grad is right (no ℓ2: callers add it). The user-facing form of a dense model's loss.
 */
export function mlpDataLossFunction(spec: MlpSpec | ResolvedMlpSpec, data: TfjsMlpData): (theta: TF.Tensor1D) => TF.Scalar {
  const tf = loadTfjs();
  const ops = safeOps();
  const r = 'smooth' in spec ? spec : resolveMlpSpec(spec);
  const layout = layerLayout(r);
  return (theta) => {
    let a: TF.Tensor = data.X;
    for (const l of layout) {
      const W = tf.reshape(tf.slice(theta, l.weightOffset, l.inputs * l.outputs), [l.outputs, l.inputs]) as TF.Tensor2D;
      let z: TF.Tensor = tf.matMul(a as TF.Tensor2D, W, false, true);
      if (l.biasOffset >= 0) z = tf.add(z, tf.slice(theta, l.biasOffset, l.outputs));
      a = ops.activation(l.activation)(z);
    }
    return r.loss === 'mse' ? ops.meanSquaredError(a, data.Y) : ops.softmaxCrossEntropy(a as TF.Tensor2D, data.Y);
  };
}

/** One θ's cached passes (all tensors kept; disposed together). */
interface Pass {
  W: TF.Tensor[];
  /** A_0 = X (not owned), A_1 … A_L. */
  A: TF.Tensor[];
  /** σ'(Z_l), or null for identity. */
  d1: (TF.Tensor | null)[];
  /** σ''(Z_l), or null when it is 0 (identity, relu). */
  d2: (TF.Tensor | null)[];
  /** Softmax probabilities (CE). */
  P: TF.Tensor | null;
  dataLoss: number;
  /** Backward level: dZ_l and dA_l ⊙ σ''(Z_l) (null where σ'' = 0), and the data gradient. */
  dZ: TF.Tensor[] | null;
  dAd2: (TF.Tensor | null)[] | null;
  dataGradient: Float64Array | null;
}

export class TfjsMlpOracle implements Oracle {
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian']);
  readonly counters: OracleCounters = emptyCounters();
  readonly spec: ResolvedMlpSpec;
  readonly N: number;
  readonly hvpMethod: TfjsHvpMethod;
  readonly provenance: Readonly<Record<string, string | number>>;
  private readonly tf: Tf;
  private readonly layout: LayerLayout[];
  private readonly data: TfjsMlpData;
  private readonly dataLoss: (theta: TF.Tensor1D) => TF.Scalar;
  private readonly cacheTheta: Float64Array;
  private pass: Pass | null = null;
  private disposed = false;

  constructor(spec: MlpSpec, data: MlpData, options: TfjsMlpOracleOptions = {}) {
    this.spec = resolveMlpSpec(spec);
    validateMlpData(this.spec, data);
    const method = options.hvp ?? 'r-operator';
    if (method !== 'r-operator' && method !== 'double-backprop') throw new RangeError(`TfjsMlpOracle option hvp must be 'r-operator' or 'double-backprop'; got ${JSON.stringify(options.hvp)}`);
    this.hvpMethod = method;
    const backend = ensureTfjsBackend();
    this.tf = loadTfjs();
    this.dim = parameterCount(this.spec);
    this.N = data.N;
    this.layout = layerLayout(this.spec);
    this.data = mlpDataToTensors(this.tf, this.spec, data);
    this.dataLoss = mlpDataLossFunction(this.spec, this.data);
    this.cacheTheta = new Float64Array(this.dim);
    this.provenance = Object.freeze({
      engine: 'tfjs', precision: 'float32', backend: backend.backend, tfjs: backend.tfjsVersion,
      hvp: method === 'r-operator' ? 'R-operator in tfjs ops' : 'double backprop (safe ops)',
    });
  }

  loss(theta: Float64Array): number {
    this.counters.loss++;
    this.check(theta);
    return this.ensure(theta, false).dataLoss + this.l2Value(theta);
  }

  gradient(theta: Float64Array, out?: Float64Array): LossAndGradient {
    this.counters.gradient++;
    this.check(theta);
    checkOut(out, this.dim, 'gradient');
    const p = this.ensure(theta, true);
    const g = out ?? new Float64Array(this.dim);
    g.set(p.dataGradient!);
    const lam = this.spec.l2;
    if (lam !== 0) {
      const c = (2 * lam) / this.dim;
      for (let i = 0; i < g.length; i++) g[i] += c * theta[i];
    }
    return { loss: p.dataLoss + this.l2Value(theta), gradient: g };
  }

  hvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    this.counters.hvp++;
    checkTheta(v, this.dim, 'hvp direction v');
    checkOut(out, this.dim, 'hvp');
    this.check(theta);
    const res = out ?? new Float64Array(this.dim);
    this.hvpInto(theta, v, res);
    return res;
  }

  /** Dense n×n Hessian by n HVPs with the unit vectors (one cached pass), symmetrised; counts n HVPs. */
  hessian(theta: Float64Array): Float64Array {
    this.check(theta);
    const n = this.dim;
    const H = hessianFromHvps(n, (e, out) => this.hvpInto(theta, e, out));
    this.counters.hvp += n;
    return H;
  }

  /** Disposes the cached passes and the data tensors; later calls throw. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropPass();
    this.data.X.dispose();
    this.data.Y.dispose();
  }

  // ---- passes ------------------------------------------------------------------------------

  private check(theta: Float64Array): void {
    if (this.disposed) throw new Error('TfjsMlpOracle: used after dispose()');
    checkTheta(theta, this.dim, 'parameter vector θ');
  }

  private l2Value(theta: Float64Array): number {
    return this.spec.l2 === 0 ? 0 : (this.spec.l2 / this.dim) * normSq(theta);
  }

  private dropPass(): void {
    const p = this.pass;
    if (p === null) return;
    this.pass = null;
    const all: (TF.Tensor | null)[] = [...p.W, ...p.A.slice(1), ...p.d1, ...p.d2, p.P, ...(p.dZ ?? []), ...(p.dAd2 ?? [])];
    for (const t of all) if (t !== null && !t.isDisposed) t.dispose();
  }

  /** The cached passes at θ, computed as far as needed (backward: also the data gradient). */
  private ensure(theta: Float64Array, backward: boolean): Pass {
    if (this.pass !== null && !equalArrays(this.cacheTheta, theta)) this.dropPass();
    if (this.pass === null) {
      this.pass = this.forward(theta);
      this.cacheTheta.set(theta);
    }
    if (backward && this.pass.dZ === null) this.backward(this.pass);
    return this.pass;
  }

  private forward(theta: Float64Array): Pass {
    const tf = this.tf;
    const { X, Y, N } = this.data;
    const keep = <T extends TF.Tensor>(t: T): T => tf.keep(t);
    return scoped(tf, () => {
      const th = toTensor(tf, theta);
      const p: Pass = { W: [], A: [X], d1: [], d2: [], P: null, dataLoss: NaN, dZ: null, dAd2: null, dataGradient: null };
      let a: TF.Tensor = X;
      for (const l of this.layout) {
        const W = keep(tf.reshape(tf.slice(th, l.weightOffset, l.inputs * l.outputs), [l.outputs, l.inputs]) as TF.Tensor);
        let z: TF.Tensor = tf.matMul(a as TF.Tensor2D, W as TF.Tensor2D, false, true);
        if (l.biasOffset >= 0) z = tf.add(z, tf.slice(th, l.biasOffset, l.outputs));
        let d1: TF.Tensor | null = null;
        let d2: TF.Tensor | null = null;
        switch (l.activation) {
          case 'identity': a = z; break;
          case 'swish': {
            const s: TF.Tensor = tf.sigmoid(z);
            const oneMinus: TF.Tensor = tf.sub(1, s);
            a = tf.mul(z, s);
            d1 = tf.mul(s, tf.add(1, tf.mul(z, oneMinus)));                              // s(1 + z(1 − s))
            d2 = tf.mul(tf.mul(s, oneMinus), tf.add(2, tf.mul(z, tf.sub(1, tf.mul(2, s))))); // s(1 − s)(2 + z(1 − 2s))
            break;
          }
          case 'tanh': {
            const t: TF.Tensor = tf.tanh(z);
            const dt: TF.Tensor = tf.sub(1, tf.square(t));
            a = t;
            d1 = dt;
            d2 = tf.mul(-2, tf.mul(t, dt));
            break;
          }
          case 'relu':
            a = tf.relu(z);
            d1 = tf.cast(tf.greater(z, 0), 'float32') as TF.Tensor;
            break;
        }
        p.W.push(W);
        p.A.push(keep(a));
        p.d1.push(d1 === null ? null : keep(d1));
        p.d2.push(d2 === null ? null : keep(d2));
      }
      if (this.spec.loss === 'mse') {
        // Row sums of squares in float32, their total in float64 (a float32 mean over N·d_out
        // entries — WASM's — loses ~1e-6 relative at N = 1,000: too much for 1e-6 truth matching).
        p.dataLoss = sumFloat64(tf.sum(tf.square(tf.sub(a, Y)), 1)) / (N * this.spec.layers[this.layout.length]);
      } else {
        // Row i: ℓ_i = lse(z_i − z_i,y) = m + log1p(Σ_{k ≠ argmax} e^{d_k − m}), d = z − z_y, m = max d:
        // no cancellation, so a small loss keeps float32's relative accuracy. P = e^{d − ℓ}.
        const C = this.spec.layers[this.layout.length];
        const d = tf.sub(a, tf.sum(tf.mul(a, Y), 1, true));
        const m = tf.max(d, 1, true);
        const others = tf.sub(1, tf.oneHot(tf.argMax(d, 1), C));
        const rows = tf.add(m, tf.log1p(tf.sum(tf.mul(tf.exp(tf.sub(d, m)), others), 1, true)));
        p.P = keep(tf.exp(tf.sub(d, rows)) as TF.Tensor);
        p.dataLoss = sumFloat64(rows) / N;
      }
      return p;
    });
  }

  private backward(p: Pass): void {
    const tf = this.tf;
    const { Y, N } = this.data;
    const L = this.layout.length;
    const dOut = this.spec.layers[L];
    const dZ: TF.Tensor[] = new Array(L);
    const dAd2: (TF.Tensor | null)[] = new Array(L).fill(null);
    p.dataGradient = scoped(tf, () => {
      const pieces: TF.Tensor[] = [];
      const aL = p.A[L];
      // CE: (P − Y)/N with the label's entry written as −Σ_{k≠y} P_k (1 − P_y cancels when P_y ≈ 1).
      let dA: TF.Tensor;
      if (this.spec.loss === 'mse') dA = tf.mul(tf.sub(aL, Y), 2 / (N * dOut));
      else {
        const off = tf.mul(p.P!, tf.sub(1, Y));
        dA = tf.div(tf.sub(off, tf.mul(Y, tf.sum(off, 1, true))), N);
      }
      for (let k = L - 1; k >= 0; k--) {
        const l = this.layout[k];
        const z = p.d1[k] === null ? dA : tf.mul(dA, p.d1[k]!);
        dZ[k] = tf.keep(z);
        if (p.d2[k] !== null) dAd2[k] = tf.keep(tf.mul(dA, p.d2[k]!));
        const dW = tf.matMul(z, p.A[k], true, false);
        const parts: TF.Tensor[] = [tf.reshape(dW, [-1])];
        if (l.biasOffset >= 0) parts.push(tf.sum(z, 0));
        pieces.unshift(...parts);
        if (k > 0) dA = tf.matMul(z, p.W[k]);
      }
      return toFloat64(tf.concat(pieces));
    });
    p.dZ = dZ;
    p.dAd2 = dAd2;
  }

  private hvpInto(theta: Float64Array, v: Float64Array, res: Float64Array): void {
    const tf = this.tf;
    if (this.hvpMethod === 'double-backprop') {
      scoped(tf, () => { toFloat64(doubleBackpropHvp(tf, this.dataLoss, toTensor(tf, theta), toTensor(tf, v)), res); });
    } else {
      const p = this.ensure(theta, true);
      scoped(tf, () => { toFloat64(this.rOperator(p, toTensor(tf, v)), res); });
    }
    const lam = this.spec.l2;
    if (lam !== 0) {
      const c = (2 * lam) / this.dim;
      for (let i = 0; i < res.length; i++) res[i] += c * v[i];
    }
  }

  /** R{∇f_data} along v (inside a tidy). */
  private rOperator(p: Pass, vt: TF.Tensor1D): TF.Tensor {
    const tf = this.tf;
    const { N } = this.data;
    const L = this.layout.length;
    const V: TF.Tensor[] = [];
    const RZ: TF.Tensor[] = [];
    const RA: (TF.Tensor | null)[] = [null]; // R{A_0} = 0
    for (let k = 0; k < L; k++) {
      const l = this.layout[k];
      const Vk = tf.reshape(tf.slice(vt, l.weightOffset, l.inputs * l.outputs), [l.outputs, l.inputs]) as TF.Tensor;
      V.push(Vk);
      let rz: TF.Tensor = tf.matMul(p.A[k], Vk, false, true);
      if (RA[k] !== null) rz = tf.add(rz, tf.matMul(RA[k]!, p.W[k], false, true));
      if (l.biasOffset >= 0) rz = tf.add(rz, tf.slice(vt, l.biasOffset, l.outputs));
      RZ.push(rz);
      RA.push(p.d1[k] === null ? rz : tf.mul(p.d1[k]!, rz));
    }
    const raL = RA[L]!;
    let rdA: TF.Tensor;
    if (this.spec.loss === 'mse') {
      rdA = tf.mul(raL, 2 / (N * this.spec.layers[L]));
    } else {
      // (diag P − PPᵀ)·r per row, with r shifted by its label entry (the product ignores a
      // per-row shift): the label's own term then vanishes and 1 − P_y never appears.
      const { Y } = this.data;
      const D = tf.sub(raL, tf.sum(tf.mul(raL, Y), 1, true));
      const pr = tf.mul(p.P!, D);
      rdA = tf.div(tf.sub(pr, tf.mul(p.P!, tf.sum(pr, 1, true))), N);
    }
    const pieces: TF.Tensor[] = [];
    for (let k = L - 1; k >= 0; k--) {
      const l = this.layout[k];
      let rdZ: TF.Tensor = p.d1[k] === null ? rdA : tf.mul(rdA, p.d1[k]!);
      if (p.dAd2![k] !== null) rdZ = tf.add(rdZ, tf.mul(p.dAd2![k]!, RZ[k]));
      let rdW: TF.Tensor = tf.matMul(rdZ, p.A[k], true, false);
      if (RA[k] !== null) rdW = tf.add(rdW, tf.matMul(p.dZ![k], RA[k]!, true, false));
      const parts: TF.Tensor[] = [tf.reshape(rdW, [-1])];
      if (l.biasOffset >= 0) parts.push(tf.sum(rdZ, 0));
      pieces.unshift(...parts);
      if (k > 0) rdA = tf.add(tf.matMul(rdZ, p.W[k]), tf.matMul(p.dZ![k], V[k]));
    }
    return tf.concat(pieces);
  }
}

/** Σ of a float32 tensor's values, in float64 on the host. */
function sumFloat64(t: TF.Tensor): number {
  const d = t.dataSync();
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s;
}

function checkOut(out: Float64Array | undefined, n: number, who: string): void {
  if (out !== undefined && !(out instanceof Float64Array && out.length === n)) {
    throw new RangeError(`TfjsMlpOracle.${who}: 'out' must be a Float64Array of length ${n} (the parameter count)`);
  }
}
