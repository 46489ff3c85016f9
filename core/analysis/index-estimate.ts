/**
 * Morse index without the dense Hessian (HVPs only): the estimator 'lanczos-slq'.
 *
 *   1. Extremal Lanczos (full reorthogonalisation, K steps from a seeded Rademacher start):
 *      the k extremal Ritz pairs at both ends with residual bounds ρ.
 *   2. Lock the converged Ritz pairs that are resolved against the cutoff t = −cutoff
 *      (ρᵢ ≤ lockRatio·|θᵢ − t|), then run Lanczos again on the operator deflated by them
 *      (lockPasses runs in all): later runs find the copies of repeated eigenvalues one Krylov
 *      space cannot see, and the next ones inward. The locked set Y is checked with one product
 *      per vector: M = YᵀHY, R = HY − YM. By Weyl's theorem applied to H in the basis [Y, Y^⊥]
 *      (off-diagonal block of norm ≤ ‖R‖_F), #{λ(H) < t} = #{λ(M) < t} + #{λ(C) < t} with C the
 *      compression of H to Y^⊥, when no eigenvalue of M lies within ‖R‖_F of t (vectors are
 *      dropped until none does), up to eigenvalues of C within ‖R‖_F of t. The locked negatives
 *      are counted exactly.
 *   3. SLQ on C (probes projected onto Y^⊥, Lanczos reorthogonalised against Y): each probe's
 *      count is bracketed rigorously (CMS and Ritz-residual bounds, core/linalg/slq.ts); the
 *      Hutchinson mean of the lower (upper) brackets minus (plus) t_{ν, (1+c)/2}·sd/√nv gives the
 *      interval (Gaussian approximation over probes, ν = nv − 1), clipped to [0, n − L] and rounded
 *      outward to integers.
 * The interval is "exact" (lo = hi) when the Krylov spaces exhaust the spectrum (small n).
 */
import { lanczos, rademacher, ritzValues, ritzVector, type LanczosOptions, type LinearOperator } from '../linalg/lanczos.js';
import { probeCountBounds, slq, studentTQuantile, type SlqProbe } from '../linalg/slq.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { dot } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import { deriveSeed } from '../random/rng.js';

export const INDEX_ESTIMATOR = 'lanczos-slq';

export interface IndexEstimateOptions {
  /** Steps of the extremal Lanczos run (default min(n, 80)). */
  lanczosSteps?: number;
  /** Extremal Ritz pairs reported at each end (default 3). */
  extremal?: number;
  /** SLQ probes (default 10, at least 4). */
  probes?: number;
  /** Lanczos steps per probe (default 80; the interval narrows roughly as 1/steps). */
  slqSteps?: number;
  /** Confidence of the interval (default 0.95). */
  confidence?: number;
  /** Seeds the Lanczos start and the probes (default 1). */
  seed?: number;
  /** Lock a Ritz pair when ρ ≤ lockRatio·|θ − t| (default 1e-2). */
  lockRatio?: number;
  /** Lanczos runs that lock converged pairs, each on the operator deflated by the last (default 3). */
  lockPasses?: number;
}

export interface EstimatedPair { value: number; residual: number }

export interface IndexEstimate {
  method: typeof INDEX_ESTIMATOR;
  n: number;
  cutoff: number;
  /** Point estimate of #{λ < −cutoff}: exact part + rounded Gauss-rule SLQ mean, inside the interval. */
  negativeCount: number;
  /** [lo, hi] integers, the stated-confidence interval of the count. */
  countInterval: [number, number];
  /** Fractions (the project's index convention): negativeCount / n and countInterval / n. */
  index: number;
  indexInterval: [number, number];
  confidence: number;
  /** Negative eigenvalues resolved by converged Ritz values (counted exactly). */
  exactNegatives: number;
  /** Locked (converged, resolved) Ritz values, and ρ_F of the locked set. */
  lockedValues: number[];
  lockResidual: number;
  /** Extremal Ritz pairs: smallest ascending, largest descending. */
  smallest: EstimatedPair[];
  largest: EstimatedPair[];
  /** SLQ probes on the deflated operator (nodes, weights scaled by ‖Pz‖², residuals). */
  probes: SlqProbe[];
  /** Hessian-vector products spent. */
  products: number;
  settings: Required<IndexEstimateOptions>;
}

export function defaultIndexEstimateSettings(n: number, o: IndexEstimateOptions = {}): Required<IndexEstimateOptions> {
  const s = {
    lanczosSteps: Math.min(n, o.lanczosSteps ?? 80), extremal: o.extremal ?? 3, probes: o.probes ?? 10,
    slqSteps: o.slqSteps ?? 80, confidence: o.confidence ?? 0.95, seed: o.seed ?? 1, lockRatio: o.lockRatio ?? 1e-2,
    lockPasses: o.lockPasses ?? 3,
  };
  const int = (k: keyof typeof s, min: number) => {
    if (!Number.isInteger(s[k]) || s[k] < min) throw new RangeError(`index estimate: ${k} must be an integer ≥ ${min}, got ${o[k]}`);
  };
  int('lanczosSteps', 1); int('extremal', 1); int('probes', 4); int('slqSteps', 1); int('lockPasses', 1);
  if (!(s.confidence > 0 && s.confidence < 1)) throw new RangeError(`index estimate: confidence must be in (0, 1), got ${o.confidence}`);
  if (!(s.lockRatio > 0 && s.lockRatio < 1)) throw new RangeError(`index estimate: lockRatio must be in (0, 1), got ${o.lockRatio}`);
  return s;
}

function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return { mean: m, sd: Math.sqrt(v) };
}

/** Estimated Morse count/index of the operator (dimension n) at cutoff, with its interval. */
export function estimateIndex(op: LinearOperator, n: number, cutoff: number, opts: IndexEstimateOptions = {}, kernels?: LanczosOptions['kernels']): IndexEstimate {
  if (!(cutoff >= 0 && Number.isFinite(cutoff))) throw new RangeError(`index cutoff must be a finite number ≥ 0, got ${cutoff}`);
  const s = defaultIndexEstimateSettings(n, opts);
  const t = -cutoff;
  // 1. Extremal run (keeps its basis: the locked Ritz vectors are built from it).
  const run = lanczos(op, n, rademacher(n, s.seed), s.lanczosSteps, { keepBasis: true, kernels });
  const ritz = ritzValues(run);
  const k = run.steps;
  // 2. Lock resolved converged pairs; further passes on the deflated operator lock more (the
  //    copies of repeated eigenvalues one Krylov space cannot see, and the next ones inward).
  const ys: Float64Array[] = [];
  const thetas: number[] = [];
  let products = run.products;
  for (let pass = 0; pass < s.lockPasses; pass++) {
    const r = pass === 0 ? run : lanczos(op, n, rademacher(n, deriveSeed(s.seed, 77 + pass)), s.lanczosSteps, { keepBasis: true, orthogonalTo: ys, kernels });
    if (pass > 0) products += r.products;
    if (r.steps === 0) break;
    const rz = pass === 0 ? ritz : ritzValues(r);
    const fresh = Array.from({ length: r.steps }, (_, i) => i).filter((i) => rz.residuals[i] <= s.lockRatio * Math.abs(rz.values[i] - t));
    for (const i of fresh) { ys.push(ritzVector(r, rz, i, n)); thetas.push(rz.values[i]); }
    if (fresh.length === 0 || ys.length >= n) break;
  }
  // Rigorous check of the whole locked set Y: M = YᵀHY, R = HY − YM (one product per vector).
  // By Weyl on H in the basis [Y, Y^⊥], #{λ < t} = #{eig(M) < t} + #{eig(C) < t} when no
  // eigenvalue of M (or C) lies within ‖R‖_F of t. Vectors too close to t are dropped; a
  // dropped y_j adds M_ij to the residual of each kept y_i.
  const L = ys.length;
  const m = new Float64Array(L * L);
  const r2 = new Float64Array(L);
  const hy = new Float64Array(n);
  for (let i = 0; i < L; i++) {
    op(ys[i], hy);
    products++;
    for (let j = 0; j < L; j++) m[j * L + i] = dot(ys[j], hy);
    for (let j = 0; j < L; j++) { const c = m[j * L + i]; if (c !== 0) for (let q = 0; q < n; q++) hy[q] -= c * ys[j][q]; }
    r2[i] = dot(hy, hy);
  }
  let keep = Array.from({ length: L }, (_, i) => i);
  let rhoF = 0;
  let mu: Float64Array = new Float64Array(0);
  for (;;) {
    const kept = new Set(keep);
    let sum = 0;
    for (const i of keep) {
      sum += r2[i];
      for (let j = 0; j < L; j++) if (!kept.has(j)) sum += m[j * L + i] ** 2;
    }
    rhoF = Math.sqrt(sum);
    const sub = new Float64Array(keep.length * keep.length);
    keep.forEach((i, a) => keep.forEach((j, b) => { sub[a * keep.length + b] = 0.5 * (m[i * L + j] + m[j * L + i]); }));
    mu = symmetricEigen(sub, keep.length, false).values;
    const next = keep.filter((i) => Math.abs(thetas[i] - t) > rhoF);
    const clear = Array.from(mu).every((x) => Math.abs(x - t) > rhoF);
    if (clear && next.length === keep.length) break;
    // Drop the vectors nearest t first (at least one per round), so that the loop ends.
    keep = next.length < keep.length ? next : [...keep].sort((x, y) => Math.abs(thetas[y] - t) - Math.abs(thetas[x] - t)).slice(1);
  }
  const locked = keep.map((i) => ys[i]);
  const lockedValues = Array.from(mu);
  const exactNegatives = lockedValues.filter((x) => x < t).length;
  // 3. SLQ on the complement of the locked vectors.
  const rest = n - locked.length;
  const sl = rest > 0 ? slq(op, n, { probes: s.probes, steps: s.slqSteps, seed: s.seed, orthogonalTo: locked, kernels }) : { probes: [], products: 0 };
  let lo = 0, hi = 0, point = 0;
  if (sl.probes.length > 0) {
    const b = sl.probes.map((p) => probeCountBounds(p, t));
    const tq = studentTQuantile(0.5 + s.confidence / 2, sl.probes.length - 1);
    const L = meanSd(b.map((x) => x.lo));
    const H = meanSd(b.map((x) => x.hi));
    lo = Math.max(0, Math.floor(L.mean - (tq * L.sd) / Math.sqrt(sl.probes.length) + 1e-6));
    hi = Math.min(rest, Math.ceil(H.mean + (tq * H.sd) / Math.sqrt(sl.probes.length) - 1e-6));
    if (hi < lo) hi = lo;
    point = Math.min(hi, Math.max(lo, Math.round(meanSd(b.map((x) => x.gauss)).mean)));
  }
  const pair = (i: number): EstimatedPair => ({ value: ritz.values[i], residual: ritz.residuals[i] });
  const kk = Math.min(s.extremal, k);
  const count = exactNegatives + point;
  const interval: [number, number] = [exactNegatives + lo, exactNegatives + hi];
  return {
    method: INDEX_ESTIMATOR, n, cutoff,
    negativeCount: count, countInterval: interval,
    index: n ? count / n : 0, indexInterval: [n ? interval[0] / n : 0, n ? interval[1] / n : 0],
    confidence: s.confidence, exactNegatives,
    lockedValues, lockResidual: rhoF,
    smallest: Array.from({ length: kk }, (_, i) => pair(i)),
    largest: Array.from({ length: kk }, (_, i) => pair(k - 1 - i)),
    probes: sl.probes, products: products + sl.products, settings: s,
  };
}

/** The Hessian of `oracle` at θ as an operator (one HVP per application). */
export function hvpOperator(oracle: Oracle, theta: Float64Array): LinearOperator {
  return (v, out) => { oracle.hvp(theta, v, out); };
}


/** How final points get their Morse index: the dense spectrum, the estimator, or dense up to the limit. */
export const INDEX_METHODS = ['dense', 'estimate', 'auto'] as const;
export type IndexMethod = (typeof INDEX_METHODS)[number];

/** 'auto': dense when n ≤ denseMaxDim (the dense Hessian costs n HVPs and n² memory). */
export function usesDenseIndex(method: IndexMethod, n: number, denseMaxDim: number): boolean {
  return method === 'dense' || (method === 'auto' && n <= denseMaxDim);
}

/** What a point report carries from an estimate (see PointReport in evaluate-point.ts). */
export interface EstimatedCurvature {
  indexMethod: typeof INDEX_ESTIMATOR;
  index: number;
  negativeEigenvalues: number;
  indexInterval: [number, number];
  negativeEigenvaluesInterval: [number, number];
  /** Extremal Ritz values and their residual bounds (an eigenvalue lies within each bound). */
  minEigenvalue: number;
  maxEigenvalue: number;
  eigenvalueResiduals: [number, number];
  indexEstimate: {
    n: number; confidence: number; exactNegatives: number; lockResidual: number; products: number;
    settings: Required<IndexEstimateOptions>;
    /** For the spectral-density figure: SLQ probes (nodes, weights) and the locked Ritz values. */
    probes: { nodes: number[]; weights: number[] }[];
    locked: number[];
  };
}

export function estimatedCurvature(e: IndexEstimate): EstimatedCurvature {
  return {
    indexMethod: e.method, index: e.index, negativeEigenvalues: e.negativeCount,
    indexInterval: e.indexInterval, negativeEigenvaluesInterval: e.countInterval,
    minEigenvalue: e.smallest[0]?.value ?? NaN, maxEigenvalue: e.largest[0]?.value ?? NaN,
    eigenvalueResiduals: [e.smallest[0]?.residual ?? NaN, e.largest[0]?.residual ?? NaN],
    indexEstimate: {
      n: e.n, confidence: e.confidence, exactNegatives: e.exactNegatives, lockResidual: e.lockResidual, products: e.products, settings: e.settings,
      probes: e.probes.map((p) => ({ nodes: p.nodes, weights: p.weights })), locked: e.lockedValues,
    },
  };
}
