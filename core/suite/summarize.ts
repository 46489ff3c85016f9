/**
 * Per-method summary of a suite directory: counts by final class (certified and the paper's, and
 * their agreement), quartiles of final ‖g‖²,
 * loss, steps, work and wall time, and the head-to-head measures of observer.ts (leaving the
 * flat region, loss drop after k steps, step blow-ups, work to reach a target). Works on a
 * partial suite: missing runs are listed, never guessed.
 */
import { agreementText, classCounts, flatnessCriterionOf, tallyClasses, type ClassTally } from '../analysis/flatness.js';
import { flatSearchText, type FlatStartSearch } from './flat-starts.js';
import { workUnits } from '../oracle/oracle.js';
import { readRunRecord, type DamagedRecord } from '../run/record-file.js';
import type { RunRecord } from '../run/run-one.js';
import type { ResolvedSuite } from './config.js';
import type { ObservedRun } from './observer.js';
import { taskPaths } from './task.js';

export interface Quartiles {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

/** Quartiles by linear interpolation between order statistics (type 7); non-finite values dropped. */
export function quartiles(values: readonly number[]): Quartiles | null {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const q = (p: number) => {
    const h = (xs.length - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < xs.length ? xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]) : xs[lo];
  };
  return { n: xs.length, min: xs[0], q1: q(0.25), median: q(0.5), q3: q(0.75), max: xs[xs.length - 1] };
}

export interface MethodSummary {
  label: string;
  stepper: string;
  hyperparameters: Record<string, unknown>;
  iterations: number;
  expectedRuns: number;
  completedRuns: number;
  missingRuns: number[];
  /** Final points by certified class (`class`), by the paper's (`classPaper`), and per pair [certified][paper]. */
  classes: ClassTally['classes'];
  classesPaper: ClassTally['classesPaper'];
  agreement: ClassTally['agreement'];
  finalGradNormSq: Quartiles | null;
  finalLoss: Quartiles | null;
  steps: Quartiles | null;
  /** Method's own oracle work in HVP-equivalents (probes excluded) and wall time without probes. */
  work: Quartiles | null;
  wallMs: Quartiles | null;
  stopReasons: Record<string, number>;
  headToHead: {
    /** Runs whose flatness was measured (spectral probes, or r from the method or a Newton probe). */
    rMeasured: number;
    /** Runs that were certified flat and then left (conventions.leftFlat gives the rule), and when. */
    leftFlat: number;
    leftAtStep: Quartiles | null;
    lossDrop: Record<string, Quartiles | null>;
    runsWithBlowUps: number;
    maxStepRatio: Quartiles | null;
    targets: Record<string, { reached: number; work: Quartiles | null; wallMs: Quartiles | null; step: Quartiles | null }>;
  };
}

export interface SuiteSummary {
  suite: string;
  problem: string;
  /** flatSearch (flat starts): asked, found, and the finder's final points by certified class (flat-starts.ts). */
  starts: { kind: 'trained' | 'flat'; count: number; trained: number; flatSearch?: FlatStartSearch };
  conventions: Record<string, string>;
  methods: MethodSummary[];
}

export function summarizeMethod(suite: ResolvedSuite, index: number, records: ReadonlyMap<number, RunRecord>, expectedRuns: number): MethodSummary {
  const s = suite.steppers[index];
  const recs = [...records.values()];
  const obs = (r: RunRecord) => r.observed as ObservedRun | undefined;
  const { classes, classesPaper, agreement } = tallyClasses(recs.map((r) => r.final));
  const stopReasons: Record<string, number> = {};
  for (const r of recs) {
    stopReasons[r.stopReason] = (stopReasons[r.stopReason] ?? 0) + 1;
  }
  const lossDrop: Record<string, Quartiles | null> = {};
  for (const k of suite.summary.lossAfter) {
    lossDrop[k] = quartiles(recs.map((r) => (obs(r)?.lossAt[k] === undefined ? NaN : r.start.loss - obs(r)!.lossAt[k])));
  }
  const targets: MethodSummary['headToHead']['targets'] = {};
  for (const key of ['loss', 'gradNormSq'] as const) {
    if (suite.summary.targets[key] === undefined) continue;
    const hits = recs.map((r) => obs(r)?.targets[key]).filter((h): h is NonNullable<typeof h> => Boolean(h));
    targets[`${key} ≤ ${suite.summary.targets[key]}`] = {
      reached: hits.length, work: quartiles(hits.map((h) => h.work)), wallMs: quartiles(hits.map((h) => h.wallMs)), step: quartiles(hits.map((h) => h.step)),
    };
  }
  const left = recs.filter((r) => obs(r)?.flat.leftAtStep != null);
  return {
    label: s.label, stepper: s.stepper, hyperparameters: s.hyperparameters, iterations: s.iterations,
    expectedRuns, completedRuns: recs.length,
    missingRuns: Array.from({ length: expectedRuns }, (_, i) => i).filter((i) => !records.has(i)),
    classes, classesPaper, agreement,
    finalGradNormSq: quartiles(recs.map((r) => r.final.gradNormSq)),
    finalLoss: quartiles(recs.map((r) => r.final.loss)),
    steps: quartiles(recs.map((r) => r.steps)),
    work: quartiles(recs.map((r) => obs(r)?.work ?? workUnits(r.work))),
    wallMs: quartiles(recs.map((r) => obs(r)?.wallMs ?? r.wallMs)),
    stopReasons,
    headToHead: {
      rMeasured: recs.filter((r) => (obs(r)?.flat.measured ?? 0) > 0).length,
      leftFlat: left.length,
      leftAtStep: quartiles(left.map((r) => obs(r)!.flat.leftAtStep!)),
      lossDrop,
      runsWithBlowUps: recs.filter((r) => (obs(r)?.steps.blowUps ?? 0) > 0).length,
      maxStepRatio: quartiles(recs.map((r) => obs(r)?.steps.maxStepRatio ?? NaN)),
      targets,
    },
  };
}

/**
 * Reads whatever final records exist for each method of a suite directory: each method's finished
 * records; an empty or cut-short record file counts as unfinished (reported to `onDamaged`).
 */
export function readMethodRecords(out: string, suite: ResolvedSuite, runs: number, onDamaged?: DamagedRecord): Array<Map<number, RunRecord>> {
  return suite.steppers.map((_, stepper) => {
    const m = new Map<number, RunRecord>();
    for (let run = 0; run < runs; run++) {
      const r = readRunRecord(taskPaths(out, suite, { phase: 'method', stepper, run }).record, onDamaged);
      if (r) m.set(run, r);
    }
    return m;
  });
}

export function buildSuiteSummary(
  suite: ResolvedSuite, problem: string, starts: SuiteSummary['starts'], records: ReadonlyArray<ReadonlyMap<number, RunRecord>>,
): SuiteSummary {
  const t = suite.evaluation.thresholds;
  const c = flatnessCriterionOf(t);
  const w = suite.summary.leaveWindow;
  // 'auto' probes are spectral (probes.ts); a method reporting its own r is judged by it only under newton probes.
  const spectral = suite.probe.kind === 'auto' || suite.probe.kind === 'spectral';
  const certified = `the share of ‖g‖² at |λ| ≤ ${c.tau}‖H‖₂ certainly ≥ ${c.share} (its certified bracket's lower bound)`;
  return {
    suite: suite.name, problem, starts,
    conventions: {
      class: `certified (class): critical: ‖g‖² < ${t.critical}; gradient-flat: ${certified}; neither: certainly < ${c.share}; undecided: the bracket straddles ${c.share} at the Lanczos budget (never guessed). ` +
        `Paper's (classPaper): gradient-flat: r > ${t.flatR}${Number.isFinite(t.flatRH) ? ` and rH < ${t.flatRH}` : ''} (fresh MINRES-QLP probe); else neither. Agreement: final points per pair certified/paper`,
      r: 'r = ‖Hp+g‖/(‖H‖‖p‖+‖g‖) with ‖H‖ = MINRES-QLP’s ‖A‖ estimate, from the method’s own Newton solve or a probe',
      work: 'HVP-equivalents: gradient 1, HVP 1, Gauss-Newton product 1, loss 0.5, layer statistics 2; probes excluded',
      leftFlat: spectral
        ? `flat: a spectral probe certified ${certified}; left: afterwards ${w} consecutive probes each certified not flat (upper bound < ${c.share}; an undecided probe restarts the count), at the first of them`
        : `r (the paper's measure) rose above ${t.flatR}, then the mean of ${w} consecutive measurements fell below ${suite.summary.leaveR}; left at the first of them below ${suite.summary.leaveR}`,
      blowUp: `step with ‖θ_{k+1} − θ_k‖ / ‖θ_k‖ > ${suite.summary.blowUpRatio}`,
      lossDrop: 'start loss − loss after k steps',
    },
    methods: suite.steppers.map((_, i) => summarizeMethod(suite, i, records[i], starts.count)),
  };
}

const e = (x: number | undefined | null, d = 2) => (x == null || !Number.isFinite(x) ? '—' : x.toExponential(d));
const g3 = (x: number | undefined | null) => (x == null || !Number.isFinite(x) ? '—' : Number(x.toPrecision(3)).toString());
const med = (q: Quartiles | null, fmt: (x: number) => string) => (q ? `${fmt(q.median)} [${fmt(q.q1)}, ${fmt(q.q3)}]` : '—');

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

/** The per-method tables `gradflat suite` and `gradflat summarize` print. */
export function formatSuiteSummary(s: SuiteSummary): string {
  const k = Object.keys(s.methods[0]?.headToHead.lossDrop ?? {})[0];
  const header = ['method', 'runs', 'crit/flat/neither/undecided', 'paper: crit/flat/neither', '‖g‖² final: median [q1, q3]', 'loss final', 'steps', 'work (HVP-eq)', 'wall s',
    'left flat', ...(k ? [`Δloss@${k}`] : []), 'blow-ups'];
  const rows = [header];
  for (const m of s.methods) {
    rows.push([
      m.label, `${m.completedRuns}/${m.expectedRuns}`, classCounts(m.classes), classCounts(m.classesPaper ?? {}, false),
      med(m.finalGradNormSq, (x) => e(x)), med(m.finalLoss, (x) => e(x, 3)), g3(m.steps?.median), g3(m.work?.median),
      g3(m.wallMs ? m.wallMs.median / 1000 : null),
      `${m.headToHead.leftFlat}/${m.headToHead.rMeasured}`, ...(k ? [e(m.headToHead.lossDrop[k]?.median)] : []), String(m.headToHead.runsWithBlowUps),
    ]);
  }
  const lines = [`${s.suite} on ${s.problem}: ${s.starts.count} ${s.starts.kind} starts${s.starts.kind === 'flat' ? ` (from ${s.starts.trained} trained)` : ''}`];
  if (s.starts.flatSearch) lines.push(`flat starts: ${flatSearchText(s.starts.flatSearch)}`);
  lines.push(...alignColumns(rows), '');
  const q = (x: Quartiles | null, scale = 1) => (x ? `${g3(x.median / scale)} [${g3(x.q1 / scale)}, ${g3(x.q3 / scale)}]` : '—');
  const spread = [['method: median [q1, q3]', 'steps', 'work (HVP-eq)', 'wall s', 'left flat at step', 'max ‖Δθ‖/‖θ‖']];
  for (const m of s.methods) {
    spread.push([m.label, q(m.steps), q(m.work), q(m.wallMs, 1000), q(m.headToHead.leftAtStep), q(m.headToHead.maxStepRatio)]);
  }
  lines.push(...alignColumns(spread));
  for (const m of s.methods) {
    if (m.agreement) lines.push(`${m.label}: classes certified/paper: ${agreementText(m.agreement)}`);
    for (const [t, v] of Object.entries(m.headToHead.targets)) {
      lines.push(`${m.label}: ${t} reached in ${v.reached}/${m.completedRuns} runs${v.work ? `, work median ${g3(v.work.median)} HVP-eq` : ''}`);
    }
    if (m.missingRuns.length) lines.push(`${m.label}: missing runs ${m.missingRuns.join(', ')} (suite not finished; run \`gradflat suite\` again to resume)`);
  }
  lines.push(...Object.entries(s.conventions).map(([key, v]) => `${key}: ${v}`));
  return lines.join('\n');
}
