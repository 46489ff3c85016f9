import test from 'node:test';
import assert from 'node:assert/strict';
import { armijoBacktracking, type ArmijoSettings, type MeritTrial } from './line-search.js';

const s: ArmijoSettings = { rho: 0.1, beta: 0.5, minAlpha: 1e-16 };

// m(α) = (1 − α)²·m0 + 3α²: m'(0) = −2m0, i.e. ⟨Hp, g⟩ = −m0.
const m0 = 2;
const merit = (a: number): MeritTrial => ({ merit: (1 - a) ** 2 * m0 + 3 * a * a, unchanged: false });

test('the two slope forms state the same test: ⟨Hp, g⟩ with half-merit, m\'(0) = 2⟨Hp, g⟩ with merit', () => {
  for (const alpha0 of [1, 0.7, 0.3, 0.05]) {
    const half = armijoBacktracking(m0, -m0, alpha0, s, merit);
    const full = armijoBacktracking(m0, -2 * m0, alpha0, { ...s, slope: 'merit' }, merit);
    assert.deepEqual(half, full);
    assert.equal(half.accepted, 'backtracking');
    assert.ok(merit(half.alpha).merit <= m0 + s.rho * half.alpha * (-2 * m0), 'Armijo on ‖g‖² holds at the accepted α');
  }
});

test('the unit step comes first only when asked, with its own ρ\', and needs that ρ\'', () => {
  const exact = (a: number): MeritTrial => ({ merit: (1 - a) ** 2 * m0, unchanged: false });
  assert.deepEqual(armijoBacktracking(m0, -m0, 0.1, { ...s, unitStepFirst: true, rhoUnit: 0.5 }, exact), { alpha: 1, accepted: 'unit', tries: 1 });
  assert.deepEqual(armijoBacktracking(m0, -m0, 0.1, s, exact), { alpha: 0.1, accepted: 'backtracking', tries: 1 });
  assert.throws(() => armijoBacktracking(m0, -m0, 0.1, { ...s, unitStepFirst: true }, exact), /needs rhoUnit/);
});
