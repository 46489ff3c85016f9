/**
 * Flatness measures and the classes of points ([GF] §2.4, Table 1, appendix A.4).
 *
 * For a Newton direction p at a point with gradient g and Hessian H:
 *   r(p)  = ‖Hp + g‖ / (‖H‖·‖p‖ + ‖g‖)       relative residual, r(0) = 1, exact solution 0
 *   rH(p) = ‖H(Hp + g)‖ / (‖H‖·‖Hp + g‖)     relative co-kernel residual
 * High r with low rH: the part of g that H cannot reach lies in ker H (gradient-flat).
 * Which ‖H‖? The text says Frobenius; the figures used MINRES-QLP's running estimate of ‖A‖
 * (≈ ‖H‖₂ from below). gradflat reports both, under names that say which:
 * `r_solverA`/`rH_solverA` and `r_frobenius`/`rH_frobenius`.
 */
import { dot, norm2 } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';

export interface Residuals {
  r: number;
  rH: number;
}

/** Exact r and rH of direction p at θ for a given ‖H‖ (two HVPs: Hp and H(Hp + g)). */
export function residualsOf(oracle: Oracle, theta: Float64Array, g: Float64Array, p: Float64Array, hNorm: number): Residuals {
  const n = g.length;
  const res = oracle.hvp(theta, p);
  for (let i = 0; i < n; i++) res[i] += g[i];
  const resNorm = norm2(res);
  const hRes = oracle.hvp(theta, res);
  const gNorm = norm2(g);
  const rDen = hNorm * norm2(p) + gNorm;
  return {
    r: rDen > 0 ? resNorm / rDen : 0,
    rH: resNorm > 0 && hNorm > 0 ? norm2(hRes) / (hNorm * resNorm) : 0,
  };
}

/**
 * Cheap flatness indices for large problems (one HVP): the Rayleigh quotient
 * gᵀHg / (‖g‖²‖H‖) ([GF] §4) and ‖Hg‖ / (‖H‖‖g‖). Both are ≈ 0 at gradient-flat points.
 */
export function rayleighIndices(oracle: Oracle, theta: Float64Array, g: Float64Array, hNorm: number): { rayleigh: number; hgRatio: number } {
  const hg = oracle.hvp(theta, g);
  const gg = dot(g, g);
  if (gg === 0 || hNorm === 0) return { rayleigh: 0, hgRatio: 0 };
  return { rayleigh: dot(g, hg) / (gg * hNorm), hgRatio: norm2(hg) / (hNorm * Math.sqrt(gg)) };
}

/**
 * 'non-finite': loss, ‖g‖² or r is NaN or ±∞ (a diverged run). Such a point is never critical or
 * gradient-flat: before this class, a NaN gradient gave r = 1 (the solver's `nan-or-inf` exit) and
 * the point was counted gradient-flat.
 */
export type PointClass = 'critical' | 'gradient-flat' | 'neither' | 'non-finite';

export interface ClassThresholds {
  /** ‖g‖² below this: critical (εc, default 1e-8). */
  critical: number;
  /** r above this (and not critical): gradient-flat (1 − εr, default 0.9). */
  flatR: number;
  /** Optional Table-1 co-kernel test: also require rH < this (εg = 5e-4); default off (∞), as in the figures. */
  flatRH: number;
}

export const DEFAULT_THRESHOLDS: ClassThresholds = Object.freeze({ critical: 1e-8, flatR: 0.9, flatRH: Infinity });

/** Figure colouring ([GF] Figs. 1, 3–5): blue critical, orange gradient-flat, black neither (red non-finite). */
export function classifyPoint(gradNormSq: number, r: number, rH: number, t: ClassThresholds = DEFAULT_THRESHOLDS, loss = 0): PointClass {
  if (!Number.isFinite(loss) || !Number.isFinite(gradNormSq) || !Number.isFinite(r) || (Number.isFinite(t.flatRH) && !Number.isFinite(rH))) return 'non-finite';
  if (gradNormSq < t.critical) return 'critical';
  if (r > t.flatR && (t.flatRH === Infinity || rH < t.flatRH)) return 'gradient-flat';
  return 'neither';
}

/** The stderr warning when `count` of `total` final points are non-finite (undefined when none). */
export function nonFiniteWarning(count: number, total: number, what: string): string | undefined {
  if (count === 0) return undefined;
  return `warning: ${count} of ${total} ${what} ended at a non-finite point (loss, ‖g‖² or r is NaN or ±∞): ` +
    "counted as 'non-finite', never critical or gradient-flat. The runs diverged: check the data's scale and the step-size hyperparameters.";
}
