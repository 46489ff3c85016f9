import test from 'node:test';
import assert from 'node:assert/strict';
import { backtrack, type BacktrackingSettings } from './line-search.js';

const s: BacktrackingSettings = { rho: 0.1, beta: 0.5, minAlpha: 1e-16 };

// ½‖g‖² = ½θ² on f = ½θ² at θ = 1: Hg = 1, merit m(α) = (1 − α)², m'(0) = −2‖Hg‖² = −2.
test('Armijo on ‖g‖² uses slope −2‖Hg‖²: α is accepted iff (1 − α)² ≤ 1 − 2ρα, i.e. α ≤ 2(1 − ρ)', () => {
  const merit = (a: number) => ({ merit: (1 - a) ** 2, unchanged: false });
  assert.deepEqual(backtrack(1, -2, 1.7, s, merit), { alpha: 1.7, accepted: true, tries: 1 });
  const tried: number[] = [];
  const out = backtrack(1, -2, 3.2, s, (a) => { tried.push(a); return merit(a); });
  assert.deepEqual(tried, [3.2, 1.6]); // 3.2 > 1.8 is rejected, 1.6 ≤ 1.8 accepted
  assert.equal(out.alpha, 1.6);
});

test('NaN or infinite merits are rejected, never accepted', () => {
  const out = backtrack(1, -2, 1, s, (a) => ({ merit: a > 0.3 ? (a > 0.6 ? Infinity : NaN) : (1 - a) ** 2, unchanged: false }));
  assert.equal(out.accepted, true);
  assert.equal(out.alpha, 0.25);
  assert.equal(out.tries, 3);
});

test('failures say why: no descent direction (no trial spent), α underflow, θ unchanged in float64', () => {
  let calls = 0;
  assert.deepEqual(backtrack(1, 0, 1, s, () => { calls++; return { merit: 0, unchanged: false }; }),
    { alpha: 0, accepted: false, tries: 0, failure: 'not-a-descent-direction' });
  assert.equal(calls, 0);
  const under = backtrack(1, -2, 1, { ...s, minAlpha: 0.1 }, () => ({ merit: 2, unchanged: false }));
  assert.deepEqual(under, { alpha: 0, accepted: false, tries: 4, failure: 'alpha-underflow' }); // 1, .5, .25, .125
  const same = backtrack(1, -2, 1, s, (a) => ({ merit: 2, unchanged: a < 0.2 }));
  assert.equal(same.failure, 'no-change');
  assert.equal(same.tries, 4);
});
