import test from 'node:test';
import assert from 'node:assert/strict';
import { classifyPaper, classifyPoint, flatnessCriterionOf, rayleighIndices, residualsOf, tallyClasses } from './flatness.js';
import { DEFAULT_FLATNESS_CRITERION, SPECTRAL_TAUS, type SpectralFlatness } from './spectral-flatness.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { assertClose } from '../testing/assert-close.js';

// H = diag(2, 0), gradient g = Hθ + b. With b = (0, 1), g always has the component 1 in ker H.
const oracle = QuadraticOracle.diagonal([2, 0], [0, 1]);

test('r(0) = 1, and the exact Newton solution has r = 0 on a compatible system', () => {
  const theta = Float64Array.of(1, 0);
  const g = oracle.gradient(theta).gradient; // (2, 1): incompatible part 1
  assert.equal(residualsOf(oracle, theta, g, new Float64Array(2), 2).r, 1);
  const spd = QuadraticOracle.diagonal([2, 4], [0, 1]);
  const g2 = spd.gradient(theta).gradient; // (2, 1)
  const p = Float64Array.of(-1, -0.25); // −H⁻¹g
  assert.equal(residualsOf(spd, theta, g2, p, Math.hypot(2, 4)).r, 0);
});

test('at a strict gradient-flat point (g ∈ ker H): r = 1 for the min-norm solution p = 0, and the Rayleigh index is 0', () => {
  const theta = Float64Array.of(0, 5);
  const g = oracle.gradient(theta).gradient; // (0, 1) ∈ ker H
  const res = residualsOf(oracle, theta, g, new Float64Array(2), 2);
  assert.equal(res.r, 1);
  assert.equal(res.rH, 0); // H(Hp + g) = Hg = 0
  assert.deepEqual(rayleighIndices(oracle, theta, g, 2), { rayleigh: 0, hgRatio: 0 });
});

test('least-squares solution away from flatness: r and rH match their closed forms', () => {
  const theta = Float64Array.of(1, 0);
  const g = oracle.gradient(theta).gradient; // (2, 1)
  const p = Float64Array.of(-1, 0); // min-norm LS solution of Hp = −g
  const res = residualsOf(oracle, theta, g, p, 2);
  // Hp + g = (0, 1): r = 1 / (2·1 + √5); H(Hp + g) = 0: rH = 0
  assertClose(res.r, 1 / (2 + Math.sqrt(5)), 1e-15);
  assert.equal(res.rH, 0);
});

test('the paper\'s classes follow the figures: critical by ‖g‖², else flat by r, with an optional rH test', () => {
  assert.equal(classifyPaper(1e-9, 0.99, 1), 'critical');
  assert.equal(classifyPaper(1e-3, 0.95, 1), 'gradient-flat');
  assert.equal(classifyPaper(1e-3, 0.5, 0), 'neither');
  assert.equal(classifyPaper(1e-3, 0.95, 1e-2, { critical: 1e-8, flatR: 0.9, flatRH: 5e-4 }), 'neither');
  assert.equal(classifyPaper(1e-3, 0.95, 1e-5, { critical: 1e-8, flatR: 0.9, flatRH: 5e-4 }), 'gradient-flat');
});

/** A share profile with bracket [lo, hi] at every τ. */
const profile = (lo: number, hi: number, spectralNorm = 1): SpectralFlatness => ({
  taus: [...SPECTRAL_TAUS], shares: SPECTRAL_TAUS.map(() => (lo + hi) / 2), sharesLower: SPECTRAL_TAUS.map(() => lo), sharesUpper: SPECTRAL_TAUS.map(() => hi),
  method: 'lanczos', products: 10, spectralNorm, spectralNormBounds: [spectralNorm, spectralNorm],
});

test('certified classes: flat only when the bracket is certainly ≥ s_flat, neither when certainly below, else undecided', () => {
  const s = DEFAULT_FLATNESS_CRITERION.share;
  assert.equal(classifyPoint(1e-3, profile(s, 1)), 'gradient-flat');
  assert.equal(classifyPoint(1e-3, profile(0, s / 2)), 'neither');
  assert.equal(classifyPoint(1e-3, profile(s / 2, 1)), 'undecided');
  // ‖g‖² decides critical before any share.
  assert.equal(classifyPoint(1e-9, profile(0, 0)), 'critical');
  assert.equal(classifyPoint(NaN, profile(1, 1)), 'non-finite');
  assert.equal(classifyPoint(1e-3, profile(NaN, NaN)), 'non-finite');
  // The thresholds choose τ and s: a bracket [0.3, 0.4] is flat for s_flat = 0.25, not for 0.5.
  assert.equal(classifyPoint(1e-3, profile(0.3, 0.4), { critical: 1e-8, flatR: 0.9, flatRH: Infinity, flatShare: 0.25 }), 'gradient-flat');
  assert.equal(classifyPoint(1e-3, profile(0.3, 0.4), { critical: 1e-8, flatR: 0.9, flatRH: Infinity, flatShare: 0.5 }), 'neither');
  assert.deepEqual(flatnessCriterionOf({ flatTau: 1e-6 }), { tau: 1e-6, share: DEFAULT_FLATNESS_CRITERION.share });
});

test('the tally counts both criteria and every pair; records without classPaper count as the paper\'s class only', () => {
  const t = tallyClasses([
    { class: 'gradient-flat', classPaper: 'neither' }, { class: 'gradient-flat', classPaper: 'gradient-flat' },
    { class: 'undecided', classPaper: 'gradient-flat' }, { class: 'critical' },
  ]);
  assert.equal(t.classes['gradient-flat'], 2);
  assert.equal(t.classes.undecided, 1);
  assert.equal(t.classesPaper['gradient-flat'], 2);
  assert.equal(t.agreement['gradient-flat'].neither, 1);
  assert.equal(t.agreement.undecided['gradient-flat'], 1);
  assert.equal(t.classesPaper.critical, 1);
  assert.equal(t.classes.critical, 0, 'no certified class in an old record');
  const total = Object.values(t.agreement).reduce((a, row) => a + Object.values(row).reduce((x, y) => x + y, 0), 0);
  assert.equal(total, 3);
});
