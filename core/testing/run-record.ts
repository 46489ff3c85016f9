/** Test fixture: a run record with every field a reader restores (NaN, ±Infinity, nested free-form parts). */
import type { RunRecord } from '../run/run-one.js';

export const SAMPLE_RECORD: RunRecord = {
  run: 3, kernels: 'typescript', gradflat: '0.0.0', start: { loss: 2, gradNormSq: Infinity }, steps: 4, stopReason: 'non-finite loss or gradient after step 4',
  wallMs: 1.5, work: { loss: 1, gradient: 5, hvp: 2, gvp: 0, statistics: 0 }, minGradNormSq: NaN, maxR: 0.5,
  final: {
    loss: -Infinity, gradNormSq: NaN, r_solverA: 1, rH_solverA: 0, solverExit: 'nan-or-inf', solverIterations: 0, Anorm_solver: NaN,
    solver: 'minres-qlp', newtonResidual: NaN, indexCutoff: 1e-5, rayleigh: NaN, hgRatio: NaN, class: 'neither',
  },
  firstBelow: [{ cutoff: 1e-2, iteration: 1, loss: 1, gradNormSq: 1e-3 }],
  theta: [1, -2],
  observed: { work: 7, flat: { maxR: null, lastR: Infinity } },
  probeWork: { loss: 0, gradient: 0, hvp: 9, gvp: 0, statistics: 0 },
};
