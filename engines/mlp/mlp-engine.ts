/**
 * The MLP passes over ONE slice of the samples, as partial sums: the data-loss term, its
 * gradient and its Hessian-vector product (R-operator), each normalised by the sample count of
 * the WHOLE data set (`normN`), so that the partial results of disjoint slices add up to the
 * full data term. The ℓ2 term is not included: the caller (`MlpOracle`) adds it once.
 *
 * `MlpOracle` runs one engine over all samples (threads = 1) or one per thread over
 * contiguous slices (the calling thread's engine plus one per worker, see mlp-threads.ts).
 * Formulas and conventions: see the comment of mlp-oracle.ts.
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
 * - All work buffers are allocated in the constructor; per call nothing is allocated.
 *
 * Per-layer activations a_l (`act_l`, first w columns) and back-propagated δ_l = dZ_l (`dz_l`)
 * are kept per θ. The 'layer-statistics' capability (K-FAC) is computed separately, on the
 * calling thread, by layer-statistics.ts.
 */
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { equalArrays } from '../../core/linalg/vector.js';
import { type ResolvedMlpSpec, layerLayout, parameterCount } from './architecture.js';
import {
  ACT_IDENTITY, ACT_SWISH, ACT_TANH, activateBlock, activationCode, backwardBlock, ceGradBlock, ceLossBlock, ceRGradBlock,
  ceRGradBlockK, mseGradBlock, mseRdzBlockK, mseSumBlock, packWeights, rBackwardBlock, rBackwardBlockK, rForwardBlock,
  rForwardBlockK, unitBackwardScatter, unitForwardScatter, unpackWeights,
} from './block-kernels.js';

/** The samples of one slice (already validated against the spec), samples as rows. */
export interface MlpSlice {
  /** N×d_in. */
  readonly inputs: Float64Array;
  /** Samples in this slice. */
  readonly N: number;
  /** N×d_out (MSE) or null. */
  readonly targets: Float64Array | null;
  /** N class indices (cross-entropy) or null. */
  readonly labels: Int32Array | null;
}

/** Buffers and views of one layer l (maps `inW` → `outW` units). */
interface LayerBuffers {
  readonly index: number;
  readonly inW: number;
  readonly outW: number;
  /** Activation code (ACT_*, block-kernels.ts). */
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
  /** [A_{l−1} | 1] over the whole slice (the inputs for layer 1), row stride kIn. */
  readonly input: Float64Array;
  /** W_l and V_l: views of the cached θ and of the copy of v. */
  readonly W: Float64Array;
  readonly V: Float64Array;
  /** Per block: views at the block's first row (gemm takes no offsets). */
  readonly inBlocks: Float64Array[];
  readonly dzBlocks: Float64Array[];
}

export const LEVEL_NONE = 0;
/** Activations, σ', σ'', softmax p and the loss. */
export const LEVEL_FORWARD = 1;
/** + dZ_l, dA_l⊙σ'' and the gradient. */
export const LEVEL_BACKWARD = 2;

/** Flops (2 per multiply-add) of the matrix products of one cached HVP over N samples; bias columns and elementwise work excluded. */
export function mlpFlopsPerHvp(spec: ResolvedMlpSpec, N: number): number {
  let f = 0;
  for (const ly of layerLayout(spec)) {
    const products = ly.index === 1 ? 2 : 6; // R{Z}: 1 or 2, R{dW}: 1 or 2, R{dA}: 0 or 2
    f += 2 * N * ly.outputs * ly.inputs * products;
  }
  return f;
}

/**
 * Data term of the loss, gradient and HVP over one slice of the samples (see the file comment).
 * θ and v are NOT validated here (the oracle does it once).
 */
export class MlpSliceEngine {
  readonly dim: number;
  /** Samples in this slice. */
  readonly N: number;
  /** Sample count of the whole data set, used in the loss normalisation. */
  readonly normN: number;
  readonly blockRows: number;
  /** Data gradient at the cached θ (no ℓ2), valid at LEVEL_BACKWARD. */
  readonly dataGradient: Float64Array;
  /** Forward and backward passes run so far (diagnostics: the per-θ cache is tested with them). */
  forwardPasses = 0;
  backwardPasses = 0;

  private readonly kernels: DenseKernels;
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
  private readonly vCopy: Float64Array;
  /** Buffers of the batched R-pass (`hvpBlockData`), allocated on first use and grown with k. */
  private block: BlockBuffers | null = null;
  private level = LEVEL_NONE;
  private dataLossCache = NaN;

  /**
   * @param spec     resolved spec (its ℓ2 strength is ignored here)
   * @param slice    this engine's samples; copied (a column of ones is appended to the inputs with biases)
   * @param normN    sample count of the whole data set (MSE divides by normN·d_out, CE by normN)
   * @param blockRows samples per block (clamped to the slice size)
   */
  constructor(spec: ResolvedMlpSpec, slice: MlpSlice, normN: number, kernels: DenseKernels, blockRows: number) {
    this.kernels = kernels;
    const n = parameterCount(spec);
    this.dim = n;
    const widths = spec.layers;
    const dIn = widths[0];
    this.dOut = widths[widths.length - 1];
    this.isCE = spec.loss === 'softmax-cross-entropy';
    const beta = spec.biases ? 1 : 0;
    const N = slice.N;
    if (!Number.isInteger(N) || N < 1) throw new RangeError(`MlpSliceEngine: a slice needs at least one sample; got N = ${N}`);
    this.N = N;
    this.normN = normN;
    this.blockRows = Math.min(blockRows, N);
    this.nBlocks = Math.ceil(N / this.blockRows);

    // Private copies: later changes to the caller's arrays cannot corrupt the cache.
    // The inputs get a column of ones when the network has biases.
    const xin = new Float64Array(N * (dIn + beta));
    for (let i = 0; i < N; i++) {
      xin.set(slice.inputs.subarray(i * dIn, (i + 1) * dIn), i * (dIn + beta));
      if (beta) xin[i * (dIn + 1) + dIn] = 1;
    }
    this.targets = slice.targets ? Float64Array.from(slice.targets.subarray(0, N * this.dOut)) : null;
    this.labels = slice.labels ? Int32Array.from(slice.labels.subarray(0, N)) : null;

    this.thetaCache = new Float64Array(n);
    this.dataGradient = new Float64Array(n);
    this.vCopy = new Float64Array(n);
    this.prob = this.isCE ? new Float64Array(N * this.dOut) : null;
    this.scratch = new Float64Array(this.blockRows * Math.max(...widths));
    this.rdz = new Float64Array(this.blockRows * Math.max(...widths));

    const blockStarts: number[] = [];
    for (let b = 0; b < this.nBlocks; b++) blockStarts.push(b * this.blockRows);

    this.layersBuf = [];
    let prev: LayerBuffers | null = null;
    for (const ly of layerLayout(spec)) {
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
        input: p ? p.act : xin,
        inBlocks: blockStarts.map((r0) => (p ? p.act : xin).subarray(r0 * kIn)),
        dzBlocks: blockStarts.map((r0) => dz.subarray(r0 * outW)),
      };
      this.layersBuf.push(lb);
      prev = lb;
    }
  }

  /** Data loss of this slice at the cached θ (normalised by normN), valid at LEVEL_FORWARD. */
  get dataLoss(): number {
    return this.dataLossCache;
  }

  /** Refreshes the cache key when θ changed (by content), and computes passes up to `need`. */
  ensure(theta: Float64Array, need: number): void {
    const tc = this.thetaCache;
    if (this.level !== LEVEL_NONE && !equalArrays(tc, theta)) this.level = LEVEL_NONE;
    if (this.level === LEVEL_NONE) {
      tc.set(theta);
      this.forward();
      this.forwardPasses++;
      this.level = LEVEL_FORWARD;
    }
    if (need >= LEVEL_BACKWARD && this.level < LEVEL_BACKWARD) {
      this.backward();
      this.backwardPasses++;
      this.level = LEVEL_BACKWARD;
    }
  }

  // ---- passes -----------------------------------------------------------------------------

  /** A_l, σ'(Z_l), σ''(Z_l) for all layers, softmax p (CE) and the data loss at `thetaCache`. */
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
    const N = this.normN;
    this.dataLossCache = this.isCE ? dataLoss / N : dataLoss / (N * this.dOut);
  }

  /** Reverse mode: dZ_l, dA_l⊙σ''(Z_l) and the data gradient into `dataGradient`. */
  private backward(): void {
    const N = this.N;
    const normN = this.normN;
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
        mseGradBlock(rows, d, last.act, r0 * last.actStride, last.actStride, this.targets as Float64Array, r0 * d, 2 / (normN * d), dA);
      } else {
        ceGradBlock(rows, d, this.prob as Float64Array, r0 * d, this.labels as Int32Array, r0, 1 / normN, dA);
      }
      for (let li = layers.length - 1; li >= 0; li--) {
        const lb = layers[li];
        const { inW, outW, kIn } = lb;
        backwardBlock(rows * outW, dA, lb.d1, lb.d2, r0 * outW, lb.dz);
        k.gemm(true, false, outW, kIn, rows, 1, lb.dzBlocks[b], outW, lb.inBlocks[b], kIn, b === 0 ? 0 : 1, lb.acc, kIn);
        if (li > 0) k.gemm(false, false, rows, inW, outW, 1, lb.dzBlocks[b], outW, lb.W, inW, 0, dA, inW);
      }
    }
    const g = this.dataGradient;
    for (const lb of layers) unpackWeights(lb.outW, lb.inW, lb.kIn, lb.acc, g, lb.weightOffset, lb.biasOffset);
  }

  /**
   * Data term of H·v into `res` (length dim; may alias v); requires `ensure(θ, LEVEL_BACKWARD)`.
   */
  hvpData(v: Float64Array, res: Float64Array): void {
    const N = this.N;
    const normN = this.normN;
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
        const sc = 2 / (normN * d);
        const ra = last.ra;
        const len = rows * d;
        for (let t = 0; t < len; t++) rdA[t] = sc * ra[t];
      } else {
        ceRGradBlock(rows, d, last.ra, this.prob as Float64Array, r0 * d, 1 / normN, rdA);
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
    for (const lb of layers) unpackWeights(lb.outW, lb.inW, lb.kIn, lb.acc, res, lb.weightOffset, lb.biasOffset);
  }

  /**
   * Data term of H·v_j for k directions at once (the batched R-pass), requires
   * `ensure(θ, LEVEL_BACKWARD)`. `V` holds the k directions one after another (V[j·n + i],
   * i.e. k×n row-major = n×k column-major), `res` receives H·v_j the same way (must not alias V).
   *
   * The R-quantities of the k directions are stored sample-major, interleaved: R{Z_l} is
   * rows×(k·w) with row i = [R{Z_l}^1_i, …, R{Z_l}^k_i], which is the same memory as a
   * (rows·k)×w matrix. So every product of the single R-pass becomes one gemm of k times the
   * width (see the file comment for the single-direction formulas):
   *   R{Z_l}   (rows·k × w_out) = R{A_{l−1}} (rows·k × w_in) · W_lᵀ
   *            (rows × k·w_out) += [A_{l−1} | 1] · [V_l | c_l]ᵀ   ([V|c] of the k directions stacked)
   *   [R{dW}|R{db}] (k·w_out × w_in+β) += R{dZ_l}ᵀ (k·w_out × rows) · [A_{l−1} | 1]
   *   dZ_lᵀ (w_out × rows) · R{A_{l−1}} (rows × k·w_in)      (kept apart, added when unpacking)
   *   R{dA_{l−1}} (rows·k × w_in) = R{dZ_l} · W_l;   (rows × k·w_in) += dZ_l · [V_l^1 … V_l^k]
   * Layers where every direction is zero (identity blocks of one layer, when the dense Hessian
   * is built) are exploited: before the first touched layer R{Z} = R{A} = 0, so its forward
   * products, the σ''-term of R{dZ} and the dZᵀ·R{A} products vanish; where V_l = 0 the
   * [V|c] products are skipped.
   */
  hvpBlockData(V: Float64Array, k: number, res: Float64Array, unit?: UnitBlock): void {
    const n = this.dim;
    const layers = this.layersBuf;
    const L = layers.length;
    const touched: boolean[] = layers.map((lb) => {
      const end = lb.biasOffset >= 0 ? lb.biasOffset + lb.outW : lb.weightOffset + lb.outW * lb.inW;
      for (let j = 0; j < k; j++) {
        const o = j * n;
        for (let i = lb.weightOffset; i < end; i++) if (V[o + i] !== 0) return true;
      }
      return false;
    });
    const lo = touched.indexOf(true);
    res.fill(0, 0, k * n);
    if (lo < 0) return;
    // Unit directions e_{start+j}: their [V|c] products are scatters (o_j, c_j: the unit's row and column of [W|b]).
    let unitO: Int32Array | null = null; let unitC: Int32Array | null = null;
    if (unit !== undefined) {
      const lb = layers[lo];
      unitO = new Int32Array(k); unitC = new Int32Array(k);
      for (let j = 0; j < k; j++) {
        const p = unit.start + j - lb.weightOffset;
        if (p < lb.outW * lb.inW) { unitO[j] = Math.floor(p / lb.inW); unitC[j] = p % lb.inW; } else { unitO[j] = p - lb.outW * lb.inW; unitC[j] = lb.inW; }
      }
    }
    const skipAbove = unit?.lowerOnly ? lo : L;
    const bb = this.blockBuffers(k);
    const kern = this.kernels;
    const normN = this.normN;
    const N = this.N;
    const d = this.dOut;
    for (let li = 0; li < L; li++) {
      const lb = layers[li]; const bl = bb.layers[li];
      const { outW, inW, kIn } = lb;
      bl.acc.fill(0, 0, k * outW * kIn);
      bl.acc2.fill(0, 0, outW * k * inW);
      if (!touched[li]) continue;
      for (let j = 0; j < k; j++) {
        packWeights(outW, inW, kIn, V, j * n + lb.weightOffset, lb.biasOffset >= 0 ? j * n + lb.biasOffset : -1, bl.vc.subarray(j * outW * kIn));
        for (let o = 0; o < outW; o++) {
          const s = j * n + lb.weightOffset + o * inW;
          const t = o * k * inW + j * inW;
          for (let c = 0; c < inW; c++) bl.vh[t + c] = V[s + c];
        }
      }
    }
    const rb = bb.rows;
    // R{A_l} lives in rz itself for identity layers (σ' ≡ 1): no copy.
    const raOf = bb.layers.map((bl, li) => (layers[li].d1 === null ? bl.rz : bl.ra));
    const last = layers[L - 1];
    const mseScale = 2 / (normN * d);
    for (let r0 = 0; r0 < N; r0 += rb) {
      const rows = Math.min(rb, N - r0);
      // Forward R-pass from the first touched layer. The last layer's R{A} is only needed for CE
      // (MSE's R{dZ_L} comes straight from R{Z_L} below).
      for (let li = lo; li < L; li++) {
        const lb = layers[li]; const bl = bb.layers[li];
        const { inW, outW, kIn } = lb;
        const ain = lb.input.subarray(r0 * kIn);
        if (li === lo && unitO !== null) {
          unitForwardScatter(rows, k, outW, kIn, ain, unitO, unitC as Int32Array, bl.rz);
        } else if (li === lo) {
          kern.gemm(false, true, rows, k * outW, kIn, 1, ain, kIn, bl.vc, kIn, 0, bl.rz, k * outW);
        } else {
          kern.gemm(false, true, rows * k, outW, inW, 1, raOf[li - 1], inW, lb.W, inW, 0, bl.rz, outW);
          if (touched[li]) kern.gemm(false, true, rows, k * outW, kIn, 1, ain, kIn, bl.vc, kIn, 1, bl.rz, k * outW);
        }
        if (lb.d1 !== null && (li < L - 1 || this.isCE)) rForwardBlockK(rows, k, outW, bl.rz, lb.d1, r0 * outW, bl.ra);
      }
      // R{dZ_L}, with `alpha` a factor still to apply (MSE, identity output: R{dZ_L} = scale·R{Z_L}).
      // rdA and rdz ping-pong between two buffers (identity layers use R{dA} as R{dZ}).
      let rdz: Float64Array;
      let alpha = 1;
      const rzL = bb.layers[L - 1].rz;
      if (this.isCE) {
        ceRGradBlockK(rows, k, d, raOf[L - 1], this.prob as Float64Array, r0 * d, 1 / normN, bb.bufX);
        rdz = last.d1 === null ? bb.bufX : bb.bufY;
        if (last.d1 !== null) rBackwardBlockK(rows, k, d, bb.bufX, last.d1, last.d2, r0 * d, rzL, rdz);
      } else if (last.d1 === null) {
        rdz = rzL;
        alpha = mseScale;
      } else {
        // R{dZ_L} = (scale·σ'² + dA⊙σ'')⊙R{Z_L}: R{A_L}, R{dA_L} and R{dZ_L} in one loop.
        rdz = bb.bufX;
        mseRdzBlockK(rows, k, d, mseScale, last.d1, last.d2, r0 * d, rzL, rdz);
      }
      // Backward R-pass.
      for (let li = L - 1; li >= 0; li--) {
        const lb = layers[li]; const bl = bb.layers[li];
        const { inW, outW, kIn } = lb;
        const ain = lb.input.subarray(r0 * kIn);
        const dzb = lb.dz.subarray(r0 * outW);
        if (li <= skipAbove) kern.gemm(true, false, k * outW, kIn, rows, alpha, rdz, k * outW, ain, kIn, 1, bl.acc, kIn);
        if (li > lo && li <= skipAbove) kern.gemm(true, false, outW, k * inW, rows, 1, dzb, outW, raOf[li - 1], k * inW, 1, bl.acc2, k * inW);
        if (li > 0) {
          const rdA = rdz === bb.bufX ? bb.bufY : bb.bufX;
          kern.gemm(false, false, rows * k, inW, outW, alpha, rdz, outW, lb.W, inW, 0, rdA, inW);
          if (touched[li] && li === lo && unitO !== null) unitBackwardScatter(rows, k, outW, inW, dzb, unitO, unitC as Int32Array, rdA);
          else if (touched[li]) kern.gemm(false, false, rows, k * inW, outW, 1, dzb, outW, bl.vh, k * inW, 1, rdA, k * inW);
          alpha = 1;
          const below = layers[li - 1];
          if (below.d1 === null) rdz = rdA;
          else {
            rdz = rdA === bb.bufX ? bb.bufY : bb.bufX;
            rBackwardBlockK(rows, k, below.outW, rdA, below.d1, li - 1 >= lo ? below.d2 : null, r0 * below.outW, bb.layers[li - 1].rz, rdz);
          }
        }
      }
    }
    for (let li = 0; li < L; li++) {
      const lb = layers[li]; const bl = bb.layers[li];
      const { inW, outW, kIn } = lb;
      for (let j = 0; j < k; j++) {
        const o = j * n;
        unpackWeights(outW, inW, kIn, bl.acc.subarray(j * outW * kIn), res, o + lb.weightOffset, lb.biasOffset >= 0 ? o + lb.biasOffset : -1);
        if (li > lo && li <= skipAbove) {
          for (let r = 0; r < outW; r++) {
            const s = r * k * inW + j * inW;
            const t = o + lb.weightOffset + r * inW;
            for (let c = 0; c < inW; c++) res[t + c] += bl.acc2[s + c];
          }
        }
      }
    }
  }

  /** The batched R-pass buffers for at least k directions (block rows: see BLOCK_PASS_BUDGET). */
  private blockBuffers(k: number): BlockBuffers {
    if (this.block !== null && this.block.k >= k) return this.block;
    const layers = this.layersBuf;
    const maxW = Math.max(...layers.map((lb) => Math.max(lb.inW, lb.outW)));
    const rows = Math.max(1, Math.min(this.blockRows, Math.floor(BLOCK_PASS_BUDGET / (k * maxW))));
    this.block = {
      k, rows,
      bufX: new Float64Array(rows * k * maxW),
      bufY: new Float64Array(rows * k * maxW),
      layers: layers.map((lb) => ({
        rz: new Float64Array(rows * k * lb.outW),
        ra: new Float64Array(rows * k * lb.outW),
        vc: new Float64Array(k * lb.outW * lb.kIn),
        vh: new Float64Array(lb.outW * k * lb.inW),
        acc: new Float64Array(k * lb.outW * lb.kIn),
        acc2: new Float64Array(lb.outW * k * lb.inW),
      })),
    };
    return this.block;
  }
}

// ---- the batched R-pass (hvpBlockData) ---------------------------------------------------

/**
 * Doubles per block-local buffer of the batched R-pass: its block has
 * min(blockRows, ⌊BLOCK_PASS_BUDGET / (k·max width)⌋) samples (k directions × rows × width
 * ≤ 256 KiB, in L2 with the σ' rows). Larger blocks mean fewer, larger gemm calls (FFI overhead
 * per call with OpenBLAS); on the loaded 2-core VM (16→8→16→16 AE, N = 10⁴, k = 64) 2¹⁴–2¹⁶
 * measured alike and 2¹⁸ (2 MiB) 1.3–2× slower.
 */
export const BLOCK_PASS_BUDGET = 1 << 15;

/**
 * `hvpBlockData` on unit directions e_start … e_{start+k−1}, all inside one layer's parameters
 * (the dense Hessian's blocks). With `lowerOnly`, the products' entries for later layers are
 * left 0 (the caller takes them from the symmetric blocks).
 */
export interface UnitBlock {
  start: number;
  lowerOnly: boolean;
}

interface BlockLayerBuffers {
  /** R{Z_l}, R{A_l}: rows×(k·outW), interleaved by sample (see hvpBlockData). */
  readonly rz: Float64Array;
  readonly ra: Float64Array;
  /** [V_l | c_l] of the k directions stacked: (k·outW)×kIn. */
  readonly vc: Float64Array;
  /** [V_l^1 … V_l^k] side by side: outW×(k·inW). */
  readonly vh: Float64Array;
  /** Σ over blocks of R{dZ}ᵀ·[A | 1], (k·outW)×kIn, and of dZᵀ·R{A_{l−1}}, outW×(k·inW). */
  readonly acc: Float64Array;
  readonly acc2: Float64Array;
}

interface BlockBuffers {
  /** Directions the buffers hold, and samples per block. */
  readonly k: number;
  readonly rows: number;
  /** R{dA} and R{dZ}, ping-ponged: rows×(k·max width). */
  readonly bufX: Float64Array;
  readonly bufY: Float64Array;
  readonly layers: BlockLayerBuffers[];
}
