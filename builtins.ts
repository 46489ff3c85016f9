/**
 * The only list of gradflat's built-in methods and problems. They register through the same
 * public API a user's plugin uses; nothing under core/ knows their names.
 *
 * This module is also a registry *setup module*: `registerBuiltins` records its URL in the
 * registry, and a suite's worker threads import it to rebuild the same registry
 * (core/registry/setup.ts).
 */
import { registry as defaultRegistry, type PluginRegistry } from './core/registry/registry.js';
import type { ProblemPlugin } from './core/registry/problems.js';
import { adamPlugin } from './plugins/adam/index.js';
import { dampedNewtonPlugin, saddleFreeNewtonPlugin } from './plugins/damped-newton/index.js';
import { gdPlugin } from './plugins/gd/index.js';
import { gnmPlugin } from './plugins/gnm/index.js';
import { kfacPlugin } from './plugins/kfac/index.js';
import { newtonMrPlugin } from './plugins/newton-mr/index.js';
import { linearAeProblem } from './problems/linear-ae/index.js';
import { mnistAeProblem } from './problems/mnist-ae/index.js';
import { mnistClassifierProblem } from './problems/mnist-classifier/index.js';
import { mnistMemorizeProblem } from './problems/mnist-memorize/index.js';
import { mnistMlpProblem } from './problems/mnist-mlp/index.js';
import { quarticProblem } from './problems/quartic/index.js';
import { swishAeProblem } from './problems/swish-ae/index.js';

export const builtinPlugins = [newtonMrPlugin, gnmPlugin, dampedNewtonPlugin, saddleFreeNewtonPlugin, kfacPlugin, adamPlugin, gdPlugin];

/** In the order of the paper's figures, then the large problem. */
export const builtinProblems: readonly ProblemPlugin[] = [quarticProblem, linearAeProblem, swishAeProblem, mnistAeProblem, mnistClassifierProblem, mnistMemorizeProblem, mnistMlpProblem];

/** Registers the built-in problems alone (idempotent), for a registry that brings its own steppers. */
export function registerBuiltinProblems(target: PluginRegistry = defaultRegistry): PluginRegistry {
  for (const p of builtinProblems) if (!target.problems.has(p.name)) target.registerProblem(p);
  return target;
}

/**
 * Registers every built-in stepper and problem (idempotent: a name already registered — a
 * built-in, or a user's plugin of that name — is left alone) and records this module as one
 * that rebuilds them in a worker thread.
 */
export function registerBuiltins(target: PluginRegistry = defaultRegistry): PluginRegistry {
  for (const p of builtinPlugins) if (!target.has(p.name)) target.register(p);
  registerBuiltinProblems(target);
  target.addSetupModule(import.meta.url);
  return target;
}

/** The setup-module entry point (core/registry/setup.ts). */
export const setup = registerBuiltins;
