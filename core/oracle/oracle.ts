/**
 * The Oracle: everything a stepper may ask about the loss. Steppers get one injected and never
 * know where its numbers come from (analytic formula, float64 MLP engine, tfjs, ...).
 */
import { firstNonFinite } from '../linalg/vector.js';

/** Work done so far, so that methods can be compared by oracle calls rather than wall time. */
export interface OracleCounters {
  /** Loss-only evaluations. */
  loss: number;
  /** Loss-and-gradient evaluations. */
  gradient: number;
  /** Hessian-vector products. */
  hvp: number;
}

/** Capabilities beyond loss / gradient / HVP. Declared by the oracle, never guessed. */
export type OracleCapability = 'dense-hessian' | 'layer-statistics';

export interface LossAndGradient {
  loss: number;
  gradient: Float64Array;
}

export interface Oracle {
  /** Number of parameters n. */
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability>;
  readonly counters: OracleCounters;
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
  /** Dense n×n row-major Hessian; present iff capabilities has 'dense-hessian'. */
  hessian?(theta: Float64Array): Float64Array;
  /** Releases threads or native resources; the oracle is unusable afterwards. */
  dispose?(): void;
}

export function emptyCounters(): OracleCounters {
  return { loss: 0, gradient: 0, hvp: 0 };
}

export function snapshotCounters(c: OracleCounters): OracleCounters {
  return { loss: c.loss, gradient: c.gradient, hvp: c.hvp };
}

export function counterDelta(after: OracleCounters, before: OracleCounters): OracleCounters {
  return { loss: after.loss - before.loss, gradient: after.gradient - before.gradient, hvp: after.hvp - before.hvp };
}

/** Throws a clear error when `who` needs a capability the oracle does not declare. */
export function requireCapability(oracle: Oracle, capability: OracleCapability, who: string): void {
  if (!oracle.capabilities.has(capability)) {
    const has = [...oracle.capabilities].join(', ') || 'none';
    throw new Error(`${who} needs the oracle capability '${capability}', but this oracle declares only: ${has}. ` +
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
