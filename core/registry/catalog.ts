/**
 * The problems of the CLI and suites, by name: a thin layer over the problem registry
 * (problems.ts). Which problems a registry holds is up to whoever fills it: gradflat's
 * built-ins come from builtins.ts at the top level, a user's from plugin files or code.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { registry as defaultRegistry, type PluginRegistry } from './registry.js';
import type { Problem, ProblemConfig, ProblemRegistry } from './problems.js';

export type { Problem, ProblemConfig, ProblemPlugin } from './problems.js';

/** How the oracle computes (never what): suite workers ask for one thread each. */
export interface BuildOptions {
  /** MLP oracle threads (default: MlpOracle's rule); results do not depend on it. */
  threads?: number;
}

/** The registry's problems. */
export function problemsOf(registry: PluginRegistry = defaultRegistry): ProblemRegistry {
  return registry.problems;
}

export function buildProblem(config: ProblemConfig, kernels: DenseKernels, options: BuildOptions = {}, registry?: PluginRegistry): Problem {
  return problemsOf(registry).build(config, { kernels, threads: options.threads });
}

/** As buildProblem, for problems whose build is asynchronous (e.g. loading a saved model). */
export function buildProblemAsync(config: ProblemConfig, kernels: DenseKernels, options: BuildOptions = {}, registry?: PluginRegistry): Promise<Problem> {
  return problemsOf(registry).buildAsync(config, { kernels, threads: options.threads });
}
