// underOtherClock: every way of reading the time sees the shifted clock (Date() without `new`
// included: plugins call it, and it must not throw only under the check), dates built from
// explicit values are unchanged, and the real clock comes back afterwards.
import test from 'node:test';
import assert from 'node:assert/strict';
import { underOtherClock } from './clock.js';

test('underOtherClock shifts Date.now(), new Date(), Date() and performance.now by the offset, leaves explicit dates alone, and restores them', () => {
  const offset = 1e9; // about 11.6 days: far beyond the time the body takes
  const RealDate = Date;
  const before = Date.now();
  const seen = underOtherClock(offset, 7, () => {
    const called = (Date as unknown as () => string)();
    return {
      now: Date.now(), made: new Date().getTime(), called: RealDate.parse(called), perf: performance.now(),
      explicit: new Date(0).getTime(), utc: Date.UTC(2020, 0, 1), isDate: new Date() instanceof Date, random: Math.random(),
    };
  });
  const after = Date.now();
  for (const t of [seen.now, seen.made]) assert.ok(t >= before + offset && t <= after + offset, `${t} not within [${before + offset}, ${after + offset}]`);
  // Date() has whole-second resolution.
  assert.ok(seen.called >= Math.floor((before + offset) / 1000) * 1000 - 1000 && seen.called <= after + offset, `Date() gave ${seen.called}`);
  assert.ok(seen.perf >= offset);
  assert.equal(seen.explicit, 0);
  assert.equal(seen.utc, RealDate.UTC(2020, 0, 1));
  assert.ok(seen.isDate);
  assert.ok(seen.random >= 0 && seen.random < 1);
  assert.equal(Date, RealDate);
  assert.ok(Math.abs(Date.now() - after) < 60_000);
  assert.ok(performance.now() < offset);
  assert.equal(typeof (Date as unknown as () => string)(), 'string');
});
