import test from 'node:test';
import assert from 'node:assert/strict';
import { SPECTRAL_TAUS, shareAt } from '../analysis/spectral-flatness.js';
import { emptyCounters, type Oracle } from '../oracle/oracle.js';
import { Rng } from '../random/rng.js';
import type { MeasuredStepMetrics, StepperState } from '../stepper/stepper.js';
import { headToHeadObserver, type ObservedRun, type ObserverSettings } from './observer.js';

const settings: ObserverSettings = {
  probe: { kind: 'none', every: 5, rtol: 5e-4, maxit: null, frobeniusSamples: 4 },
  methodReportsFlatness: true, lossAfter: [], flatR: 0.9, leaveR: 0.5, leaveWindow: 3, blowUpRatio: 1, targets: {},
};

/** Feeds the observer a run whose method reports r = rs[k] at step k (probed every 5 steps). */
function leftAt(rs: Record<number, number>, steps = 25): number | null {
  const obs = headToHeadObserver({} as Oracle, settings, new Rng(1));
  const state = (k: number): StepperState => ({ iteration: k, theta: Float64Array.of(1), loss: 1, gradient: Float64Array.of(0), gradNormSq: 1, extra: {} });
  for (let k = 0; k < steps; k++) {
    const m = {
      iteration: k, loss: 1, gradNormSq: 1, alpha: 1, directionNorm: 0, stepNorm: 0, work: emptyCounters(),
      newton: { r_solverA: rs[k] ?? NaN },
    } as unknown as MeasuredStepMetrics;
    obs.onStep(m, state(k));
  }
  return (obs.finish(state(steps)) as unknown as ObservedRun).flat.leftAtStep;
}

test('left the flat region: the first low measurement of the first low window, to the probe interval (not interval × window)', () => {
  // r falls at step 5 and stays low: the window (5, 10, 15) decides, and the run left at 5, not 15.
  assert.equal(leftAt({ 0: 0.963, 5: 0.225, 10: 0.012, 15: 0.01, 20: 0.01 }), 5);
  // Still flat at 5: the window (5, 10, 15) has mean 0.45 < 0.5, and its first value below 0.5 is at 10.
  assert.equal(leftAt({ 0: 0.95, 5: 0.95, 10: 0.3, 15: 0.1, 20: 0.05 }), 10);
  // One low value inside a flat stretch is noise, not leaving.
  assert.equal(leftAt({ 0: 0.95, 5: 0.2, 10: 0.95, 15: 0.9, 20: 0.92 }), null);
  // Never flat: never left.
  assert.equal(leftAt({ 0: 0.1, 5: 0.1, 10: 0.1, 15: 0.1 }), null);
});

test('shareAt reads one τ off the spectral-flatness grid and refuses one that is not on it', () => {
  const f = { taus: [...SPECTRAL_TAUS], shares: SPECTRAL_TAUS.map((_, i) => i / 10), spectralNorm: 2 };
  assert.equal(shareAt(f, 1e-6), 0.4);
  assert.equal(shareAt(f, 1), 1);
  assert.throws(() => shareAt(f, 3e-6), /τ = 0\.000003 is not on the grid/);
});
