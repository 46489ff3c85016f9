/**
 * Refuses autoencoder data too small or too degenerate for the problem, before any work: with
 * fewer samples than input dimensions, or samples spanning fewer dimensions (repeated or
 * constant rows), the data's second moment is singular; a one-row CSV made training diverge to
 * 1e302 and the runs came out "gradient-flat" from non-finite numbers. The linear
 * autoencoder also needs distinct covariance eigenvalues for its analytic critical points
 * (Baldi & Hornik 1989; see problems/linear-ae/truth.ts).
 */
import { secondMoment } from '../../core/data/gaussian.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { covarianceEigen } from './covariance.js';
import { UsageError } from '../../core/io/errors.js';

/** Eigenvalues of the second moment below this times the largest count as zero (rank). */
export const RANK_TOLERANCE = 1e-12;

export function checkAutoencoderData(
  x: Float64Array, n: number, d: number, kernels: DenseKernels,
  o: { problem: string; where: string; fix: string; distinctEigenvalues: boolean },
): void {
  if (n < d) {
    throw new UsageError(`${o.where}: ${n} sample${n === 1 ? "" : "s"}, too few for the ${o.problem} problem: it needs at least ${d} ` +
      `(one per input dimension) for a data covariance of full rank. ${o.fix}`);
  }
  const { values } = kernels.symmetricEigen(secondMoment(x, n, d), d, false);
  const top = Math.max(...values);
  const rank = values.filter((v) => v > RANK_TOLERANCE * top).length;
  if (!(top > 0) || rank < d) {
    throw new UsageError(`${o.where}: the ${n} samples span only ${top > 0 ? rank : 0} of ${d} dimensions (repeated, constant or linearly dependent rows), ` +
      `so the ${o.problem} problem is degenerate. ${o.fix}`);
  }
  if (o.distinctEigenvalues) {
    try {
      covarianceEigen(x, n, d, kernels);
    } catch (e) {
      throw new UsageError(`${o.where}: ${(e as Error).message}. ${o.fix}`);
    }
  }
}
