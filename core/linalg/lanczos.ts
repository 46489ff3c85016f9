/**
 * Symmetric Lanczos with full reorthogonalisation, for Hessians known only through
 * Hessian-vector products (Golub & Van Loan, Matrix Computations §10.1; Parlett, The Symmetric
 * Eigenvalue Problem §13). k steps from a start q₁ build an orthonormal basis Q_k of the Krylov
 * space and the tridiagonal T_k = Q_kᵀ H Q_k, with H Q_k = Q_k T_k + β_k q_{k+1} e_kᵀ.
 *
 * Full reorthogonalisation (classical Gram–Schmidt twice against every basis vector, "twice is
 * enough") keeps Q_k orthonormal to working precision, so Ritz values do not come in spurious
 * copies and the residual bound below holds to round-off. Cost: k products and O(n k²) flops,
 * memory k + 1 vectors of length n.
 *
 * Ritz pairs (θᵢ, yᵢ = Q_k sᵢ) with T_k sᵢ = θᵢ sᵢ have the residual ‖H yᵢ − θᵢ yᵢ‖ = β_k |s_{k,i}|
 * (the last component of sᵢ), free of any further product; an eigenvalue of H lies within it.
 */
import { Rng } from '../random/rng.js';
import type { DenseKernels } from './kernels.js';
import { tridiagonalEigen } from './symmetric-eigen.js';
import { dot, norm2 } from './vector.js';

/** v ↦ H v, written into `out` (a Hessian-vector product). */
export type LinearOperator = (v: Float64Array, out: Float64Array) => void;

export interface LanczosOptions {
  /**
   * Orthonormal vectors Y to work orthogonally to: the start is projected and every new basis
   * vector is reorthogonalised against Y as well, which runs Lanczos on (I − YYᵀ) H (I − YYᵀ)
   * restricted to Y^⊥ (deflation of eigenvectors already found).
   */
  orthogonalTo?: readonly Float64Array[];
  /** Keep the basis vectors (needed for Ritz vectors; default true). */
  keepBasis?: boolean;
  /** Dense kernels: reorthogonalisation by gemm (OpenBLAS) instead of TypeScript loops. */
  kernels?: Pick<DenseKernels, 'gemm'>;
}

export interface LanczosResult {
  /** Diagonal of T (length `steps`). */
  alpha: Float64Array;
  /** beta[j] = T[j, j+1] for j < steps − 1; beta[steps − 1] = β_k, the norm of the last residual. */
  beta: Float64Array;
  steps: number;
  /** ‖start‖ after projection (the probe's weight in quadrature; 0 when the start lay in span Y). */
  startNorm: number;
  /** The Krylov space became invariant (β < round-off): T's eigenvalues are eigenvalues of H. */
  invariant: boolean;
  /** q₁ … q_k (empty when keepBasis is false). */
  basis: Float64Array[];
  /** Operator applications made. */
  products: number;
}

/**
 * Vectors packed row by row into one buffer, so that reorthogonalising against all of them is two
 * matrix–vector products (gemm with OpenBLAS when kernels are given: the O(n k²) part of full
 * reorthogonalisation dominates for cheap products and large n).
 */
class PackedRows {
  readonly data: Float64Array;
  rows = 0;
  private readonly coef: Float64Array;
  constructor(readonly n: number, readonly capacity: number, private readonly gemm?: Gemm) {
    this.data = new Float64Array(n * capacity);
    this.coef = new Float64Array(capacity);
  }
  push(v: Float64Array): Float64Array {
    const row = this.data.subarray(this.rows * this.n, (this.rows + 1) * this.n);
    row.set(v);
    this.rows++;
    return row;
  }
  /** w ← w − Vᵀ(V w) (one classical Gram–Schmidt pass). */
  project(w: Float64Array): void {
    const { n, rows: k, data, coef } = this;
    if (k === 0) return;
    if (this.gemm) {
      this.gemm(false, false, k, 1, n, 1, data, n, w, 1, 0, coef, 1);
      this.gemm(true, false, n, 1, k, -1, data, n, coef, 1, 1, w, 1);
      return;
    }
    for (let r = 0; r < k; r++) {
      const base = r * n;
      let c = 0;
      for (let i = 0; i < n; i++) c += data[base + i] * w[i];
      coef[r] = c;
    }
    for (let r = 0; r < k; r++) {
      const base = r * n;
      const c = coef[r];
      if (c !== 0) for (let i = 0; i < n; i++) w[i] -= c * data[base + i];
    }
  }
}

type Gemm = DenseKernels['gemm'];

/**
 * At most `steps` Lanczos steps of `op` (dimension n) from `start` (not modified). Stops early
 * when the Krylov space is invariant. The start must be finite and not the zero vector unless
 * it lies in span Y (then steps = 0).
 */
export function lanczos(op: LinearOperator, n: number, start: Float64Array, steps: number, opts: LanczosOptions = {}): LanczosResult {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`lanczos: steps must be an integer ≥ 1, got ${steps}`);
  if (start.length !== n) throw new RangeError(`lanczos: start has length ${start.length}, expected n = ${n}`);
  const gemm = opts.kernels ? opts.kernels.gemm.bind(opts.kernels) : undefined;
  const ysIn = opts.orthogonalTo ?? [];
  const ys = new PackedRows(n, ysIn.length, gemm);
  for (const y of ysIn) ys.push(y);
  const keep = opts.keepBasis ?? true;
  const q = Float64Array.from(start);
  ys.project(q);
  ys.project(q);
  const startNorm = norm2(q);
  const empty = { alpha: new Float64Array(0), beta: new Float64Array(0), steps: 0, startNorm, invariant: true, basis: [], products: 0 };
  if (!Number.isFinite(startNorm)) throw new RangeError('lanczos: start vector is not finite');
  if (startNorm === 0) return empty;
  for (let i = 0; i < n; i++) q[i] /= startNorm;
  const maxSteps = Math.min(steps, n - ysIn.length);
  const alpha: number[] = [];
  const beta: number[] = [];
  // Full reorthogonalisation needs every basis vector, even when the caller does not keep them.
  const basis = new PackedRows(n, maxSteps, gemm);
  let qj = basis.push(q);
  let qPrev: Float64Array | undefined;
  let tNorm = 0;
  let invariant = false;
  let products = 0;
  const w = new Float64Array(n);
  for (let j = 0; j < maxSteps; j++) {
    op(qj, w);
    products++;
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[i])) throw new RangeError(`lanczos: operator returned a non-finite entry at step ${j}`);
    if (qPrev) { const b = beta[j - 1]; for (let i = 0; i < n; i++) w[i] -= b * qPrev[i]; }
    const a = dot(qj, w);
    for (let i = 0; i < n; i++) w[i] -= a * qj[i];
    alpha.push(a);
    // Classical Gram–Schmidt against Y and Q, repeated while a pass removes more than 1 − 1/√2 of
    // the norm (the DGKS criterion; "twice is enough": Daniel, Gragg, Kaufman & Stewart 1976;
    // Giraud et al. 2005). Each pass reads the whole basis: memory-bound for large n.
    for (let pass = 0; pass < 3; pass++) {
      const before = norm2(w);
      ys.project(w);
      basis.project(w);
      if (norm2(w) > Math.SQRT1_2 * before) break;
    }
    const b = norm2(w);
    beta.push(b);
    tNorm = Math.max(tNorm, Math.abs(a) + b + (j > 0 ? beta[j - 1] : 0));
    // β at round-off level relative to ‖T‖: the space is invariant (exactly, up to ε‖H‖).
    if (b <= 64 * Number.EPSILON * Math.max(tNorm, Number.MIN_VALUE) * Math.sqrt(n)) {
      beta[j] = 0;
      invariant = true;
      break;
    }
    if (j + 1 < maxSteps) {
      for (let i = 0; i < n; i++) w[i] /= b;
      qPrev = qj;
      qj = basis.push(w);
    }
  }
  const k = alpha.length;
  if (k === n - ysIn.length) invariant = true;
  return {
    alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), steps: k, startNorm, invariant,
    basis: keep ? Array.from({ length: k }, (_, r) => basis.data.subarray(r * n, (r + 1) * n)) : [], products,
  };
}

export interface RitzValues {
  /** Ritz values θ, ascending. */
  values: Float64Array;
  /** ‖H y − θ y‖ = β_k |s_{k,i}| (0 when the space is invariant; floored at round-off). */
  residuals: Float64Array;
  /** Gauss quadrature weights s_{1,i}² (sum 1): the start's spectral measure at θᵢ. */
  weights: Float64Array;
  /** Eigenvectors of T as rows (k×k), for Ritz vectors. */
  tVectors: Float64Array;
}

/** Ritz values, residual bounds and quadrature weights of a Lanczos run. */
export function ritzValues(run: LanczosResult): RitzValues {
  const k = run.steps;
  const { values, vectors } = tridiagonalEigen(run.alpha, run.beta, true);
  const s = vectors!;
  const betaK = run.invariant ? 0 : run.beta[k - 1];
  let tNorm = 0;
  for (let i = 0; i < k; i++) tNorm = Math.max(tNorm, Math.abs(values[i]));
  // The computed residuals are exact in exact arithmetic; below ~ε‖T‖√k they mean nothing.
  const floor = 64 * Number.EPSILON * tNorm * Math.sqrt(Math.max(k, 1));
  const residuals = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    residuals[i] = Math.max(Math.abs(betaK * s[i * k + k - 1]), floor);
    weights[i] = s[i * k] * s[i * k];
  }
  return { values, residuals, weights, tVectors: s };
}

/** The Ritz vector y_i = Q_k s_i (needs the basis). */
export function ritzVector(run: LanczosResult, ritz: RitzValues, i: number, n: number): Float64Array {
  const k = run.steps;
  if (run.basis.length !== k) throw new Error('ritzVector: the Lanczos run did not keep its basis (keepBasis: false)');
  const y = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const c = ritz.tVectors[i * k + j];
    const q = run.basis[j];
    for (let r = 0; r < n; r++) y[r] += c * q[r];
  }
  return y;
}

export interface RitzPair {
  value: number;
  /** β_k |s_{k,i}|: some eigenvalue of H lies in [value − residual, value + residual]. */
  residual: number;
  /** ‖H y − θ y‖ from one extra product (only with `verify`). */
  verifiedResidual?: number;
  vector?: Float64Array;
}

export interface ExtremalOptions {
  /** Eigenpairs wanted at each end (default 3). */
  k?: number;
  /** Lanczos steps (default min(n, max(4k, 80))). */
  steps?: number;
  /** The start vector (default: Rademacher from `seed`). */
  start?: Float64Array;
  /** Seed of the Rademacher start (default 1). */
  seed?: number;
  /** Compute ‖H y − θ y‖ with one extra product per pair (default false). */
  verify?: boolean;
  /** Return the Ritz vectors (default false). */
  vectors?: boolean;
  kernels?: LanczosOptions['kernels'];
}

export interface ExtremalEigenpairs {
  /** The k smallest Ritz pairs, ascending. */
  smallest: RitzPair[];
  /** The k largest Ritz pairs, descending. */
  largest: RitzPair[];
  run: LanczosResult;
  ritz: RitzValues;
  products: number;
}

/** A Rademacher (±1) vector from the seeded generator (Hutchinson probes, Lanczos starts). */
export function rademacher(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i += 32) {
    let bits = rng.nextUint32();
    for (let j = i; j < Math.min(n, i + 32); j++, bits >>>= 1) v[j] = bits & 1 ? 1 : -1;
  }
  return v;
}

/**
 * The k extremal eigenpairs at both ends of H from one Lanczos run with full
 * reorthogonalisation. Each pair carries its residual bound; Ritz values lie inside
 * [λ_min, λ_max] (Cauchy interlacing), so smallest[0].value ≥ λ_min and largest[0].value ≤ λ_max.
 */
export function extremalEigenpairs(op: LinearOperator, n: number, opts: ExtremalOptions = {}): ExtremalEigenpairs {
  const k = opts.k ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`extremalEigenpairs: k must be an integer ≥ 1, got ${k}`);
  const steps = Math.min(n, opts.steps ?? Math.max(4 * k, 80));
  const start = opts.start ?? rademacher(n, opts.seed ?? 1);
  const wantVectors = Boolean(opts.verify || opts.vectors);
  const run = lanczos(op, n, start, steps, { keepBasis: wantVectors, kernels: opts.kernels });
  const ritz = ritzValues(run);
  let products = run.products;
  const pair = (i: number): RitzPair => {
    const p: RitzPair = { value: ritz.values[i], residual: ritz.residuals[i] };
    if (wantVectors) {
      const y = ritzVector(run, ritz, i, n);
      if (opts.verify) {
        const hy = new Float64Array(n);
        op(y, hy);
        products++;
        for (let r = 0; r < n; r++) hy[r] -= p.value * y[r];
        p.verifiedResidual = norm2(hy);
      }
      if (opts.vectors) p.vector = y;
    }
    return p;
  };
  const m = run.steps;
  const kk = Math.min(k, m);
  const smallest = Array.from({ length: kk }, (_, i) => pair(i));
  const largest = Array.from({ length: kk }, (_, i) => pair(m - 1 - i));
  return { smallest, largest, run, ritz, products };
}
