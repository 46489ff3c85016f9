/**
 * Gauss and Gauss–Radau quadrature of a spectral measure from a Lanczos run, and the
 * Chebyshev–Markov–Stieltjes bracket of its distribution function (Golub & Meurant, *Matrices,
 * Moments and Quadrature with Applications*, 2010, §6.2 and Thm. 6.4; Szegő, *Orthogonal
 * Polynomials* §3.41).
 *
 * k Lanczos steps of H from a unit vector u give T_k (alpha, beta) with the first 2k moments of
 * u's spectral measure μ = Σᵢ (vᵢᵀu)² δ(λᵢ): the k-node Gauss rule (nodes = eigenvalues of T_k,
 * weights = squared first components of its eigenvectors; Golub & Welsch 1969) integrates
 * polynomials of degree ≤ 2k − 1 exactly. Extending T_k by one row, with β_k and the diagonal
 * α̃ = x + β_k² [(T_k − xI)⁻¹]_kk, gives the (k+1)-node Gauss–Radau rule with a node fixed at x,
 * exact to degree 2k. For such a rule (nodes ν, weights ω, ν* = x), the CMS inequalities read
 *
 *     Σ_{ν < x} ω  ≤  μ((−∞, x))  ≤  μ((−∞, x])  ≤  Σ_{ν ≤ x} ω,
 *
 * and they are sharp: some measure with the same moments attains each side. So the bracket is
 * the best any method can say from the same k products.
 */
import { tridiagonalFirstComponents } from './symmetric-eigen.js';

export interface QuadratureRule {
  /** Nodes, ascending. */
  nodes: Float64Array;
  /** Weights, summing to 1 (up to round-off). */
  weights: Float64Array;
}

/** The k-node Gauss rule of T_k (alpha[0..k), beta[0..k−1) off the diagonal). */
export function gaussRule(alpha: ArrayLike<number>, beta: ArrayLike<number>, k = alpha.length): QuadratureRule {
  const { values, first } = tridiagonalFirstComponents(Array.prototype.slice.call(alpha, 0, k), Array.prototype.slice.call(beta, 0, Math.max(k - 1, 0)));
  return { nodes: values, weights: Float64Array.from(first, (c) => c * c) };
}

/**
 * The (k+1)-node Gauss–Radau rule with a node fixed at x, or undefined when x is (to working
 * precision) an eigenvalue of T_k itself: then the Gauss rule already has x as a node and its
 * partial sums are the bracket. Needs β_k = beta[k − 1] > 0.
 */
export function radauRule(alpha: ArrayLike<number>, beta: ArrayLike<number>, k: number, x: number): QuadratureRule | undefined {
  // [(T_k − xI)⁻¹]_kk = 1/d_k, with d the pivots of the top-down LDLᵀ factorisation (the same
  // recurrence as a Sturm count, hence backward stable). A zero pivot before the last means x
  // is an eigenvalue of a leading block; perturbing it by ε‖T‖ is the standard remedy.
  let scale = Math.abs(x);
  for (let j = 0; j < k; j++) scale = Math.max(scale, Math.abs(alpha[j]) + Math.abs(beta[j]) + (j > 0 ? Math.abs(beta[j - 1]) : 0));
  const tiny = Number.EPSILON * Math.max(scale, Number.MIN_VALUE);
  let d = alpha[0] - x;
  for (let j = 1; j < k; j++) {
    if (Math.abs(d) < tiny) d = tiny;
    d = alpha[j] - x - (beta[j - 1] * beta[j - 1]) / d;
  }
  const bk = beta[k - 1];
  if (!(bk > 0) || Math.abs(d) < 16 * tiny) return undefined;
  const aExt = Array.prototype.slice.call(alpha, 0, k) as number[];
  aExt.push(x + (bk * bk) / d);
  if (!Number.isFinite(aExt[k])) return undefined;
  const bExt = Array.prototype.slice.call(beta, 0, k) as number[];
  return gaussRule(aExt, bExt, k + 1);
}

/**
 * [lo, hi] with lo ≤ μ((−∞, x)) ≤ μ((−∞, x]) ≤ hi, from T_k and β_k = beta[k − 1]
 * (0 when the Krylov space is invariant: the Gauss rule is then μ itself, up to round-off).
 */
export function distributionBracket(alpha: ArrayLike<number>, beta: ArrayLike<number>, k: number, x: number): [number, number] {
  if (k === 0) return [0, 1];
  const radau = beta[k - 1] > 0 ? radauRule(alpha, beta, k, x) : undefined;
  const rule = radau ?? gaussRule(alpha, beta, k);
  // The fixed node is the one nearest x (it equals x up to the eigensolver's round-off). Without
  // a Radau rule (x within round-off of a Gauss node, β_k > 0) that node is x itself: the CMS
  // bracket at a Gauss node, [Σ_{θ < x}, Σ_{θ ≤ x}], is the Radau rule's limit.
  let fixed = -1;
  if (radau || beta[k - 1] > 0) {
    let best = Infinity;
    for (let i = 0; i < rule.nodes.length; i++) {
      const dist = Math.abs(rule.nodes[i] - x);
      if (dist < best) { best = dist; fixed = i; }
    }
  }
  // Nodes within round-off of x (an eigenvalue of H at x, computed a few ulps to either side)
  // may belong on either side: they count for the upper bound only.
  let scale = Math.abs(x);
  for (let i = 0; i < rule.nodes.length; i++) scale = Math.max(scale, Math.abs(rule.nodes[i]));
  const tie = 64 * Number.EPSILON * scale * Math.sqrt(rule.nodes.length);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < rule.nodes.length; i++) {
    const w = rule.weights[i];
    if (i === fixed || Math.abs(rule.nodes[i] - x) <= tie) hi += w;
    else if (rule.nodes[i] < x) { lo += w; hi += w; }
  }
  return [Math.min(1, Math.max(0, lo)), Math.min(1, Math.max(0, hi))];
}

/**
 * [lower, upper] ∋ μ([−a, a]) (a ≥ 0) from two CMS brackets: μ([−a, a]) = μ((−∞, a]) − μ((−∞, −a)).
 * `aLow ≤ aHigh` widen it for an interval end known only within [aLow, aHigh] (a threshold
 * τ‖H‖₂ with ‖H‖₂ bracketed): the lower bound uses the narrower interval, the upper the wider.
 */
export function intervalBracket(alpha: ArrayLike<number>, beta: ArrayLike<number>, k: number, aLow: number, aHigh = aLow): [number, number] {
  const atLow = distributionBracket(alpha, beta, k, aLow);
  const atMinusLow = distributionBracket(alpha, beta, k, -aLow);
  // One end known exactly (a dense ‖H‖₂, an exhausted norm run): the same two rules serve both bounds.
  const same = aHigh === aLow;
  const [loIn] = atLow;
  const [, hiIn] = atMinusLow;
  const [, hiOut] = same ? atLow : distributionBracket(alpha, beta, k, aHigh);
  const [loOut] = same ? atMinusLow : distributionBracket(alpha, beta, k, -aHigh);
  // μ((−∞, aLow]) ≥ μ((−∞, aLow)) ≥ loIn and μ((−∞, −aLow)) ≤ hiIn.
  const lower = Math.max(0, loIn - hiIn);
  const upper = Math.min(1, Math.max(0, hiOut - loOut));
  return [Math.min(lower, upper), upper];
}
