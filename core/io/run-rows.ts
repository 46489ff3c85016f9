/**
 * The tidy rows a report is built from: one RunRow per finished run (its final point), one
 * StepRow per logged step, the analytic critical points (TruthRow), and per directory what is
 * missing. The figure builders are pure functions of these rows.
 */

/**
 * Classes of final points. 'undecided' is the certified criterion's own: the bracket of the share
 * at τ_flat still straddled s_flat when its budget ran out (the paper's criterion never says it).
 */
export type PointClass = 'critical' | 'gradient-flat' | 'neither' | 'undecided' | 'non-finite';
export const CLASSES: readonly PointClass[] = ['critical', 'gradient-flat', 'neither', 'undecided', 'non-finite'];
/** The paper's classes (r > flatR): every class but 'undecided'. */
export const PAPER_CLASSES: readonly PointClass[] = CLASSES.filter((c) => c !== 'undecided');
/**
 * [GF]'s colours: blue critical, orange gradient-flat, black neither; red for diverged
 * (non-finite) points; mid grey for undecided (known to be neither flat nor not flat, so no hue
 * of its own; darker than the translucent light grey of the analytic points in the loss–index figure).
 */
export const CLASS_COLORS: Readonly<Record<PointClass, string>> = { critical: '#1f77b4', 'gradient-flat': '#ff7f0e', neither: '#000000', undecided: '#999999', 'non-finite': '#d62728' };

export interface RunRow {
  /** Short, unique name of the run directory. */
  dir: string;
  /** What the figures compare: a method label, or `dir · label` when several directories are reported. */
  group: string;
  /** The method's label (suite) or stepper name (gradflat run); `finder` rows are the flat-start search. */
  method: string;
  stepper: string;
  phase: 'method' | 'finder';
  run: number;
  /** `group/run-NNN`: unique over the whole report. */
  id: string;
  problem: string;
  /** The record's `class`: the certified class in records that carry `classPaper`, the paper's class in older ones. */
  cls: PointClass;
  /** The paper's class (r_solverA > flatR): the record's `classPaper`, or its `class` when it is older. */
  clsPaper: PointClass;
  /**
   * The certified class (share of ‖g‖² at |λ| ≤ flatTau·‖H‖₂ certainly ≥ flatShare): the record's
   * `class` when it carries `classPaper`; for an older record, decided here from its (dense, exact)
   * shares with the directory's thresholds; absent when neither is possible.
   */
  clsCertified?: PointClass;
  loss: number;
  gradNormSq: number;
  /** Final point's r (r_solverA of a fresh probe). */
  r: number;
  /** Largest r measured on the run's steps (NaN when none was). */
  maxR: number;
  /** Morse index: fraction of Hessian eigenvalues below −cutoff (a point estimate when indexInterval is set). */
  index: number;
  /** 'dense' or the estimator's name; estimates carry their interval [lo, hi] (fractions). */
  indexMethod?: string;
  indexInterval?: [number, number];
  /** Estimated final points: the SLQ quadrature (spectral-density figure). */
  density?: SpectralDensityRow;
  steps: number;
  /** The method's own work in HVP-equivalents and its wall time (probes excluded in suites). */
  work: number;
  wallMs: number;
  stopReason: string;
  startLoss: number;
  startGradNormSq: number;
  /** Final point's spectral flatness, when the record has it (core/io/run-rows.ts: SpectralRow). */
  spectral?: SpectralRow;
  /** Finder runs of a flat-start suite whose point became a method start: which point (flat-starts.json `source`). */
  flatStart?: string;
  /** θ₀ and the final θ, kept only for two-parameter problems (the quartic). */
  start?: number[];
  theta?: number[];
}

/**
 * Share of ‖g‖² at |λ| ≤ τ‖H‖₂ per τ with its certified bracket lower ≤ share ≤ upper (records
 * written before brackets existed, and dense ones: lower = upper = shares).
 */
export interface SpectralRow {
  taus: number[];
  shares: number[];
  lower: number[];
  upper: number[];
  /** 'dense' or 'lanczos' (older records: absent, they were all dense). */
  method?: string;
  /** Hessian-vector products the measure spent (absent in older records). */
  products?: number;
}

export interface SpectralDensityRow {
  n: number;
  cutoff: number;
  /** Per probe: Gauss nodes and weights (scaled by the probe's squared norm). */
  probes: { nodes: number[]; weights: number[] }[];
  /** Eigenvalues resolved exactly (locked Ritz values). */
  locked: number[];
  negativeCount: number;
  countInterval: [number, number];
  confidence: number;
}

export interface StepRow {
  id: string;
  group: string;
  run: number;
  /** The run's final class (steps are coloured by where the run ended). */
  cls: PointClass;
  /** k: the row describes θ_k. */
  iteration: number;
  loss: number;
  gradNormSq: number;
  /** r of the Newton solve at θ_k: the method's own (`newton.r_solverA`) or a probe's; null when not measured. */
  r: number | null;
  /** HVP-equivalents spent to reach θ_k (0 at θ₀), the convention of summary targets. */
  work: number;
  /** The method's wall time to reach θ_k (suites log it; null in `gradflat run` logs). */
  wallMs: number | null;
  /** A spectral probe at θ_k (suites with probe kind spectral): the share at τ_flat, its bracket, the verdict. */
  flat?: StepShare;
}

/**
 * A spectral probe's share of ‖g‖² at |λ| ≤ τ_flat‖H‖₂ with its certified bracket (null where
 * not finite), and the probe's verdict against the suite's criterion.
 */
export interface StepShare {
  share: number | null;
  lower: number | null;
  upper: number | null;
  verdict?: 'flat' | 'not-flat' | 'undecided';
}

export interface TruthRow {
  loss: number;
  index: number;
}

export interface MissingRuns {
  group: string;
  /** Runs with no final record. */
  runs: number[];
  /** Of those, runs whose step log exists (started, not finished). */
  unfinished: number[];
}

export interface StepperConfig {
  label: string;
  stepper: string;
  hyperparameters: Record<string, unknown>;
}

export interface DirData {
  path: string;
  name: string;
  kind: 'run' | 'suite';
  problem: string;
  description?: string;
  /** Parameters of the problem (2 for the quartic) when the manifest says. */
  dim?: number;
  runs: RunRow[];
  steps: StepRow[];
  truth: TruthRow[] | null;
  /**
   * Class thresholds: critical (‖g‖²), flatR (the paper's r), and the certified criterion
   * flatTau/flatShare (defaults: DEFAULT_FLATNESS_CRITERION, core/analysis/spectral-flatness.ts).
   */
  thresholds: { critical: number; flatR: number; flatTau: number; flatShare: number };
  /** Per group (method or finder), the runs that have no final record. */
  missing: MissingRuns[];
  /** Things a reader of the report should know (unfinished phases, skipped lines, ...). */
  notes: string[];
  /** summary.json as written (suite: core/suite/summarize.ts; run: core/run/summary.ts), null when absent. */
  summary: unknown;
  /** The suite's `summary.targets` (work-to-target and the performance profile). */
  targets: { loss?: number; gradNormSq?: number };
  /** Steppers by group, for replaying quartic trajectories. */
  steppers: Record<string, StepperConfig & { targetGradNormSq?: number }>;
  /** Runs the directory should hold per method group (null when not known yet). */
  expectedRuns: number | null;
  /** Method groups in the suite's order (finder excluded). */
  methodGroups: string[];
}

/** Numbers from gradflat's JSON: non-finite values are the strings "NaN"/"Infinity"/"-Infinity". */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return NaN;
}

export function asClass(v: unknown): PointClass {
  return v === 'critical' || v === 'gradient-flat' || v === 'undecided' || v === 'non-finite' ? v : 'neither';
}

export const runId = (group: string, run: number) => `${group}/run-${String(run).padStart(3, '0')}`;

/** JSON for a Vega dataset: non-finite numbers become null (JSON has no NaN), the rest is kept. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return x == null || !Number.isFinite(x) ? null : x;
}

export function groupsOf<T extends { group: string }>(rows: readonly T[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) seen.add(r.group);
  return [...seen];
}

export function median(values: readonly number[]): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const h = (xs.length - 1) / 2;
  const lo = Math.floor(h);
  return lo + 1 < xs.length ? xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]) : xs[lo];
}
