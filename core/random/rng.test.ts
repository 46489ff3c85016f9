import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng, deriveSeed } from './rng.js';

test('the same seed gives the same stream; different seeds and forks differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.uniform()));
  assert.notEqual(new Rng(42).fork(1).uniform(), new Rng(42).fork(2).uniform());
  assert.equal(deriveSeed(7, 3), deriveSeed(7, 3));
});

test('uniform lies in [0, 1) and normal has mean 0, variance 1 (to sampling error)', () => {
  const r = new Rng(1);
  const n = 200_000;
  let m = 0, v = 0, lo = 1, hi = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    lo = Math.min(lo, u); hi = Math.max(hi, u);
    const z = r.normal();
    m += z; v += z * z;
  }
  m /= n; v = v / n - m * m;
  assert.ok(lo >= 0 && hi < 1);
  // standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032; allow 5σ
  assert.ok(Math.abs(m) < 0.012, `mean ${m}`);
  assert.ok(Math.abs(v - 1) < 0.016, `variance ${v}`);
});
