/**
 * Exact Newton-type directions from a symmetric eigendecomposition H = Σ λ_i v_i v_iᵀ
 * (the dense counterpart of MINRES-QLP for n within the dense limit, to check what the Krylov
 * solve reports).
 *
 *   pseudo-inverse      x = A⁺b = Σ_{|λ_i| > c} (v_iᵀb / λ_i) v_i,   c = rcond·‖A‖₂
 *   Levenberg–Marquardt x = (A² + μI)⁻¹ A b = Σ_{|λ_i| > c} λ_i (v_iᵀb) / (λ_i² + μ) v_i
 *
 * With b = −g, the first is p = −H⁺g: the minimum-norm least-squares solution of Hp = −g, the
 * point MINRES-QLP converges to in exact arithmetic. The second minimises ‖g + Hp‖² + μ‖p‖²
 * (the Gauss–Newton model of the merit ‖g‖² plus a trust term) and tends to the first as μ → 0.
 *
 * The cutoff c = max(rcond, n·eps)·‖A‖₂. An eigenvalue computed by a backward-stable eigensolver
 * is within about n·eps·‖A‖₂ of an eigenvalue of A (the same bound numpy's pinv/lstsq and
 * LAPACK's rank decisions use), and a Hessian assembled from HVPs carries round-off of a smaller
 * or similar relative size: directions with |λ| at that level are noise, and dividing by them
 * would make ‖x‖ arbitrarily large. Anything above it is curvature the decomposition resolves,
 * and dropping it leaves part of b unsolved: a fixed rcond = 1e-10 left true relative residuals
 * up to 7e-3 on the linear AE (an eigenvalue at 7e-11·‖H‖₂, 2,000× the noise), and above a large
 * ‖H‖₂ it can exceed a regulariser's whole curvature. So the default rcond is 0 (the noise floor
 * only); a larger rcond is a deliberate truncation.
 * The same cutoff is applied to the LM direction, so that LM → pseudo-inverse as μ → 0.
 *
 * Pure functions, O(n²) given the decomposition (eigenvectors as ROWS, as DenseKernels returns).
 */

export const DEFAULT_PINV_RCOND = 0;

/** The relative cutoff actually applied: never below the eigensolver's noise n·eps. */
export const effectiveRcond = (rcond: number, n: number): number => Math.max(rcond, n * Number.EPSILON);

export interface EigenDecomposition {
  n: number;
  /** Ascending eigenvalues. */
  values: Float64Array;
  /** n×n row-major, row i is the eigenvector of values[i]. */
  vectors: Float64Array;
}

export interface SpectralSolve {
  x: Float64Array;
  /** ‖A‖₂ = max |λ|. */
  spectralNorm: number;
  /** Absolute cutoff c = max(rcond, n·eps)·‖A‖₂; directions with |λ| ≤ c are dropped. */
  cutoff: number;
  /** Number of eigen-directions kept (the numerical rank). */
  rank: number;
  /** Smallest kept |λ| (∞ when none was kept). */
  minKept: number;
}

export function spectralNormOf(values: Float64Array): number {
  const n = values.length;
  return n ? Math.max(Math.abs(values[0]), Math.abs(values[n - 1])) : 0;
}

/** c = Vb: the coordinates of b in the eigenbasis. */
export function eigenCoefficients(e: EigenDecomposition, b: Float64Array): Float64Array {
  return denseMatVec(e.vectors, e.n, b); // the eigenvectors are V's rows
}

/** x = Σ_i f(λ_i)·c_i·v_i over the kept directions (|λ_i| > cutoff). */
function filteredSolve(e: EigenDecomposition, b: Float64Array, rcond: number, filter: (lambda: number) => number): SpectralSolve {
  if (!(rcond >= 0) || !Number.isFinite(rcond)) throw new RangeError(`pseudo-inverse rcond must be a finite number ≥ 0, got ${rcond}`);
  const { n, values, vectors } = e;
  if (b.length !== n) throw new RangeError(`right-hand side has length ${b.length}, but the matrix is ${n}×${n}`);
  const spectralNorm = spectralNormOf(values);
  const cutoff = effectiveRcond(rcond, n) * spectralNorm;
  const c = eigenCoefficients(e, b);
  const x = new Float64Array(n);
  let rank = 0;
  let minKept = Infinity;
  for (let i = 0; i < n; i++) {
    const lambda = values[i];
    const a = Math.abs(lambda);
    if (!(a > cutoff)) continue;
    rank++;
    if (a < minKept) minKept = a;
    const f = filter(lambda) * c[i];
    const off = i * n;
    for (let j = 0; j < n; j++) x[j] += f * vectors[off + j];
  }
  return { x, spectralNorm, cutoff, rank, minKept };
}

/** x = A⁺b with eigenvalues |λ| ≤ max(rcond, n·eps)·‖A‖₂ treated as zero (minimum-norm least squares). */
export function pseudoInverseSolve(e: EigenDecomposition, b: Float64Array, rcond = DEFAULT_PINV_RCOND): SpectralSolve {
  return filteredSolve(e, b, rcond, (lambda) => 1 / lambda);
}

/** x = (A² + μI)⁻¹Ab (μ ≥ 0), with the same cutoff as the pseudo-inverse. */
export function levenbergMarquardtSolve(e: EigenDecomposition, b: Float64Array, mu: number, rcond = DEFAULT_PINV_RCOND): SpectralSolve {
  if (!(mu >= 0) || !Number.isFinite(mu)) throw new RangeError(`Levenberg–Marquardt μ must be a finite number ≥ 0, got ${mu}`);
  return filteredSolve(e, b, rcond, (lambda) => lambda / (lambda * lambda + mu));
}

/** out ← A·x for an n×n row-major A (the true-residual check of a dense solve). */
export function denseMatVec(a: Float64Array, n: number, x: Float64Array, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) s += a[off + j] * x[j];
    out[i] = s;
  }
  return out;
}
