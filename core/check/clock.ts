/**
 * Runs code under a different clock and a different Math.random, to show whether a stepper's
 * results depend on either: a method's step must be a function of its state, hyperparameters
 * and oracle only (runs resume and are compared bit for bit; docs/checkpoints.md).
 */

/** Calls `body` with Date (now, new Date()), performance.now and Math.random replaced; restores them after. */
export function underOtherClock<T>(offsetMs: number, randomSeed: number, body: () => T): T {
  const RealDate = Date;
  const realNow = performance.now;
  const realRandom = Math.random;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  let s = randomSeed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: a stream unlike the real Math.random, different for each seed.
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  globalThis.Date = ShiftedDate as DateConstructor;
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
