/**
 * Counts the Float64Arrays of one length that `fn` constructs, by swapping the global
 * constructor for a counting subclass while it runs (typed-array methods that allocate through
 * the species constructor are counted too). Test code only: the swap is process-global.
 */
export function float64ArraysMade(length: number, fn: () => void): number {
  const Original = globalThis.Float64Array;
  let made = 0;
  class Counting extends Original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      if (this.length === length) made++;
    }
  }
  globalThis.Float64Array = Counting as unknown as Float64ArrayConstructor;
  try {
    fn();
  } finally {
    globalThis.Float64Array = Original;
  }
  return made;
}
