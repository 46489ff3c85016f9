/**
 * An Oracle from plain functions, for a user's problem: gradflat counts the calls (the work
 * every run reports) and copies results into `out` buffers, so the functions may allocate freely.
 */
import { emptyCounters, type LossAndGradient, type Oracle, type OracleCapability } from './oracle.js';

export interface OracleFunctions {
  dim: number;
  loss(theta: Float64Array): number;
  /** Loss and gradient at θ. */
  gradient(theta: Float64Array): { loss: number; gradient: ArrayLike<number> };
  /** H(θ)·v, exact (or as exact as your arithmetic). */
  hvp(theta: Float64Array, v: Float64Array): ArrayLike<number>;
  provenance?: Readonly<Record<string, string | number>>;
}

export function functionOracle(f: OracleFunctions): Oracle {
  if (!Number.isInteger(f?.dim) || f.dim < 1) throw new TypeError(`functionOracle: dim must be a positive integer, got ${JSON.stringify(f?.dim)}`);
  for (const k of ['loss', 'gradient', 'hvp'] as const) if (typeof f[k] !== 'function') throw new TypeError(`functionOracle: '${k}' must be a function`);
  const counters = emptyCounters();
  const into = (src: ArrayLike<number>, out: Float64Array | undefined, what: string): Float64Array => {
    if (src.length !== f.dim) throw new RangeError(`functionOracle: ${what} has length ${src.length}, expected dim = ${f.dim}`);
    const dst = out ?? new Float64Array(f.dim);
    for (let i = 0; i < f.dim; i++) dst[i] = src[i];
    return dst;
  };
  return {
    dim: f.dim,
    capabilities: new Set<OracleCapability>(),
    counters,
    ...(f.provenance && { provenance: f.provenance }),
    loss(theta) {
      counters.loss++;
      return f.loss(theta);
    },
    gradient(theta, out): LossAndGradient {
      counters.gradient++;
      const r = f.gradient(theta);
      return { loss: r.loss, gradient: into(r.gradient, out, 'the gradient') };
    },
    hvp(theta, v, out) {
      counters.hvp++;
      return into(f.hvp(theta, v), out, 'H·v');
    },
  };
}
