/**
 * Flatness probes: the harness measures how gradient-flat a method's iterates are when the
 * method does not measure it itself ([GF] §2.4, §4.2). Two kinds:
 *   newton    r and rH of a MINRES-QLP solve of Hp = −g at θ_k (up to maxit HVPs; the
 *             figures' convention: ‖H‖ = the solver's ‖A‖ estimate), plus the Rayleigh
 *             indices with that ‖A‖.
 *   rayleigh  gᵀHg / (‖g‖²‖H‖_F) and ‖Hg‖ / (‖H‖_F‖g‖) ([GF] §4) with ‖H‖_F estimated by
 *             Hutchinson's estimator ‖H‖_F² = E‖Hz‖², z Rademacher (m + 1 HVPs).
 * A probe's oracle calls are counted and reported apart from the method's own work.
 */
import { rayleighIndices } from '../analysis/flatness.js';
import { newtonDirection, REFERENCE_SOLVER_SETTINGS } from '../analysis/newton-direction.js';
import { normSq } from '../linalg/vector.js';
import { counterDelta, snapshotCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';

export type ProbeKind = 'newton' | 'rayleigh' | 'none';

export interface ProbeSettings {
  kind: ProbeKind;
  /** Probe θ_k when k % every === 0. */
  every: number;
  /** MINRES-QLP tolerance and iteration limit of newton probes (maxit null = n). */
  rtol: number;
  maxit: number | null;
  /** Rademacher vectors of the ‖H‖_F estimate of rayleigh probes. */
  frobeniusSamples: number;
}

export interface ProbeResult {
  kind: Exclude<ProbeKind, 'none'>;
  /** newton probes only. */
  r?: number;
  rH?: number;
  exit?: string;
  iterations?: number;
  rayleigh: number;
  hgRatio: number;
  /** The ‖H‖ used to normalise: the solver's ‖A‖ (newton) or the ‖H‖_F estimate (rayleigh). */
  hNorm: number;
  work: OracleCounters;
}

/** Newton probes for small problems (their cost grows with n), Rayleigh beyond. */
export const NEWTON_PROBE_MAX_DIM = 1000;

export function defaultProbeKind(n: number): Exclude<ProbeKind, 'none'> {
  return n <= NEWTON_PROBE_MAX_DIM ? 'newton' : 'rayleigh';
}

/** Hutchinson: ‖H‖_F² = E[zᵀH²z] = E‖Hz‖² for z with independent ±1 entries. */
export function estimateFrobenius(oracle: Oracle, theta: Float64Array, samples: number, rng: Rng): number {
  const z = new Float64Array(oracle.dim);
  const hz = new Float64Array(oracle.dim);
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < z.length; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
    oracle.hvp(theta, z, hz);
    sum += normSq(hz);
  }
  return Math.sqrt(sum / samples);
}

export function probeFlatness(oracle: Oracle, theta: Float64Array, g: Float64Array, s: ProbeSettings, rng: Rng): ProbeResult | undefined {
  if (s.kind === 'none') return undefined;
  const before = snapshotCounters(oracle.counters);
  if (s.kind === 'newton') {
    const dir = newtonDirection(oracle, theta, g, { ...REFERENCE_SOLVER_SETTINGS, rtol: s.rtol, maxit: s.maxit ?? oracle.dim });
    const ray = rayleighIndices(oracle, theta, g, dir.solve.Anorm);
    return {
      kind: 'newton', r: dir.solve.relres, rH: dir.solve.relAres, exit: dir.solve.exit, iterations: dir.solve.iterations,
      ...ray, hNorm: dir.solve.Anorm, work: counterDelta(oracle.counters, before),
    };
  }
  const hNorm = estimateFrobenius(oracle, theta, s.frobeniusSamples, rng);
  const ray = rayleighIndices(oracle, theta, g, hNorm);
  return { kind: 'rayleigh', ...ray, hNorm, work: counterDelta(oracle.counters, before) };
}
