/**
 * Float64 multilayer-perceptron oracle: loss, gradient (reverse mode) and the exact
 * Hessian-vector product by the R-operator (Pearlmutter 1994, forward-over-reverse).
 *
 * Conventions (those of the paper's reference code, docs/paper.md):
 *   MSE            f = (1/(N·d_out)) Σ_i Σ_k (ŷ_ik − y_ik)²     (mean over samples AND output units)
 *   softmax CE     f = (1/N) Σ_i [logsumexp(ŷ_i) − ŷ_i,label_i]  (stable log-sum-exp)
 *   ℓ2             + λ·mean(θ²) = (λ/n)·Σ θ² over ALL parameters (weights and biases).
 * θ layout: see architecture.ts ([W_1, b_1, W_2, b_2, …], W_l out×in row-major).
 *
 * Samples are rows. With A_0 = X (N×d_in) and for l = 1..L:
 *   Z_l = A_{l−1}·W_lᵀ + 1·b_lᵀ   (gemm with transB)      A_l = σ_l(Z_l)
 * Backward (dX = ∂f/∂X):
 *   dZ_l = dA_l ⊙ σ'(Z_l),  dW_l = dZ_lᵀ·A_{l−1},  db_l = 1ᵀ·dZ_l,  dA_{l−1} = dZ_l·W_l
 * R-pass along v = (V_l, c_l) (R{·} = directional derivative along v):
 *   R{Z_l} = R{A_{l−1}}·W_lᵀ + A_{l−1}·V_lᵀ + 1·c_lᵀ,   R{A_l} = σ'(Z_l) ⊙ R{Z_l},   R{A_0} = 0
 *   R{dA_L} = MSE: 2/(N·d_out)·R{A_L};  CE: row-wise (diag(p) − p pᵀ)·R{A_L}/N
 *   R{dZ_l} = R{dA_l} ⊙ σ'(Z_l) + dA_l ⊙ σ''(Z_l) ⊙ R{Z_l}
 *   R{dW_l} = R{dZ_l}ᵀ·A_{l−1} + dZ_lᵀ·R{A_{l−1}},   R{db_l} = 1ᵀ·R{dZ_l}
 *   R{dA_{l−1}} = R{dZ_l}·W_l + dZ_l·V_l
 *   H·v = R{∇f} + (2λ/n)·v
 *
 * Structure: the passes live in `MlpSliceEngine` (mlp-engine.ts), which computes the data term
 * over a slice of the samples as partial sums normalised by the WHOLE data set's N. This class
 * validates the inputs, counts calls, adds the ℓ2 term once, and either runs one engine over
 * all samples (threads = 1) or splits the samples into `threads` contiguous slices: slice 0 on
 * the calling thread, the others on worker threads (mlp-threads.ts, mlp-worker.ts), handed
 * their work through SharedArrayBuffers and Atomics. The partial results are summed in slice
 * order, so a threaded oracle is deterministic run to run; it agrees with the single-threaded
 * one to round-off (only the order of the per-sample sums differs).
 *
 * Caching: every engine (one per thread) caches its passes per θ, keyed by a private copy of θ
 * compared by content, so an HVP at a θ already seen redoes no forward/backward pass in any
 * thread. The oracle also caches the summed loss and gradient per θ.
 *
 * 'hvp-block' (`hvpBlock`): k HVPs in one batched R-pass per engine
 * (MlpSliceEngine.hvpBlockData, GEMM-shaped), also on the worker threads; the dense Hessian
 * (`hessian`) is built from blocks of unit vectors this way.
 *
 * 'layer-statistics' (K-FAC factors and the exact Gauss-Newton product) comes from the pure
 * functions of layer-statistics.ts, run on the calling thread over all samples (a private copy
 * of the inputs), without the engines' caches.
 */
import { availableParallelism } from 'node:os';
import type { LayerStatistics, LossAndGradient, Oracle, OracleCapability, OracleCounters } from '../../core/oracle/oracle.js';
import { checkTheta, emptyCounters } from '../../core/oracle/oracle.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { equalArrays, normSq } from '../../core/linalg/vector.js';
import { hessianFromHvps } from '../../core/linalg/dense-hessian.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { type MlpSpec, type ResolvedMlpSpec, layerLayout, parameterCount, resolveMlpSpec } from './architecture.js';
import { type MlpData, validateMlpData } from './data.js';
import { type CurvatureData, gaussNewtonProduct as gnProduct, layerStatistics as kfacFactors } from './layer-statistics.js';
import { LEVEL_BACKWARD, LEVEL_FORWARD, LEVEL_NONE, type MlpSlice, MlpSliceEngine, type UnitBlock, mlpFlopsPerHvp } from './mlp-engine.js';
import { CMD_GRADIENT, CMD_HVP, CMD_LOSS, MlpWorkerPool, WORKER_KERNELS, workerScriptAvailable } from './mlp-threads.js';
import { envField, z } from '../../core/io/fields.js';

export type { MlpData } from './data.js';

export interface MlpOracleOptions {
  /**
   * Samples per block in the blocked passes (default 512: a block's intermediates stay in L2,
   * and FFI kernels see few calls; 256–1024 measured alike with both kernel sets). Results do
   * not depend on it beyond round-off of the block-wise sums.
   */
  blockRows?: number;
  /**
   * Threads that share the samples: the calling thread plus `threads − 1` worker threads
   * (default: `defaultMlpThreads`: 2 for large problems on a multi-core machine, else 1;
   * $GRADFLAT_THREADS overrides it). At most N (each thread needs a sample). With threads > 1
   * the kernels must be a set a worker can build itself ('typescript' or 'openblas'), and
   * `dispose()` should be called when the oracle is no longer needed (idle workers never keep
   * the process alive, and they are also terminated when the oracle is garbage-collected).
   */
  threads?: number;
  /**
   * Contiguous sample chunks whose partial sums are added in chunk order (default: 2 for large
   * problems, else 1; see `defaultMlpChunks`). Results depend on the chunks, never on the
   * threads: threads ≤ chunks, and each chunk is summed the same way on whichever thread runs it.
   */
  chunks?: number;
}

/** Below these sizes the default is one chunk and one thread (see `defaultMlpChunks`). */
export const THREADS_MIN_SAMPLES = 2000;

/**
 * Directions per batched R-pass (`hvpBlock`, the dense Hessian): up to 64, and at most
 * 2²⁰/n so that the k×n blocks (shared with worker threads) stay ≤ 8 MiB. Results do not
 * depend on it beyond round-off.
 */
export function hvpBlockMaxFor(n: number): number {
  return Math.max(1, Math.min(64, Math.floor((1 << 20) / n)));
}
export const THREADS_MIN_WORK = 1e6;

/**
 * Default of the `threads` option: $GRADFLAT_THREADS when set (a positive integer), otherwise
 * 2 when the machine has at least 2 CPUs, the kernels can be rebuilt in a worker, N ≥ 2000 and
 * N·n ≥ 10⁶ (n = parameter count; the per-call work is then ≳ 0.2 ms with OpenBLAS), else 1.
 *
 * Measured on the 2-core development VM (AMD EPYC, Node 20), threads 2 vs 1, medians,
 * side by side in one process, nothing else running (ranges: repeated runs):
 *   16→8→16→16 Swish AE with biases (n = 552), N = 10⁴: HVP 14.5 → 7.3–7.8 ms (TS, 1.87–1.99×),
 *     3.1 → 1.6 ms (OpenBLAS, 1.9–2.0×); gradient at a new θ 1.9× (TS), 1.6–1.9× (OpenBLAS).
 *     N = 2000: HVP 1.9–2.0× (TS), 1.5–1.9× (OpenBLAS); N = 1000: 1.3–2.0×.
 *   16→16→4→16 Swish AE (n = 384), N = 10⁴: one Newton-MR iteration (387 HVPs) 3.2–3.4 s →
 *     1.7–1.85 s (TS, 1.83–1.88×), 0.92–0.93 s → 0.46–0.51 s (OpenBLAS, 1.82–1.98×).
 *   16→4→16 linear AE (n = 128), N = 10⁴: HVP 1.4–2.0× (TS), 1.15–1.8× (OpenBLAS).
 * With another CPU-bound process on the second core the two threads time-share one core and
 * threads = 2 was 0.94–1.00× (up to 0.72× for N = 2000 with OpenBLAS) — the price of the
 * default on a busy machine; set GRADFLAT_THREADS=1 (or the option) there.
 * Results do not depend on the thread count: see `chunks`.
 */
export function defaultMlpThreads(spec: MlpSpec | ResolvedMlpSpec, N: number, kernels: DenseKernels): number {
  const chunks = defaultMlpChunks(spec, N);
  if (!WORKER_KERNELS.includes(kernels.name) || !workerScriptAvailable()) return 1;
  const t = envField('GRADFLAT_THREADS', z.custom<string>((v) => Number.isInteger(Number(v)) && Number(v) >= 1).transform(Number),
    (raw) => `GRADFLAT_THREADS must be a positive integer (1 = no worker threads); got '${raw}'`);
  return t !== undefined ? Math.min(t, chunks) : Math.min(chunks, availableParallelism());
}

/**
 * Default of the `chunks` option: 2 when N ≥ 2000 and N·n ≥ 10⁶, else 1. It depends on the
 * problem only — never on the machine — so the same problem sums in the same order, and gives
 * the same numbers, on one core or two, with or without worker threads.
 */
export function defaultMlpChunks(spec: MlpSpec | ResolvedMlpSpec, N: number): number {
  return N < THREADS_MIN_SAMPLES || N * parameterCount(spec) < THREADS_MIN_WORK ? 1 : 2;
}

/** Terminates a pool whose oracle was garbage-collected without `dispose()`. */
const poolReaper = new FinalizationRegistry<MlpWorkerPool>((pool) => pool.dispose());

export class MlpOracle implements Oracle {
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian', 'layer-statistics', 'hvp-block']);
  readonly counters: OracleCounters = emptyCounters();
  readonly spec: ResolvedMlpSpec;
  /** False when ReLU is used: the HVP then takes σ'' = 0 (exact almost everywhere). */
  readonly smooth: boolean;
  readonly warnings: readonly string[];
  readonly N: number;
  readonly kernels: DenseKernels;
  readonly blockRows: number;
  /** Threads sharing the samples (1 = everything on the calling thread); ≤ chunks. */
  readonly threads: number;
  readonly chunks: number;
  readonly provenance: Readonly<Record<string, string | number>>;
  /** Directions per batched R-pass (see `hvpBlockMaxFor`); `hvpBlock` splits larger blocks. */
  readonly hvpBlockMax: number;

  /** The calling thread's engines: chunks 0 … chunks − threads (workers take one chunk each after those). */
  private readonly engines: MlpSliceEngine[];
  private readonly pool: MlpWorkerPool | null;

  /** Cache of the summed loss (and gradient), keyed by a copy of θ. */
  private readonly totalTheta: Float64Array;
  private readonly totalGradient: Float64Array;
  private totalLevel = LEVEL_NONE;
  private totalLoss = NaN;
  /** The calling thread's H·v data terms. */
  private readonly hvBuf: Float64Array;
  private readonly hvTmp: Float64Array;
  /** Per-engine block results when the calling thread runs several engines (allocated on first use). */
  private blockTmp: Float64Array | null = null;
  /** Private copy of the inputs for the curvature passes (layer-statistics.ts; calling thread, all samples). */
  private readonly curvatureData: CurvatureData;

  constructor(spec: MlpSpec, data: MlpData, kernels: DenseKernels = typescriptKernels, options: MlpOracleOptions = {}) {
    this.spec = resolveMlpSpec(spec);
    this.smooth = this.spec.smooth;
    this.warnings = this.spec.warnings;
    this.kernels = kernels;
    const n = parameterCount(this.spec);
    this.dim = n;

    validateMlpData(this.spec, data);
    const N = data.N;
    this.N = N;
    this.curvatureData = { inputs: Float64Array.from(data.inputs), N };
    const B = options.blockRows ?? 512;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`MlpOracle option blockRows must be a positive integer; got ${JSON.stringify(options.blockRows)}`);
    this.blockRows = Math.min(B, N);
    const T = options.threads;
    if (T !== undefined && (!Number.isInteger(T) || T < 1)) {
      throw new RangeError(`MlpOracle option threads must be a positive integer (1 = no worker threads); got ${JSON.stringify(T)}`);
    }
    if (T !== undefined && T > 1 && !WORKER_KERNELS.includes(kernels.name)) {
      throw new TypeError(`MlpOracle option threads > 1 needs kernels a worker thread can build itself (${WORKER_KERNELS.join(' or ')}); got kernels named '${kernels.name}'. Use threads: 1.`);
    }
    const C = options.chunks ?? defaultMlpChunks(this.spec, N);
    if (!Number.isInteger(C) || C < 1 || C > N) throw new RangeError(`MlpOracle option chunks must be an integer in [1, N = ${N}]; got ${JSON.stringify(options.chunks)}`);
    const threads = Math.min(T ?? defaultMlpThreads(this.spec, N, kernels), C);
    this.chunks = C;
    this.threads = threads;
    this.provenance = Object.freeze({ engine: 'float64 MLP (R-operator)', kernels: kernels.name, chunks: C, threads });

    this.totalTheta = new Float64Array(n);
    this.totalGradient = new Float64Array(n);
    this.hvBuf = new Float64Array(n);
    this.hvTmp = new Float64Array(n);
    this.hvpBlockMax = hvpBlockMaxFor(n);

    const dIn = this.spec.layers[0];
    const dOut = this.spec.layers[this.spec.layers.length - 1];
    const bounds: number[] = [];
    for (let c = 0; c <= C; c++) bounds.push(Math.round((c * N) / C));
    const chunk = (c: number): MlpSlice => ({
      inputs: data.inputs.subarray(bounds[c] * dIn, bounds[c + 1] * dIn),
      N: bounds[c + 1] - bounds[c],
      targets: data.targets ? data.targets.subarray(bounds[c] * dOut, bounds[c + 1] * dOut) : null,
      labels: data.labels ? data.labels.subarray(bounds[c], bounds[c + 1]) : null,
    });
    const own = C - threads + 1;
    if (threads === 1) {
      this.pool = null;
    } else {
      // Workers first, so that they load while this thread builds its engines.
      const slices: MlpSlice[] = [];
      for (let c = own; c < C; c++) slices.push(chunk(c));
      this.pool = new MlpWorkerPool(this.spec, slices, N, kernels.name, this.blockRows, n, this.hvpBlockMax);
      poolReaper.register(this, this.pool, this.pool);
    }
    this.engines = [];
    for (let c = 0; c < own; c++) this.engines.push(new MlpSliceEngine(this.spec, chunk(c), N, kernels, this.blockRows));
  }

  // ---- Oracle API --------------------------------------------------------------------------

  loss(theta: Float64Array): number {
    this.counters.loss++;
    checkTheta(theta, this.dim, 'parameter vector θ');
    this.ensureTotals(theta, LEVEL_FORWARD);
    return this.totalLoss;
  }

  gradient(theta: Float64Array, out?: Float64Array): LossAndGradient {
    this.counters.gradient++;
    if (out !== undefined) checkOut(out, this.dim, 'gradient');
    checkTheta(theta, this.dim, 'parameter vector θ');
    this.ensureTotals(theta, LEVEL_BACKWARD);
    const g = out ?? new Float64Array(this.dim);
    g.set(this.totalGradient);
    return { loss: this.totalLoss, gradient: g };
  }

  hvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    this.counters.hvp++;
    checkTheta(v, this.dim, 'hvp direction v');
    if (out !== undefined) checkOut(out, this.dim, 'hvp');
    checkTheta(theta, this.dim, 'parameter vector θ');
    const res = out ?? new Float64Array(this.dim);
    this.hvpInto(theta, v, res);
    return res;
  }

  /** K-FAC factors at θ (layer-statistics.ts); runs on the calling thread over all samples. */
  layerStatistics(theta: Float64Array): LayerStatistics[] {
    this.counters.statistics++;
    checkTheta(theta, this.dim, 'parameter vector θ');
    return kfacFactors(this.spec, this.curvatureData, theta, this.kernels, { blockRows: this.blockRows });
  }

  /** Exact Gauss-Newton product G(θ)·v with the ℓ2 term (layer-statistics.ts); calling thread, all samples. */
  gaussNewtonProduct(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    this.counters.gvp++;
    checkTheta(v, this.dim, 'Gauss-Newton product direction v');
    if (out !== undefined) checkOut(out, this.dim, 'gaussNewtonProduct');
    checkTheta(theta, this.dim, 'parameter vector θ');
    return gnProduct(this.spec, this.curvatureData, theta, v, this.kernels, out, { blockRows: this.blockRows });
  }

  /**
   * H·v_j for k directions (V: k×n, direction-major; see Oracle.hvpBlock) by batched R-passes
   * of up to `hvpBlockMax` directions (MlpSliceEngine.hvpBlockData), sharing the cached forward
   * and backward passes. Counts k HVPs in `counters.hvp`.
   */
  hvpBlock(theta: Float64Array, V: Float64Array, out?: Float64Array): Float64Array {
    const n = this.dim;
    if (!(V instanceof Float64Array) || V.length === 0 || V.length % n !== 0) {
      throw new RangeError(`MlpOracle.hvpBlock: V must be a Float64Array of k·n entries (k directions of n = ${n} parameters, one after another); got ${V instanceof Float64Array ? `length ${V.length}` : typeof V}`);
    }
    const k = V.length / n;
    this.counters.hvp += k;
    checkTheta(V, V.length, 'hvpBlock directions V');
    if (out !== undefined && (!(out instanceof Float64Array) || out.length !== k * n)) {
      throw new RangeError(`MlpOracle.hvpBlock: 'out' must be a Float64Array of length k·n = ${k * n} (k = ${k} directions); got ${out instanceof Float64Array ? `length ${out.length}` : typeof out}`);
    }
    checkTheta(theta, n, 'parameter vector θ');
    const res = out ?? new Float64Array(k * n);
    if (res.buffer === V.buffer && res.byteOffset < V.byteOffset + V.byteLength && V.byteOffset < res.byteOffset + res.byteLength) {
      throw new RangeError('MlpOracle.hvpBlock: out must not overlap V');
    }
    for (let j0 = 0; j0 < k; j0 += this.hvpBlockMax) {
      const kc = Math.min(this.hvpBlockMax, k - j0);
      this.hvpBlockInto(theta, V.subarray(j0 * n, (j0 + kc) * n), kc, res.subarray(j0 * n, (j0 + kc) * n));
    }
    return res;
  }

  /**
   * Dense n×n row-major Hessian from batched R-passes over blocks of unit vectors, each block
   * inside one layer's parameters: such directions leave R{Z}, R{A} zero before that layer (the
   * batched pass skips those products), their [V|c] products are scatters, and the rows for
   * LATER layers are not computed — they are the transposed blocks of the later layers' own
   * passes (H symmetric). Within a layer's diagonal block, (H + Hᵀ)/2. Counts n HVPs in
   * `counters.hvp` (the work of n products, done as ⌈n/k⌉ passes).
   */
  hessian(theta: Float64Array): Float64Array {
    const n = this.dim;
    checkTheta(theta, n, 'parameter vector θ');
    const H = new Float64Array(n * n);
    const kMax = this.hvpBlockMax;
    const E = new Float64Array(kMax * n);
    const layerEnd = new Int32Array(n);
    for (const ly of layerLayout(this.spec)) {
      const start = ly.weightOffset;
      const end = ly.biasOffset >= 0 ? ly.biasOffset + ly.outputs : ly.weightOffset + ly.outputs * ly.inputs;
      layerEnd.fill(end, start, end);
      for (let j0 = start; j0 < end; j0 += kMax) {
        const kc = Math.min(kMax, end - j0);
        for (let t = 0; t < kc; t++) E[t * n + j0 + t] = 1;
        this.hvpBlockInto(theta, E, kc, H.subarray(j0 * n, (j0 + kc) * n), { start: j0, lowerOnly: true });
        for (let t = 0; t < kc; t++) E[t * n + j0 + t] = 0;
      }
    }
    this.counters.hvp += n;
    for (let r = 0; r < n; r++) {
      const e = layerEnd[r];
      for (let c = r + 1; c < e; c++) { const s = 0.5 * (H[r * n + c] + H[c * n + r]); H[r * n + c] = s; H[c * n + r] = s; }
      for (let c = e; c < n; c++) H[r * n + c] = H[c * n + r];
    }
    return H;
  }

  /** The dense Hessian by n sequential HVPs (the build before batched products; kept as the reference and the bench's baseline). Counts n HVPs. */
  hessianSequential(theta: Float64Array): Float64Array {
    const n = this.dim;
    checkTheta(theta, n, 'parameter vector θ');
    const H = hessianFromHvps(n, (e, out) => this.hvpInto(theta, e, out));
    this.counters.hvp += n;
    return H;
  }

  /** Flops (2 per multiply-add) of the matrix products of one HVP with a cached forward/backward pass; bias columns and elementwise work excluded. */
  flopsPerHvp(): number {
    return mlpFlopsPerHvp(this.spec, this.N);
  }

  /**
   * Terminates the worker threads (threads > 1); later calls of the oracle then throw.
   * A no-op with threads = 1. Idempotent.
   */
  dispose(): void {
    if (this.pool !== null) {
      poolReaper.unregister(this.pool);
      this.pool.dispose();
    }
  }

  /**
   * Forward and backward passes run so far by each thread's engine (index 0: the calling
   * thread); diagnostics, e.g. to check that an HVP at a cached θ redoes no pass anywhere.
   */
  passCounts(): { forward: number; backward: number }[] {
    const own = this.engines.map((e) => ({ forward: e.forwardPasses, backward: e.backwardPasses }));
    return this.pool === null ? own : [...own, ...this.pool.passCounts()];
  }

  // ---- combination of the per-thread partial sums -----------------------------------------

  /** The summed loss (and gradient, at LEVEL_BACKWARD) at θ, with the ℓ2 term; θ validated. */
  private ensureTotals(theta: Float64Array, need: number): void {
    const tc = this.totalTheta;
    if (this.totalLevel !== LEVEL_NONE && !equalArrays(tc, theta)) this.totalLevel = LEVEL_NONE;
    if (this.totalLevel >= need) return;
    if (this.totalLevel === LEVEL_NONE) tc.set(theta);
    const pool = this.pool;
    if (pool !== null) pool.post(need >= LEVEL_BACKWARD ? CMD_GRADIENT : CMD_LOSS, tc);
    try {
      for (const e of this.engines) e.ensure(tc, need);
    } finally {
      pool?.wait();
    }
    // Partial sums in chunk order: the calling thread's chunks, then the workers'.
    const g = this.totalGradient;
    let dataLoss = 0;
    if (need >= LEVEL_BACKWARD) g.fill(0);
    const add = (loss: number, grad: Float64Array) => {
      dataLoss += loss;
      if (need >= LEVEL_BACKWARD) for (let i = 0; i < g.length; i++) g[i] += grad[i];
    };
    for (const e of this.engines) add(e.dataLoss, e.dataGradient);
    if (pool !== null) for (let w = 0; w < pool.size; w++) add(pool.results[w][0], pool.vectors[w]);
    const lam = this.spec.l2;
    let l2 = 0;
    if (lam !== 0) l2 = (lam / tc.length) * normSq(tc);
    this.totalLoss = dataLoss + l2;
    if (need >= LEVEL_BACKWARD && lam !== 0) {
      const c = (2 * lam) / tc.length;
      for (let i = 0; i < g.length; i++) g[i] += c * tc[i];
    }
    this.totalLevel = need;
  }

  /** H·v_j for k ≤ hvpBlockMax directions (V k×n) into `res` (k×n, not aliasing V); θ and V validated. */
  private hvpBlockInto(theta: Float64Array, V: Float64Array, k: number, res: Float64Array, unit?: UnitBlock): void {
    const n = this.dim;
    const pool = this.pool;
    if (pool !== null) pool.postBlock(theta, V, k, unit);
    try {
      for (let e = 0; e < this.engines.length; e++) {
        const eng = this.engines[e];
        eng.ensure(theta, LEVEL_BACKWARD);
        if (e === 0) eng.hvpBlockData(V, k, res, unit);
        else {
          const tmp = (this.blockTmp ??= new Float64Array(this.hvpBlockMax * n));
          eng.hvpBlockData(V, k, tmp, unit);
          for (let i = 0; i < k * n; i++) res[i] += tmp[i];
        }
      }
    } finally {
      pool?.wait();
    }
    if (pool !== null) {
      for (let w = 0; w < pool.size; w++) {
        const hw = pool.blockResults[w];
        for (let i = 0; i < k * n; i++) res[i] += hw[i];
      }
    }
    const lam = this.spec.l2;
    if (lam !== 0) {
      const c = (2 * lam) / n;
      for (let i = 0; i < k * n; i++) res[i] += c * V[i];
    }
  }

  /** H·v into `res` (may alias v); θ and v validated. */
  private hvpInto(theta: Float64Array, v: Float64Array, res: Float64Array): void {
    const pool = this.pool;
    if (pool !== null) pool.post(CMD_HVP, theta, v);
    const hv = this.hvBuf;
    try {
      for (let k = 0; k < this.engines.length; k++) {
        const e = this.engines[k];
        e.ensure(theta, LEVEL_BACKWARD);
        if (k === 0) e.hvpData(v, hv);
        else {
          e.hvpData(v, this.hvTmp);
          for (let i = 0; i < hv.length; i++) hv[i] += this.hvTmp[i];
        }
      }
    } finally {
      pool?.wait();
    }
    if (pool !== null) {
      for (let w = 0; w < pool.size; w++) {
        const hw = pool.vectors[w];
        for (let i = 0; i < hv.length; i++) hv[i] += hw[i];
      }
    }
    const lam = this.spec.l2;
    if (lam !== 0) {
      const c = (2 * lam) / this.dim;
      for (let i = 0; i < res.length; i++) res[i] = hv[i] + c * v[i];
    } else {
      res.set(hv);
    }
  }
}

function checkOut(out: Float64Array, n: number, who: string): void {
  if (!(out instanceof Float64Array) || out.length !== n) {
    throw new RangeError(`MlpOracle.${who}: 'out' must be a Float64Array of length ${n} (the parameter count); got ${out instanceof Float64Array ? `length ${out.length}` : typeof out}`);
  }
}

