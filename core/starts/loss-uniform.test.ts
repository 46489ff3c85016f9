import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../random/rng.js';
import { sampleUniformInLoss } from './loss-uniform.js';

test('starts are spread uniformly in loss, not in time', () => {
  // A training curve that spends 90% of its time near the final loss 0: uniform-in-time
  // sampling would put ~90% of starts below 0.1; uniform-in-loss puts ~10% there.
  // Points are dense enough everywhere (2079 with loss > 0.5) that sampling without
  // replacement does not distort the shares. Binomial sd for 300 picks: 1.7% at p = 0.1,
  // 2.9% at p = 0.5; the bounds are 4 sd.
  const losses = Array.from({ length: 100_000 }, (_, t) => Math.exp(-t / 3000));
  const picks = sampleUniformInLoss(losses, 300, new Rng(3));
  assert.equal(new Set(picks).size, 300, 'no point is picked twice');
  const low = picks.filter((i) => losses[i] < 0.1).length / picks.length;
  assert.ok(low > 0.03 && low < 0.17, `share below 0.1 = ${low}`);
  const high = picks.filter((i) => losses[i] > 0.5).length / picks.length;
  assert.ok(high > 0.385 && high < 0.615, `share above 0.5 = ${high}`);
});

test('asking for more starts than stored points is an error that says what to do', () => {
  assert.throws(() => sampleUniformInLoss([1, 2], 3, new Rng(1)), /train longer or ask for fewer/);
});
