/**
 * Flat starts ([GF] §3.2): run a Newton-type finder from each trained start, then
 * start every method at the gradient-flat point it met. A finder run contributes
 *   its final point, when that is gradient-flat (r > r_min and ‖g‖² > minGradNormSq), else
 *   its maximal-r iterate with ‖g‖² > minGradNormSq, when that r > r_min,
 * and nothing otherwise. The final point's r comes from a fresh probe solve (the run record's
 * `final.r_solverA`), an iterate's r from the finder's own step metrics.
 */
import { emptyCounters } from '../oracle/oracle.js';
import type { RunObserver, RunRecord } from '../run/run-one.js';

export interface MaxRIterate {
  step: number;
  r: number;
  loss: number;
  gradNormSq: number;
  theta: number[];
}

export interface FlatStart {
  /** Finder run it came from, and which of its points. */
  finderRun: number;
  source: 'final' | 'max-r';
  step: number;
  r: number;
  loss: number;
  gradNormSq: number;
  theta: number[];
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

export function selectFlatStarts(records: readonly RunRecord[], rMin: number, minGradNormSq: number, max: number | null): FlatStart[] {
  const out: FlatStart[] = [];
  for (const rec of records) {
    const f = rec.final;
    if (f.gradNormSq > minGradNormSq && f.r_solverA > rMin) {
      out.push({ finderRun: rec.run, source: 'final', step: rec.steps, r: f.r_solverA, loss: f.loss, gradNormSq: f.gradNormSq, theta: rec.theta });
    } else {
      const m = (rec.observed?.maxR ?? null) as MaxRIterate | null;
      if (m && m.r > rMin) out.push({ finderRun: rec.run, source: 'max-r', ...m });
    }
    if (max !== null && out.length >= max) break;
  }
  return out;
}
