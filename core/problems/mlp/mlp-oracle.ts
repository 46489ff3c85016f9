/**
 * Float64 multilayer-perceptron oracle: loss, gradient (reverse mode) and the exact
 * Hessian-vector product by the R-operator (Pearlmutter 1994, forward-over-reverse).
 *
 * Conventions (those of the paper's reference code, see /work/shared/PAPER-NOTES.md):
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
 * Performance design:
 * - Everything that does not depend on v (A_l, σ'(Z_l), dA_l⊙σ''(Z_l), dZ_l, softmax p) is cached
 *   per θ; the cache key is a private copy of θ compared by content on every call, so in-place
 *   mutation of the caller's array can never yield stale results.
 * - A column of ones carries the biases through the gemms (no separate bias or column-sum
 *   passes): act_l = [A_l | 1] (N×(w+β), β = 1 with biases), and
 *     Z_l         = [A_{l−1} | 1] · [W_l | b_l]ᵀ
 *     R{Z_l}      = R{A_{l−1}} · W_lᵀ + [A_{l−1} | 1] · [V_l | c_l]ᵀ
 *     [dW | db]   = dZ_lᵀ · [A_{l−1} | 1]
 *     [R{dW} | R{db}] = R{dZ_l}ᵀ · [A_{l−1} | 1]  (+ dZ_lᵀ · R{A_{l−1}} on the W part)
 * - The passes run over blocks of `blockRows` samples through the whole network. Only the
 *   v-independent caches (A_l, σ', dA⊙σ'', dZ_l) are N-sized; the per-HVP quantities R{Z_l},
 *   R{A_l}, R{dA}, R{dZ} are block-local and stay in cache (this measured faster than fusing
 *   pairs of gemms through interleaved N-sized buffers). The weight-gradient gemms accumulate
 *   over blocks (beta = 1).
 * - All work buffers are allocated in the constructor; per call only the returned vector is
 *   allocated, and only when `out` is not given.
 *
 * Per-layer activations a_l (`act_l`, first w columns) and back-propagated δ_l = dZ_l (`dz_l`)
 * are kept per θ, ready to be exposed for a future 'layer-statistics' capability
 * (K-FAC); that capability is not declared yet.
 */
import type { LossAndGradient, Oracle, OracleCapability, OracleCounters } from '../../oracle/oracle.js';
import { checkTheta, emptyCounters } from '../../oracle/oracle.js';
import type { DenseKernels } from '../../linalg/kernels.js';
import { typescriptKernels } from '../../linalg/kernels-typescript.js';
import { type Activation, type MlpSpec, type ResolvedMlpSpec, layerLayout, parameterCount, resolveMlpSpec } from './architecture.js';
import { type MlpData, validateMlpData } from './data.js';

export type { MlpData } from './data.js';

export interface MlpOracleOptions {
  /**
   * Samples per block in the blocked passes (default 512: a block's intermediates stay in L2,
   * and FFI kernels see few calls; 256–1024 measured alike with both kernel sets). Results do
   * not depend on it beyond round-off of the block-wise sums.
   */
  blockRows?: number;
}

const ACT_IDENTITY = 0;
const ACT_SWISH = 1;
const ACT_TANH = 2;
const ACT_RELU = 3;

function activationCode(a: Activation): number {
  switch (a) {
    case 'identity': return ACT_IDENTITY;
    case 'swish': return ACT_SWISH;
    case 'tanh': return ACT_TANH;
    case 'relu': return ACT_RELU;
  }
}

/** Buffers and views of one layer l (maps `inW` → `outW` units). */
interface LayerBuffers {
  readonly index: number;
  readonly inW: number;
  readonly outW: number;
  /** Activation code (ACT_*). */
  readonly code: number;
  /** inW + β: columns of [A_{l−1} | 1] (its row stride) and of [W_l | b_l]. */
  readonly kIn: number;
  /** Row stride of act: outW + β. */
  readonly actStride: number;
  /** [A_l | 1], N×actStride (per θ). */
  readonly act: Float64Array;
  /** σ'(Z_l), N×outW; null for identity. */
  readonly d1: Float64Array | null;
  /** σ''(Z_l) after the forward pass, dA_l ⊙ σ''(Z_l) after backward; null when σ'' ≡ 0. */
  readonly d2: Float64Array | null;
  /** dZ_l = δ_l, N×outW (per θ). */
  readonly dz: Float64Array;
  /** Block-local Z_l (forward) or R{Z_l} (HVP), blockRows×outW. */
  readonly rz: Float64Array;
  /** Block-local R{A_l}, blockRows×outW. */
  readonly ra: Float64Array;
  /** R{A_{l−1}} of the previous layer's block (null for layer 1: R{A_0} = 0). */
  readonly prevRa: Float64Array | null;
  /** [W_l | b_l], outW×kIn, per θ. */
  readonly wb: Float64Array;
  /** [V_l | c_l], outW×kIn, per HVP. */
  readonly vc: Float64Array;
  /** Accumulator of [dW_l | db_l] or [R{dW_l} | R{db_l}], outW×kIn. */
  readonly acc: Float64Array;
  readonly weightOffset: number;
  readonly biasOffset: number;
  /** W_l and V_l: views of the cached θ and of the copy of v. */
  readonly W: Float64Array;
  readonly V: Float64Array;
  /** Per block: views at the block's first row (gemm takes no offsets). */
  readonly inBlocks: Float64Array[];
  readonly dzBlocks: Float64Array[];
}

const LEVEL_NONE = 0;
/** Activations, σ', σ'', softmax p and the loss. */
const LEVEL_FORWARD = 1;
/** + dZ_l, dA_l⊙σ'' and the gradient. */
const LEVEL_BACKWARD = 2;

export class MlpOracle implements Oracle {
  readonly dim: number;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian']);
  readonly counters: OracleCounters = emptyCounters();
  readonly spec: ResolvedMlpSpec;
  /** False when ReLU is used: the HVP then takes σ'' = 0 (exact almost everywhere). */
  readonly smooth: boolean;
  readonly warnings: readonly string[];
  readonly N: number;
  readonly kernels: DenseKernels;
  readonly blockRows: number;

  private readonly targets: Float64Array | null;
  private readonly labels: Int32Array | null;
  private readonly dOut: number;
  private readonly isCE: boolean;
  private readonly layersBuf: LayerBuffers[];
  private readonly nBlocks: number;
  /** Softmax probabilities (CE), N×d_out. */
  private readonly prob: Float64Array | null;
  /** Block-local dA / R{dA}, blockRows×max width. */
  private readonly scratch: Float64Array;
  /** Block-local R{dZ}, blockRows×max width. */
  private readonly rdz: Float64Array;

  private readonly thetaCache: Float64Array;
  private readonly gradCache: Float64Array;
  private readonly vCopy: Float64Array;
  private readonly hv: Float64Array;
  private level = LEVEL_NONE;
  private lossCache = NaN;

  constructor(spec: MlpSpec, data: MlpData, kernels: DenseKernels = typescriptKernels, options: MlpOracleOptions = {}) {
    this.spec = resolveMlpSpec(spec);
    this.smooth = this.spec.smooth;
    this.warnings = this.spec.warnings;
    this.kernels = kernels;
    const n = parameterCount(this.spec);
    this.dim = n;
    const widths = this.spec.layers;
    const dIn = widths[0];
    this.dOut = widths[widths.length - 1];
    this.isCE = this.spec.loss === 'softmax-cross-entropy';
    const beta = this.spec.biases ? 1 : 0;

    validateMlpData(this.spec, data);
    const N = data.N;
    this.N = N;
    const B = options.blockRows ?? 512;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`MlpOracle option blockRows must be a positive integer; got ${JSON.stringify(options.blockRows)}`);
    this.blockRows = Math.min(B, N);
    this.nBlocks = Math.ceil(N / this.blockRows);

    // Private copies: later changes to the caller's arrays cannot corrupt the cache.
    // The inputs get a column of ones when the network has biases.
    const xin = new Float64Array(N * (dIn + beta));
    for (let i = 0; i < N; i++) {
      xin.set(data.inputs.subarray(i * dIn, (i + 1) * dIn), i * (dIn + beta));
      if (beta) xin[i * (dIn + 1) + dIn] = 1;
    }
    this.targets = data.targets ? Float64Array.from(data.targets) : null;
    this.labels = data.labels ? Int32Array.from(data.labels) : null;

    this.thetaCache = new Float64Array(n);
    this.gradCache = new Float64Array(n);
    this.vCopy = new Float64Array(n);
    this.hv = new Float64Array(n);
    this.prob = this.isCE ? new Float64Array(N * this.dOut) : null;
    this.scratch = new Float64Array(this.blockRows * Math.max(...widths));
    this.rdz = new Float64Array(this.blockRows * Math.max(...widths));

    const blockStarts: number[] = [];
    for (let b = 0; b < this.nBlocks; b++) blockStarts.push(b * this.blockRows);

    this.layersBuf = [];
    let prev: LayerBuffers | null = null;
    for (const ly of layerLayout(this.spec)) {
      const { inputs: inW, outputs: outW } = ly;
      const code = activationCode(ly.activation);
      const kIn = inW + beta;
      const actStride = outW + beta;
      const act = new Float64Array(N * actStride);
      if (beta) for (let i = 0; i < N; i++) act[i * actStride + outW] = 1;
      const dz = new Float64Array(N * outW);
      const p: LayerBuffers | null = prev;
      const lb: LayerBuffers = {
        index: ly.index, inW, outW, code, kIn, actStride, act,
        d1: code === ACT_IDENTITY ? null : new Float64Array(N * outW),
        d2: code === ACT_SWISH || code === ACT_TANH ? new Float64Array(N * outW) : null,
        dz,
        rz: new Float64Array(this.blockRows * outW),
        ra: new Float64Array(this.blockRows * outW),
        prevRa: p ? p.ra : null,
        wb: new Float64Array(outW * kIn),
        vc: new Float64Array(outW * kIn),
        acc: new Float64Array(outW * kIn),
        weightOffset: ly.weightOffset,
        biasOffset: ly.biasOffset,
        W: this.thetaCache.subarray(ly.weightOffset, ly.weightOffset + outW * inW),
        V: this.vCopy.subarray(ly.weightOffset, ly.weightOffset + outW * inW),
        inBlocks: blockStarts.map((r0) => (p ? p.act : xin).subarray(r0 * kIn)),
        dzBlocks: blockStarts.map((r0) => dz.subarray(r0 * outW)),
      };
      this.layersBuf.push(lb);
      prev = lb;
    }
  }

  // ---- Oracle API --------------------------------------------------------------------------

  loss(theta: Float64Array): number {
    this.counters.loss++;
    this.ensure(theta, LEVEL_FORWARD);
    return this.lossCache;
  }

  gradient(theta: Float64Array, out?: Float64Array): LossAndGradient {
    this.counters.gradient++;
    if (out !== undefined) checkOut(out, this.dim, 'gradient');
    this.ensure(theta, LEVEL_BACKWARD);
    const g = out ?? new Float64Array(this.dim);
    g.set(this.gradCache);
    return { loss: this.lossCache, gradient: g };
  }

  hvp(theta: Float64Array, v: Float64Array, out?: Float64Array): Float64Array {
    this.counters.hvp++;
    checkTheta(v, this.dim, 'hvp direction v');
    if (out !== undefined) checkOut(out, this.dim, 'hvp');
    this.ensure(theta, LEVEL_BACKWARD);
    const res = out ?? new Float64Array(this.dim);
    this.hvpCached(v, res);
    return res;
  }

  /**
   * Dense n×n row-major Hessian, by n HVPs with the unit vectors (sharing one cached forward and
   * backward pass), symmetrised as (H + Hᵀ)/2. Counts n HVPs in `counters.hvp`.
   */
  hessian(theta: Float64Array): Float64Array {
    const n = this.dim;
    this.ensure(theta, LEVEL_BACKWARD);
    const H = new Float64Array(n * n);
    const e = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      // H e_j is column j; H is symmetric up to round-off, so store it as row j and symmetrise.
      this.hvpCached(e, H.subarray(j * n, (j + 1) * n));
      e[j] = 0;
    }
    this.counters.hvp += n;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const s = 0.5 * (H[i * n + j] + H[j * n + i]);
        H[i * n + j] = s;
        H[j * n + i] = s;
      }
    }
    return H;
  }

  /** Flops (2 per multiply-add) of the matrix products of one HVP with a cached forward/backward pass; bias columns and elementwise work excluded. */
  flopsPerHvp(): number {
    const N = this.N;
    let f = 0;
    for (const lb of this.layersBuf) {
      const first = lb.prevRa === null;
      const products = first ? 2 : 6; // R{Z}: 1 or 2, R{dW}: 1 or 2, R{dA}: 0 or 2
      f += 2 * N * lb.outW * lb.inW * products;
    }
    return f;
  }

  // ---- cache management --------------------------------------------------------------------

  /** Validates θ, refreshes the cache key when θ changed, and computes passes up to `need`. */
  private ensure(theta: Float64Array, need: number): void {
    checkTheta(theta, this.dim, 'parameter vector θ');
    const tc = this.thetaCache;
    if (this.level !== LEVEL_NONE) {
      let same = true;
      for (let i = 0; i < tc.length; i++) {
        if (tc[i] !== theta[i]) { same = false; break; }
      }
      if (!same) this.level = LEVEL_NONE;
    }
    if (this.level === LEVEL_NONE) {
      tc.set(theta);
      this.forward();
      this.level = LEVEL_FORWARD;
    }
    if (need >= LEVEL_BACKWARD && this.level < LEVEL_BACKWARD) {
      this.backward();
      this.level = LEVEL_BACKWARD;
    }
  }

  // ---- passes -----------------------------------------------------------------------------

  /** A_l, σ'(Z_l), σ''(Z_l) for all layers, softmax p (CE) and the loss at `thetaCache`. */
  private forward(): void {
    const k = this.kernels;
    const layers = this.layersBuf;
    const t = this.thetaCache;
    for (const lb of layers) packWeights(lb.outW, lb.inW, lb.kIn, t, lb.weightOffset, lb.biasOffset, lb.wb);
    const last = layers[layers.length - 1];
    let dataLoss = 0;
    for (let b = 0; b < this.nBlocks; b++) {
      const r0 = b * this.blockRows;
      const rows = Math.min(this.blockRows, this.N - r0);
      for (const lb of layers) {
        const { outW, kIn } = lb;
        k.gemm(false, true, rows, outW, kIn, 1, lb.inBlocks[b], kIn, lb.wb, kIn, 0, lb.rz, outW);
        activateBlock(lb.code, rows, outW, lb.rz, lb.act, r0 * lb.actStride, lb.actStride, lb.d1, lb.d2, r0 * outW);
      }
      const aOff = r0 * last.actStride;
      dataLoss += this.isCE
        ? ceLossBlock(rows, last.outW, last.act, aOff, last.actStride, this.labels as Int32Array, r0, this.prob as Float64Array)
        : mseSumBlock(rows, last.outW, last.act, aOff, last.actStride, this.targets as Float64Array, r0 * last.outW);
    }
    const N = this.N;
    dataLoss = this.isCE ? dataLoss / N : dataLoss / (N * this.dOut);
    let l2 = 0;
    const lam = this.spec.l2;
    if (lam !== 0) {
      let s = 0;
      for (let i = 0; i < t.length; i++) s += t[i] * t[i];
      l2 = (lam / t.length) * s;
    }
    this.lossCache = dataLoss + l2;
  }

  /** Reverse mode: dZ_l, dA_l⊙σ''(Z_l) and the gradient (with the ℓ2 term) into gradCache. */
  private backward(): void {
    const N = this.N;
    const k = this.kernels;
    const d = this.dOut;
    const layers = this.layersBuf;
    const last = layers[layers.length - 1];
    const dA = this.scratch;
    for (let b = 0; b < this.nBlocks; b++) {
      const r0 = b * this.blockRows;
      const rows = Math.min(this.blockRows, N - r0);
      // dA_L = ∂f/∂A_L for the block, rows×d.
      if (!this.isCE) {
        mseGradBlock(rows, d, last.act, r0 * last.actStride, last.actStride, this.targets as Float64Array, r0 * d, 2 / (N * d), dA);
      } else {
        ceGradBlock(rows, d, this.prob as Float64Array, r0 * d, this.labels as Int32Array, r0, 1 / N, dA);
      }
      for (let li = layers.length - 1; li >= 0; li--) {
        const lb = layers[li];
        const { inW, outW, kIn } = lb;
        backwardBlock(rows * outW, dA, lb.d1, lb.d2, r0 * outW, lb.dz);
        k.gemm(true, false, outW, kIn, rows, 1, lb.dzBlocks[b], outW, lb.inBlocks[b], kIn, b === 0 ? 0 : 1, lb.acc, kIn);
        if (li > 0) k.gemm(false, false, rows, inW, outW, 1, lb.dzBlocks[b], outW, lb.W, inW, 0, dA, inW);
      }
    }
    const g = this.gradCache;
    for (const lb of layers) unpackWeights(lb.outW, lb.inW, lb.kIn, lb.acc, g, lb.weightOffset, lb.biasOffset);
    const lam = this.spec.l2;
    if (lam !== 0) {
      const t = this.thetaCache;
      const c = (2 * lam) / t.length;
      for (let i = 0; i < g.length; i++) g[i] += c * t[i];
    }
  }

  /** H·v into `res` (may alias v); requires the cache at LEVEL_BACKWARD. */
  private hvpCached(v: Float64Array, res: Float64Array): void {
    const N = this.N;
    const k = this.kernels;
    const d = this.dOut;
    const vc = this.vCopy;
    vc.set(v);
    const layers = this.layersBuf;
    const L = layers.length;
    for (const lb of layers) packWeights(lb.outW, lb.inW, lb.kIn, vc, lb.weightOffset, lb.biasOffset, lb.vc); // [V | c]
    const last = layers[L - 1];
    const rdA = this.scratch;
    const rdz = this.rdz;
    for (let b = 0; b < this.nBlocks; b++) {
      const r0 = b * this.blockRows;
      const rows = Math.min(this.blockRows, N - r0);
      // Forward R-pass: R{Z_l} = R{A_{l−1}}·W_lᵀ + [A_{l−1} | 1]·[V_l | c_l]ᵀ, R{A_l} = σ' ⊙ R{Z_l}.
      for (const lb of layers) {
        const { inW, outW, kIn } = lb;
        if (lb.prevRa === null) {
          k.gemm(false, true, rows, outW, kIn, 1, lb.inBlocks[b], kIn, lb.vc, kIn, 0, lb.rz, outW);
        } else {
          k.gemm(false, true, rows, outW, inW, 1, lb.prevRa, inW, lb.W, inW, 0, lb.rz, outW);
          k.gemm(false, true, rows, outW, kIn, 1, lb.inBlocks[b], kIn, lb.vc, kIn, 1, lb.rz, outW);
        }
        rForwardBlock(rows * outW, lb.rz, lb.d1, r0 * outW, lb.ra);
      }
      // R{dA_L}.
      if (!this.isCE) {
        const sc = 2 / (N * d);
        const ra = last.ra;
        const len = rows * d;
        for (let t = 0; t < len; t++) rdA[t] = sc * ra[t];
      } else {
        ceRGradBlock(rows, d, last.ra, this.prob as Float64Array, r0 * d, 1 / N, rdA);
      }
      // Backward R-pass: R{dZ_l}, [R{dW_l} | R{db_l}] (accumulated over blocks), R{dA_{l−1}}.
      for (let li = L - 1; li >= 0; li--) {
        const lb = layers[li];
        const { inW, outW, kIn } = lb;
        rBackwardBlock(rows * outW, rdA, lb.d1, lb.d2, r0 * outW, lb.rz, rdz);
        k.gemm(true, false, outW, kIn, rows, 1, rdz, outW, lb.inBlocks[b], kIn, b === 0 ? 0 : 1, lb.acc, kIn);
        if (lb.prevRa !== null) {
          k.gemm(true, false, outW, inW, rows, 1, lb.dzBlocks[b], outW, lb.prevRa, inW, 1, lb.acc, kIn);
          k.gemm(false, false, rows, inW, outW, 1, rdz, outW, lb.W, inW, 0, rdA, inW);
          k.gemm(false, false, rows, inW, outW, 1, lb.dzBlocks[b], outW, lb.V, inW, 1, rdA, inW);
        }
      }
    }
    const hv = this.hv;
    for (const lb of layers) unpackWeights(lb.outW, lb.inW, lb.kIn, lb.acc, hv, lb.weightOffset, lb.biasOffset);
    const lam = this.spec.l2;
    if (lam !== 0) {
      const c = (2 * lam) / this.dim;
      for (let i = 0; i < res.length; i++) res[i] = hv[i] + c * vc[i];
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

// ---- packing between the θ layout and the gemm layouts ------------------------------------

/** dst (out×kIn) = [W | b] from the θ-layout src (bias column only when bo ≥ 0). */
function packWeights(out: number, inW: number, kIn: number, src: Float64Array, wo: number, bo: number, dst: Float64Array): void {
  for (let r = 0; r < out; r++) {
    const d = r * kIn;
    const s = wo + r * inW;
    for (let c = 0; c < inW; c++) dst[d + c] = src[s + c];
    if (bo >= 0) dst[d + inW] = src[bo + r];
  }
}

/** θ-layout dst ← acc (out×kIn = [W | b]). */
function unpackWeights(out: number, inW: number, kIn: number, acc: Float64Array, dst: Float64Array, wo: number, bo: number): void {
  for (let r = 0; r < out; r++) {
    const a = r * kIn;
    const d = wo + r * inW;
    for (let c = 0; c < inW; c++) dst[d + c] = acc[a + c];
    if (bo >= 0) dst[bo + r] = acc[a + inW];
  }
}

// ---- elementwise block kernels (module-level, branch-free inner loops) ---------------------

/**
 * From block-local Z (rows×w): A into act (row stride aStride, from aOff), σ' into d1 and σ''
 * into d2 (row stride w, from dOff).
 */
function activateBlock(
  code: number, rows: number, w: number, z: Float64Array, act: Float64Array, aOff: number, aStride: number,
  d1: Float64Array | null, d2: Float64Array | null, dOff: number,
): void {
  if (code === ACT_IDENTITY) {
    for (let i = 0; i < rows; i++) {
      const zi = i * w; const ai = aOff + i * aStride;
      for (let j = 0; j < w; j++) act[ai + j] = z[zi + j];
    }
  } else if (code === ACT_SWISH) {
    const g1 = d1 as Float64Array; const g2 = d2 as Float64Array;
    for (let i = 0; i < rows; i++) {
      const zi = i * w; const ai = aOff + i * aStride; const di = dOff + zi;
      for (let j = 0; j < w; j++) {
        const x = z[zi + j];
        // Stable sigmoid: exp of a non-positive argument only (never overflows, never NaN);
        // written with a select rather than two branches (the sign of x is unpredictable).
        const e = Math.exp(-Math.abs(x));
        const r = 1 / (1 + e);
        const s = x >= 0 ? r : e * r;
        const oms = 1 - s;
        act[ai + j] = x * s;
        g1[di + j] = s * (1 + x * oms);
        g2[di + j] = s * oms * (2 + x * (oms - s));
      }
    }
  } else if (code === ACT_TANH) {
    const g1 = d1 as Float64Array; const g2 = d2 as Float64Array;
    for (let i = 0; i < rows; i++) {
      const zi = i * w; const ai = aOff + i * aStride; const di = dOff + zi;
      for (let j = 0; j < w; j++) {
        const th = Math.tanh(z[zi + j]);
        const g = 1 - th * th;
        act[ai + j] = th;
        g1[di + j] = g;
        g2[di + j] = -2 * th * g;
      }
    }
  } else {
    const g1 = d1 as Float64Array;
    for (let i = 0; i < rows; i++) {
      const zi = i * w; const ai = aOff + i * aStride; const di = dOff + zi;
      for (let j = 0; j < w; j++) {
        const x = z[zi + j];
        const pos = x > 0;
        act[ai + j] = pos ? x : 0;
        g1[di + j] = pos ? 1 : 0;
      }
    }
  }
}

/** Σ (A − Y)² over a block. */
function mseSumBlock(rows: number, d: number, act: Float64Array, aOff: number, aStride: number, y: Float64Array, yOff: number): number {
  let s = 0;
  for (let i = 0; i < rows; i++) {
    const ai = aOff + i * aStride; const yi = yOff + i * d;
    for (let j = 0; j < d; j++) { const r = act[ai + j] - y[yi + j]; s += r * r; }
  }
  return s;
}

/** Σ −log softmax(a_i)_{label_i} over a block, storing the softmax p (row stride d, from row r0). */
function ceLossBlock(
  rows: number, d: number, act: Float64Array, aOff: number, aStride: number, labels: Int32Array, r0: number, p: Float64Array,
): number {
  let s = 0;
  for (let i = 0; i < rows; i++) {
    const ai = aOff + i * aStride; const pi = (r0 + i) * d;
    let m = -Infinity;
    for (let j = 0; j < d; j++) if (act[ai + j] > m) m = act[ai + j];
    let sum = 0;
    for (let j = 0; j < d; j++) { const e = Math.exp(act[ai + j] - m); p[pi + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < d; j++) p[pi + j] *= inv;
    // −log softmax(a)_y = m + log Σ exp(a − m) − a_y
    s += m + Math.log(sum) - act[ai + labels[r0 + i]];
  }
  return s;
}

function mseGradBlock(rows: number, d: number, act: Float64Array, aOff: number, aStride: number, y: Float64Array, yOff: number, sc: number, dA: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const ai = aOff + i * aStride; const yi = yOff + i * d; const ri = i * d;
    for (let j = 0; j < d; j++) dA[ri + j] = sc * (act[ai + j] - y[yi + j]);
  }
}

function ceGradBlock(rows: number, d: number, p: Float64Array, pOff: number, labels: Int32Array, r0: number, inv: number, dA: Float64Array): void {
  const len = rows * d;
  for (let t = 0; t < len; t++) dA[t] = inv * p[pOff + t];
  for (let i = 0; i < rows; i++) dA[i * d + labels[r0 + i]] -= inv;
}

/** R{dA_L} = (diag(p) − ppᵀ)·R{A_L} / N row-wise (softmax CE); R{A_L} block-local rows×d. */
function ceRGradBlock(rows: number, d: number, ra: Float64Array, p: Float64Array, pOff: number, inv: number, rdA: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const pi = pOff + i * d; const ri = i * d;
    let pr = 0;
    for (let j = 0; j < d; j++) pr += p[pi + j] * ra[ri + j];
    for (let j = 0; j < d; j++) rdA[ri + j] = inv * p[pi + j] * (ra[ri + j] - pr);
  }
}

// The remaining kernels walk contiguous block rows as flat arrays of len = rows·w entries,
// unrolled by 4 (V8 does not unroll, and loop overhead is a large part of their cost).

/** dZ = dA ⊙ σ' into dz[dOff..], and d2[dOff..] ← dA ⊙ σ''. */
function backwardBlock(len: number, dA: Float64Array, d1: Float64Array | null, d2: Float64Array | null, dOff: number, dz: Float64Array): void {
  if (d1 === null) {
    for (let t = 0; t < len; t++) dz[dOff + t] = dA[t];
  } else if (d2 === null) {
    for (let t = 0; t < len; t++) dz[dOff + t] = dA[t] * d1[dOff + t];
  } else {
    for (let t = 0; t < len; t++) { const a = dA[t]; const q = dOff + t; dz[q] = a * d1[q]; d2[q] *= a; }
  }
}

/** R{A} = σ' ⊙ R{Z} (block-local ra, rz; σ' from d1[dOff..]). */
function rForwardBlock(len: number, rz: Float64Array, d1: Float64Array | null, dOff: number, ra: Float64Array): void {
  if (d1 === null) {
    for (let t = 0; t < len; t++) ra[t] = rz[t];
    return;
  }
  const len4 = len & ~3;
  let t = 0;
  for (; t < len4; t += 4) {
    const q = dOff + t;
    ra[t] = d1[q] * rz[t];
    ra[t + 1] = d1[q + 1] * rz[t + 1];
    ra[t + 2] = d1[q + 2] * rz[t + 2];
    ra[t + 3] = d1[q + 3] * rz[t + 3];
  }
  for (; t < len; t++) ra[t] = d1[dOff + t] * rz[t];
}

/** R{dZ} = R{dA} ⊙ σ' + (dA ⊙ σ'') ⊙ R{Z} (block-local rdA, rz, rdz; σ', dA⊙σ'' from [dOff..]). */
function rBackwardBlock(
  len: number, rdA: Float64Array, d1: Float64Array | null, d2: Float64Array | null, dOff: number, rz: Float64Array, rdz: Float64Array,
): void {
  if (d1 === null) {
    for (let t = 0; t < len; t++) rdz[t] = rdA[t];
  } else if (d2 === null) {
    for (let t = 0; t < len; t++) rdz[t] = rdA[t] * d1[dOff + t];
  } else {
    const len4 = len & ~3;
    let t = 0;
    for (; t < len4; t += 4) {
      const q = dOff + t;
      rdz[t] = rdA[t] * d1[q] + d2[q] * rz[t];
      rdz[t + 1] = rdA[t + 1] * d1[q + 1] + d2[q + 1] * rz[t + 1];
      rdz[t + 2] = rdA[t + 2] * d1[q + 2] + d2[q + 2] * rz[t + 2];
      rdz[t + 3] = rdA[t + 3] * d1[q + 3] + d2[q + 3] * rz[t + 3];
    }
    for (; t < len; t++) rdz[t] = rdA[t] * d1[dOff + t] + d2[dOff + t] * rz[t];
  }
}
