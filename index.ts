/**
 * gradflat's public API: 41 names, grouped by what a user does with them. Everything else is
 * internal and may change without notice; checks/public-api.test.ts pins this list.
 * The layers behind these names are described in docs/architecture.md.
 */
import { registerBuiltins } from './builtins.js';

// The default registry knows gradflat's own steppers and problems as soon as gradflat is imported.
registerBuiltins();

// ── Writing a method (a stepper plugin; docs/writing-steppers.md) ─────────────────────────────
/** A method: init(θ₀) → state, step(state) → { state, metrics }; its state is plain data. */
export type { Stepper, StepperState, StepResult, StepMetrics } from './core/stepper/stepper.js';
/** What a stepper plugin declares: name, hyperparameters, and a class or a factory. */
export type { StepperPlugin } from './core/registry/registry.js';
/** The typed, ranged, defaulted hyperparameters a plugin declares (plain objects, no zod needed). */
export type { HyperparameterSchema } from './core/registry/hyperparameters.js';
/** Marks a plain-JavaScript stepper class injectable with explicit tokens. */
export { injectableStepper } from './core/registry/registry.js';
/** Injection tokens: the oracle, the validated hyperparameters, the run's dense kernels. */
export { ORACLE, HYPERPARAMETERS, DENSE_KERNELS } from './core/oracle/tokens.js';

// ── Bringing a problem (a problem plugin; docs/problems.md) ────────────────────────────────────
/** Loss, gradient and Hessian-vector products in float64, with work counters. */
export type { Oracle } from './core/oracle/oracle.js';
/** An Oracle from plain functions (loss, gradient, hvp). */
export { functionOracle } from './core/oracle/function-oracle.js';
/** What a problem plugin declares, what its build receives, and what it returns. */
export type { ProblemPlugin, ProblemContext, BuiltProblem } from './core/registry/problems.js';
/** An MLP problem on the float64 engine (or tfjs), with starts from training. */
export { mlpProblem } from './problems/common/mlp-problem.js';
/** A headerless CSV of numbers as a row-major matrix, with the errors a user can act on. */
export { readCsvMatrix } from './core/data/csv.js';
/** TensorFlow.js models and losses as problems (float32; docs/precision.md). */
export { tfjsModelProblem } from './engines/tfjs/layers-model.js';
/** A tfjs layers model read from model.json plus its weight files, without tfjs-node. */
export { loadLayersModelFile } from './engines/tfjs/saved-model.js';
/** A tfjs layers model written as model.json plus weights.bin, without tfjs-node. */
export { saveLayersModelFiles } from './engines/tfjs/saved-model.js';
/** Starts the best tfjs backend present: tfjs-node if installed, else WASM, else pure JS. */
export { selectTfjsBackend } from './engines/tfjs/backend.js';

// ── Checking a plugin (docs/plugins.md) ───────────────────────────────────────────────────────────
/** The conformance battery (`gradflat check`): a stepper's determinism, resume, no mutation, counted work; a problem's derivatives against finite differences. */
export { checkPlugin } from './core/check/check.js';

// ── Registering ────────────────────────────────────────────────────────────────────────────────
/** The process-wide registry the CLI and suites use, and its class. */
export { registry, PluginRegistry } from './core/registry/registry.js';
/** Registers a stepper plugin with `registry` (docs/plugins.md). */
export { registerPlugin } from './core/registry/registry.js';
/** Registers a problem plugin with `registry` (docs/problems.md). */
export { registerProblem } from './core/registry/registry.js';
/** Fills a (fresh) registry with gradflat's own steppers and problems. */
export { registerBuiltins } from './builtins.js';

// ── Running and measuring ──────────────────────────────────────────────────────────────────────
/** OpenBLAS/LAPACKE through an FFI when present, else pure TypeScript. */
export { selectKernels } from './core/linalg/select-kernels.js';
/** One stepper from one start, no files. */
export { runStepper } from './core/run/run-loop.js';
/** Flatness (r, rH, spectral share), class, and Morse index at one point. */
export { evaluatePoint } from './core/analysis/evaluate-point.js';
/** `gradflat run` as a function: a run directory that resumes after a crash. */
export { runExperiment } from './core/run/experiment.js';
/** A suite file, read and checked against its schema. */
export { loadSuite } from './core/suite/config.js';
/** `gradflat suite` as a function: the same starts for every method, on threads or a queue. */
export { runSuite } from './core/suite/suite.js';
/** What each finished run writes (runs/run-NNN.json). */
export type { RunRecord } from './core/run/run-one.js';

/**
 * The report writer (core/report/write-report.ts), loaded on first use: vega and vega-lite take
 * about half a second to import, which `import 'gradflat'` should not cost.
 */
export async function writeReport(...args: Parameters<typeof import('./core/report/write-report.js').writeReport>) {
  const m = await import('./core/report/write-report.js');
  return m.writeReport(...args);
}

// ── Scaling out (docs/scale-out.md), loaded on first use: bullmq takes about half a second to import ──
/** Runs a suite's tasks as BullMQ jobs on Redis. */
export async function queueExecutor(...args: Parameters<typeof import('./core/distributed/coordinator.js').queueExecutor>) {
  return (await import('./core/distributed/coordinator.js')).queueExecutor(...args);
}
/** Serves queued tasks until closed. */
export async function startQueueWorker(...args: Parameters<typeof import('./core/distributed/worker.js').startQueueWorker>) {
  return (await import('./core/distributed/worker.js')).startQueueWorker(...args);
}

// ── Errors a caller catches ────────────────────────────────────────────────────────────────────
/** Bad input (exit 2); ConfigError names the config field; a plugin's bug (exit 1); a run directory in use (exit 1). */
export { UsageError, ConfigError, PluginError, DirectoryBusyError } from './core/io/errors.js';
