/**
 * Synthetic final-point rows with spectral-flatness profiles, for the tests of the flatness
 * figures: exact (dense) profiles and Lanczos-like brackets around them.
 */
import { SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';
import { runId, type PointClass, type RunRow, type SpectralRow } from '../io/run-rows.js';

/** A final-point row whose record's, paper's and certified classes are all `cls` unless `extra` says otherwise. */
export function flatRun(group: string, i: number, cls: PointClass, spectral?: SpectralRow, extra: Partial<RunRow> = {}): RunRow {
  return {
    dir: 'syn', group, method: group, stepper: group, phase: 'method', run: i, id: runId(group, i), problem: 'linear-ae', cls, clsPaper: cls, clsCertified: cls,
    loss: 1, gradNormSq: 1e-3, r: 0.5, maxR: 0.6, index: 0.1, steps: 10, work: 10, wallMs: 1, stopReason: 'max-iterations', startLoss: 2, startGradNormSq: 1,
    ...(spectral && { spectral }), ...extra,
  };
}
/** A dense (exact) profile: share 0 at τ = 1e-10, rising linearly in log τ to 1 at τ = 10^(k0−10). */
export const dense = (k0: number): SpectralRow => {
  const shares = SPECTRAL_TAUS.map((_, k) => (k >= k0 ? 1 : k / k0));
  return { taus: [...SPECTRAL_TAUS], shares, lower: [...shares], upper: [...shares], method: 'dense' };
};
/** A Lanczos bracket around a profile: ±w, clamped into [0, 1], the estimate inside. */
export const bracketed = (k0: number, w: number): SpectralRow => {
  const d = dense(k0);
  return { ...d, lower: d.shares.map((s) => Math.max(0, s - w)), upper: d.shares.map((s) => Math.min(1, s + w)), method: 'lanczos', products: 40 };
};

