/**
 * Curvature quantities of the float64 MLP for the 'layer-statistics' oracle capability:
 * the per-layer Kronecker factors of K-FAC (Martens & Grosse 2015, [MG] §3) and the exact
 * Gauss-Newton product G(θ)·v ([MG] §6.4 uses it for the quadratic-model step scale).
 * Pure functions of (resolved spec, inputs, θ, kernels); single-threaded, over blocks of
 * samples through the gemm kernels, with block-local buffers only (nothing N-sized).
 *
 * Notation as in mlp-oracle.ts: Z_l = [A_{l−1} | 1]·[W_l | b_l]ᵀ, A_l = σ_l(Z_l), ŷ = A_L
 * (for softmax CE, ŷ are the logits). f = (1/N) Σ_i ℓ_i(ŷ_i) + ℓ2, and the per-sample output
 * Hessian is factored as M_i = ∂²ℓ_i/∂ŷ² = Σ_k c_ik c_ikᵀ:
 *   MSE        ℓ_i = (1/d)‖ŷ_i − y_i‖²:  M_i = (2/d)·I,  c_ik = sqrt(2/d)·e_k
 *   softmax CE ℓ_i = logsumexp(ŷ_i) − ŷ_i,y: M_i = diag(p) − ppᵀ, c_ik = sqrt(p_k)(e_k − p)
 *              (Σ_k p_k(e_k − p)(e_k − p)ᵀ = diag(p) − ppᵀ: the exact Fisher of the model's
 *              predictive distribution, [MG] §5 samples it instead; here it is summed exactly).
 * The Jacobian J_i = ∂ŷ_i/∂θ includes the output activation's σ'_L (when it is not identity),
 * so the Gauss-Newton matrix is G(θ) = (1/N) Σ_i J_iᵀ M_i J_i + (2λ/n)·I (PSD).
 *
 * Kronecker factors ([MG] §3, eq. for Ā_{l−1,l−1} and G_{l,l}): δ_ik = ∂ŷ_i/∂z_lᵀ c_ik, i.e.
 * c_ik back-propagated through the Jacobian only (dA_{l−1} = dZ_l·W_l, dZ = dA ⊙ σ'(Z), no σ''
 * and no loss-gradient terms), and
 *   A_l = (1/N) Σ_i ā_i ā_iᵀ,  ā_i = [a_{l−1,i}; 1] (the 1 only with biases),
 *   G_l = (1/N) Σ_i Σ_k δ_ik δ_ikᵀ = (1/N) Σ_i J_{z_l,i}ᵀ M_i J_{z_l,i}.
 * The d_out back-propagations per sample run as ONE stacked pass over rows·slabs rows
 * (factor-major: stacked row k·rows + i carries c_ik), so each layer is a few large gemms.
 * slabs = d_out, except for MSE with an identity output, where the seeds of layer L−1 are the
 * same for every sample and min(d_out, in_L) of them suffice (see `topSeeds`).
 */
import type { LayerStatistics } from '../../core/oracle/oracle.js';
import { symmetrize } from '../../core/linalg/dense-hessian.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { type Activation, type ResolvedMlpSpec, layerLayout, parameterCount } from './architecture.js';
import { packWeights, unpackWeights } from './block-kernels.js';

/** What the curvature passes need of the data: only the inputs (neither targets nor labels enter G(θ)). */
export interface CurvatureData {
  /** N×d_in, row-major. */
  readonly inputs: Float64Array;
  readonly N: number;
}

/** Target rows of the stacked back-propagation per block (samples × slabs). */
const STACKED_ROWS = 2048;

export interface CurvatureOptions {
  /**
   * Samples per block (default 512). The statistics use at most ⌈2048/slabs⌉ samples per block
   * (slabs ≤ d_out), so that the stacked back-propagation stays in cache.
   */
  blockRows?: number;
}

/** Per-layer work buffers for one block (nothing here is N-sized). */
interface LayerWork {
  readonly index: number;
  readonly inW: number;
  readonly outW: number;
  readonly act: Activation;
  /** inW + β: columns of [A_{l−1} | 1] and of [W_l | b_l]. */
  readonly kIn: number;
  readonly weightOffset: number;
  readonly biasOffset: number;
  /** [W_l | b_l], outW×kIn. */
  readonly wb: Float64Array;
  /** W_l alone (out×in row-major view of θ's copy). */
  readonly W: Float64Array;
  /** This layer's input block [A_{l−1} | 1], rows×kIn (layer 1: the data block). */
  readonly input: Float64Array;
  /** Block Z_l, then reused (R{Z_l} in the Gauss-Newton product), rows×outW. */
  readonly z: Float64Array;
  /** σ'(Z_l), rows×outW (null for identity). */
  readonly d1: Float64Array | null;
}

/** Shared set-up: a private copy of θ, packed weights, block buffers with the ones columns. */
function setup(spec: ResolvedMlpSpec, theta: Float64Array, rows: number): { layers: LayerWork[]; out: Float64Array; beta: number } {
  const beta = spec.biases ? 1 : 0;
  const t = Float64Array.from(theta);
  const layers: LayerWork[] = [];
  let input = new Float64Array(rows * (spec.layers[0] + beta));
  for (const ly of layerLayout(spec)) {
    const { inputs: inW, outputs: outW } = ly;
    const kIn = inW + beta;
    const wb = new Float64Array(outW * kIn);
    packWeights(outW, inW, kIn, t, ly.weightOffset, ly.biasOffset, wb);
    if (beta) for (let i = 0; i < rows; i++) input[i * kIn + inW] = 1;
    layers.push({
      index: ly.index, inW, outW, act: ly.activation, kIn, weightOffset: ly.weightOffset, biasOffset: ly.biasOffset, wb,
      W: t.subarray(ly.weightOffset, ly.weightOffset + outW * inW), input,
      z: new Float64Array(rows * outW), d1: ly.activation === 'identity' ? null : new Float64Array(rows * outW),
    });
    input = new Float64Array(rows * (outW + beta)); // the next layer's input = [A_l | 1]
  }
  // `input` now is the block's network output [A_L | 1] (rows×(d_out + β)).
  return { layers, out: input, beta };
}

/** Forward pass over one block: fills every layer's input, σ' and the output block. */
function forwardBlock(k: DenseKernels, layers: LayerWork[], out: Float64Array, beta: number, x: Float64Array, dIn: number, r0: number, rows: number): void {
  const first = layers[0].input;
  const kIn0 = dIn + beta;
  for (let i = 0; i < rows; i++) {
    const s = (r0 + i) * dIn;
    const d = i * kIn0;
    for (let c = 0; c < dIn; c++) first[d + c] = x[s + c];
  }
  for (let li = 0; li < layers.length; li++) {
    const ly = layers[li];
    const next = li + 1 < layers.length ? layers[li + 1].input : out;
    k.gemm(false, true, rows, ly.outW, ly.kIn, 1, ly.input, ly.kIn, ly.wb, ly.kIn, 0, ly.z, ly.outW);
    activate(ly.act, rows, ly.outW, ly.z, next, ly.outW + beta, ly.d1);
  }
}

function blockSoftmax(rows: number, d: number, out: Float64Array, stride: number, p: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * stride;
    let m = -Infinity;
    for (let j = 0; j < d; j++) if (out[o + j] > m) m = out[o + j];
    let s = 0;
    for (let j = 0; j < d; j++) { const e = Math.exp(out[o + j] - m); p[i * d + j] = e; s += e; }
    const inv = 1 / s;
    for (let j = 0; j < d; j++) p[i * d + j] *= inv;
  }
}

/**
 * Per-layer Kronecker factors A_l, G_l at θ (see the file comment and `LayerStatistics`).
 * θ is not validated here (the oracle does it). Cost: one forward pass plus one stacked
 * Jacobian back-propagation of `slabs` columns per sample (≈ slabs backward passes, but with
 * no weight-gradient gemms: a G_l gemm of rows·slabs·out_l² instead).
 */
export function layerStatistics(
  spec: ResolvedMlpSpec, data: CurvatureData, theta: Float64Array, kernels: DenseKernels, options: CurvatureOptions = {},
): LayerStatistics[] {
  const N = data.N;
  const dIn = spec.layers[0];
  const d = spec.layers[spec.layers.length - 1];
  const isCE = spec.loss === 'softmax-cross-entropy';
  const L = spec.layers.length - 1;
  // MSE with an identity output: see `topSeeds` below; then at most in_L slabs.
  const constantTop = !isCE && spec.outputActivation === 'identity';
  const slabs = constantTop && L > 1 ? Math.min(d, spec.layers[L - 1]) : d;
  const rowsMax = Math.max(1, Math.min(N, options.blockRows ?? 512, Math.ceil(STACKED_ROWS / slabs)));
  const { layers, out, beta } = setup(spec, theta, rowsMax);
  const maxW = Math.max(...spec.layers);
  // Stacked buffers: rows·slabs rows × width; dA is ∂(c_ikᵀŷ)/∂A_l, dZ the δ's.
  const S = rowsMax * slabs;
  const dA = new Float64Array(S * maxW);
  const dZ = new Float64Array(S * maxW);
  const p = isCE ? new Float64Array(rowsMax * d) : null;
  const stats: LayerStatistics[] = layers.map((ly) => ({
    layer: ly.index, inputs: ly.inW, outputs: ly.outW, weightOffset: ly.weightOffset, biasOffset: ly.biasOffset,
    A: new Float64Array(ly.kIn * ly.kIn), aDim: ly.kIn, G: new Float64Array(ly.outW * ly.outW),
  }));
  const invN = 1 / N;
  const cMse = Math.sqrt(2 / d);
  // MSE with an identity output: δ_L,ik = c_k for every sample, so G_L = (2/d)·I exactly and
  // the seeds of layer L−1 are the same for every sample: vectors s_j with Σ_j s_j s_jᵀ =
  // Σ_k (W_Lᵀc_k)(W_Lᵀc_k)ᵀ = (2/d)·W_LᵀW_L. When in_L < d (a bottleneck before the output, as
  // in the autoencoders) the in_L scaled eigenvectors of that Gram matrix replace the d rows of
  // sqrt(2/d)·W_L: fewer slabs, the same G_l below (Σ_k δδᵀ = D(Σ_k aaᵀ)D is all that enters).
  let topSeeds: Float64Array | null = null;
  if (constantTop) {
    const G = stats[L - 1].G;
    for (let j = 0; j < d; j++) G[j * d + j] = 2 / d;
    if (L > 1) {
      const ly = layers[L - 1];
      const w = ly.inW;
      if (w < d) {
        const gram = new Float64Array(w * w);
        kernels.gemm(true, false, w, w, d, 2 / d, ly.W, w, ly.W, w, 0, gram, w);
        const eig = kernels.symmetricEigen(gram, w, true);
        const vec = eig.vectors as Float64Array;
        topSeeds = new Float64Array(w * w);
        for (let j = 0; j < w; j++) {
          const sj = Math.sqrt(Math.max(0, eig.values[j]));
          for (let c = 0; c < w; c++) topSeeds[j * w + c] = sj * vec[j * w + c];
        }
      } else {
        topSeeds = new Float64Array(d * w);
        for (let t = 0; t < d * w; t++) topSeeds[t] = cMse * ly.W[t];
      }
    }
  }

  for (let r0 = 0; r0 < N; r0 += rowsMax) {
    const rows = Math.min(rowsMax, N - r0);
    forwardBlock(kernels, layers, out, beta, data.inputs, dIn, r0, rows);
    // A_l += (1/N)·[A_{l−1} | 1]ᵀ[A_{l−1} | 1]
    for (let li = 0; li < L; li++) {
      const ly = layers[li];
      kernels.gemm(true, false, ly.kIn, ly.kIn, rows, invN, ly.input, ly.kIn, ly.input, ly.kIn, 1, stats[li].A, ly.kIn);
    }
    if (constantTop && L === 1) continue;
    let top = L - 1;
    if (topSeeds !== null) {
      const w = layers[L - 1].inW;
      fillSlabs(slabs, rows, w, topSeeds, dA);
      top = L - 2;
    } else {
      // Seeds c_ik at the output (slab k, row i), in dA with row stride d.
      dA.fill(0, 0, rows * d * d);
      if (!isCE) {
        for (let kk = 0; kk < d; kk++) for (let i = 0; i < rows; i++) dA[(kk * rows + i) * d + kk] = cMse;
      } else {
        const pb = p as Float64Array;
        blockSoftmax(rows, d, out, d + beta, pb);
        for (let kk = 0; kk < d; kk++) {
          for (let i = 0; i < rows; i++) {
            const sk = Math.sqrt(pb[i * d + kk]);
            const o = (kk * rows + i) * d;
            for (let j = 0; j < d; j++) dA[o + j] = -sk * pb[i * d + j];
            dA[o + kk] += sk;
          }
        }
      }
    }
    const Sb = rows * slabs;
    // `cur` holds the stacked ∂(c_ikᵀŷ_i)/∂A_l of the layer being processed; `spare` is the other buffer.
    let cur = dA;
    let spare = dZ;
    for (let li = top; li >= 0; li--) {
      const ly = layers[li];
      const { inW, outW } = ly;
      // δ = dA ⊙ σ'(Z_l) (the block's σ' repeats in every slab); identity: δ = dA.
      let delta = cur;
      if (ly.d1 !== null) {
        slabMul(slabs, rows * outW, cur, ly.d1, spare);
        delta = spare;
      }
      kernels.gemm(true, false, outW, outW, Sb, invN, delta, outW, delta, outW, 1, stats[li].G, outW);
      if (li > 0) {
        const dst = delta === cur ? spare : cur;
        kernels.gemm(false, false, Sb, inW, outW, 1, delta, outW, ly.W, inW, 0, dst, inW);
        spare = dst === cur ? spare : cur;
        cur = dst;
      }
    }
  }
  for (const s of stats) { symmetrize(s.A, s.aDim); symmetrize(s.G, s.outputs); }
  return stats;
}

/**
 * Exact Gauss-Newton product G(θ)·v = (1/N) Σ_i J_iᵀ M_i J_i v + (2λ/n)·v into `out` (may
 * alias v): a forward pass, an R-forward pass for J v (R{Z_l} = R{A_{l−1}}·W_lᵀ +
 * [A_{l−1} | 1]·[V_l | c_l]ᵀ, R{A_l} = σ'⊙R{Z_l}), M_i applied to R{ŷ_i}, then a backward
 * pass through the Jacobian only (no σ'' terms, unlike the HVP). θ and v are not validated here.
 */
export function gaussNewtonProduct(
  spec: ResolvedMlpSpec, data: CurvatureData, theta: Float64Array, v: Float64Array, kernels: DenseKernels,
  out?: Float64Array, options: CurvatureOptions = {},
): Float64Array {
  const N = data.N;
  const n = parameterCount(spec);
  const dIn = spec.layers[0];
  const d = spec.layers[spec.layers.length - 1];
  const isCE = spec.loss === 'softmax-cross-entropy';
  const rowsMax = Math.max(1, Math.min(N, options.blockRows ?? 512));
  const { layers, out: yb, beta } = setup(spec, theta, rowsMax);
  const L = layers.length;
  const maxW = Math.max(...spec.layers);
  const vc = layers.map((ly) => {
    const m = new Float64Array(ly.outW * ly.kIn);
    packWeights(ly.outW, ly.inW, ly.kIn, v, ly.weightOffset, ly.biasOffset, m);
    return m;
  });
  const acc = layers.map((ly) => new Float64Array(ly.outW * ly.kIn));
  let raPrev = new Float64Array(rowsMax * maxW);
  let ra = new Float64Array(rowsMax * maxW);
  const g1 = new Float64Array(rowsMax * maxW);
  const g2 = new Float64Array(rowsMax * maxW);
  const p = isCE ? new Float64Array(rowsMax * d) : null;
  const sMse = 2 / (N * d);
  for (let r0 = 0; r0 < N; r0 += rowsMax) {
    const rows = Math.min(rowsMax, N - r0);
    forwardBlock(kernels, layers, yb, beta, data.inputs, dIn, r0, rows);
    // R-forward: R{A_l} in `ra` (the previous layer's in `raPrev`); R{Z_l} overwrites z (not needed any more).
    for (let li = 0; li < L; li++) {
      const ly = layers[li];
      const { inW, outW, kIn } = ly;
      if (li === 0) {
        kernels.gemm(false, true, rows, outW, kIn, 1, ly.input, kIn, vc[li], kIn, 0, ly.z, outW);
      } else {
        kernels.gemm(false, true, rows, outW, inW, 1, raPrev, inW, ly.W, inW, 0, ly.z, outW);
        kernels.gemm(false, true, rows, outW, kIn, 1, ly.input, kIn, vc[li], kIn, 1, ly.z, outW);
      }
      mulInto(rows * outW, ly.z, ly.d1, ra);
      if (li + 1 < L) { const t = raPrev; raPrev = ra; ra = t; }
    }
    // dA_L = (1/N)·M_i·R{ŷ_i} row-wise.
    if (!isCE) {
      scaleInto(rows * d, sMse, ra, g1);
    } else {
      const pb = p as Float64Array;
      blockSoftmax(rows, d, yb, d + beta, pb);
      const inv = 1 / N;
      for (let i = 0; i < rows; i++) {
        const o = i * d;
        let pr = 0;
        for (let j = 0; j < d; j++) pr += pb[o + j] * ra[o + j];
        for (let j = 0; j < d; j++) g1[o + j] = inv * pb[o + j] * (ra[o + j] - pr);
      }
    }
    // Backward through the Jacobian only: dZ = dA ⊙ σ', [dW | db] += dZᵀ[A_{l−1} | 1], dA_{l−1} = dZ·W_l.
    let dAbuf = g1;
    let other = g2;
    for (let li = L - 1; li >= 0; li--) {
      const ly = layers[li];
      const { inW, outW, kIn } = ly;
      if (ly.d1 !== null) mulInto(rows * outW, dAbuf, ly.d1, dAbuf);
      kernels.gemm(true, false, outW, kIn, rows, 1, dAbuf, outW, ly.input, kIn, r0 === 0 ? 0 : 1, acc[li], kIn);
      if (li > 0) {
        kernels.gemm(false, false, rows, inW, outW, 1, dAbuf, outW, ly.W, inW, 0, other, inW);
        const t = dAbuf; dAbuf = other; other = t;
      }
    }
  }
  const res = new Float64Array(n);
  layers.forEach((ly, li) => unpackWeights(ly.outW, ly.inW, ly.kIn, acc[li], res, ly.weightOffset, ly.biasOffset));
  if (spec.l2 !== 0) {
    const c = (2 * spec.l2) / n;
    for (let i = 0; i < n; i++) res[i] += c * v[i];
  }
  if (out === undefined) return res;
  out.set(res);
  return out;
}

// ---- helpers --------------------------------------------------------------------------------

/** A = σ(Z) into `act` (row stride aStride, first w columns) and σ'(Z) into d1 (rows×w). */
function activate(act: Activation, rows: number, w: number, z: Float64Array, a: Float64Array, aStride: number, d1: Float64Array | null): void {
  for (let i = 0; i < rows; i++) {
    const zi = i * w;
    const ai = i * aStride;
    switch (act) {
      case 'identity':
        for (let j = 0; j < w; j++) a[ai + j] = z[zi + j];
        break;
      case 'swish': {
        const g = d1 as Float64Array;
        for (let j = 0; j < w; j++) {
          const x = z[zi + j];
          const e = Math.exp(-Math.abs(x)); // stable sigmoid (as in block-kernels.ts)
          const r = 1 / (1 + e);
          const s = x >= 0 ? r : e * r;
          a[ai + j] = x * s;
          g[zi + j] = s * (1 + x * (1 - s));
        }
        break;
      }
      case 'tanh': {
        const g = d1 as Float64Array;
        for (let j = 0; j < w; j++) { const t = Math.tanh(z[zi + j]); a[ai + j] = t; g[zi + j] = 1 - t * t; }
        break;
      }
      case 'relu': {
        const g = d1 as Float64Array;
        for (let j = 0; j < w; j++) { const x = z[zi + j]; const pos = x > 0; a[ai + j] = pos ? x : 0; g[zi + j] = pos ? 1 : 0; }
        break;
      }
    }
  }
}

/** Slab j (rows×w) of dst ← `rows` copies of row j of seeds (slabs×w). */
function fillSlabs(slabs: number, rows: number, w: number, seeds: Float64Array, dst: Float64Array): void {
  for (let j = 0; j < slabs; j++) {
    const s0 = j * w;
    const o0 = j * rows * w;
    for (let i = 0; i < rows; i++) {
      const o = o0 + i * w;
      for (let c = 0; c < w; c++) dst[o + c] = seeds[s0 + c];
    }
  }
}

/** dst[t] = x[t]·y[t] (y null: dst = x) for t < len; dst may alias x. */
function mulInto(len: number, x: Float64Array, y: Float64Array | null, dst: Float64Array): void {
  if (y === null) { if (dst !== x) for (let t = 0; t < len; t++) dst[t] = x[t]; return; }
  for (let t = 0; t < len; t++) dst[t] = x[t] * y[t];
}

function scaleInto(len: number, a: number, x: Float64Array, dst: Float64Array): void {
  for (let t = 0; t < len; t++) dst[t] = a * x[t];
}

/** For each of `slabs` consecutive slabs of `len` entries: dst = src ⊙ d1 (d1 is one slab long). */
function slabMul(slabs: number, len: number, src: Float64Array, d1: Float64Array, dst: Float64Array): void {
  for (let k = 0; k < slabs; k++) {
    const o = k * len;
    for (let t = 0; t < len; t++) dst[o + t] = src[o + t] * d1[t];
  }
}

