/**
 * Real run directories for the report's tests, made in about a second: a `gradflat run` on
 * the quartic and a quartic suite with a flat-start phase and a suite target.
 */
import '../di.js';
import { join } from 'node:path';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { registerBuiltins } from '../../builtins.js';
import { runExperiment } from '../run/experiment.js';
import { resolveSuite } from '../suite/config.js';
import { runSuite } from '../suite/suite.js';

// Reports written without a registry replay quartic runs with the default one: give it the built-ins too.
registerBuiltins();
export const testRegistry = registerBuiltins(new PluginRegistry());
export const quiet = { update() {}, done() {} };

export function quarticRun(root: string, name = 'quartic-run'): string {
  const out = join(root, name);
  runExperiment({ problem: { name: 'quartic', seed: 1, grid: 4 }, stepper: 'newton-mr', runs: 1, iterations: 40, seed: 1 }, out, typescriptKernels, { registry: testRegistry, progress: quiet });
  return out;
}

export async function quarticSuite(root: string, name = 'quartic-suite'): Promise<string> {
  const out = join(root, name);
  const suite = resolveSuite({
    name,
    problem: { name: 'quartic', seed: 1, grid: 4 },
    seed: 5,
    starts: { count: 16, flat: { finder: { stepper: 'newton-mr', iterations: 30 } } },
    iterations: 25,
    steppers: [{ stepper: 'newton-mr' }, { stepper: 'gnm' }, { stepper: 'gd', hyperparameters: { learningRate: 0.01 } }],
    summary: { lossAfter: [5], targets: { gradNormSq: 1e-6 } },
  }, testRegistry);
  await runSuite(suite, out, typescriptKernels, { registry: testRegistry, workers: 1, progress: quiet });
  return out;
}
