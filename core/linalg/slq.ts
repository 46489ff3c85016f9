/**
 * Stochastic Lanczos quadrature (SLQ) for the spectral density of a symmetric operator known
 * through products (Ubaru, Chen & Saad, SIAM J. Matrix Anal. Appl. 38(4), 2017; Ghorbani,
 * Krishnan & Xiao, ICML 2019; PyHessian). For a Rademacher probe z, zᵀ f(H) z = ‖z‖² ∫ f dμ_z
 * with μ_z the spectral measure of z/‖z‖; m Lanczos steps from z give the m-node Gauss rule
 * (nodes θᵢ = Ritz values, weights wᵢ = s_{1,i}²), exact for polynomials of degree ≤ 2m − 1.
 * Averaging over probes, E[zᵀ f(H) z] = tr f(H) (Hutchinson).
 *
 * For the eigenvalue count below t (f = 1[λ < t]) each probe's value is bracketed rigorously
 * (in exact arithmetic) by two bounds, and the tighter one is kept:
 *   - Chebyshev–Markov–Stieltjes: the Gauss rule's partial sums bracket the distribution
 *     function, Σ_{i ≤ J−2} wᵢ ≤ μ_z(λ < t) ≤ Σ_{i ≤ J} wᵢ, J = #{θᵢ < t} (Szegő, Orthogonal
 *     Polynomials §3.41; Golub & Meurant, Matrices, Moments and Quadrature §6).
 *   - Ritz residuals: z/‖z‖ = Σ s_{1,i} yᵢ, and a Ritz vector with residual ρᵢ has at most
 *     ρᵢ/|θᵢ − t| of its norm on the far side of t, so
 *     μ_z(λ < t) ≤ (√W₋ + Σ_{θᵢ ≥ t} √wᵢ·min(1, ρᵢ/(θᵢ − t)))², W₋ = Σ_{θᵢ < t} wᵢ, and
 *     symmetrically from below. Tight when the Ritz values near t have converged.
 */
import { deriveSeed } from '../random/rng.js';
import { lanczos, rademacher, ritzValues, type LanczosOptions, type LinearOperator } from './lanczos.js';

export interface SlqProbe {
  /** Gauss nodes (Ritz values), ascending. */
  nodes: number[];
  /** Weights scaled by ‖z‖² (sum ‖z‖², the probe's share of tr I). */
  weights: number[];
  /** Ritz residual bounds of the nodes. */
  residuals: number[];
}

export interface SlqOptions {
  /** Rademacher probes (default 10). */
  probes?: number;
  /** Lanczos steps per probe (default 50; fewer when the space is exhausted). */
  steps?: number;
  /** Probe p is Rademacher from deriveSeed(seed, 1000 + p) (default seed 1). */
  seed?: number;
  /** Deflated vectors: probes run on the operator restricted to their orthogonal complement. */
  orthogonalTo?: readonly Float64Array[];
  /** Reorthogonalisation by these kernels' gemm (see lanczos). */
  kernels?: LanczosOptions['kernels'];
}

export interface SlqResult {
  probes: SlqProbe[];
  products: number;
}

/** nv probes × m Lanczos steps → per-probe nodes and weights. */
export function slq(op: LinearOperator, n: number, opts: SlqOptions = {}): SlqResult {
  const nv = opts.probes ?? 10;
  const m = opts.steps ?? 50;
  if (!Number.isInteger(nv) || nv < 1) throw new RangeError(`slq: probes must be an integer ≥ 1, got ${nv}`);
  const seed = opts.seed ?? 1;
  const probes: SlqProbe[] = [];
  let products = 0;
  for (let p = 0; p < nv; p++) {
    const z = rademacher(n, deriveSeed(seed, 1000 + p));
    const run = lanczos(op, n, z, m, { orthogonalTo: opts.orthogonalTo, keepBasis: false, kernels: opts.kernels });
    products += run.products;
    if (run.steps === 0) { probes.push({ nodes: [], weights: [], residuals: [] }); continue; }
    const r = ritzValues(run);
    const z2 = run.startNorm * run.startNorm;
    probes.push({ nodes: Array.from(r.values), weights: Array.from(r.weights, (w) => w * z2), residuals: Array.from(r.residuals) });
  }
  return { probes, products };
}

/**
 * Rigorous bracket [lo, hi] of the probe's quadratic form zᵀ 1[H < t] z (and the Gauss-rule
 * value itself), from the CMS and residual bounds above.
 */
export function probeCountBounds(probe: SlqProbe, t: number): { lo: number; hi: number; gauss: number } {
  const { nodes, weights, residuals } = probe;
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return { lo: 0, hi: 0, gauss: 0 };
  const w = weights.map((x) => x / total);
  let J = 0;
  while (J < nodes.length && nodes[J] < t) J++;
  let below = 0;
  for (let i = 0; i < J; i++) below += w[i];
  const cms = (upTo: number) => { let s = 0; for (let i = 0; i <= upTo && i < w.length; i++) s += w[i]; return s; };
  const cmsLo = J >= 2 ? cms(J - 2) : 0;
  const cmsHi = cms(J);
  let leakUp = 0; // norm of the Ritz vectors above t that lies below t
  let leakDown = 0;
  for (let i = 0; i < nodes.length; i++) {
    const gap = Math.abs(nodes[i] - t);
    const f = gap > 0 ? Math.min(1, residuals[i] / gap) : 1;
    if (i < J) leakDown += Math.sqrt(w[i]) * f; else leakUp += Math.sqrt(w[i]) * f;
  }
  const resHi = Math.min(1, (Math.sqrt(below) + leakUp) ** 2);
  const resLo = Math.max(0, 1 - (Math.sqrt(Math.max(0, 1 - below)) + leakDown) ** 2);
  const lo = Math.max(cmsLo, resLo);
  const hi = Math.max(lo, Math.min(cmsHi, resHi));
  return { lo: lo * total, hi: hi * total, gauss: below * total };
}

/**
 * Smoothed spectral density on a grid: Σ over probes and nodes of weight·N(x; θ, σ²), divided
 * by the number of probes and by `n` (a density of eigenvalues per unit λ that integrates to 1;
 * PyHessian's convention). `deltas` adds exactly known eigenvalues (weight 1 each).
 */
export function spectralDensity(probes: readonly Pick<SlqProbe, 'nodes' | 'weights'>[], grid: readonly number[], sigma: number, n: number, deltas: readonly number[] = []): number[] {
  if (!(sigma > 0)) throw new RangeError(`spectralDensity: sigma must be > 0, got ${sigma}`);
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
  const nv = Math.max(probes.length, 1);
  return grid.map((x) => {
    let s = 0;
    for (const p of probes) for (let i = 0; i < p.nodes.length; i++) s += p.weights[i] * Math.exp(-0.5 * ((x - p.nodes[i]) / sigma) ** 2);
    s /= nv;
    for (const d of deltas) s += Math.exp(-0.5 * ((x - d) / sigma) ** 2);
    return (s * c) / n;
  });
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Student-t quantile with ν degrees of freedom (Cornish–Fisher expansion; ν ≥ 3 to ~1e-3). */
export function studentTQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3);
}
