/**
 * Dense Hessian, its spectrum and the Morse index.
 *
 * Morse index convention ([GF] §2, docs/paper.md): the FRACTION of Hessian eigenvalues that are
 * negative, where "negative" means λ < −cutoff. The default cutoff 1e-5 is the one of the
 * paper's linear-autoencoder analysis; its nonlinear-figure code used 1e-3. Every reported
 * index carries its cutoff.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { frobeniusNorm } from '../oracle/dense-hessian.js';
import { spectralNormOf } from '../linalg/exact-newton.js';

export const DEFAULT_INDEX_CUTOFF = 1e-5;

export interface MorseIndex {
  /** Fraction of eigenvalues < −cutoff, in [0, 1]. */
  index: number;
  negativeCount: number;
  n: number;
  cutoff: number;
}

export function morseIndex(eigenvalues: Float64Array, cutoff = DEFAULT_INDEX_CUTOFF): MorseIndex {
  if (!(cutoff >= 0)) throw new RangeError(`index cutoff must be ≥ 0, got ${cutoff}`);
  let neg = 0;
  for (let i = 0; i < eigenvalues.length; i++) if (eigenvalues[i] < -cutoff) neg++;
  return { index: eigenvalues.length ? neg / eigenvalues.length : 0, negativeCount: neg, n: eigenvalues.length, cutoff };
}

export interface HessianSpectrum {
  /** Ascending eigenvalues. */
  eigenvalues: Float64Array;
  /** ‖H‖_F and ‖H‖₂ = max |λ|. */
  frobenius: number;
  spectralNorm: number;
}

export function spectrumOf(h: Float64Array, n: number, kernels: DenseKernels): HessianSpectrum {
  const { values } = kernels.symmetricEigen(h, n, false);
  return { eigenvalues: values, frobenius: frobeniusNorm(h), spectralNorm: spectralNormOf(values) };
}
