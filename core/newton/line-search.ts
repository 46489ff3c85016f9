/**
 * Armijo backtracking on the merit m(θ) = ‖g(θ)‖², shared by Newton-MR ([GF] §2.2 and appendix A;
 * Roosta, Liu, Xu & Mahoney 2018) and GNM's 'backtracking' variant ([GF]; Nocedal & Wright 2006,
 * Alg. 3.1):
 *   accept α when m(θ + αp) ≤ m(θ) + ρ·α·m'(0),   m'(0) = 2⟨Hp, g⟩  (∇‖g‖² = 2Hg).
 * m'(0) ≤ 0 for MINRES directions and equals −2‖Hg‖² for GNM's p = −Hg. Newton-MR first tries the
 * unit step with the stricter ρ' (needed for superlinear convergence); then the search starts from
 * the remembered α and shrinks by β until accepted or α < minAlpha. The caller grows the
 * remembered α after an accepted step (Newton-MR: α ← min(1, α/β); GNM: min(αmax, α/β)).
 *
 * The two methods have always stated the slope differently, and each keeps its form so its
 * numbers stay bit-for-bit as they were (`slope` option below): Newton-MR passes ⟨Hp, g⟩ and the
 * test is evaluated as m0 + 2ρα·⟨Hp, g⟩; GNM passes m'(0) = −2‖Hg‖² itself and the test is
 * m0 + ρα·m'(0). Equal in exact arithmetic; in floating point they can differ only when ρα·slope
 * is subnormal or doubling the slope overflows.
 */

export interface ArmijoSettings {
  rho: number;
  beta: number;
  /** Below this α the search gives up ("α underflows"); θ then stays where it is. */
  minAlpha: number;
  /** Try α = 1 first with ρ' = rhoUnit (Newton-MR; default false). */
  unitStepFirst?: boolean;
  /** ρ' for the unit-step test. */
  rhoUnit?: number;
  /**
   * What `slope` is: 'half-merit' (default) ⟨Hp, g⟩ = d/dα ½‖g(θ + αp)‖² at 0, tested as
   * m0 + 2ρα·slope (Newton-MR); 'merit' m'(0) = d/dα ‖g(θ + αp)‖² at 0, tested as m0 + ρα·slope (GNM).
   */
  slope?: 'half-merit' | 'merit';
}

export interface MeritTrial {
  /** ‖g(θ + αp)‖² (may be NaN/∞: such a trial is rejected, never accepted). */
  merit: number;
  /** True when θ + αp equals θ in float64: shrinking further cannot change anything. */
  unchanged: boolean;
}

export type LineSearchFailure = 'alpha-underflow' | 'no-change' | 'not-a-descent-direction';

export interface ArmijoOutcome {
  /** Accepted α, or 0 when no step was accepted. */
  alpha: number;
  accepted: 'unit' | 'backtracking' | 'none';
  /** Trials evaluated (each one costs the caller one gradient). */
  tries: number;
  /** Why the search failed (only when accepted = 'none'). */
  failure?: LineSearchFailure;
}

/**
 * `trial(α)` evaluates the merit at θ + αp (the caller keeps the evaluated point so an accepted
 * trial need not be recomputed). A direction with slope ≥ 0 (or NaN) is refused before any trial.
 */
export function armijoBacktracking(
  merit0: number, slope: number, alphaStart: number, s: ArmijoSettings, trial: (alpha: number) => MeritTrial,
): ArmijoOutcome {
  if (s.unitStepFirst && s.rhoUnit === undefined) throw new TypeError('armijoBacktracking: unitStepFirst needs rhoUnit');
  let tries = 0;
  if (!(slope < 0)) return { alpha: 0, accepted: 'none', tries, failure: 'not-a-descent-direction' };
  // ρ·factor is exact (factor 1 or 2), and (ρ·factor·α)·slope is the product each method always formed.
  const factor = s.slope === 'merit' ? 1 : 2;
  const accepts = (t: MeritTrial, alpha: number, rho: number) => t.merit <= merit0 + factor * rho * alpha * slope;
  if (s.unitStepFirst) {
    tries++;
    if (accepts(trial(1), 1, s.rhoUnit!)) return { alpha: 1, accepted: 'unit', tries };
  }
  for (let alpha = alphaStart; alpha >= s.minAlpha; alpha *= s.beta) {
    tries++;
    const t = trial(alpha);
    if (t.unchanged) return { alpha: 0, accepted: 'none', tries, failure: 'no-change' };
    if (accepts(t, alpha, s.rho)) return { alpha, accepted: 'backtracking', tries };
  }
  return { alpha: 0, accepted: 'none', tries, failure: 'alpha-underflow' };
}
