/**
 * Seeded random numbers. Every random choice in gradflat (data, initialisation, starting
 * points) draws from an `Rng` built from a recorded seed, so a run is reproducible from its
 * manifest. The generator is xoshiro128** (Blackman & Vigna), 53-bit doubles from two draws.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    // splitmix32 expands the seed into the four state words (never all zero).
    let x = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** The generator's position (run checkpoints); `setState` continues the stream from it. */
  getState(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3], ...(this.spare !== undefined && { spare: this.spare }) };
  }

  setState(state: RngState): void {
    const [a, b, c, d] = state.words;
    if (state.words.length !== 4 || ![a, b, c, d].every((w) => Number.isInteger(w))) throw new Error('an Rng state has four integer words');
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
    this.spare = state.spare;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A vector of n draws uniform in [lo, hi). */
  uniformVector(n: number, lo = 0, hi = 1): Float64Array {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * this.uniform();
    return x;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  /** A new generator whose stream is independent of this one's, derived from (seed, label). */
  fork(label: number): Rng {
    return new Rng(deriveSeed(this.seed, label));
  }
}

export interface RngState {
  words: number[];
  /** The second normal of the last Marsaglia pair, when not yet drawn. */
  spare?: number;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Deterministic child seed for (seed, label): used to give run i its own stream. */
export function deriveSeed(seed: number, label: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x27d4eb2d, 0x165667b1) ^ Math.imul((label >>> 0) + 0x9e3779b9, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}
