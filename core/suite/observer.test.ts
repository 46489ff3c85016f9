import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FLATNESS_CRITERION, SPECTRAL_TAUS, shareAt, type SpectralFlatness } from '../analysis/spectral-flatness.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
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
  const shares = SPECTRAL_TAUS.map((_, i) => i / 10);
  const f: SpectralFlatness = { taus: [...SPECTRAL_TAUS], shares, sharesLower: shares, sharesUpper: shares, method: 'dense', products: 11, spectralNorm: 2, spectralNormBounds: [2, 2] };
  assert.equal(shareAt(f, 1e-6), 0.4);
  assert.equal(shareAt(f, 1), 1);
  assert.throws(() => shareAt(f, 3e-6), /τ = 0\.000003 is not on the grid/);
});

/**
 * Spectral probes on H = diag(1, 0): at θ = (x, 0) with b = (0, c), g = (x, c) and the share of ‖g‖²
 * in ker H is c² / (x² + c²), exact (dense). The observer sees θ_k = (xs[k], 0).
 */
function spectralRun(xs: number[], c: number): ObservedRun['flat'] {
  const oracle = QuadraticOracle.diagonal([1, 0], [0, c]);
  const obs = headToHeadObserver(oracle, {
    ...settings, methodReportsFlatness: false,
    probe: { kind: 'spectral', every: 1, rtol: 1e-10, maxit: null, frobeniusSamples: 1, kernels: typescriptKernels, criterion: DEFAULT_FLATNESS_CRITERION },
  }, new Rng(1));
  const state = (k: number): StepperState => {
    const theta = Float64Array.of(xs[Math.min(k, xs.length - 1)], 0);
    const { loss, gradient } = oracle.gradient(theta);
    return { iteration: k, theta, loss, gradient, gradNormSq: gradient.reduce((a, v) => a + v * v, 0), extra: {} };
  };
  for (let k = 0; k < xs.length; k++) {
    obs.onStep({ iteration: k, loss: 1, gradNormSq: 1, alpha: 1, directionNorm: 0, stepNorm: 0, work: emptyCounters() } as unknown as MeasuredStepMetrics, state(k));
  }
  return (obs.finish(state(xs.length)) as unknown as ObservedRun).flat;
}

test('spectral probes: flat when certified, left at the first of leaveWindow consecutive certified not-flat probes', () => {
  // share = 1/(x² + 1): x = 0.1 → 0.99 (flat), x = 10 → 0.0099 (not flat at s_flat = DEFAULT_FLATNESS_CRITERION.share).
  const f = spectralRun([0.1, 0.1, 10, 0.1, 10, 10, 10, 10], 1);
  assert.equal(f.by, 'spectral');
  assert.equal(f.firstFlatStep, 0);
  // Step 2 alone is one not-flat probe between flat ones: the window of 3 starts at step 4.
  assert.equal(f.leftAtStep, 4);
  assert.equal(f.measured, 8);
  assertCloseShare(f.maxR!, 1 / 1.01);
  // Never certified flat: never left.
  assert.equal(spectralRun([10, 10, 10, 10], 1).firstFlatStep, null);
  assert.equal(spectralRun([10, 10, 10, 10], 1).leftAtStep, null);
});

function assertCloseShare(a: number, b: number): void {
  assert.ok(Math.abs(a - b) <= 1e-12, `${a} vs ${b}`);
}
