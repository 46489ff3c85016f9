/**
 * The Oracle: everything a stepper may ask about the loss. Steppers get one injected and never
 * know where its numbers come from (analytic formula, float64 MLP engine, tfjs, ...).
 */
import { firstNonFinite } from '../linalg/vector.js';
import { UsageError } from '../io/errors.js';

/** Work done so far, so that methods can be compared by oracle calls rather than wall time. */
export interface OracleCounters {
  /** Loss-only evaluations. */
  loss: number;
  /** Loss-and-gradient evaluations. */
  gradient: number;
  /** Hessian-vector products. */
  hvp: number;
  /** Gauss-Newton (Fisher) matrix-vector products ('layer-statistics' oracles). */
  gvp: number;
  /** Per-layer curvature statistics passes ('layer-statistics' oracles). */
  statistics: number;
}

/**
 * Capabilities beyond loss / gradient / HVP. Declared by the oracle, never guessed.
 * 'hvp-block': H·V for a block of k directions in one batched pass (`hvpBlock`), much faster
 * per direction than k `hvp` calls; counted as k HVPs.
 */
export type OracleCapability = 'dense-hessian' | 'layer-statistics' | 'hvp-block';

/**
 * One layer's Kronecker factors (Martens & Grosse 2015, K-FAC): the block of the Gauss-Newton
 * matrix for this layer's parameters is approximated by A ⊗ G (exact for a one-layer network
 * when the output Hessian is the same for every sample, i.e. MSE with an identity output layer).
 *   A = (1/N) Σ_i ā_i ā_iᵀ   ā_i = the layer's input for sample i, with a trailing 1 when the layer has a bias
 *   G = (1/N) Σ_i Σ_k δ_ik δ_ikᵀ   δ_ik = ∂z/∂(pre-activation)ᵀ c_ik, where the per-sample output
 *       Hessian of the loss is Σ_k c_ik c_ikᵀ (MSE: the Gauss-Newton factor; softmax CE: the Fisher
 *       under the model's own predictive distribution, taken exactly rather than sampled).
 * The ℓ2 term is NOT in A or G (a K-FAC stepper adds it to its damping).
 */
export interface LayerStatistics {
  /** 1-based layer index, and where its weights (out×in row-major) and bias live in θ (−1: none). */
  layer: number;
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
  /** aDim×aDim row-major, aDim = inputs + (bias ? 1 : 0). */
  A: Float64Array;
  aDim: number;
  /** outputs×outputs row-major. */
  G: Float64Array;
}

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array;
}

/**
 * The loss as a stepper sees it: f(θ), ∇f(θ) and exact Hessian-vector products in float64, each
 * call counted, plus optional capabilities (dense Hessian, K-FAC statistics, batched HVPs).
 */
export interface Oracle {
  /** Number of parameters n. */
  readonly dim: number;
  /** What it offers beyond loss, gradient and HVP; steppers declare what they require, checked before they are built. */
  readonly capabilities: ReadonlySet<OracleCapability>;
  /** Oracle calls so far, by kind: methods are compared by work, not wall time. */
  readonly counters: OracleCounters;
  /** f(θ) alone (line searches' trial points), cheaper than `gradient`. */
  loss(theta: Float64Array): number;
  /** Loss and gradient at θ. `out`, when given, receives the gradient (and is returned). */
  gradient(theta: Float64Array, out?: Float64Array): LossAndGradient;
  /** Exact Hessian-vector product H(θ)·v. Repeated calls at the same θ reuse cached passes. */
  hvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array;
  /**
   * Provenance: what computes the numbers (engine, kernels, threads...). Results can differ in
   * round-off between engines, so runs record it.
   */
  readonly provenance?: Readonly<Record<string, string | number>>;
  /**
   * H(θ)·v_j for k directions at once; present iff capabilities has 'hvp-block'. V holds the k
   * directions one after another (V[j·n + i]: k×n row-major = n×k column-major, k = V.length / n);
   * the result (`out` when given, length k·n, must not alias V) holds H·v_j the same way. Equals
   * k `hvp` calls up to round-off, and adds k to `counters.hvp`.
   */
  hvpBlock?(theta: Float64Array, V: Float64Array, out?: Float64Array): Float64Array;
  /** Dense n×n row-major Hessian; present iff capabilities has 'dense-hessian'. */
  hessian?(theta: Float64Array): Float64Array;
  /** Per-layer Kronecker factors at θ; present iff capabilities has 'layer-statistics'. */
  layerStatistics?(theta: Float64Array): LayerStatistics[];
  /**
   * Exact Gauss-Newton product G(θ)·v (for softmax CE this is the Fisher), including the ℓ2
   * term's 2λ/n·v; present iff capabilities has 'layer-statistics'.
   */
  gaussNewtonProduct?(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array;
  /** Releases threads or native resources; the oracle is unusable afterwards. */
  dispose?(): void;
}

export function emptyCounters(): OracleCounters {
  return { loss: 0, gradient: 0, hvp: 0, gvp: 0, statistics: 0 };
}

export function snapshotCounters(c: OracleCounters): OracleCounters {
  return { loss: c.loss, gradient: c.gradient, hvp: c.hvp, gvp: c.gvp, statistics: c.statistics };
}

export function counterDelta(after: OracleCounters, before: OracleCounters): OracleCounters {
  return {
    loss: after.loss - before.loss, gradient: after.gradient - before.gradient, hvp: after.hvp - before.hvp,
    gvp: after.gvp - before.gvp, statistics: after.statistics - before.statistics,
  };
}

export function addCounters(a: OracleCounters, b: OracleCounters): OracleCounters {
  return { loss: a.loss + b.loss, gradient: a.gradient + b.gradient, hvp: a.hvp + b.hvp, gvp: a.gvp + b.gvp, statistics: a.statistics + b.statistics };
}

/**
 * Oracle work in HVP-equivalents, so methods that ask different questions can be compared on
 * one axis. Weights (docs/conventions.md): an HVP (R-forward + R-backward over cached passes),
 * a gradient (forward + backward) and a Gauss-Newton product each count 1, a loss 0.5, a
 * statistics pass 2 (a forward pass plus one backward pass per output-Hessian factor column,
 * summed as one unit per d_out ≈ a few gradients). Wall time is always reported too.
 */
export const WORK_WEIGHTS: Readonly<OracleCounters> = Object.freeze({ loss: 0.5, gradient: 1, hvp: 1, gvp: 1, statistics: 2 });

export function workUnits(c: OracleCounters): number {
  return c.loss * WORK_WEIGHTS.loss + c.gradient * WORK_WEIGHTS.gradient + c.hvp * WORK_WEIGHTS.hvp +
    (c.gvp ?? 0) * WORK_WEIGHTS.gvp + (c.statistics ?? 0) * WORK_WEIGHTS.statistics;
}

/** Throws a clear error when `who` needs a capability the oracle does not declare. */
export function requireCapability(oracle: Oracle, capability: OracleCapability, who: string): void {
  if (!oracle.capabilities.has(capability)) {
    const has = [...oracle.capabilities].join(', ') || 'none';
    throw new UsageError(`${who} needs the oracle capability '${capability}', but this oracle declares only: ${has}. ` +
      `Use a problem whose oracle provides it (e.g. the float64 MLP engine) or pick another method.`);
  }
}

/** Checks a parameter vector before it reaches an oracle: right length, all finite. */
export function checkTheta(theta: Float64Array, dim: number, what = 'parameter vector'): void {
  if (!(theta instanceof Float64Array)) throw new TypeError(`${what} must be a Float64Array (gradflat computes in float64)`);
  if (theta.length !== dim) throw new RangeError(`${what} has length ${theta.length}, but the problem has ${dim} parameters`);
  const i = firstNonFinite(theta);
  if (i >= 0) throw new RangeError(`${what} has a non-finite entry ${theta[i]} at index ${i}`);
}
