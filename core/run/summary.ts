/** summary.json: each run's start and final point, and the conventions behind the numbers. */
import { flatnessCriterionOf, tallyClasses, type ClassTally, type ClassThresholds } from '../analysis/flatness.js';
import type { TruthMatch } from '../analysis/truth.js';
import type { RunRecord } from './run-one.js';

export interface Summary {
  problem: string;
  stepper: string;
  hyperparameters: Record<string, unknown>;
  conventions: { r: string; index: string; class: string };
  thresholds: ClassThresholds;
  /** Final points by certified class, by the paper's, and per pair [certified][paper]. */
  classes: ClassTally['classes'];
  classesPaper: ClassTally['classesPaper'];
  agreement: ClassTally['agreement'];
  runs: Array<{
    run: number;
    start: { loss: number; gradNormSq: number };
    steps: number;
    stopReason: string;
    final: { loss: number; gradNormSq: number; r: number; rH: number; index?: number; indexInterval?: [number, number]; indexMethod?: string; class: string; classPaper?: string; theta?: number[] };
    truth?: TruthMatch;
  }>;
}

export function buildSummary(
  problem: string, stepper: string, hyperparameters: Record<string, unknown>, records: readonly RunRecord[], thresholds: ClassThresholds, indexCutoff: number,
): Summary {
  return {
    problem,
    stepper,
    hyperparameters,
    conventions: {
      r: 'r and rH are normalised by MINRES-QLP’s estimate of ‖A‖ (the paper’s figures); runs/*.json also give r_frobenius, rH_frobenius with the exact ‖H‖_F',
      index: `fraction of Hessian eigenvalues < −${indexCutoff}`,
      class: `certified (class): critical: ‖g‖² < ${thresholds.critical}; gradient-flat: the share of ‖g‖² at |λ| ≤ ${flatnessCriterionOf(thresholds).tau}‖H‖₂ certainly ≥ ${flatnessCriterionOf(thresholds).share}; ` +
        `neither: certainly below; undecided: the bracket straddles it at the Lanczos budget. Paper's (classPaper): gradient-flat: r > ${thresholds.flatR}${Number.isFinite(thresholds.flatRH) ? ` and rH < ${thresholds.flatRH}` : ''}; else neither. ` +
        'non-finite: loss, ‖g‖² or the measure is NaN or ±∞ (never critical or flat)',
    },
    thresholds,
    ...tallyClasses(records.map((r) => r.final)),
    runs: records.map((r) => ({
      run: r.run, start: r.start, steps: r.steps, stopReason: r.stopReason,
      final: {
        loss: r.final.loss, gradNormSq: r.final.gradNormSq, r: r.final.r_solverA, rH: r.final.rH_solverA,
        index: r.final.index, ...(r.final.indexInterval && { indexInterval: r.final.indexInterval, indexMethod: r.final.indexMethod }), class: r.final.class, classPaper: r.final.classPaper, theta: r.theta.length <= 16 ? r.theta : undefined,
      },
      truth: r.truth,
    })),
  };
}
