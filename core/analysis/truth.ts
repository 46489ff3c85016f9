/**
 * Matching final points to a problem's analytic critical points ("truth"): any problem may
 * declare them (`Problem.truth`); the harness writes them to truth.json and labels each final
 * point with its nearest one. Nothing here knows which problem has them.
 */

/** An analytic critical point as truth.json holds it. */
export interface TruthPoint {
  /** The problem's label for the point (linear-ae: 0-based eigenvector indices, descending eigenvalues). */
  subset: number[];
  loss: number;
  index: number;
  negativeEigenvalues: number;
}

/** What a problem's `truth` returns: the points, with θ and the cutoff their index was taken at. */
export interface AnalyticCriticalPoint extends TruthPoint {
  theta?: Float64Array;
  indexCutoff: number;
}

export interface TruthMatch {
  matched: boolean;
  subset?: number[];
  analyticLoss?: number;
  analyticIndex?: number;
  lossRelativeError?: number;
}

/** Nearest analytic point in loss; matched when the loss agrees to `lossRtol` and the index is equal. */
export function matchToTruth(loss: number, negativeEigenvalues: number, truth: readonly TruthPoint[], lossRtol = 1e-6): TruthMatch {
  let best: TruthPoint | undefined;
  let bestErr = Infinity;
  for (const t of truth) {
    const err = Math.abs(loss - t.loss) / Math.max(Math.abs(t.loss), 1e-300);
    if (err < bestErr) { bestErr = err; best = t; }
  }
  if (!best) return { matched: false };
  return {
    matched: bestErr <= lossRtol && best.negativeEigenvalues === negativeEigenvalues,
    subset: best.subset, analyticLoss: best.loss, analyticIndex: best.index, lossRelativeError: bestErr,
  };
}
