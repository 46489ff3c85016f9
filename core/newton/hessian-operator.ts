/**
 * The operator v ↦ H(θ)·v that a Newton solve (MINRES-QLP) iterates with: Hessian-vector
 * products (one R-pass each), or an explicit dense Hessian built once from batched products
 * (`hvpBlock`) followed by O(n²) matvecs. Both apply the same H, so MINRES-QLP takes
 * the same iterates up to round-off; only the time differs.
 *
 * When the dense Hessian pays. Building it costs the work of n HVPs done as ⌈n/k⌉ GEMM-shaped
 * passes, measured 2.4–3.3× faster than n sequential HVPs on the loaded 2-core VM (`npm run bench`, §5); a dense matvec
 * then costs ~n² flops, negligible next to an HVP. So a solve that needs m products pays for
 * the build once m ≳ n / speed-up. The choice never looks at the clock (results must not
 * depend on machine load), only at the solve's settings:
 *  - a tight solve (rtol ≤ TIGHT_RTOL, the paper's 1e-10 with maxit = n) is expected to run to
 *    about maxit iterations (on the paper's networks it does: ≈ n + 3 products); when that
 *    budget reaches SWITCH_FRACTION·n the Hessian is built before the first product;
 *  - any other solve starts with HVPs and switches to the dense Hessian after ⌈SWITCH_FRACTION·n⌉
 *    products only if its remaining budget is still ≥ n products (maxit ≳ 1.5 n). A loose solve
 *    that switched and then stopped soon after would pay the build for nothing (up to ≈ 2× the
 *    HVP time), so under the paper's loose settings (rtol 5e-4, maxit = n) a solve never switches
 *    and runs exactly as before, however many iterations it takes.
 * Only oracles that declare 'hvp-block' and 'dense-hessian' (the float64 MLP engine) and have
 * n ≤ DENSE_OPERATOR_MAX_N qualify; everything else uses HVPs.
 *
 * Counters stay honest: the build adds n to `counters.hvp` (the oracle's `hessian()` counts
 * it), the dense matvecs add nothing (they are not oracle calls). A step that used the dense
 * Hessian therefore reports ≈ n (+ the products before a switch) HVPs of work.
 *
 * $GRADFLAT_HESSIAN_OPERATOR = 'hvp' forces HVPs (the sequential baseline), 'dense' forces the
 * dense Hessian wherever it qualifies; unset or 'auto' is the rule above.
 */
import type { Oracle } from '../oracle/oracle.js';
import { envField, z } from '../io/fields.js';

/** Which operator a solve used (recorded as `newton.operator`). */
export type HessianOperatorProvenance = 'hvp' | 'dense-hessian-batched' | 'hvp-then-dense-hessian-batched';

const HESSIAN_OPERATOR_MODES = ['auto', 'hvp', 'dense'] as const;
export type HessianOperatorMode = (typeof HESSIAN_OPERATOR_MODES)[number];

/** Largest n for the dense operator: n² doubles = 128 MiB at 4096. */
export const DENSE_OPERATOR_MAX_N = 4096;
/** Solves with rtol at or below this are expected to use their whole iteration budget. */
export const TIGHT_RTOL = 1e-6;
/**
 * The dense build is taken to cost the time of SWITCH_FRACTION·n sequential HVPs (measured
 * batched/sequential speed-up 2–3×, `npm run bench` §5, so ≤ 0.5).
 */
export const SWITCH_FRACTION = 0.5;

export interface HessianOperatorOptions {
  /** The solve's relative tolerance (default 1e-6, MINRES-QLP's). */
  rtol?: number;
  /** The solve's iteration limit (default n). MINRES-QLP makes up to maxit + 2 products. */
  maxit?: number;
  /** Default: $GRADFLAT_HESSIAN_OPERATOR, else 'auto'. */
  mode?: HessianOperatorMode;
  /**
   * Where to keep the operator's copy of θ (length n; default a new array), for callers that
   * solve repeatedly. The operator reads it on every `apply`, so it must not be reused while the
   * operator is still in use.
   */
  thetaBuffer?: Float64Array;
}

export interface HessianOperator {
  /** out ← H(θ)·v. */
  apply(v: Float64Array, out: Float64Array): void;
  /** What `apply` has used so far. */
  readonly provenance: HessianOperatorProvenance;
  /** Products computed by HVP and by the dense Hessian so far. */
  readonly hvpApplies: number;
  readonly denseApplies: number;
}

/** $GRADFLAT_HESSIAN_OPERATOR, checked. */
export function hessianOperatorModeFromEnv(): HessianOperatorMode {
  return envField('GRADFLAT_HESSIAN_OPERATOR', z.enum(HESSIAN_OPERATOR_MODES), (raw) => `GRADFLAT_HESSIAN_OPERATOR must be 'auto', 'hvp' or 'dense'; got '${raw}'`) ?? 'auto';
}

/** Whether the oracle can build its dense Hessian from batched products at this size. */
export function denseOperatorQualifies(oracle: Oracle): boolean {
  const c = oracle.capabilities;
  return c.has('hvp-block') && c.has('dense-hessian') && typeof oracle.hessian === 'function' && oracle.dim <= DENSE_OPERATOR_MAX_N;
}

export function hessianOperator(oracle: Oracle, theta: Float64Array, options: HessianOperatorOptions = {}): HessianOperator {
  const n = oracle.dim;
  const mode = options.mode ?? hessianOperatorModeFromEnv();
  const rtol = options.rtol ?? 1e-6;
  const maxApplies = (options.maxit ?? n) + 2;
  const switchAt = Math.max(1, Math.ceil(SWITCH_FRACTION * n));
  const qualifies = mode !== 'hvp' && denseOperatorQualifies(oracle);
  const upfront = qualifies && (mode === 'dense' || (rtol <= TIGHT_RTOL && maxApplies >= switchAt));
  if (options.thetaBuffer !== undefined && options.thetaBuffer.length !== theta.length) {
    throw new RangeError(`hessianOperator: thetaBuffer has length ${options.thetaBuffer.length}, θ has ${theta.length}`);
  }
  const thetaCopy = options.thetaBuffer ?? new Float64Array(theta.length);
  thetaCopy.set(theta);
  let H: Float64Array | null = upfront ? (oracle.hessian as (t: Float64Array) => Float64Array)(thetaCopy) : null;
  let hvpApplies = 0;
  let denseApplies = 0;
  return {
    apply(v: Float64Array, out: Float64Array): void {
      if (H === null && qualifies && hvpApplies >= switchAt && maxApplies - hvpApplies >= n) {
        H = (oracle.hessian as (t: Float64Array) => Float64Array)(thetaCopy);
      }
      if (H === null) {
        oracle.hvp(thetaCopy, v, out);
        hvpApplies++;
      } else {
        symmetricMatvec(H, n, v, out);
        denseApplies++;
      }
    },
    get provenance(): HessianOperatorProvenance {
      if (denseApplies === 0 && H === null) return 'hvp';
      return hvpApplies === 0 ? 'dense-hessian-batched' : 'hvp-then-dense-hessian-batched';
    },
    get hvpApplies() { return hvpApplies; },
    get denseApplies() { return denseApplies; },
  };
}

/** out ← H·v for a dense n×n row-major H (out must not alias v). */
export function symmetricMatvec(H: Float64Array, n: number, v: Float64Array, out: Float64Array): void {
  const n4 = n & ~3;
  for (let i = 0; i < n; i++) {
    const r = i * n;
    let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
    let j = 0;
    for (; j < n4; j += 4) {
      s0 += H[r + j] * v[j];
      s1 += H[r + j + 1] * v[j + 1];
      s2 += H[r + j + 2] * v[j + 2];
      s3 += H[r + j + 3] * v[j + 3];
    }
    for (; j < n; j++) s0 += H[r + j] * v[j];
    out[i] = (s0 + s1) + (s2 + s3);
  }
}
