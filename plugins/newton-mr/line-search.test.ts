import test from 'node:test';
import assert from 'node:assert/strict';
import { armijoBacktracking, type ArmijoSettings } from '../../core/newton/line-search.js';

const paper: ArmijoSettings = { unitStepFirst: true, rhoUnit: 0.5, rho: 0.1, beta: 0.5, minAlpha: 1e-16 };

// Merit along a line: φ(α) = (1 − α)² · m0 has slope φ'(0) = −2 m0, i.e. ⟨Hp, g⟩ = −m0 (exact Newton).
test('exact Newton step: the unit step passes the strict test ρ\' = 0.5', () => {
  const m0 = 4;
  const out = armijoBacktracking(m0, -m0, 0.1, paper, (a) => ({ merit: (1 - a) ** 2 * m0, unchanged: false }));
  assert.equal(out.accepted, 'unit');
  assert.equal(out.alpha, 1);
  assert.equal(out.tries, 1);
});

test('accepted α satisfies the Armijo inequality and every rejected larger α violates it', () => {
  // φ(α) = m0 − 2α·s·m0 + 40α²: steep curvature makes large steps fail.
  const m0 = 1, slope = -1;
  const phi = (a: number) => m0 + 2 * a * slope + 40 * a * a;
  const tried: number[] = [];
  const out = armijoBacktracking(m0, slope, 1, paper, (a) => { tried.push(a); return { merit: phi(a), unchanged: false }; });
  assert.equal(out.accepted, 'backtracking');
  assert.ok(phi(out.alpha) <= m0 + 2 * paper.rho * out.alpha * slope, 'Armijo inequality holds at the accepted α');
  for (const a of tried.slice(1, -1)) assert.ok(phi(a) > m0 + 2 * paper.rho * a * slope, `α = ${a} was rightly rejected`);
  assert.deepEqual(tried.slice(1), [1, 0.5, 0.25, 0.125, 0.0625, 0.03125].slice(0, tried.length - 1));
});

test('NaN merit is rejected, never accepted', () => {
  const out = armijoBacktracking(1, -1, 1, { ...paper, unitStepFirst: false }, (a) => ({ merit: a > 0.3 ? NaN : 1 - a, unchanged: false }));
  assert.equal(out.accepted, 'backtracking');
  assert.equal(out.alpha, 0.25);
});

test('α underflow: no step is accepted and the outcome says why', () => {
  const out = armijoBacktracking(1, -1, 1, { ...paper, minAlpha: 1e-3 }, () => ({ merit: 2, unchanged: false }));
  assert.equal(out.accepted, 'none');
  assert.equal(out.alpha, 0);
  assert.equal(out.failure, 'alpha-underflow');
});

test('a direction that does not descend the merit is refused without evaluating anything', () => {
  let calls = 0;
  const out = armijoBacktracking(1, 0, 1, paper, () => { calls++; return { merit: 0, unchanged: false }; });
  assert.equal(out.failure, 'not-a-descent-direction');
  assert.equal(calls, 0);
});
