/**
 * Runs code under a different clock and a different Math.random, to show whether a stepper's
 * results depend on either: a method's step must be a function of its state, hyperparameters
 * and oracle only (runs resume and are compared bit for bit; docs/checkpoints.md).
 */

/** Calls `body` with Date (Date.now(), new Date(), Date()), performance.now and Math.random replaced; restores them after. */
export function underOtherClock<T>(offsetMs: number, randomSeed: number, body: () => T): T {
  const RealDate = Date;
  const realNow = performance.now;
  const realRandom = Math.random;
  // A proxy, not a subclass: `Date()` called without `new` (a string of the current time) must
  // work as it does outside the check; a class constructor would throw there.
  const ShiftedDate: DateConstructor = new Proxy(RealDate, {
    apply: () => new RealDate(RealDate.now() + offsetMs).toString(),
    construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [RealDate.now() + offsetMs] : args, newTarget),
    get: (target, prop, receiver) => (prop === 'now' ? () => RealDate.now() + offsetMs : Reflect.get(target, prop, receiver)),
  });
  let s = randomSeed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: a stream unlike the real Math.random, different for each seed.
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  globalThis.Date = ShiftedDate;
  Object.defineProperty(performance, 'now', { value: () => realNow.call(performance) + offsetMs, configurable: true, writable: true });
  Math.random = random;
  try {
    return body();
  } finally {
    globalThis.Date = RealDate;
    delete (performance as { now?: unknown }).now;
    if (performance.now !== realNow) Object.defineProperty(performance, 'now', { value: realNow, configurable: true, writable: true });
    Math.random = realRandom;
  }
}
