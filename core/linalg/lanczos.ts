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
  /**
   * A lower bound on ‖H‖₂ known beforehand: β is judged invariant-small against it as well as
   * against ‖T‖ so far (a start in ker H has ‖T‖ at round-off level, so only ‖H‖ tells that
   * β = ‖Hq₁‖ is round-off).
   */
  normHint?: number;
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
 * Vectors packed row by row into blocks of up to BLOCK_ROWS rows, so that reorthogonalising
 * against all of them is two matrix–vector products per block (gemm with OpenBLAS when kernels
 * are given: the O(n k²) part of full reorthogonalisation dominates for cheap products and large
 * n). Blocks are allocated as rows arrive: a run that stops early never holds `capacity` vectors
 * (at n = 10⁶ that is 8 MB a vector), and growing never copies.
 */
const BLOCK_ROWS = 16;

class PackedRows {
  private readonly blocks: Float64Array[] = [];
  rows = 0;
  private readonly coef = new Float64Array(BLOCK_ROWS);
  constructor(readonly n: number, readonly capacity: number, private readonly gemm?: Gemm) {}
  push(v: Float64Array): Float64Array {
    if (this.rows >= this.capacity) throw new RangeError(`lanczos: more than ${this.capacity} basis vectors`);
    const b = Math.floor(this.rows / BLOCK_ROWS);
    if (b === this.blocks.length) this.blocks.push(new Float64Array(this.n * Math.min(BLOCK_ROWS, this.capacity - this.rows)));
    const row = this.row(this.rows);
    row.set(v);
    this.rows++;
    return row;
  }
  row(r: number): Float64Array {
    const i = r % BLOCK_ROWS;
    return this.blocks[Math.floor(r / BLOCK_ROWS)].subarray(i * this.n, (i + 1) * this.n);
  }
  /** w ← w − Vᵀ(V w) (one classical Gram–Schmidt pass, block by block). */
  project(w: Float64Array): void {
    const { n, coef } = this;
    for (let b = 0; b < this.blocks.length; b++) {
      const data = this.blocks[b];
      const k = Math.min(BLOCK_ROWS, this.rows - b * BLOCK_ROWS);
      if (this.gemm) {
        this.gemm(false, false, k, 1, n, 1, data, n, w, 1, 0, coef, 1);
        this.gemm(true, false, n, 1, k, -1, data, n, coef, 1, 1, w, 1);
        continue;
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
}

type Gemm = DenseKernels['gemm'];

/**
 * The Lanczos process one step at a time, for callers that decide after each step whether to go
 * on (a quadrature bracket that has settled, core/analysis/spectral-flatness.ts). `lanczos` below
 * runs it for a fixed number of steps. T so far: alpha[0..steps), beta[0..steps) with
 * beta[steps − 1] = β_k, the norm of the current residual (0 once invariant).
 */
export class LanczosProcess {
  readonly alpha: number[] = [];
  readonly beta: number[] = [];
  readonly startNorm: number;
  readonly maxSteps: number;
  invariant = false;
  products = 0;
  private readonly ys: PackedRows;
  private readonly basis: PackedRows;
  private qj: Float64Array | undefined;
  private qPrev: Float64Array | undefined;
  private tNorm: number;
  private readonly w: Float64Array;

  /** Up to `maxSteps` steps of `op` (dimension n) from `start` (not modified; finite). */
  constructor(private readonly op: LinearOperator, readonly n: number, start: Float64Array, maxSteps: number, opts: LanczosOptions = {}) {
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`lanczos: steps must be an integer ≥ 1, got ${maxSteps}`);
    if (start.length !== n) throw new RangeError(`lanczos: start has length ${start.length}, expected n = ${n}`);
    const gemm = opts.kernels ? opts.kernels.gemm.bind(opts.kernels) : undefined;
    const ysIn = opts.orthogonalTo ?? [];
    this.ys = new PackedRows(n, ysIn.length, gemm);
    for (const y of ysIn) this.ys.push(y);
    const q = Float64Array.from(start);
    this.ys.project(q);
    this.ys.project(q);
    this.startNorm = norm2(q);
    if (!Number.isFinite(this.startNorm)) throw new RangeError('lanczos: start vector is not finite');
    this.maxSteps = Math.min(maxSteps, n - ysIn.length);
    // Full reorthogonalisation needs every basis vector, even when the caller does not keep them.
    this.basis = new PackedRows(n, Math.max(this.maxSteps, 1), gemm);
    this.w = new Float64Array(n);
    this.tNorm = opts.normHint ?? 0;
    if (this.startNorm === 0) {
      this.invariant = true;
      return;
    }
    for (let i = 0; i < n; i++) q[i] /= this.startNorm;
    this.qj = this.basis.push(q);
  }

  get steps(): number {
    return this.alpha.length;
  }

  /** Whether another step can be taken (not invariant, below maxSteps). */
  get canStep(): boolean {
    return !this.invariant && this.alpha.length < this.maxSteps;
  }

  /** One step: a product, α_j, reorthogonalisation, β_j. Returns canStep afterwards. */
  step(): boolean {
    if (!this.canStep) return false;
    const { n, w, alpha, beta } = this;
    const j = alpha.length;
    const qj = this.qj!;
    this.op(qj, w);
    this.products++;
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[i])) throw new RangeError(`lanczos: operator returned a non-finite entry at step ${j}`);
    if (this.qPrev) { const b = beta[j - 1]; const qp = this.qPrev; for (let i = 0; i < n; i++) w[i] -= b * qp[i]; }
    const a = dot(qj, w);
    for (let i = 0; i < n; i++) w[i] -= a * qj[i];
    alpha.push(a);
    // Classical Gram–Schmidt against Y and Q, repeated while a pass removes more than 1 − 1/√2 of
    // the norm (the DGKS criterion; "twice is enough": Daniel, Gragg, Kaufman & Stewart 1976;
    // Giraud et al. 2005). Each pass reads the whole basis: memory-bound for large n.
    for (let pass = 0; pass < 3; pass++) {
      const before = norm2(w);
      this.ys.project(w);
      this.basis.project(w);
      if (norm2(w) > Math.SQRT1_2 * before) break;
    }
    const b = norm2(w);
    beta.push(b);
    this.tNorm = Math.max(this.tNorm, Math.abs(a) + b + (j > 0 ? beta[j - 1] : 0));
    // β at round-off level relative to ‖T‖: the space is invariant (exactly, up to ε‖H‖).
    if (b <= 64 * Number.EPSILON * Math.max(this.tNorm, Number.MIN_VALUE) * Math.sqrt(n)) {
      beta[j] = 0;
      this.invariant = true;
    } else if (j + 1 === this.n - this.ys.rows) {
      // The whole space is spanned: the residual is round-off, T's eigenvalues are H's.
      beta[j] = 0;
      this.invariant = true;
    } else if (j + 1 < this.maxSteps) {
      for (let i = 0; i < n; i++) w[i] /= b;
      this.qPrev = qj;
      this.qj = this.basis.push(w);
    }
    return this.canStep;
  }

  /** The run so far as a LanczosResult (basis views only when `keepBasis`). */
  result(keepBasis: boolean): LanczosResult {
    const k = this.alpha.length;
    return {
      alpha: Float64Array.from(this.alpha), beta: Float64Array.from(this.beta), steps: k, startNorm: this.startNorm, invariant: this.invariant,
      basis: keepBasis ? Array.from({ length: k }, (_, r) => this.basis.row(r)) : [], products: this.products,
    };
  }
}

/**
 * At most `steps` Lanczos steps of `op` (dimension n) from `start` (not modified). Stops early
 * when the Krylov space is invariant. The start must be finite and not the zero vector unless
 * it lies in span Y (then steps = 0).
 */
export function lanczos(op: LinearOperator, n: number, start: Float64Array, steps: number, opts: LanczosOptions = {}): LanczosResult {
  const run = new LanczosProcess(op, n, start, steps, opts);
  while (run.step());
  return run.result(opts.keepBasis ?? true);
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
