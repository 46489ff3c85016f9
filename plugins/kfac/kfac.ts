/**
 * K-FAC (Martens & Grosse 2015, [MG]) for MLPs, block-diagonal variant ([MG] §4.2), on the
 * oracle's 'layer-statistics' capability (per-layer factors A_l, G_l and the exact Gauss-Newton
 * product; for softmax CE that is the Fisher, for MSE the Gauss-Newton matrix).
 *
 * One step from θ_k (gradient g, loss h):
 *  1. Statistics (every `statsEvery` steps): A_l, G_l at θ_k, folded into exponential moving
 *     averages with decay ε_k = min(1 − 1/k, ema), k = statistics passes so far ([MG] §5; the
 *     first estimate is taken as is).
 *  2. Eigendecompositions of the averaged factors (every `inverseEvery` steps; [MG] §8's T3).
 *     Storing eigenvectors instead of inverses lets the damping change every step for free.
 *  3. Direction, per layer, with factored Tikhonov damping ([MG] §6.3):
 *       Δ̄_l = −(G_l + (γ/π_l) I)⁻¹ ∇̄_l (A_l + π_l γ I)⁻¹,   ∇̄_l = [∇W_l | ∇b_l],
 *       π_l = sqrt((tr A_l / dim A_l) / (tr G_l / dim G_l)),   γ = sqrt(λ).
 *     [MG] take γ = sqrt(λ + η) with η the ℓ2 coefficient. The Oracle interface does not expose
 *     the ℓ2 strength, so η is 0 here; the ℓ2 curvature still enters steps 4–5 exactly, through
 *     gaussNewtonProduct (which includes 2λ_ℓ2/n·v), and the λ adaptation absorbs the rest.
 *  4. Scale by the quadratic model ([MG] §6.4, one Gauss-Newton product):
 *       α* = −gᵀΔ / (Δᵀ(Ĝ + λI)Δ),   α = min(α*, learningRate)   (Ĝ: exact GN incl. ℓ2)
 *     or α = learningRate with `quadraticModel` off; then ‖αΔ‖ ≤ maxStepNorm when that is > 0.
 *  5. Levenberg-Marquardt adaptation of λ ([MG] §6.5): ρ = (h(θ_k+αΔ) − h(θ_k)) / M(αΔ),
 *     M(δ) = gᵀδ + ½δᵀ(Ĝ + λI)δ; ρ > 3/4: λ ← ωλ, ρ < 1/4: λ ← λ/ω, ω = 19/20 per step
 *     ([MG] apply ω₁ = (19/20)^T₁ every T₁ = 5 steps: the same average rate). No extra oracle
 *     work: h(θ_{k+1}) is computed anyway for the next state.
 * Not implemented: momentum ([MG] §7), the block-tridiagonal inverse ([MG] §4.3), the greedy
 * γ search ([MG] §6.6), mini-batches (the oracle is full-batch). Steps are never rejected:
 * this is an optimizer, not a critical-point finder.
 */
import { inject, injectable } from '../../core/di.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { allFinite, dot, equalArrays, norm2 } from '../../core/linalg/vector.js';
import { requireCapability, type LayerStatistics, type Oracle } from '../../core/oracle/oracle.js';
import { DENSE_KERNELS, HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepMetrics, StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import { initialState } from '../../core/stepper/evaluate.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { kfacHyperparameters } from './hyperparameters.js';

export type KfacHyperparameters = HyperparametersOf<typeof kfacHyperparameters>;

/** LM factor ω per step ([MG] §6.5: ω₁ = (19/20)^T₁ every T₁ steps). */
export const DAMPING_OMEGA = 19 / 20;

/** One layer's averaged factors and their eigendecompositions (eigenvectors as rows). */
export interface KfacLayerFactors {
  readonly layer: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly weightOffset: number;
  readonly biasOffset: number;
  readonly aDim: number;
  /** Moving averages, aDim×aDim and outputs×outputs row-major. */
  readonly A: Float64Array;
  readonly G: Float64Array;
  /** Eigenvalues (clamped at 0) and eigenvectors (rows) of A and G at the last decomposition. */
  readonly aValues: Float64Array;
  readonly aVectors: Float64Array;
  readonly gValues: Float64Array;
  readonly gVectors: Float64Array;
}

export interface KfacState extends StepperState {
  readonly extra: {
    /** λ for the next step. */
    readonly damping: number;
    /** Statistics passes folded into the averages so far (k of ε_k). */
    readonly statsCount: number;
    /** Empty until the first step. */
    readonly factors: readonly KfacLayerFactors[];
  };
}

/** Trace-norm π_l of [MG] §6.3 (eq. for π_l with the dimension-normalised traces); 1 when undefined. */
export function factoredPi(f: Pick<KfacLayerFactors, 'aValues' | 'gValues' | 'aDim' | 'outputs'>): number {
  let ta = 0;
  let tg = 0;
  for (const x of f.aValues) ta += x;
  for (const x of f.gValues) tg += x;
  const pi = Math.sqrt((ta / f.aDim) / (tg / f.outputs));
  return Number.isFinite(pi) && pi > 0 ? pi : 1;
}

/**
 * The K-FAC direction Δ = −blockdiag[(G_l + (γ/π_l) I)⁻¹ ∇̄_l (A_l + π_l γ I)⁻¹] g with γ = sqrt(λ),
 * from the stored eigendecompositions ((X + cI)⁻¹ = Eᵀ diag(1/(x_i + c)) E).
 */
export function kfacDirection(factors: readonly KfacLayerFactors[], g: Float64Array, damping: number, k: DenseKernels = typescriptKernels): Float64Array {
  const gamma = Math.sqrt(damping);
  const delta = new Float64Array(g.length);
  for (const f of factors) {
    const { inputs: inW, outputs: out, aDim, weightOffset: wo, biasOffset: bo } = f;
    const grad = new Float64Array(out * aDim);
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < inW; c++) grad[r * aDim + c] = g[wo + r * inW + c];
      if (bo >= 0) grad[r * aDim + inW] = g[bo + r];
    }
    const pi = factoredPi(f);
    // [MG] §6.3: (A + πγI) ⊗ (G + (γ/π)I) — π scales the A factor's share of the damping.
    const cA = pi * gamma;
    const cG = gamma / pi;
    const t1 = new Float64Array(out * aDim);
    const t2 = new Float64Array(out * aDim);
    k.gemm(false, false, out, aDim, out, 1, f.gVectors, out, grad, aDim, 0, t1, aDim); // E_G ∇̄
    k.gemm(false, true, out, aDim, aDim, 1, t1, aDim, f.aVectors, aDim, 0, t2, aDim); // · E_Aᵀ
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < aDim; j++) t2[i * aDim + j] /= (f.gValues[i] + cG) * (f.aValues[j] + cA);
    }
    k.gemm(true, false, out, aDim, out, 1, f.gVectors, out, t2, aDim, 0, t1, aDim); // E_Gᵀ ·
    k.gemm(false, false, out, aDim, aDim, -1, t1, aDim, f.aVectors, aDim, 0, t2, aDim); // −(·) E_A
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < inW; c++) delta[wo + r * inW + c] = t2[r * aDim + c];
      if (bo >= 0) delta[bo + r] = t2[r * aDim + inW];
    }
  }
  return delta;
}

type LayerDims = Pick<KfacLayerFactors, 'layer' | 'inputs' | 'outputs' | 'weightOffset' | 'biasOffset' | 'aDim'>;

/** One layer's averaged factors before their eigendecomposition. */
type AveragedFactors = { dims: LayerDims; A: Float64Array; G: Float64Array };

function dimsOf(s: LayerDims): LayerDims {
  return { layer: s.layer, inputs: s.inputs, outputs: s.outputs, weightOffset: s.weightOffset, biasOffset: s.biasOffset, aDim: s.aDim };
}

/** Eigendecomposition of a symmetric PSD factor, eigenvalues clamped at 0 (round-off). */
function decompose(m: Float64Array, dim: number, kernels: DenseKernels): { values: Float64Array; vectors: Float64Array } {
  const e = kernels.symmetricEigen(m, dim, true);
  const values = Float64Array.from(e.values, (x) => Math.max(0, x));
  return { values, vectors: e.vectors as Float64Array };
}

/** Checks once that the layers tile θ exactly (each parameter in one layer block). */
function checkLayout(stats: readonly LayerStatistics[], dim: number): void {
  const seen = new Uint8Array(dim);
  let count = 0;
  const mark = (i: number) => {
    if (!(i >= 0 && i < dim) || seen[i]) throw new Error(`kfac: the oracle's layer statistics do not tile θ (index ${i} out of range or in two layers)`);
    seen[i] = 1; count++;
  };
  for (const s of stats) {
    if (s.aDim !== s.inputs + (s.biasOffset >= 0 ? 1 : 0) || s.A.length !== s.aDim * s.aDim || s.G.length !== s.outputs * s.outputs) {
      throw new Error(`kfac: layer ${s.layer}'s statistics have inconsistent sizes (aDim ${s.aDim}, inputs ${s.inputs}, bias offset ${s.biasOffset})`);
    }
    for (let t = 0; t < s.outputs * s.inputs; t++) mark(s.weightOffset + t);
    if (s.biasOffset >= 0) for (let r = 0; r < s.outputs; r++) mark(s.biasOffset + r);
  }
  if (count !== dim) throw new Error(`kfac: the oracle's layer statistics cover ${count} of the ${dim} parameters; K-FAC needs every parameter in a layer block`);
}

@injectable()
export class Kfac implements Stepper<KfacState> {
  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: KfacHyperparameters,
    // The run's kernels (LAPACK's eigensolver when loaded) for the factors' eigendecompositions and products.
    @inject(DENSE_KERNELS) private readonly kernels: DenseKernels = typescriptKernels,
  ) {
    requireCapability(oracle, 'layer-statistics', "stepper 'kfac'");
    if (typeof oracle.layerStatistics !== 'function' || typeof oracle.gaussNewtonProduct !== 'function') {
      throw new Error("stepper 'kfac': the oracle declares 'layer-statistics' but lacks layerStatistics() or gaussNewtonProduct()");
    }
  }

  init(theta0: Float64Array): KfacState {
    return initialState(this.oracle, theta0, { damping: this.hp.damping, statsCount: 0, factors: [] });
  }

  step(state: KfacState): StepResult<KfacState> {
    const { oracle, hp } = this;
    const { theta, gradient: g, gradNormSq } = state;
    const k = state.iteration;
    const lambda = state.extra.damping;
    const base = { iteration: k, loss: state.loss, gradNormSq };
    const noStep = (halted: string, extra: StepMetrics['extra'] = {}): StepResult<KfacState> => ({
      state,
      metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0, extra: { damping: lambda, ...extra } },
      halted,
    });
    if (gradNormSq === 0) return noStep('converged: the gradient is exactly zero', { statsRefreshed: false });

    // 1–2. Statistics and their moving averages; eigendecompositions.
    let factors = state.extra.factors;
    let statsCount = state.extra.statsCount;
    const statsRefreshed = factors.length === 0 || k % hp.statsEvery === 0;
    const inverseRefreshed = factors.length === 0 || k % hp.inverseEvery === 0;
    if (statsRefreshed || inverseRefreshed) {
      const averaged = this.statistics(state, statsRefreshed);
      statsCount = averaged.statsCount;
      factors = this.inverses(averaged.averaged, state.extra.factors, inverseRefreshed);
    }

    // 3. Direction.
    const delta = kfacDirection(factors, g, lambda, this.kernels);
    const directionNorm = norm2(delta);
    const slope = dot(g, delta); // gᵀΔ < 0 for a positive-definite preconditioner
    const common = { damping: lambda, statsRefreshed, inverseRefreshed, slope };
    if (!(directionNorm > 0) || !Number.isFinite(slope)) return noStep(`kfac: the direction is ${directionNorm > 0 ? 'not finite' : 'zero'} (damping λ = ${lambda}; the factors may be singular — raise 'damping')`, common);

    // 4. Step scale: quadratic model with the exact GN (incl. ℓ2) plus λI.
    const scale = this.stepScale(theta, delta, directionNorm, slope, lambda);
    if (typeof scale === 'string') return noStep(scale, common);
    const { alpha, alphaStar, curvature, clipped } = scale;
    const next = new Float64Array(theta.length);
    for (let i = 0; i < next.length; i++) next[i] = theta[i] + alpha * delta[i];
    const stepExtra = { ...common, clipped, ...(hp.quadraticModel && { alphaStar }) };
    if (!allFinite(next)) return noStep('kfac: the step overflowed (non-finite θ)', stepExtra);
    if (equalArrays(next, theta)) return noStep('kfac: the step is below the float64 resolution of θ', stepExtra);
    const { loss, gradient } = oracle.gradient(next, new Float64Array(next.length));

    // 5. Levenberg-Marquardt adaptation of λ.
    const { rho, nextLambda } = this.adaptDamping(lambda, alpha, slope, curvature, loss - state.loss);
    return {
      state: {
        iteration: k + 1, theta: next, loss, gradient, gradNormSq: dot(gradient, gradient),
        extra: { damping: nextLambda, statsCount, factors },
      },
      metrics: {
        ...base, alpha, directionNorm, stepNorm: alpha * directionNorm,
        extra: { ...stepExtra, ...(hp.quadraticModel && hp.adaptDamping && { rho }) },
      },
    };
  }

  /** Step 1: the moving averages of A_l, G_l, fresh statistics at θ folded in when `statsRefreshed`. */
  private statistics(state: KfacState, statsRefreshed: boolean): { averaged: AveragedFactors[]; statsCount: number } {
    const { oracle, hp } = this;
    const { theta } = state;
    const old = state.extra.factors;
    let statsCount = state.extra.statsCount;
    let averaged: AveragedFactors[];
    if (statsRefreshed) {
      const fresh = (oracle.layerStatistics as (t: Float64Array) => LayerStatistics[])(theta);
      if (old.length === 0) checkLayout(fresh, theta.length);
      statsCount++;
      const eps = Math.min(1 - 1 / statsCount, hp.ema); // [MG] §5: 0 for the first estimate
      averaged = fresh.map((f, li) => ({
        dims: dimsOf(f),
        A: old.length > 0 ? ema(old[li].A, f.A, eps) : Float64Array.from(f.A),
        G: old.length > 0 ? ema(old[li].G, f.G, eps) : Float64Array.from(f.G),
      }));
    } else {
      averaged = old.map((f) => ({ dims: dimsOf(f), A: f.A, G: f.G }));
    }
    return { averaged, statsCount };
  }

  /** Step 2: the averages' eigendecompositions when `inverseRefreshed`, else the old ones kept. */
  private inverses(averaged: readonly AveragedFactors[], old: readonly KfacLayerFactors[], inverseRefreshed: boolean): KfacLayerFactors[] {
    return averaged.map(({ dims, A, G }, li): KfacLayerFactors => {
      if (!inverseRefreshed) return { ...old[li], A, G }; // [MG] §8: stale inverses until the next refresh
      const a = decompose(A, dims.aDim, this.kernels);
      const gg = decompose(G, dims.outputs, this.kernels);
      return { ...dims, A, G, aValues: a.values, aVectors: a.vectors, gValues: gg.values, gVectors: gg.vectors };
    });
  }

  /** Step 4: α = min(α*, learningRate) from the quadratic model (or the rate alone), clipped; a string says why no step. */
  private stepScale(
    theta: Float64Array, delta: Float64Array, directionNorm: number, slope: number, lambda: number,
  ): { alpha: number; alphaStar: number; curvature: number; clipped: boolean } | string {
    const { oracle, hp } = this;
    let alpha = hp.learningRate;
    let alphaStar = NaN;
    let curvature = NaN;
    if (hp.quadraticModel) {
      const gd = (oracle.gaussNewtonProduct as (t: Float64Array, v: Float64Array) => Float64Array)(theta, delta);
      curvature = dot(delta, gd) + lambda * directionNorm * directionNorm; // Δᵀ(Ĝ + λI)Δ
      if (!(curvature > 0) || !Number.isFinite(curvature)) {
        return `kfac: the quadratic model has no positive curvature along the direction (Δᵀ(G+λI)Δ = ${curvature}); raise 'damping'`;
      }
      alphaStar = -slope / curvature;
      alpha = Math.min(alphaStar, hp.learningRate);
    }
    let clipped = false;
    if (hp.maxStepNorm > 0 && alpha * directionNorm > hp.maxStepNorm) {
      alpha = hp.maxStepNorm / directionNorm;
      clipped = true;
    }
    return { alpha, alphaStar, curvature, clipped };
  }

  /** Step 5: ρ = Δh / M(αΔ) and the next λ ([MG] §6.5); ρ NaN and λ kept when adaptation is off. */
  private adaptDamping(lambda: number, alpha: number, slope: number, curvature: number, lossChange: number): { rho: number; nextLambda: number } {
    const { hp } = this;
    let rho = NaN;
    let nextLambda = lambda;
    if (hp.quadraticModel && hp.adaptDamping) {
      const model = alpha * slope + 0.5 * alpha * alpha * curvature; // M(αΔ) < 0
      rho = lossChange / model;
      if (rho > 0.75) nextLambda = Math.max(hp.minDamping, DAMPING_OMEGA * lambda);
      else if (!(rho >= 0.25)) nextLambda = Math.max(hp.minDamping, lambda / DAMPING_OMEGA); // also NaN
    }
    return { rho, nextLambda };
  }
}

/** ε·old + (1 − ε)·fresh (a new array: earlier states keep their factors). */
function ema(old: Float64Array, fresh: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(old.length);
  for (let i = 0; i < out.length; i++) out[i] = eps * old[i] + (1 - eps) * fresh[i];
  return out;
}
