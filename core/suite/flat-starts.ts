/**
 * Flat starts ([GF] §3.2): run a Newton-type finder from each trained start, then start every
 * method at the gradient-flat point it met. A finder run contributes its final point when that
 * is certified gradient-flat (its record's `class`: the share bracket at τ_flat certainly ≥
 * s_flat, core/analysis/flatness.ts) with ‖g‖² > minGradNormSq, and nothing otherwise: a start
 * the criterion cannot certify (neither, undecided, critical, non-finite) is never used, so a
 * suite may get fewer flat starts than it asked for; the tally says why.
 * (The finder's maximal-r iterate is still recorded, `observed.maxR`, but r is the paper's
 * solver-dependent measure, so it no longer makes a start.)
 */
import { emptyCounters } from '../oracle/oracle.js';
import { POINT_CLASSES, type PointClass } from '../analysis/flatness.js';
import type { RunObserver, RunRecord } from '../run/run-one.js';

export interface MaxRIterate {
  step: number;
  r: number;
  loss: number;
  gradNormSq: number;
  theta: number[];
}

export interface FlatStart {
  /** Finder run it came from, and which of its points (always its final point since the certified criterion). */
  finderRun: number;
  source: 'final';
  step: number;
  /** The paper's r at that point (r_solverA of the final evaluation), for reference. */
  r: number;
  loss: number;
  gradNormSq: number;
  theta: number[];
}

/** How the flat-start search went: what was asked, found, and the finder's final points by certified class. */
export interface FlatStartSearch {
  /** starts.flat.max (null: every certified point). */
  asked: number | null;
  found: number;
  finderRuns: number;
  /** Final points of the finder runs by certified class. */
  byClass: Record<PointClass, number>;
  /** Certified gradient-flat but ‖g‖² ≤ starts.flat.minGradNormSq (not used). */
  belowMinGradNormSq: number;
}

/** Keeps the finder's maximal-r iterate among those not yet critical (‖g‖² > minGradNormSq). */
export function finderObserver(minGradNormSq: number): RunObserver {
  let best: MaxRIterate | null = null;
  return {
    onStep(m, from) {
      const r = m.newton?.r_solverA;
      if (r !== undefined && Number.isFinite(r) && from.gradNormSq > minGradNormSq && (best === null || r > best.r)) {
        best = { step: m.iteration, r, loss: from.loss, gradNormSq: from.gradNormSq, theta: Array.from(from.theta) };
      }
      return undefined;
    },
    work: emptyCounters,
    finish: () => ({ maxR: best }),
    checkpoint: () => ({ best }),
    restore: (data) => {
      best = (data as { best: MaxRIterate | null }).best;
    },
  };
}

/** The finder runs' final points that are certified gradient-flat with ‖g‖² > minGradNormSq, in run order, at most `max`. */
export function selectFlatStarts(records: readonly RunRecord[], minGradNormSq: number, max: number | null): { starts: FlatStart[]; search: FlatStartSearch } {
  const starts: FlatStart[] = [];
  const byClass = Object.fromEntries(POINT_CLASSES.map((c) => [c, 0])) as Record<PointClass, number>;
  let belowMinGradNormSq = 0;
  for (const rec of records) {
    const f = rec.final;
    byClass[f.class]++;
    if (f.class !== 'gradient-flat') continue;
    if (!(f.gradNormSq > minGradNormSq)) {
      belowMinGradNormSq++;
      continue;
    }
    if (max === null || starts.length < max) {
      starts.push({ finderRun: rec.run, source: 'final', step: rec.steps, r: f.r_solverA, loss: f.loss, gradNormSq: f.gradNormSq, theta: rec.theta });
    }
  }
  return { starts, search: { asked: max, found: starts.length, finderRuns: records.length, byClass, belowMinGradNormSq } };
}

/** Why fewer flat starts than asked (or none): one line for tables and warnings. */
export function flatSearchText(s: FlatStartSearch): string {
  const c = s.byClass;
  const why = [`critical ${c.critical}`, `neither ${c.neither}`, `undecided ${c.undecided}`, ...(c['non-finite'] ? [`non-finite ${c['non-finite']}`] : []),
    ...(s.belowMinGradNormSq ? [`flat but ‖g‖² ≤ minGradNormSq ${s.belowMinGradNormSq}`] : [])];
  return `${s.found}${s.asked !== null ? ` of ${s.asked} asked` : ''} certified gradient-flat starts from ${s.finderRuns} finder runs (not flat: ${why.join(', ')})`;
}
