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
 *
 * Two criteria classify points: the paper's (r > flatR: classifyPaper, a record's `classPaper`)
 * and the certified one (the spectral share bracket: classifyPoint, a record's `class`).
 */
import { dot, norm2 } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import { bracketAt, DEFAULT_FLATNESS_CRITERION, flatnessVerdict, type FlatnessCriterion, type SpectralFlatness } from './spectral-flatness.js';

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
 * 'non-finite': loss or ‖g‖² is NaN or ±∞ (a diverged run), or the flatness measure is (r for
 * the paper's criterion, the share bracket for the certified one). Such a point is never
 * critical or gradient-flat: before this class, a NaN gradient gave r = 1 (the solver's
 * `nan-or-inf` exit) and the point was counted gradient-flat.
 * 'undecided' (certified criterion only): the share bracket at τ_flat still straddles s_flat when
 * the Lanczos budget ran out. That is the answer at this budget, never replaced by a guess.
 */
export type PointClass = 'critical' | 'gradient-flat' | 'neither' | 'undecided' | 'non-finite';
/** The paper's criterion decides every finite point. */
export type PaperClass = Exclude<PointClass, 'undecided'>;

export const POINT_CLASSES: readonly PointClass[] = ['critical', 'gradient-flat', 'neither', 'undecided', 'non-finite'];
export const PAPER_CLASSES: readonly PaperClass[] = ['critical', 'gradient-flat', 'neither', 'non-finite'];

export interface ClassThresholds {
  /** ‖g‖² below this: critical (εc, default 1e-8). */
  critical: number;
  /** Paper's criterion: r above this (and not critical) is gradient-flat (1 − εr, default 0.9). */
  flatR: number;
  /** Paper's criterion, optional Table-1 co-kernel test: also require rH < this (εg = 5e-4); default off (∞), as in the figures. */
  flatRH: number;
  /**
   * Certified criterion: gradient-flat when the share of ‖g‖² at |λ| ≤ flatTau·‖H‖₂ is certainly
   * ≥ flatShare (spectral-flatness.ts). Present only when set (default DEFAULT_FLATNESS_CRITERION),
   * so configs written before the fields keep their identity hash.
   */
  flatTau?: number;
  flatShare?: number;
}

export const DEFAULT_THRESHOLDS: ClassThresholds = Object.freeze({ critical: 1e-8, flatR: 0.9, flatRH: Infinity });

/** The certified criterion of a set of thresholds (defaults filled in). */
export function flatnessCriterionOf(t: Partial<ClassThresholds> = {}): FlatnessCriterion {
  return { tau: t.flatTau ?? DEFAULT_FLATNESS_CRITERION.tau, share: t.flatShare ?? DEFAULT_FLATNESS_CRITERION.share };
}

/**
 * The paper's criterion ([GF] Table 1; figure colouring, Figs. 1, 3–5: blue critical, orange
 * gradient-flat, black neither): r of a Newton solve > flatR. r depends on where the solver stopped
 * as much as on θ; kept to compare with the paper (`classPaper`).
 */
export function classifyPaper(gradNormSq: number, r: number, rH: number, t: ClassThresholds = DEFAULT_THRESHOLDS, loss = 0): PaperClass {
  if (!Number.isFinite(loss) || !Number.isFinite(gradNormSq) || !Number.isFinite(r) || (Number.isFinite(t.flatRH) && !Number.isFinite(rH))) return 'non-finite';
  if (gradNormSq < t.critical) return 'critical';
  if (r > t.flatR && (t.flatRH === Infinity || rH < t.flatRH)) return 'gradient-flat';
  return 'neither';
}

/**
 * The certified class, a function of θ alone: critical by ‖g‖² (as the paper), else the verdict of
 * the share bracket at the criterion's τ — 'flat' → gradient-flat, 'not-flat' → neither, else
 * undecided.
 */
export function classifyPoint(gradNormSq: number, flatness: SpectralFlatness, t: ClassThresholds = DEFAULT_THRESHOLDS, loss = 0): PointClass {
  if (!Number.isFinite(loss) || !Number.isFinite(gradNormSq)) return 'non-finite';
  if (gradNormSq < t.critical) return 'critical';
  const criterion = flatnessCriterionOf(t);
  const [lower, upper] = bracketAt(flatness, criterion.tau);
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || !Number.isFinite(flatness.spectralNorm)) return 'non-finite';
  const verdict = flatnessVerdict(flatness, criterion);
  return verdict === 'flat' ? 'gradient-flat' : verdict === 'not-flat' ? 'neither' : 'undecided';
}

/**
 * Counts per class, and per pair (certified class, paper class): how far the two criteria agree.
 * Points from records without `classPaper` (written before the certified class) count in
 * `classesPaper` only, so `classes` may sum to fewer than the points.
 */
export interface ClassTally {
  classes: Record<PointClass, number>;
  classesPaper: Record<PaperClass, number>;
  /** agreement[certified][paper] = number of points. */
  agreement: Record<PointClass, Record<PaperClass, number>>;
}

export function tallyClasses(points: ReadonlyArray<{ class: PointClass; classPaper?: PaperClass }>): ClassTally {
  const zeros = <K extends string>(ks: readonly K[]) => Object.fromEntries(ks.map((k) => [k, 0])) as Record<K, number>;
  const t: ClassTally = {
    classes: zeros(POINT_CLASSES), classesPaper: zeros(PAPER_CLASSES),
    agreement: Object.fromEntries(POINT_CLASSES.map((c) => [c, zeros(PAPER_CLASSES)])) as ClassTally['agreement'],
  };
  for (const p of points) {
    // Records written before the certified class: `class` was the paper's, and there is no certified one.
    if (p.classPaper === undefined) {
      if (p.class !== 'undecided') t.classesPaper[p.class]++;
      continue;
    }
    t.classes[p.class]++;
    t.classesPaper[p.classPaper]++;
    t.agreement[p.class][p.classPaper]++;
  }
  return t;
}

/** "crit/flat/neither/undecided" counts, with non-finite appended when any. */
export function classCounts(c: Partial<Record<PointClass, number>>, withUndecided = true): string {
  const base = `${c.critical ?? 0}/${c['gradient-flat'] ?? 0}/${c.neither ?? 0}${withUndecided ? `/${c.undecided ?? 0}` : ''}`;
  return base + (c['non-finite'] ? ` +${c['non-finite']} non-finite` : '');
}

/** Agreement as text: "certified→paper: count" for every non-empty pair. */
export function agreementText(a: ClassTally['agreement']): string {
  const parts: string[] = [];
  for (const c of POINT_CLASSES) for (const p of PAPER_CLASSES) if (a[c][p]) parts.push(`${c}/${p} ${a[c][p]}`);
  return parts.length ? parts.join(', ') : '—';
}

/** The stderr warning when `count` of `total` final points are non-finite (undefined when none). */
export function nonFiniteWarning(count: number, total: number, what: string): string | undefined {
  if (count === 0) return undefined;
  return `warning: ${count} of ${total} ${what} ended at a non-finite point (loss, ‖g‖² or r is NaN or ±∞): ` +
    "counted as 'non-finite', never critical or gradient-flat. The runs diverged: check the data's scale and the step-size hyperparameters.";
}
