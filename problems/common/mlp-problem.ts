/**
 * An MLP problem from a spec and data: gradflat's float64 oracle (or tfjs), and starting points
 * sampled uniformly in loss from full-batch training trajectories ([GF] appendix A). Built-in
 * MLP problems and users' plugin files (exported from 'gradflat' as `mlpProblem`) share it.
 */
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { sampleUniformInLoss } from '../../core/starts/loss-uniform.js';
import { trainTrajectory, type Trajectory } from '../../core/starts/training.js';
import { createMlpOracle, type Engine } from '../../engines/select.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import type { MlpData } from '../../engines/mlp/data.js';
import { initMlpParameters } from '../../engines/mlp/init.js';
import { classificationAccuracy } from '../../engines/mlp/predict.js';
import type { BuiltProblem, ProblemContext, StartSettings, TrainingRunSummary } from '../../core/registry/problems.js';

export const DEFAULT_STARTS: StartSettings = Object.freeze({ trainings: 4, steps: 400, learningRate: 0.1, momentum: 0, keepEvery: 1 });

export interface MlpProblemInput {
  spec: MlpSpec;
  data: MlpData;
  /** The build context gradflat passed to the problem's build (kernels, threads, start overrides). */
  ctx: Pick<ProblemContext, 'kernels' | 'threads' | 'starts'>;
  /** 'f64' (default) or 'tfjs'. */
  engine?: Engine;
  /** Manifest facts about the data (source, preprocessing, ...). */
  source?: Record<string, unknown>;
  /** This problem's training defaults (overridden by the config's `starts`). */
  startDefaults?: Partial<StartSettings>;
}

export function mlpDescription(spec: MlpSpec): string {
  const kind = spec.loss === 'mse' ? 'autoencoder' : 'classifier';
  return `${spec.layers.join('→')} ${spec.hiddenActivation === 'identity' ? 'linear' : spec.hiddenActivation} ${kind}, ` +
    `${spec.biases ? 'biases' : 'no biases'}, ${spec.loss === 'mse' ? 'MSE' : 'softmax cross-entropy'}${spec.l2 ? `, ℓ2 λ = ${spec.l2}` : ''}`;
}

/**
 * A problem plugin's build for an MLP: the oracle on the chosen engine, a description and manifest
 * facts from the spec, and starts sampled uniformly in loss from float64 training ([GF] appendix A).
 */
export function mlpProblem({ spec, data, ctx, engine = 'f64', source = {}, startDefaults = {} }: MlpProblemInput): BuiltProblem & {
  /** Filled by startingPoints: each training run's final loss (and accuracy, for classifiers). */
  training?: TrainingRunSummary[];
} {
  const kernels: DenseKernels = ctx.kernels;
  const oracle = createMlpOracle(spec, data, kernels, { threads: ctx.threads, engine });
  const settings: StartSettings = { ...DEFAULT_STARTS, ...startDefaults, ...ctx.starts };
  const problem: BuiltProblem = {
    description: mlpDescription(spec),
    oracle,
    info: { spec, engine, parameters: oracle.dim, data: source, starts: settings },
    startingPoints(count, rng, progress) {
      const pool: Trajectory = { thetas: [], losses: [] };
      const training: TrainingRunSummary[] = [];
      problem.training = training;
      // Starts always come from float64 training: a suite on engine tfjs starts from exactly the
      // points the same suite on f64 does, so the engines are compared from the same starts.
      const trainer = engine === 'f64' ? oracle : createMlpOracle(spec, data, kernels, { threads: ctx.threads, engine: 'f64' });
      try {
        for (let t = 0; t < settings.trainings; t++) {
          const theta0 = initMlpParameters(spec, () => rng.normal());
          const before = pool.thetas.length;
          trainTrajectory(trainer, theta0, settings, pool);
          const last = pool.thetas[pool.thetas.length - 1];
          training.push({
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
