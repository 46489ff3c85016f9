/**
 * The named problems of the CLI and suites: an oracle plus how its starting points are made.
 * - quartic:   [GF] Fig. 2, starts on a grid.
 * - linear-ae: [GF] Fig. 1A/B, 16→4→16 linear autoencoder, no biases, MSE, Gaussian data.
 * - swish-ae:  [GF] Fig. 1C/D, 16→16→4→16 Swish autoencoder, no biases, ℓ2 (λ default 1e-4).
 * Autoencoder starts: full-batch GD (lr 0.1) trajectories from the paper's initialisation,
 * sampled uniformly in loss.
 */
import { readCsvMatrix } from '../data/csv.js';
import { gaussianData, linearlySpacedVariances } from '../data/gaussian.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { Oracle } from '../oracle/oracle.js';
import { Rng } from '../random/rng.js';
import { sampleUniformInLoss } from '../starts/loss-uniform.js';
import { trainTrajectory, type TrainingSettings, type Trajectory } from '../starts/training.js';
import { linearAeCriticalPoints, linearAeSpec, type LinearAeCriticalPoint } from './linear-ae-truth.js';
import { initMlpParameters } from './mlp/init.js';
import { createMlpOracle, type Engine } from './engine.js';
import type { MlpSpec, OutputActivation } from './mlp/architecture.js';
import { QuarticOracle, quarticGrid } from './quartic.js';

export const PROBLEM_NAMES = ['quartic', 'linear-ae', 'swish-ae'] as const;
export type ProblemName = (typeof PROBLEM_NAMES)[number];

export interface StartSettings extends TrainingSettings {
  /** Independent training runs whose trajectories are pooled. */
  trainings: number;
}

export interface ProblemConfig {
  name: string;
  /** Seeds the data and the initialisations. */
  seed: number;
  /** Samples of generated data (default 10,000). */
  samples?: number;
  /** ℓ2 strength λ (swish-ae default 1e-4; linear-ae 0). */
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

export interface Problem {
  name: ProblemName;
  description: string;
  oracle: Oracle;
  /** Facts for the run manifest (spec, data source, n, ...). */
  info: Record<string, unknown>;
  /** Quartic: the grid (count ignored). Autoencoders: `count` loss-uniform training iterates. */
  startingPoints(count: number, rng: Rng, progress?: (done: number, total: number) => void): Float64Array[];
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
  switch (config.name) {
    case 'quartic': return quarticProblem(config);
    case 'linear-ae': return autoencoderProblem(config, kernels, linearAeSpec(16, 4), 'linear-ae', options);
    case 'swish-ae': return autoencoderProblem(config, kernels, {
      layers: [16, 16, 4, 16], hiddenActivation: 'swish', outputActivation: config.outputActivation ?? 'identity',
      biases: false, loss: 'mse', l2: config.l2 ?? 1e-4,
    }, 'swish-ae', options);
    default:
      throw new Error(`unknown problem '${config.name}'. Available problems: ${PROBLEM_NAMES.join(', ')}`);
  }
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

function autoencoderProblem(config: ProblemConfig, kernels: DenseKernels, spec: MlpSpec, name: ProblemName, options: BuildOptions): Problem {
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
  const oracle = createMlpOracle(spec, { inputs, targets: inputs, N: n }, kernels, { threads: options.threads, engine: config.engine });
  const settings: StartSettings = { ...DEFAULT_STARTS, ...config.starts };
  return {
    name,
    description: `${spec.layers.join('→')} ${spec.hiddenActivation === 'identity' ? 'linear' : spec.hiddenActivation} autoencoder, ` +
      `${spec.biases ? 'biases' : 'no biases'}, MSE${spec.l2 ? `, ℓ2 λ = ${spec.l2}` : ''}`,
    oracle,
    info: { spec, engine: config.engine ?? 'f64', parameters: oracle.dim, data: source, starts: settings },
    startingPoints(count, rng, progress) {
      const pool: Trajectory = { thetas: [], losses: [] };
      for (let t = 0; t < settings.trainings; t++) {
        const theta0 = initMlpParameters(spec, () => rng.normal());
        trainTrajectory(oracle, theta0, settings, pool);
        progress?.(t + 1, settings.trainings);
      }
      return sampleUniformInLoss(pool.losses, count, rng).map((i) => pool.thetas[i]);
    },
    truth: name === 'linear-ae' && spec.l2 === 0
      ? (cutoff) => linearAeCriticalPoints(inputs, n, d, spec.layers[1], kernels, cutoff) : undefined,
  };
}
