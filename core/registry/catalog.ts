/**
 * The problems of the CLI and suites, by name: a thin layer over the problem registry
 * (core/problems/registry.ts). The built-in problems live in problems/<name>/ and register
 * through the same API a user's plugin file uses; every function here makes sure they are
 * present in the registry it is given, so a fresh PluginRegistry still knows them.
 *   quartic ([GF] Fig. 2), linear-ae, swish-ae (Fig. 1), mnist-ae (Fig. 3),
 *   mnist-classifier (Fig. 4), mnist-memorize (Fig. 5), mnist-mlp (784→128→64→10, n ≈ 1.1·10⁵).
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { registry as defaultRegistry, type PluginRegistry } from './registry.js';
import { builtinProblems, registerBuiltinProblems } from '../../problems/index.js';
import type { Problem, ProblemConfig, ProblemRegistry } from './problems.js';

export type { Problem, ProblemConfig, StartSettings, TrainingRunSummary, ProblemPlugin, ProblemContext, BuiltProblem } from './problems.js';
export { DEFAULT_STARTS } from '../../problems/common/mlp-problem.js';

/** The built-in problems' names (a plugin file adds more; see `gradflat problems`). */
export const PROBLEM_NAMES = builtinProblems.map((p) => p.name) as readonly string[];
export type ProblemName = string;

/** How the oracle computes (never what): suite workers ask for one thread each. */
export interface BuildOptions {
  /** MLP oracle threads (default: MlpOracle's rule); results do not depend on it. */
  threads?: number;
}

/** The registry's problems, with the built-ins registered (idempotent). */
export function problemsOf(registry: PluginRegistry = defaultRegistry): ProblemRegistry {
  return registerBuiltinProblems(registry.problems);
}

/** True when `name` is one of gradflat's own problems in this registry (not a user's of that name). */
export function isBuiltinProblem(name: string, registry?: PluginRegistry): boolean {
  const problems = problemsOf(registry);
  return problems.has(name) && builtinProblems.includes(problems.get(name));
}

export function buildProblem(config: ProblemConfig, kernels: DenseKernels, options: BuildOptions = {}, registry?: PluginRegistry): Problem {
  return problemsOf(registry).build(config, { kernels, threads: options.threads });
}

/** As buildProblem, for problems whose build is asynchronous (e.g. loading a saved model). */
export function buildProblemAsync(config: ProblemConfig, kernels: DenseKernels, options: BuildOptions = {}, registry?: PluginRegistry): Promise<Problem> {
  return problemsOf(registry).buildAsync(config, { kernels, threads: options.threads });
}
