/**
 * Candidate steps of damped Newton and saddle-free Newton, one per damping γ of a ladder
 * (Dauphin et al. 2014; [GF] §2.2, [LA]). Pure: each candidate is computed from its own γ and
 * the inputs, with no state shared between candidates. The paper's reference code built the
 * ladder from closures that all captured the loop variable, so every candidate was the last γ's
 * step (docs/paper.md, "Bugs gradflat avoids"); building the list eagerly here rules that out and lets
 * tests check each candidate against its closed form.
 */
import { minresQlp, type MinresQlpOptions, type MinresQlpResult, type MinresQlpWorkspace } from '../../core/linalg/minres-qlp.js';
import type { SymmetricEigen } from '../../core/linalg/kernels.js';
import { scale } from '../../core/linalg/vector.js';
import { UsageError } from '../../core/io/errors.js';

/** Longest ladder accepted: a guard against a ladder factor barely above 1. */
export const MAX_LADDER_LENGTH = 64;

/**
 * γ_k = gammaMax / factor^k for k = 0, 1, … while γ_k ≥ gammaMin (with a relative slack of 1e-9
 * so that gammaMin itself is included despite rounding). Descending, as in the reference code.
 * Defaults 0.1, 1e-6, 10 give {1e-1, 1e-2, …, 1e-6}.
 */
export function gammaLadder(gammaMax: number, gammaMin: number, factor: number): number[] {
  if (!(gammaMax > 0 && Number.isFinite(gammaMax))) throw new UsageError(`gammaMax must be a finite number > 0, got ${gammaMax}`);
  if (!(gammaMin > 0 && Number.isFinite(gammaMin))) throw new UsageError(`gammaMin must be a finite number > 0, got ${gammaMin}`);
  if (gammaMin > gammaMax) throw new UsageError(`gammaMin (${gammaMin}) must be ≤ gammaMax (${gammaMax})`);
  if (!(factor > 1 && Number.isFinite(factor))) throw new UsageError(`ladderFactor must be a finite number > 1, got ${factor}`);
  const out: number[] = [];
  // Dividing by factor^k (rather than multiplying by factor^−k) gives 1e-2, 1e-5 exactly for factor 10.
  for (let k = 0; ; k++) {
    const g = gammaMax / factor ** k;
    if (g < gammaMin * (1 - 1e-9)) break;
    out.push(g);
    if (out.length > MAX_LADDER_LENGTH) {
      throw new UsageError(`the γ ladder from ${gammaMax} down to ${gammaMin} by a factor ${factor} has more than ${MAX_LADDER_LENGTH} rungs; use a larger ladderFactor`);
    }
  }
  return out;
}

export interface DampedCandidate {
  gamma: number;
  /** p_γ ≈ −(H + γI)⁺ g. */
  p: Float64Array;
  /** MINRES-QLP's report for the DAMPED system (H + γI)p = −g (its relres is not the paper's r). */
  solve: MinresQlpResult;
}

/**
 * p_γ = −(H + γI)⁺ g for each γ, by MINRES-QLP with shift = −γ (it solves (A − shift·I)x = b),
 * so H + γI may be singular or indefinite: the minimum-length least-squares solution is taken.
 * `applyH(v, out)` sets out ← H·v. `options.shift` is ignored (each γ sets its own).
 * With a `workspace` every γ solves in the same buffers and its p is copied out (each candidate
 * keeps its own p, and its `solve.x` is that p), so a candidate costs one n-vector, not eight.
 */
export function dampedNewtonCandidates(
  applyH: (v: Float64Array, out: Float64Array) => void,
  g: Float64Array,
  gammas: readonly number[],
  options: MinresQlpOptions = {},
  workspace?: MinresQlpWorkspace,
): DampedCandidate[] {
  const b = scale(-1, g); // minresQlp copies b, so one right-hand side serves every γ
  return gammas.map((gamma) => {
    const solve = minresQlp(applyH, b, { ...options, shift: -gamma }, workspace);
    if (!workspace) return { gamma, p: solve.x, solve };
    const p = Float64Array.from(solve.x);
    return { gamma, p, solve: { ...solve, x: p } };
  });
}

export interface SaddleFreeCandidate {
  gamma: number;
  /** p_γ = −(|H| + γI)⁻¹ g. */
  p: Float64Array;
}

/**
 * Saddle-free Newton (Dauphin et al. 2014): p_γ = −(|H| + γI)⁻¹ g = −Σ_i (v_iᵀg)/(|λ_i| + γ) v_i,
 * from the eigendecomposition H = Σ λ_i v_i v_iᵀ (eigenvectors as ROWS of `eig.vectors`, as
 * DenseKernels.symmetricEigen returns them). γ > 0 keeps every denominator positive. O(n²) per γ
 * once the O(n³) decomposition is done.
 */
export function saddleFreeCandidates(eig: SymmetricEigen, g: Float64Array, gammas: readonly number[]): SaddleFreeCandidate[] {
  const n = g.length;
  const { values, vectors } = eig;
  if (!vectors) throw new TypeError('saddleFreeCandidates needs eigenvectors (symmetricEigen with wantVectors = true)');
  if (values.length !== n || vectors.length !== n * n) {
    throw new RangeError(`saddleFreeCandidates: eigendecomposition of order ${values.length} does not match a gradient of length ${n}`);
  }
  const c = new Float64Array(n); // c_i = v_iᵀ g
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += vectors[i * n + j] * g[j];
    c[i] = s;
  }
  return gammas.map((gamma) => {
    if (!(gamma > 0)) throw new RangeError(`saddle-free Newton needs γ > 0, got ${gamma}`);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const w = -c[i] / (Math.abs(values[i]) + gamma);
      for (let j = 0; j < n; j++) p[j] += w * vectors[i * n + j];
    }
    return { gamma, p };
  });
}

/**
 * Index of the smallest finite merit that is strictly below `current`, or −1 when none is.
 * Ties go to the earlier candidate (the larger γ, the more cautious step). The reference code
 * kept the LAST improving candidate instead of the best (docs/paper.md).
 */
export function pickBest(merits: readonly number[], current: number): number {
  let best = -1;
  for (let i = 0; i < merits.length; i++) {
    const m = merits[i];
    if (Number.isFinite(m) && m < current && (best < 0 || m < merits[best])) best = i;
  }
  return best;
}
