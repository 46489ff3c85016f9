/**
 * The function steppers are checked on when no problem is named: a smooth, non-convex,
 * coupled function of n = 6 parameters with saddles and minima,
 *   f(θ) = Σᵢ (¼θᵢ⁴ − ½θᵢ² + bᵢθᵢ) + ½c Σᵢ θᵢθᵢ₊₁,
 * whose gradient, HVP and dense Hessian are exact in closed form. Small enough that every
 * property check costs microseconds; curved enough that a step's result depends on everything
 * a method keeps (momentum, trust radius, step size).
 */
import { emptyCounters, type Oracle, type OracleCapability } from '../oracle/oracle.js';
import { Rng } from '../random/rng.js';

const N = 6;
const C = 0.3;
const B = Float64Array.from({ length: N }, (_, i) => 0.05 * (i + 1));

function loss(t: Float64Array): number {
  let f = 0;
  for (let i = 0; i < N; i++) f += 0.25 * t[i] ** 4 - 0.5 * t[i] ** 2 + B[i] * t[i];
  for (let i = 0; i + 1 < N; i++) f += 0.5 * C * t[i] * t[i + 1];
  return f;
}

function gradient(t: Float64Array, out: Float64Array = new Float64Array(N)): Float64Array {
  for (let i = 0; i < N; i++) out[i] = t[i] ** 3 - t[i] + B[i] + 0.5 * C * ((i > 0 ? t[i - 1] : 0) + (i + 1 < N ? t[i + 1] : 0));
  return out;
}

function hvp(t: Float64Array, v: Float64Array, out: Float64Array = new Float64Array(N)): Float64Array {
  for (let i = 0; i < N; i++) out[i] = (3 * t[i] ** 2 - 1) * v[i] + 0.5 * C * ((i > 0 ? v[i - 1] : 0) + (i + 1 < N ? v[i + 1] : 0));
  return out;
}

/** A fresh oracle of the check function (its own counters). */
export function checkFunctionOracle(): Oracle {
  const counters = emptyCounters();
  return {
    dim: N,
    capabilities: new Set<OracleCapability>(['dense-hessian']),
    counters,
    provenance: { engine: 'check-function' },
    loss(t) {
      counters.loss++;
      return loss(t);
    },
    gradient(t, out) {
      counters.gradient++;
      const g = gradient(t, out);
      return { loss: loss(t), gradient: g };
    },
    hvp(t, v, out) {
      counters.hvp++;
      return hvp(t, v, out);
    },
    hessian(t) {
      // Assembled from n HVPs with unit vectors, and counted as such.
      const H = new Float64Array(N * N);
      const e = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        e.fill(0);
        e[j] = 1;
        H.set(hvp(t, e), j * N);
      }
      counters.hvp += N;
      return H;
    },
  };
}

/** `count` starts, seeded: θ ~ N(0, 1) per coordinate. */
export function checkFunctionStarts(count: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: N }, () => rng.normal()));
}
