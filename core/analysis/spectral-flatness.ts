/**
 * Spectral flatness, gradient flatness read from the spectrum rather than from a Krylov solve:
 * how much of ‖g‖² lies in eigen-directions of H whose curvature is negligible. For
 * H = Σ λ_i v_i v_iᵀ and a relative threshold τ,
 *
 *     share(τ) = Σ_{|λ_i| ≤ τ‖H‖₂} (v_iᵀg)² / Σ_i (v_iᵀg)²
 *
 * (the denominator is ‖g‖² up to round-off; summing the same terms makes share(1) = 1 exactly).
 * share(τ) → 1 at small τ says g lies in the (near-)kernel of H: the point is gradient-flat
 * whatever a Krylov solver does ([GF] §2.4: r = 1 exactly when g ∈ ker H). Nondecreasing in τ.
 */
import { eigenCoefficients, spectralNormOf, type EigenDecomposition } from '../linalg/exact-newton.js';

/**
 * The τ at which a single number is read off (suite probes judging "flat" and "left the flat
 * region", the control table): eigenvalues below 1e-6·‖H‖₂ are four decades above the
 * eigensolver's noise at n ≤ 2000 and far below any curvature a Newton step could use.
 */
export const SPECTRAL_FLAT_TAU = 1e-6;

/** τ and t name the same grid point (the grid's 10^k are not exact in binary). */
export const sameTau = (t: number, tau: number): boolean => Math.abs(t - tau) <= 1e-12 * tau;

/** share(τ) at one τ (0 when ‖g‖ = 0), from a result computed on a grid that contains τ. */
export function shareAt(f: SpectralFlatness, tau: number): number {
  const i = f.taus.findIndex((t) => sameTau(t, tau));
  if (i < 0) throw new RangeError(`spectral flatness: τ = ${tau} is not on the grid [${f.taus.join(', ')}]`);
  return f.shares[i];
}

/** τ = 1e-10, 1e-9, …, 1 (11 points). */
export const SPECTRAL_TAUS: readonly number[] = Object.freeze(Array.from({ length: 11 }, (_, i) => 10 ** (i - 10)));

export interface SpectralFlatness {
  /** Relative thresholds τ, ascending. */
  taus: number[];
  /** share(τ) for each τ, in [0, 1], nondecreasing. */
  shares: number[];
  /** ‖H‖₂, the scale of the thresholds. */
  spectralNorm: number;
}

export function spectralFlatness(e: EigenDecomposition, g: Float64Array, taus: readonly number[] = SPECTRAL_TAUS): SpectralFlatness {
  for (let i = 0; i < taus.length; i++) {
    if (!(taus[i] >= 0) || (i > 0 && !(taus[i] > taus[i - 1]))) throw new RangeError(`spectral flatness: τ must be ≥ 0 and strictly ascending, got [${taus.join(', ')}]`);
  }
  const spectralNorm = spectralNormOf(e.values);
  const c = eigenCoefficients(e, g);
  let total = 0;
  for (let i = 0; i < e.n; i++) total += c[i] * c[i];
  const shares = taus.map((tau) => {
    if (total === 0) return 0;
    const limit = tau * spectralNorm;
    let s = 0;
    for (let i = 0; i < e.n; i++) if (Math.abs(e.values[i]) <= limit) s += c[i] * c[i];
    return s / total;
  });
  return { taus: [...taus], shares, spectralNorm };
}
