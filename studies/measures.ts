/**
 * What [GF] reports per figure, measured from a suite directory's runs. Each claim
 * pairs the paper's statement (quoted, not computed) with the number measured here, so a
 * reproduction table can be written from runs alone. Pure functions of the records and logs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunRecord } from '../core/run/record-file.js';
import type { RunRecord } from '../core/run/run-one.js';
import type { TrainingRunSummary } from '../core/registry/problems.js';
import { quartiles } from '../core/suite/summarize.js';
import { bracketAt, DEFAULT_FLATNESS_CRITERION, shareAt } from '../core/analysis/spectral-flatness.js';

export interface Claim {
  /** What is compared, e.g. 'runs ending critical / gradient-flat / neither'. */
  what: string;
  /** The paper's statement ([GF] text or figure). */
  paper: string;
  measured: string;
  /** The measured numbers behind `measured`, by name (what tests and scripts read); null where there is nothing to measure (no run got there). */
  values: Record<string, number | null>;
}

export interface FigureRuns {
  records: RunRecord[];
  /** Per run, the MINRES-QLP exit of every Newton step (from the step logs). */
  exits: string[][];
  /** Per run, ‖g‖² at every iterate: θ₀ … θ_K (the step logs hold ‖g‖² before each step; the record, the final one). */
  gradNormSq: number[][];
  /** Per run and step: whether the step moved θ (accepted, non-zero length). */
  moved: boolean[][];
  training?: TrainingRunSummary[];
}

/**
 * Reads a single-stepper suite directory (runs/<label>/run-NNN.{json,ndjson}): every finished
 * run, in run order. A suite stopped part-way has gaps (workers finish out of order); the runs
 * present are all finished, since a record is written atomically after its log.
 */
export function readFigureRuns(dir: string, label: string): FigureRuns {
  const records: RunRecord[] = [];
  const exits: string[][] = [];
  const gradNormSq: number[][] = [];
  const moved: boolean[][] = [];
  const runsDir = join(dir, 'runs', label);
  const runNumber = (n: string) => Number(/^run-(\d+)\.json$/.exec(n)![1]);
  const names = existsSync(runsDir) ? readdirSync(runsDir).filter((n) => /^run-\d+\.json$/.test(n)).sort((a, b) => runNumber(a) - runNumber(b)) : [];
  for (const name of names) {
    const base = join(runsDir, name.slice(0, -'.json'.length));
    // A damaged record (empty, cut short) is an unfinished run: left out, named in a warning.
    const record = readRunRecord(`${base}.json`);
    if (!record) continue;
    records.push(record);
    const steps = readFileSync(`${base}.ndjson`, 'utf8').split('\n').filter((l) => l.includes('"type":"step"'))
      .map((l) => JSON.parse(l) as { gradNormSq: number; stepNorm?: number; newton?: { exit: string } });
    exits.push(steps.map((st) => st.newton?.exit ?? ''));
    gradNormSq.push([...steps.map((st) => st.gradNormSq), record.final.gradNormSq]);
    moved.push(steps.map((st) => (st.stepNorm ?? 0) > 0));
  }
  const tp = join(dir, 'training.json');
  return { records, exits, gradNormSq, moved, training: existsSync(tp) ? JSON.parse(readFileSync(tp, 'utf8')) as TrainingRunSummary[] : undefined };
}

/** Smallest / largest finite value; null for none (JSON keeps null, not ±Infinity or NaN). */
const lowestOf = (xs: readonly number[]) => quartiles(xs)?.min ?? null;
const highestOf = (xs: readonly number[]) => quartiles(xs)?.max ?? null;

const pct = (k: number, n: number) => (n === 0 ? '—' : `${k}/${n} (${Math.round((100 * k) / n)}%)`);
const e = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toExponential(1) : '—');
const count = <T>(xs: readonly T[], f: (x: T) => boolean) => xs.filter(f).length;

/** The paper's class ([GF] Table 1, r_solverA > 0.9): `classPaper`; records from before it have it as `class`. */
const paperClass = (r: RunRecord) => r.final.classPaper ?? r.final.class;

function classCounts(rs: readonly RunRecord[]): Record<string, number> {
  const c = (k: string) => count(rs, (r) => paperClass(r) === k);
  return { critical: c('critical'), flat: c('gradient-flat'), neither: c('neither'), runs: rs.length };
}

/** Classes by the paper's criterion: what the paper's numbers compare with. */
function classes(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const v = classCounts(rs);
  return { measured: `${pct(v.critical, v.runs)} / ${pct(v.flat, v.runs)} / ${pct(v.neither, v.runs)}`, values: v };
}

/** Classes by the certified criterion (the spectral share bracket), of the runs that carry it (records with classPaper). */
function certifiedClasses(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const with_ = rs.filter((r) => r.final.classPaper !== undefined);
  const c = (k: string) => count(with_, (r) => r.final.class === k);
  const v = { critical: c('critical'), flat: c('gradient-flat'), neither: c('neither'), undecided: c('undecided'), runs: with_.length };
  return {
    measured: with_.length ? [v.critical, v.flat, v.neither, v.undecided].map((k) => pct(k, v.runs)).join(' / ') : '— (runs from before the certified class)',
    values: v,
  };
}

/** The τ at which paper-flat points are checked against the certified measure. */
const CHECK_TAUS = [1e-8, 1e-6, 1e-4, 1e-3, 1e-2] as const;

/**
 * Of the final points the paper's criterion calls gradient-flat (not critical), how many hold
 * certainly ≥ s_flat of ‖g‖² at |λ| ≤ τ‖H‖₂, for each τ of CHECK_TAUS (bracket's lower bound;
 * exact when dense). A τ the record's run left undecided counts as not certified.
 */
function paperFlatCertified(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const share = DEFAULT_FLATNESS_CRITERION.share;
  const flat = rs.filter((r) => paperClass(r) === 'gradient-flat' && r.final.spectralFlatness);
  const counts = CHECK_TAUS.map((tau) => count(flat, (r) => bracketAt(r.final.spectralFlatness!, tau)[0] >= share));
  return {
    measured: flat.length ? `of ${flat.length}: ${CHECK_TAUS.map((tau, i) => `${tau.toExponential(0)}: ${counts[i]}`).join(', ')}` : '— (no paper-flat final point)',
    values: { paperFlat: flat.length, ...Object.fromEntries(CHECK_TAUS.map((tau, i) => [`certifiedAt${tau.toExponential(0)}`, counts[i]])) },
  };
}

/** Median and range of the final points' share of ‖g‖² at |λ| ≤ τ‖H‖₂ (the estimate; exact when dense), for a few τ. */
function shareProfile(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const with_ = rs.filter((r) => r.final.spectralFlatness && r.final.gradNormSq >= 1e-8);
  const taus = [1e-6, 1e-5, 1e-4, 1e-3];
  const qs = taus.map((tau) => quartiles(with_.map((r) => shareAt(r.final.spectralFlatness!, tau))));
  const f = (x: number) => x.toFixed(2);
  return {
    measured: with_.length ? `${with_.length} points: ${taus.map((tau, i) => `${tau.toExponential(0)}: ${f(qs[i]!.median)} (${f(qs[i]!.min)}–${f(qs[i]!.max)})`).join('; ')}` : '—',
    values: { points: with_.length, ...Object.fromEntries(taus.map((tau, i) => [`medianAt${tau.toExponential(0)}`, qs[i]?.median ?? null])) },
  };
}

/** The paper's classes (compared with the paper), then the certified ones alongside. */
function classClaims(rs: readonly RunRecord[], what: string, paper: string): Claim[] {
  return [
    { what: `${what} (paper's criterion: r > 0.9)`, paper, ...classes(rs) },
    { what: `${what} — certified (spectral share at τ_flat): critical / gradient-flat / neither / undecided`, paper: '—', ...certifiedClasses(rs) },
    { what: `paper-flat final points (r > 0.9) certified flat (share ≥ ${DEFAULT_FLATNESS_CRITERION.share}) at τ`, paper: '—', ...paperFlatCertified(rs) },
    { what: 'share of ‖g‖² at |λ| ≤ τ‖H‖₂ of the non-critical final points: median (range)', paper: '—', ...shareProfile(rs) },
  ];
}

function range(xs: readonly number[]): string {
  const f = xs.filter(Number.isFinite);
  return f.length ? `${e(Math.min(...f))} – ${e(Math.max(...f))}` : '—';
}

/**
 * How the Newton steps' MINRES-QLP solves ended: by the residual test (relres ≤ rtol, a
 * compatible system), by the co-kernel test (relAres ≤ rtol, a least-squares solution of an
 * incompatible one), or otherwise (maxit, …). [GF] A.4: "Less than 5% of Newton steps were
 * obtained from the kernel residual going below the tolerance, indicating that almost all
 * points of the loss surface had an approximately unsatisfiable Newton system". Both shares
 * are reported; gradflat reads the < 5% as the residual test's share, the one reading under
 * which the sentence's conclusion follows (docs/reproduction.md).
 */
export function solverExitShares(exits: readonly string[][]): { residual: number; coKernel: number; other: number; steps: number; others: Record<string, number> } {
  let residual = 0, coKernel = 0, steps = 0;
  const others: Record<string, number> = {};
  for (const run of exits) {
    for (const x of run) {
      if (!x) continue;
      steps++;
      if (x === 'rtol' || x === 'eps') residual++;
      else if (x === 'rtol-least-squares' || x === 'eps-least-squares') coKernel++;
      else others[x] = (others[x] ?? 0) + 1;
    }
  }
  return { residual, coKernel, other: steps - residual - coKernel, steps, others };
}

/** k/n with one decimal of percent: the paper's 5% bound needs it. */
const pct1 = (k: number, n: number) => (n === 0 ? '—' : `${k}/${n} (${((100 * k) / n).toFixed(1)}%)`);

function passingR(rs: readonly RunRecord[], t: number): number {
  return count(rs, (r) => (r.maxR ?? 0) > t);
}

/** Per run that gets below both: steps from the first ‖g‖² < `from` to the first ‖g‖² < `to`. */
export function stepsBetween(traces: readonly number[][], from: number, to: number): number[] {
  const out: number[] = [];
  for (const t of traces) {
    const a = t.findIndex((x) => x < from), b = t.findIndex((x) => x < to);
    if (a >= 0 && b >= 0) out.push(b - a);
  }
  return out;
}

export function fig1LinearClaims({ records: rs, gradNormSq, exits }: FigureRuns): Claim[] {
  const belowCut = rs.filter((r) => r.final.gradNormSq < 1e-8);
  const atCutoff = (c: number) => {
    const hits = rs.map((r) => r.firstBelow.find((f) => f.cutoff === c)).filter((f) => f?.truth);
    return { matched: count(hits, (f) => f!.truth!.matched), reached: hits.length };
  };
  const below30 = count(rs, (r) => r.minGradNormSq < 1e-30), below20 = count(rs, (r) => r.minGradNormSq < 1e-20);
  const lowest = lowestOf(rs.map((r) => r.minGradNormSq));
  const matched = count(belowCut, (r) => Boolean(r.truth?.matched));
  const [c8, c2] = [atCutoff(1e-8), atCutoff(1e-2)];
  const tail = quartiles(stepsBetween(gradNormSq, 1e-8, 1e-20));
  const ex = solverExitShares(exits);
  const tailRange = tail ? `median ${tail.median}, range ${tail.min}–${tail.max} (${tail.n} runs)` : '—';
  return [
    {
      what: 'superlinear convergence to the float64 floor', paper: 'Newton-MR converges superlinearly, ‖g‖² to ~1e-30',
      measured: `min ‖g‖² < 1e-30 in ${pct(below30, rs.length)}; < 1e-20 in ${pct(below20, rs.length)}; lowest ${e(lowest)}`,
      values: { below1e30: below30, below1e20: below20, runs: rs.length, lowest },
    },
    {
      what: 'steps from ‖g‖² < 1e-8 to < 1e-20 (runs reaching both)', paper: 'superlinear: a few steps',
      measured: tailRange,
      values: { median: tail?.median ?? null, fewest: tail?.min ?? null, most: tail?.max ?? null, runs: tail?.n ?? 0 },
    },
    {
      what: 'Newton steps whose MINRES-QLP solve was cut off at maxit = n', paper: 'maxit = n "is sufficient to solve the Newton system" in exact arithmetic',
      measured: pct1(ex.others.maxit ?? 0, ex.steps), values: { maxit: ex.others.maxit ?? 0, steps: ex.steps },
    },
    {
      what: 'found points vs analytic critical points (1e-8 cutoff)', paper: 'loss and index of found points match the analytic ones',
      measured: `${matched}/${belowCut.length} final points with ‖g‖² < 1e-8 match (loss to 1e-6, same index)`,
      values: { matched, belowCutoff: belowCut.length },
    },
    {
      what: 'first iterate below ‖g‖² = 1e-8 vs 1e-2', paper: 'match with the 1e-8 cutoff, not with 1e-2',
      measured: `1e-8: ${c8.matched}/${c8.reached} match; 1e-2: ${c2.matched}/${c2.reached} match`,
      values: { matched1e8: c8.matched, reached1e8: c8.reached, matched1e2: c2.matched, reached1e2: c2.reached },
    },
  ];
}

export function fig1SwishClaims({ records: rs }: FigureRuns): Claim[] {
  const below20 = count(rs, (r) => r.minGradNormSq < 1e-20);
  const finals = rs.map((r) => r.final.gradNormSq);
  return [
    {
      what: 'no superlinear convergence on the Swish AE', paper: 'no run converges superlinearly; final norms many orders larger',
      measured: `min ‖g‖² < 1e-20 in ${pct(below20, rs.length)}; final ‖g‖² ${range(finals)}`,
      values: { below1e20: below20, runs: rs.length, lowestFinal: lowestOf(finals) },
    },
    ...classClaims(rs, 'classes of final points', '(figure: few critical)'),
  ];
}

export function fig2Claims({ records: rs }: FigureRuns): Claim[] {
  const at = (x: number, tol: number) => count(rs, (r) => Math.abs(r.theta[0] - x) < tol && Math.abs(r.theta[1]) < tol);
  const [atMinimum, atFlat] = [at(-3, 1e-6), at(Math.SQRT2, 1e-3)];
  return [
    {
      what: 'runs ending at the minimum (−3, 0) / the gradient-flat point (√2, 0)', paper: 'Newton-MR from a grid converges to either; (√2, 0) is a strict gradient-flat point (‖g‖² = (9 − 4√2)²)',
      measured: `${pct(atMinimum, rs.length)} / ${pct(atFlat, rs.length)}`, values: { atMinimum, atFlat, runs: rs.length },
    },
    ...classClaims(rs, 'classes of final points', 'critical or gradient-flat'),
  ];
}

/** Loss of the network that outputs the per-pixel mean: the mean per-pixel variance, 1 for z-scored inputs. */
export const CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED = 1;

const passing = (rs: readonly RunRecord[], ts: readonly number[]): Pick<Claim, 'measured' | 'values'> => ({
  measured: ts.map((t) => pct(passingR(rs, t), rs.length)).join(', '),
  values: { runs: rs.length, ...Object.fromEntries(ts.map((t) => [`r>${t}`, passingR(rs, t)])) },
});

export function fig3Claims(f: FigureRuns): Claim[] {
  const rs = f.records;
  const crit = rs.filter((r) => paperClass(r) === 'critical');
  const ex = solverExitShares(f.exits);
  const finals = rs.map((r) => r.final.gradNormSq);
  const nearMean = rs.filter((r) => Math.abs(r.final.loss - CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED) < 0.05 * CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED);
  // Stalled: ‖g‖² changed by < 0.1% over the last 100 steps; lastSteps says whether θ still moved.
  const stalledRuns = f.gradNormSq.map((_, i) => i).filter((i) => {
    const t = f.gradNormSq[i];
    return t.length > 100 && Math.abs(t[t.length - 101] - t[t.length - 1]) < 1e-3 * t[t.length - 1];
  });
  const stalled = stalledRuns.length;
  const lastSteps = stalledRuns.flatMap((i) => f.moved[i].slice(-100));
  return [
    ...classClaims(rs, 'runs ending critical / gradient-flat / neither', '14% / 28% / 58%'),
    { what: 'runs passing a point with r > 0.5, 0.9, 0.99', paper: '99%, 89%, 50%', ...passing(rs, [0.5, 0.9, 0.99]) },
    {
      what: 'final ‖g‖²', paper: 'flat run 2e-5, critical run 3e-13; 1e-4 – 5e1 during training',
      measured: range(finals), values: { lowest: lowestOf(finals), highest: highestOf(finals) },
    },
    {
      what: 'critical points found: loss and index', paper: 'loss of the constant-mean-output network, low non-zero index',
      measured: crit.length === 0 ? 'no critical point found' : crit.map((r) => `loss ${r.final.loss.toFixed(4)} (constant-mean ${CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED}), index ${r.final.index?.toFixed(3)}`).join('; '),
      values: { critical: crit.length },
    },
    {
      what: `runs ending within 5% of the constant-mean-output loss (${CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED}): their lowest ‖g‖²`,
      paper: 'the critical points found have that loss',
      measured: nearMean.length ? `${pct(nearMean.length, rs.length)}; ${range(nearMean.map((r) => r.minGradNormSq))}` : 'none',
      values: { runs: nearMean.length, lowest: lowestOf(nearMean.map((r) => r.minGradNormSq)) },
    },
    {
      what: 'runs stalled at the end: ‖g‖² changed < 0.1% over the last 100 steps (and of those steps, how many moved θ)',
      paper: 'Newton-MR stalls in gradient-flat regions',
      measured: `${pct(stalled, rs.length)}; ${count(lastSteps, Boolean)} of their ${lastSteps.length} last steps moved θ`,
      values: { stalled, runs: rs.length, stallSteps: lastSteps.length, stallStepsMoved: count(lastSteps, Boolean) },
    },
    {
      what: 'Newton steps whose MINRES-QLP solve ended by the residual test (compatible system) / the co-kernel test (least-squares)',
      paper: '< 5% / the rest: "almost all points … had an approximately unsatisfiable Newton system"',
      measured: `${pct1(ex.residual, ex.steps)} / ${pct1(ex.coKernel, ex.steps)}${ex.other ? `; other exits: ${Object.entries(ex.others).map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`,
      values: { residual: ex.residual, coKernel: ex.coKernel, other: ex.other, steps: ex.steps },
    },
  ];
}

export function fig4Claims({ records: rs }: FigureRuns): Claim[] {
  const flat = count(rs, (r) => paperClass(r) === 'gradient-flat');
  return [
    { what: 'runs passing a point with r > 0.9', paper: 'about 90%', ...passing(rs, [0.9]) },
    { what: 'runs ending gradient-flat (paper\'s criterion)', paper: 'fewer than pass r > 0.9', measured: pct(flat, rs.length), values: { flat, runs: rs.length } },
    ...classClaims(rs, 'classes of final points', '—'),
  ];
}

export function fig5Claims(f: FigureRuns): Claim[] {
  const rs = f.records;
  // Critical points at the loss of the network that predicts ½ for every sample; their index
  // decides whether one is the paper's bad local minimum (index 0).
  const atLn2 = rs.filter((r) => r.final.gradNormSq < 1e-8 && Math.abs(r.final.loss - Math.LN2) < 0.01 * Math.LN2);
  const badMinimum = atLn2.filter((r) => r.final.negativeEigenvalues === 0);
  const negatives = [...new Set(atLn2.map((r) => r.final.negativeEigenvalues))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const correct = (f.training?.map((t) => t.accuracy).filter((a): a is number => a !== undefined) ?? []).map((a) => Math.round(a * 50));
  const notReaching = count(rs, (r) => r.minGradNormSq >= 1e-8);
  const meetingFlat = passingR(rs, 0.9);
  return [
    {
      what: 'training runs: correct of 50', paper: '48–50 of 50', measured: correct.length ? correct.join(', ') : '—',
      values: { trainingRuns: correct.length, fewestCorrect: lowestOf(correct) },
    },
    { what: 'runs not reaching ‖g‖² < 1e-8', paper: '33/50', measured: pct(notReaching, rs.length), values: { notReaching, runs: rs.length } },
    { what: 'runs meeting gradient-flat points (r > 0.9)', paper: '31/50', measured: pct(meetingFlat, rs.length), values: { meetingFlat, runs: rs.length } },
    {
      what: 'bad local minimum: index 0, loss ln 2', paper: 'one',
      measured: `${badMinimum.length} at index 0; ${atLn2.length} run(s) end critical within 1% of ln 2${atLn2.length ? `, with ${negatives.join(' or ')} negative eigenvalues of ${rs[0].theta.length} (index cutoff ${rs[0].final.indexCutoff?.toExponential(0) ?? '—'})` : ''}`,
      values: { badMinimum: badMinimum.length, criticalAtLn2: atLn2.length, fewestNegative: lowestOf(atLn2.map((r) => r.final.negativeEigenvalues ?? NaN)) },
    },
    ...classClaims(rs, 'classes of final points', '—'),
  ];
}

// ---- The control experiment (are the flat points an artefact of the Krylov solve?): Figs. 1, 3, 5 rerun from the same starts with solver=exact ----

/** Final points with certainly ≥ 90% of ‖g‖² in eigen-directions |λ| ≤ 1e-6·‖H‖₂ (the bracket's lower bound; exact when dense). */
function spectrallyFlat(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const tau = 1e-6;
  const measuredRuns = rs.filter((r) => r.final.spectralFlatness);
  const flat = count(measuredRuns, (r) => bracketAt(r.final.spectralFlatness!, tau)[0] >= 0.9);
  return { measured: measuredRuns.length ? pct(flat, measuredRuns.length) : '— (no spectral flatness recorded)', values: { flat, runs: measuredRuns.length } };
}

/** Median of the final points' true relative residual ‖Hp + g‖/‖g‖ of the exact solve. */
function finalResidual(rs: readonly RunRecord[]): Pick<Claim, 'measured' | 'values'> {
  const q = quartiles(rs.map((r) => r.final.newtonResidual ?? NaN));
  return { measured: q ? `median ${e(q.median)}, range ${e(q.min)} – ${e(q.max)}` : '—', values: { median: q?.median ?? null, highest: q?.max ?? null } };
}

function controlCommon(rs: readonly RunRecord[], paperClasses: string): Claim[] {
  return [
    ...classClaims(rs, 'runs ending critical / gradient-flat / neither (r from the exact p = −H⁺g, ‖H‖ = ‖H‖₂)', paperClasses),
    { what: 'final points with ≥ 90% of ‖g‖² where |λ| ≤ 1e-6‖H‖₂ (spectral flatness)', paper: '—', ...spectrallyFlat(rs) },
    { what: 'final Newton solve: true residual ‖Hp + g‖/‖g‖', paper: '—', ...finalResidual(rs) },
  ];
}

export function fig1LinearControlClaims(f: FigureRuns): Claim[] {
  const rs = f.records;
  const below28 = count(rs, (r) => r.minGradNormSq <= 1e-28);
  const tail = quartiles(stepsBetween(f.gradNormSq, 1e-8, 1e-20));
  return [
    {
      what: 'runs reaching ‖g‖² ≤ 1e-28', paper: 'superlinear convergence to ~1e-30',
      measured: `${pct(below28, rs.length)}; lowest ${e(lowestOf(rs.map((r) => r.minGradNormSq)))}`,
      values: { below1e28: below28, runs: rs.length, lowest: lowestOf(rs.map((r) => r.minGradNormSq)) },
    },
    {
      what: 'steps from ‖g‖² < 1e-8 to < 1e-20 (runs reaching both)', paper: 'superlinear: a few steps',
      measured: tail ? `median ${tail.median}, range ${tail.min}–${tail.max} (${tail.n} runs)` : '—',
      values: { median: tail?.median ?? null, fewest: tail?.min ?? null, most: tail?.max ?? null, runs: tail?.n ?? 0 },
    },
    ...controlCommon(rs, '(figure: all critical)'),
  ];
}

export function fig1SwishControlClaims(f: FigureRuns): Claim[] {
  return [fig1SwishClaims(f)[0], ...controlCommon(f.records, '(figure: few critical)')];
}

export function fig3ControlClaims(f: FigureRuns): Claim[] {
  return [...controlCommon(f.records, '14% / 28% / 58%'), { what: 'runs passing a point with r > 0.9 (exact r on the steps)', paper: '89%', ...passing(f.records, [0.9]) }];
}

export function fig5ControlClaims(f: FigureRuns): Claim[] {
  const ln2 = fig5Claims(f).find((c) => c.what.startsWith('bad local minimum'))!;
  return [{ ...ln2, what: 'critical points at loss ln 2: minima (index 0) or saddles' }, ...controlCommon(f.records, '—')];
}
