/** The readable stdout table of `gradflat run`, and the aggregate facts it ends with. */
import type { ExperimentResult } from './experiment.js';
import type { RunRecord } from './run-one.js';
import { agreementText, classCounts, tallyClasses } from '../analysis/flatness.js';

const e = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '—' : x.toExponential(d));
const f = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

export interface Aggregate {
  runs: number;
  byClass: Record<string, number>;
  belowCritical: number;
  below1e28: number;
  /** Final points with ‖g‖² < 1e-8 compared with the analytic critical points, and how many matched. */
  truthChecked: number;
  truthMatched: number;
  /** Per ‖g‖² cutoff: runs whose iterates went below it, and how many of those first iterates matched. */
  cutoffs: Array<{ cutoff: number; reached: number; matched: number; checked: number }>;
}

export function aggregate(records: readonly RunRecord[], critical = 1e-8): Aggregate {
  const byClass: Record<string, number> = { critical: 0, 'gradient-flat': 0, neither: 0, undecided: 0, 'non-finite': 0 };
  let belowCritical = 0, below1e28 = 0, truthChecked = 0, truthMatched = 0;
  for (const r of records) {
    byClass[r.final.class] = (byClass[r.final.class] ?? 0) + 1;
    if (r.final.gradNormSq < critical) belowCritical++;
    if (r.final.gradNormSq <= 1e-28) below1e28++;
    if (r.truth && r.final.gradNormSq < critical) { truthChecked++; if (r.truth.matched) truthMatched++; }
  }
  const byCutoff = new Map<number, { cutoff: number; reached: number; matched: number; checked: number }>();
  for (const r of records) {
    for (const c of r.firstBelow ?? []) {
      const e = byCutoff.get(c.cutoff) ?? { cutoff: c.cutoff, reached: 0, matched: 0, checked: 0 };
      e.reached++;
      if (c.truth) { e.checked++; if (c.truth.matched) e.matched++; }
      byCutoff.set(c.cutoff, e);
    }
  }
  const cutoffs = [...byCutoff.values()].sort((a, b) => b.cutoff - a.cutoff);
  return { runs: records.length, byClass, belowCritical, below1e28, truthChecked, truthMatched, cutoffs };
}

export function formatSummaryTable(result: ExperimentResult): string {
  const rows = [['run', 'steps', 'loss', '‖g‖²', 'r', 'rH', 'index', 'class', 'paper', 'stop']];
  for (const r of result.records) {
    rows.push([String(r.run), String(r.steps), e(r.final.loss, 6), e(r.final.gradNormSq), f(r.final.r_solverA), e(r.final.rH_solverA),
      f(r.final.index) + (r.final.indexInterval ? ` [${f(r.final.indexInterval[0])}, ${f(r.final.indexInterval[1])}]` : ''), r.final.class, r.final.classPaper ?? '—', r.stopReason]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  const a = aggregate(result.records, result.summary.thresholds.critical);
  const t = tallyClasses(result.records.map((r) => r.final));
  lines.push('', `${result.summary.problem} × ${result.summary.stepper}: ${a.runs} runs — certified crit/flat/neither/undecided ${classCounts(t.classes)}, ` +
    `paper crit/flat/neither ${classCounts(t.classesPaper, false)}; ‖g‖² < ${result.summary.thresholds.critical}: ${a.belowCritical}, ≤ 1e-28: ${a.below1e28}`,
  `classes certified/paper: ${agreementText(t.agreement)}`);
  if (a.truthChecked) lines.push(`final points with ‖g‖² < ${result.summary.thresholds.critical} matching an analytic critical point (loss to 1e-6 relative, same index): ${a.truthMatched}/${a.truthChecked}`);
  for (const c of a.cutoffs) {
    if (c.checked) lines.push(`first iterate below ‖g‖² = ${c.cutoff.toExponential(0)}: reached in ${c.reached} runs, matched an analytic point in ${c.matched}/${c.checked}`);
  }
  lines.push(`conventions: ${Object.values(result.summary.conventions).join('; ')}`);
  return lines.join('\n');
}
