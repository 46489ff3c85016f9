/**
 * Spectral flatness: gradient flatness read from the spectrum, not from a Krylov solve. For
 * H = Σ λᵢ vᵢvᵢᵀ, a gradient g and a relative threshold τ,
 *
 *     share(τ) = Σ_{|λᵢ| ≤ τ‖H‖₂} (vᵢᵀg)² / ‖g‖²,
 *
 * the part of ‖g‖² in directions whose curvature is negligible. share → 1 at small τ says g lies in
 * the (near-)kernel of H: gradient-flat, whatever a Newton solver does ([GF] §2.4: r = 1 exactly
 * when g ∈ ker H). It depends on θ alone. Two ways to compute it:
 *
 *   dense    eigendecomposition of the dense Hessian (n ≤ DENSE_MAX_DIM): exact, lower = upper.
 *   lanczos  Lanczos from g with full reorthogonalisation: the Gauss–Radau rules of g's spectral
 *            measure bracket every share by the Chebyshev–Markov–Stieltjes inequalities
 *            (core/linalg/gauss-quadrature.ts); ‖H‖₂ is bracketed from below with certainty and
 *            from above with probability ≥ 1 − 2e-6 by a short Lanczos run from a random start
 *            (normBracket). Any n, products only.
 *
 * The Lanczos run from g goes on until the bracket at the criterion's τ decides (its lower bound
 * reaches the criterion's share, or its upper bound falls below it), the Krylov space is
 * exhausted (then the shares are exact), or the budget is spent. docs/conventions.md gives the
 * criterion's defaults and the evidence for them.
 */
import { gaussRule, intervalBracket } from '../linalg/gauss-quadrature.js';
import { eigenCoefficients, spectralNormOf, type EigenDecomposition } from '../linalg/exact-newton.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { LanczosProcess, type LinearOperator } from '../linalg/lanczos.js';
import { Rng } from '../random/rng.js';
import { normSq } from '../linalg/vector.js';

/** τ and t name the same grid point (the grid's 10^k are not exact in binary). */
export const sameTau = (t: number, tau: number): boolean => Math.abs(t - tau) <= 1e-12 * tau;

/** τ = 1e-10, 1e-9, …, 1 (11 points). */
export const SPECTRAL_TAUS: readonly number[] = Object.freeze(Array.from({ length: 11 }, (_, i) => 10 ** (i - 10)));

/**
 * When a point counts as gradient-flat: at least `share` of ‖g‖² at |λ| ≤ `tau`·‖H‖₂, certified
 * (the bracket's lower bound). Defaults and their evidence: docs/conventions.md.
 */
export interface FlatnessCriterion {
  /** τ_flat, on the grid SPECTRAL_TAUS. */
  tau: number;
  /** s_flat in (0, 1]. */
  share: number;
}

export const DEFAULT_FLATNESS_CRITERION: Readonly<FlatnessCriterion> = Object.freeze({ tau: 1e-4, share: 0.5 });

export interface SpectralFlatness {
  /** Relative thresholds τ, ascending. */
  taus: number[];
  /** share(τ): exact ('dense'), or the Gauss rule's estimate clamped into the bracket ('lanczos'). */
  shares: number[];
  /** Certified bounds: sharesLower[i] ≤ share(taus[i]) ≤ sharesUpper[i] (equal to shares when dense). */
  sharesLower: number[];
  sharesUpper: number[];
  method: 'dense' | 'lanczos';
  /** Hessian-vector products spent ('dense': the n columns of the dense Hessian). */
  products: number;
  /** ‖H‖₂ (dense), or the lower end of its bracket (lanczos), the scale of the thresholds. */
  spectralNorm: number;
  /** [lower, upper] of ‖H‖₂ (equal when dense). */
  spectralNormBounds: [number, number];
  /** lanczos: steps from g, and whether its Krylov space was exhausted (shares exact). */
  steps?: number;
  invariant?: boolean;
}

export type FlatnessVerdict = 'flat' | 'not-flat' | 'undecided';

function checkTaus(taus: readonly number[]): void {
  for (let i = 0; i < taus.length; i++) {
    if (!(taus[i] > 0) || !Number.isFinite(taus[i]) || (i > 0 && !(taus[i] > taus[i - 1]))) {
      throw new RangeError(`spectral flatness: τ must be > 0, finite and strictly ascending, got [${taus.join(', ')}]`);
    }
  }
}

function tauIndex(f: Pick<SpectralFlatness, 'taus'>, tau: number): number {
  const i = f.taus.findIndex((t) => sameTau(t, tau));
  if (i < 0) throw new RangeError(`spectral flatness: τ = ${tau} is not on the grid [${f.taus.join(', ')}]`);
  return i;
}

/** share(τ) at one τ of the grid (0 when ‖g‖ = 0). */
export function shareAt(f: SpectralFlatness, tau: number): number {
  return f.shares[tauIndex(f, tau)];
}

/** [lower, upper] at one τ of the grid (records written before brackets existed: the share twice). */
export function bracketAt(f: SpectralFlatness, tau: number): [number, number] {
  const i = tauIndex(f, tau);
  return [f.sharesLower?.[i] ?? f.shares[i], f.sharesUpper?.[i] ?? f.shares[i]];
}

/** 'flat' when the share at the criterion's τ is certainly ≥ its share, 'not-flat' when certainly below. */
export function flatnessVerdict(f: SpectralFlatness, c: FlatnessCriterion = DEFAULT_FLATNESS_CRITERION): FlatnessVerdict {
  const [lower, upper] = bracketAt(f, c.tau);
  if (lower >= c.share) return 'flat';
  if (upper < c.share) return 'not-flat';
  return 'undecided';
}

/** Exact shares from the dense eigendecomposition (lower = upper = shares). */
export function spectralFlatness(e: EigenDecomposition, g: Float64Array, taus: readonly number[] = SPECTRAL_TAUS): SpectralFlatness {
  checkTaus(taus);
  const spectralNorm = spectralNormOf(e.values);
  const c = eigenCoefficients(e, g);
  let total = 0;
  for (let i = 0; i < e.n; i++) total += c[i] * c[i];
  // Summing the same terms as the denominator makes share(τ ≥ 1) = 1 exactly.
  const shares = taus.map((tau) => {
    if (total === 0) return 0;
    const limit = tau * spectralNorm;
    let s = 0;
    for (let i = 0; i < e.n; i++) if (Math.abs(e.values[i]) <= limit) s += c[i] * c[i];
    return s / total;
  });
  return {
    taus: [...taus], shares, sharesLower: [...shares], sharesUpper: [...shares], method: 'dense',
    products: e.n, spectralNorm, spectralNormBounds: [spectralNorm, spectralNorm],
  };
}

export interface LanczosFlatnessOptions {
  taus?: readonly number[];
  /** Stop as soon as this criterion's verdict is decided (default DEFAULT_FLATNESS_CRITERION). */
  criterion?: FlatnessCriterion;
  /** false: run all maxSteps whatever the verdict (profiles at every τ; default true). */
  stopWhenDecided?: boolean;
  /** Most Lanczos steps from g (default DEFAULT_FLATNESS_STEPS); fewer when memory caps them. */
  maxSteps?: number;
  /** Lanczos steps from a random start for ‖H‖₂ (default DEFAULT_NORM_STEPS). */
  normSteps?: number;
  /** Seed of that start (default 1). */
  seed?: number;
  /** Bytes the Lanczos basis may hold (default DEFAULT_FLATNESS_MEMORY). */
  memoryBytes?: number;
  /** Reorthogonalisation by these kernels' gemm. */
  kernels?: Pick<DenseKernels, 'gemm'>;
}

/** Lanczos steps from g at most: brackets at τ ≈ 1e-3 settle in tens, 1e-4 needs ~10². */
export const DEFAULT_FLATNESS_STEPS = 200;
/** Steps from a random start for ‖H‖₂ (the extreme Ritz values converge first). */
export const DEFAULT_NORM_STEPS = 30;
/** 512 MiB of basis vectors: 67 steps at n = 10⁶, the full 200 up to n ≈ 3.3·10⁵. */
export const DEFAULT_FLATNESS_MEMORY = 512 * 2 ** 20;

/** Failure probability of each side of the ‖H‖₂ upper bound (over the random start). */
export const NORM_FAILURE_PROBABILITY = 1e-6;

/** ‖Hq_j‖ = √(β_{j−1}² + α_j² + β_j²) ≤ ‖H‖₂ for every Lanczos vector (HQ_k = Q_kT_k + β_k q_{k+1}e_kᵀ). */
function productNormBound(alpha: readonly number[], beta: readonly number[]): number {
  let m = 0;
  for (let j = 0; j < alpha.length; j++) m = Math.max(m, Math.hypot(j > 0 ? beta[j - 1] : 0, alpha[j], beta[j]));
  return m;
}

/**
 * ‖H‖₂ bracket from k Lanczos steps from a Gaussian start (a uniformly random direction).
 *   lower, certain: the largest ‖Hq_j‖ and |θ| (every Ritz value lies in [λ_min, λ_max]).
 *   upper, with probability ≥ 1 − 2δ over the start (δ = NORM_FAILURE_PROBABILITY): Kuczyński &
 *     Woźniakowski (SIAM J. Matrix Anal. Appl. 13(4), 1992, Thm. 4.2) give, for positive
 *     semidefinite A, P[(λ₁ − θ₁)/λ₁ ≥ ε] ≤ 1.648·√n·e^{−√ε(2k−1)}. Applied to H − λ_min·I and
 *     λ_max·I − H, with ε chosen to make that δ: λ_max ≤ θ_max + εS and λ_min ≥ θ_min − εS, where
 *     S = λ_max − λ_min ≤ (θ_max − θ_min)/(1 − 2ε). A Ritz residual alone would not do: it puts
 *     *an* eigenvalue near θ_max, not necessarily the largest.
 * An exhausted Krylov space from a start with a component along every eigenvector (almost surely)
 * holds every eigenvalue: then upper = lower, up to round-off.
 */
function normBracket(op: LinearOperator, n: number, steps: number, seed: number, kernels?: Pick<DenseKernels, 'gemm'>): { lower: number; upper: number; products: number } {
  const rng = new Rng(seed);
  const start = Float64Array.from({ length: n }, () => rng.normal());
  const run = new LanczosProcess(op, n, start, Math.min(steps, n), { kernels });
  while (run.step());
  const k = run.steps;
  if (k === 0) return { lower: 0, upper: 0, products: run.products };
  const values = gaussRule(run.alpha, run.beta, k).nodes;
  const tMin = values[0];
  const tMax = values[k - 1];
  const lower = Math.max(productNormBound(run.alpha, run.beta), Math.abs(tMin), Math.abs(tMax));
  // Exhausted: the Ritz values are eigenvalues, to the round-off of T's eigensolver.
  if (run.invariant) return { lower, upper: lower * (1 + 64 * Number.EPSILON * Math.sqrt(k)), products: run.products };
  const rootEps = Math.log(1.648 * Math.sqrt(n) / NORM_FAILURE_PROBABILITY) / (2 * k - 1);
  const eps = rootEps * rootEps;
  if (!(2 * eps < 1)) return { lower, upper: Infinity, products: run.products };
  const spread = (tMax - tMin) / (1 - 2 * eps);
  const upper = Math.max(lower, Math.abs(tMax + eps * spread), Math.abs(tMin - eps * spread));
  return { lower, upper, products: run.products };
}

/** Every share NaN: g or a product is not finite (the point is non-finite, not flat). */
function nonFinite(taus: readonly number[], products: number): SpectralFlatness {
  const nan = taus.map(() => NaN);
  return { taus: [...taus], shares: nan, sharesLower: [...nan], sharesUpper: [...nan], method: 'lanczos', products, spectralNorm: NaN, spectralNormBounds: [NaN, NaN], steps: 0, invariant: false };
}

const isNonFiniteProduct = (e: unknown) => e instanceof RangeError && /non-finite|not finite/.test(e.message);

/** The spectral flatness of g with respect to the operator H (dimension n), from products only. */
export function lanczosSpectralFlatness(op: LinearOperator, n: number, g: Float64Array, opts: LanczosFlatnessOptions = {}): SpectralFlatness {
  const taus = opts.taus ?? SPECTRAL_TAUS;
  checkTaus(taus);
  if (g.length !== n) throw new RangeError(`spectral flatness: g has length ${g.length}, expected n = ${n}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(g[i])) return nonFinite(taus, 0);
  try {
    return lanczosBracket(op, n, g, taus, opts);
  } catch (e) {
    if (isNonFiniteProduct(e)) return nonFinite(taus, NaN);
    throw e;
  }
}

function lanczosBracket(op: LinearOperator, n: number, g: Float64Array, taus: readonly number[], opts: LanczosFlatnessOptions): SpectralFlatness {
  const criterion = opts.criterion ?? DEFAULT_FLATNESS_CRITERION;
  const memorySteps = Math.max(1, Math.floor((opts.memoryBytes ?? DEFAULT_FLATNESS_MEMORY) / (8 * n)));
  const maxSteps = Math.max(1, Math.min(opts.maxSteps ?? DEFAULT_FLATNESS_STEPS, memorySteps, n));
  const norm = normBracket(op, n, Math.min(opts.normSteps ?? DEFAULT_NORM_STEPS, memorySteps), opts.seed ?? 1, opts.kernels);
  const result = (shares: number[], lower: number[], upper: number[], hLow: number, hHigh: number, steps: number, invariant: boolean, products: number): SpectralFlatness => ({
    taus: [...taus], shares, sharesLower: lower, sharesUpper: upper, method: 'lanczos', products,
    spectralNorm: hLow, spectralNormBounds: [hLow, hHigh], steps, invariant,
  });
  if (normSq(g) === 0) {
    const zeros = taus.map(() => 0);
    return result(zeros, [...zeros], [...zeros], norm.lower, norm.upper, 0, true, norm.products);
  }
  const run = new LanczosProcess(op, n, g, maxSteps, { kernels: opts.kernels, normHint: norm.lower });
  // The bracket needs O(k²) per τ; checking every ⌈k/8⌉ steps keeps that below the products' cost.
  let nextCheck = 4;
  const bounds = (tau: number, hLow: number, hHigh: number): [number, number] => {
    // H = 0 (every product so far is zero, from a random start and from g): every eigenvalue is
    // 0 and lies under any threshold.
    if (hHigh === 0) return [1, 1];
    return intervalBracket(run.alpha, run.beta, run.steps, tau * hLow, tau * hHigh);
  };
  // The run from g raises the certain lower bound too (its ‖Hq_j‖); the upper one must cover it.
  const normOf = (): [number, number] => {
    const low = Math.max(norm.lower, productNormBound(run.alpha, run.beta));
    return [low, Math.max(norm.upper, low)];
  };
  const stopWhenDecided = opts.stopWhenDecided ?? true;
  while (run.step()) {
    if (!stopWhenDecided || run.steps < nextCheck) continue;
    nextCheck = run.steps + Math.max(4, Math.ceil(run.steps / 8));
    const [hLow, hHigh] = normOf();
    const [lower, upper] = bounds(criterion.tau, hLow, hHigh);
    if (lower >= criterion.share || upper < criterion.share) break;
  }
  const [hLow, hHigh] = normOf();
  const gauss = gaussRule(run.alpha, run.beta, run.steps);
  const lower: number[] = [];
  const upper: number[] = [];
  const shares = taus.map((tau) => {
    const [lo, hi] = bounds(tau, hLow, hHigh);
    lower.push(lo);
    upper.push(hi);
    let s = 0;
    for (let i = 0; i < gauss.nodes.length; i++) if (Math.abs(gauss.nodes[i]) <= tau * hLow) s += gauss.weights[i];
    return Math.min(hi, Math.max(lo, s));
  });
  return result(shares, lower, upper, hLow, hHigh, run.steps, run.invariant, norm.products + run.products);
}
