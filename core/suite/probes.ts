/**
 * Flatness probes: the harness measures how gradient-flat a method's iterates are when the
 * method does not measure it itself ([GF] §2.4, §4.2). Two kinds:
 *   newton    r and rH of a MINRES-QLP solve of Hp = −g at θ_k (up to maxit HVPs; the
 *             figures' convention: ‖H‖ = the solver's ‖A‖ estimate), plus the Rayleigh
 *             indices with that ‖A‖.
 *   rayleigh  gᵀHg / (‖g‖²‖H‖_F) and ‖Hg‖ / (‖H‖_F‖g‖) ([GF] §4) with ‖H‖_F estimated by
 *             Hutchinson's estimator ‖H‖_F² = E‖Hz‖², z Rademacher (m + 1 HVPs).
 *   spectral  the share of ‖g‖² in eigen-directions with |λ| ≤ τ‖H‖₂ on the τ grid, with its
 *             certified bracket (core/analysis/spectral-flatness.ts): exact from the dense
 *             Hessian up to DENSE_MAX_DIM, a Lanczos bracket from HVPs beyond (stopped as soon as
 *             the criterion's verdict is decided). A function of θ alone, the same for every method.
 * Newton probes take a `solver` (minres-qlp, minres-qlp-reorth, exact; core/newton/exact-direction.ts).
 * A probe's oracle calls are counted and reported apart from the method's own work.
 */
import { hessianEigen, isDenseSolver, requireDenseSolver, type NewtonSolver } from '../newton/exact-direction.js';
import { rayleighIndices } from '../analysis/flatness.js';
import { newtonDirection, NewtonSolveWorkspace, REFERENCE_SOLVER_SETTINGS } from '../newton/direction.js';
import { DEFAULT_FLATNESS_CRITERION, flatnessVerdict, lanczosSpectralFlatness, spectralFlatness, type FlatnessCriterion, type FlatnessVerdict, type SpectralFlatness } from '../analysis/spectral-flatness.js';
import type { FlatnessBudget } from '../analysis/evaluate-point.js';
import { hvpOperator } from '../analysis/index-estimate.js';
import { DENSE_MAX_DIM } from '../oracle/dense-hessian.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { selectKernels } from '../linalg/select-kernels.js';
import { normSq } from '../linalg/vector.js';
import { counterDelta, snapshotCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import type { NewtonSolveExit } from '../stepper/stepper.js';

export type ProbeKind = 'newton' | 'rayleigh' | 'spectral' | 'none';

export interface ProbeSettings {
  kind: ProbeKind;
  /** Probe θ_k when k % every === 0. */
  every: number;
  /** MINRES-QLP tolerance and iteration limit of newton probes (maxit null = n). */
  rtol: number;
  maxit: number | null;
  /** Newton probes: the direction solver (default 'minres-qlp') and the pseudo-inverse cutoff of 'exact'. */
  solver?: NewtonSolver;
  pinvRcond?: number;
  /** Dense kernels of 'exact' and 'spectral' probes (default: the process's). */
  kernels?: DenseKernels;
  /** Spectral probes: the certified criterion that judges flat / left the flat region (default DEFAULT_FLATNESS_CRITERION). */
  criterion?: FlatnessCriterion;
  /** Spectral probes beyond the dense limit: the Lanczos budget (default: spectral-flatness.ts). */
  flatness?: FlatnessBudget;
  /** Rademacher vectors of the ‖H‖_F estimate of rayleigh probes. */
  frobeniusSamples: number;
}

export interface ProbeResult {
  kind: Exclude<ProbeKind, 'none'>;
  /** newton probes only. */
  r?: number;
  rH?: number;
  exit?: NewtonSolveExit;
  iterations?: number;
  /** newton probes: the solver and its true relative residual ‖Hp + g‖/‖g‖. */
  solver?: string;
  residual?: number;
  /** spectral probes only: the full share profile with its bracket, and the criterion's verdict. */
  spectral?: SpectralFlatness;
  verdict?: FlatnessVerdict;
  rayleigh: number;
  hgRatio: number;
  /** The ‖H‖ used to normalise: the solver's ‖A‖ (newton), the ‖H‖_F estimate (rayleigh), ‖H‖_F (spectral, dense) or the lower end of ‖H‖₂'s bracket (spectral, lanczos). */
  hNorm: number;
  work: OracleCounters;
}

/** Below this n, probes come every step by default (every 10th beyond). */
export const NEWTON_PROBE_MAX_DIM = 1000;

/**
 * 'auto' is the certified measure at every n: flatness is judged the same way for every method,
 * by a function of θ alone (docs/suites.md gives the cost that made this affordable).
 */
export function defaultProbeKind(_n: number): Exclude<ProbeKind, 'none'> {
  return 'spectral';
}

/** Checks a suite's probe settings against the problem before any work: a dense solver (used by Newton probes and final points whatever the kind). */
export function checkProbeConfig(p: { kind: string; solver?: string }, oracle: Oracle): void {
  if (p.solver && isDenseSolver(p.solver)) requireDenseSolver(oracle, p.solver, 'probe.solver');
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

/**
 * `workspace`: buffers for newton probes' MINRES-QLP solves, kept by a caller that probes
 * repeatedly (default: fresh ones per probe; a workspace of another order is replaced).
 */
export function probeFlatness(oracle: Oracle, theta: Float64Array, g: Float64Array, s: ProbeSettings, rng: Rng, workspace?: NewtonSolveWorkspace): ProbeResult | undefined {
  if (s.kind === 'none') return undefined;
  const before = snapshotCounters(oracle.counters);
  const kernels = () => s.kernels ?? selectKernels(undefined, () => {});
  if (s.kind === 'newton') {
    const dir = newtonDirection(oracle, theta, g, {
      ...REFERENCE_SOLVER_SETTINGS, rtol: s.rtol, maxit: s.maxit ?? oracle.dim,
      ...(s.solver && s.solver !== 'minres-qlp' && { solver: s.solver }),
      ...(isDenseSolver(s.solver) && { kernels: kernels(), ...(s.pinvRcond !== undefined && { pinvRcond: s.pinvRcond }) }),
      ...(workspace && { workspace: NewtonSolveWorkspace.ofOrder(workspace, g.length) }),
    });
    const m = dir.metrics;
    const ray = rayleighIndices(oracle, theta, g, m.Anorm_solver);
    return {
      kind: 'newton', r: m.r_solverA, rH: m.rH_solverA, exit: m.exit, iterations: m.iterations, solver: m.solver, residual: m.residual,
      ...ray, hNorm: m.Anorm_solver, work: counterDelta(oracle.counters, before),
    };
  }
  if (s.kind === 'spectral') {
    const criterion = s.criterion ?? DEFAULT_FLATNESS_CRITERION;
    let spectral: SpectralFlatness;
    let hNorm: number;
    if (oracle.dim <= DENSE_MAX_DIM) {
      const eig = hessianEigen(oracle, theta, kernels());
      spectral = spectralFlatness(eig, g);
      hNorm = eig.frobenius;
    } else {
      spectral = lanczosSpectralFlatness(hvpOperator(oracle, theta), oracle.dim, g, { ...s.flatness, criterion, kernels: kernels() });
      // ‖H‖₂ from below: the Rayleigh indices' scale beyond the dense limit.
      hNorm = spectral.spectralNorm;
    }
    const ray = rayleighIndices(oracle, theta, g, hNorm);
    return { kind: 'spectral', spectral, verdict: flatnessVerdict(spectral, criterion), ...ray, hNorm, work: counterDelta(oracle.counters, before) };
  }
  const hNorm = estimateFrobenius(oracle, theta, s.frobeniusSamples, rng);
  const ray = rayleighIndices(oracle, theta, g, hNorm);
  return { kind: 'rayleigh', ...ray, hNorm, work: counterDelta(oracle.counters, before) };
}
