/**
 * The state the Newton-MR benches step from (sections 3 and 5): the Fig. 1C Swish AE after 50
 * gradient steps from the paper's initialisation, with the catalog's data (swish-ae, seed 3,
 * N = 10,000) for an oracle of the caller's thread count.
 */
import { gaussianData, linearlySpacedVariances } from '../core/data/gaussian.js';
import type { DenseKernels } from '../core/linalg/kernels.js';
import { buildProblem } from '../core/registry/catalog.js';
import type { MlpSpec } from '../engines/mlp/architecture.js';
import type { MlpData } from '../engines/mlp/data.js';
import { initMlpParameters } from '../engines/mlp/init.js';
import type { MlpOracle } from '../engines/mlp/mlp-oracle.js';
import { Rng } from '../core/random/rng.js';
import { trainTrajectory } from '../core/starts/training.js';

export function swishAeBenchState(k: DenseKernels): { spec: MlpSpec; theta: Float64Array; data: MlpData } {
  const problem = buildProblem({ name: 'swish-ae', seed: 3 }, k);
  const spec = problem.info.spec as MlpSpec;
  const rng = new Rng(3);
  const traj = trainTrajectory(problem.oracle, initMlpParameters(spec, () => rng.normal()), { learningRate: 0.1, momentum: 0, steps: 50, keepEvery: 50 });
  (problem.oracle as MlpOracle).dispose();
  const x = gaussianData(10_000, linearlySpacedVariances(16), new Rng(3).fork(1));
  return { spec, theta: traj.thetas[traj.thetas.length - 1], data: { inputs: x, targets: x, N: 10_000 } };
}
