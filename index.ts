/** gradflat's public API: one name per line, grouped by role. */
import { registerBuiltins } from './builtins.js';

// The default registry knows gradflat's own steppers and problems as soon as gradflat is imported.
registerBuiltins();

export { ORACLE, HYPERPARAMETERS, DENSE_KERNELS } from './core/oracle/tokens.js';
export type { Oracle, OracleCounters, OracleCapability, LossAndGradient } from './core/oracle/oracle.js';
export { checkTheta, requireCapability, emptyCounters, snapshotCounters, counterDelta } from './core/oracle/oracle.js';
export { countingOracle, type CountingOracle } from './core/oracle/counting.js';
export { functionOracle } from './core/oracle/function-oracle.js';
export type { OracleFunctions } from './core/oracle/function-oracle.js';
export type { Stepper, StepperState, StepResult, StepMetrics, MeasuredStepMetrics, NewtonSolveMetrics } from './core/stepper/stepper.js';
export { PluginRegistry, registry, registerPlugin, registerProblem, injectableStepper } from './core/registry/registry.js';
export type { StepperPlugin, CreateOptions } from './core/registry/registry.js';
export { loadPluginFile, loadPluginFiles } from './core/registry/load.js';
export type { HyperparameterSchema, HyperparameterSpec } from './core/registry/hyperparameters.js';
export { registerBuiltins, registerBuiltinProblems, builtinPlugins, builtinProblems } from './builtins.js';
export { newtonMrPlugin } from './plugins/newton-mr/index.js';

export { minresQlp } from './core/linalg/minres-qlp.js';
export type { MinresQlpOptions, MinresQlpResult, MinresQlpExit } from './core/linalg/minres-qlp.js';
export { selectKernels } from './core/linalg/select-kernels.js';
export type { DenseKernels } from './core/linalg/kernels.js';
export * from './core/linalg/vector.js';

export { MlpOracle } from './engines/mlp/mlp-oracle.js';
export { hvpBlockMaxFor } from './engines/mlp/mlp-oracle.js';
export type { MlpSpec } from './engines/mlp/architecture.js';
export { parameterCount, layerLayout } from './engines/mlp/architecture.js';
export { initMlpParameters } from './engines/mlp/init.js';
export { mlpOracleMemory, type MlpMemory } from './engines/mlp/memory.js';
export { QuarticOracle, quarticGrid } from './problems/quartic/oracle.js';
export { QuadraticOracle } from './core/oracle/quadratic.js';
export { buildProblem, buildProblemAsync, problemsOf } from './core/registry/catalog.js';
// Problem plugins (docs/problems.md): the registry, and helpers a user's problem may build on.
export { ProblemRegistry } from './core/registry/problems.js';
export type { ProblemPlugin, ProblemContext, ProblemConfig, ProblemOptions, Problem, BuiltProblem, StartSettings } from './core/registry/problems.js';
export { mlpProblem, DEFAULT_STARTS } from './problems/common/mlp-problem.js';
export type { MlpProblemInput } from './problems/common/mlp-problem.js';
export type { MlpData } from './engines/mlp/data.js';
export { readCsvMatrix } from './core/data/csv.js';
export { sampleUniformInLoss } from './core/starts/loss-uniform.js';
export { trainTrajectory } from './core/starts/training.js';
export { linearAeCriticalPoints } from './problems/linear-ae/truth.js';
export { matchToTruth } from './core/analysis/truth.js';
export { createMlpOracle, prepareEngine, ENGINES } from './engines/select.js';
export type { Engine } from './engines/select.js';
// TensorFlow.js models and losses as oracles (float32; README "Bring your own TensorFlow.js model").
export { tfjsModelProblem } from './engines/tfjs/layers-model.js';
export type { TfjsModelProblem, TfjsModelData, TfjsModelOptions } from './engines/tfjs/layers-model.js';
export { TfjsFunctionOracle } from './engines/tfjs/function-oracle.js';
export { loadLayersModelFile, saveLayersModelFiles } from './engines/tfjs/saved-model.js';
export { TfjsMlpOracle } from './engines/tfjs/mlp-r-operator.js';
export { safeOps } from './engines/tfjs/safe-ops.js';
export { selectTfjsBackend, tfjsBackendStatus } from './engines/tfjs/backend.js';

export { newtonDirection } from './core/newton/direction.js';
export { hessianOperator, denseOperatorQualifies, symmetricMatvec } from './core/newton/hessian-operator.js';
export type { HessianOperator, HessianOperatorOptions, HessianOperatorProvenance, HessianOperatorMode } from './core/newton/hessian-operator.js';
export type { NewtonSolveOptions } from './core/newton/direction.js';
export { NEWTON_SOLVERS, PROBE_SOLVERS, exactDirection, hessianEigen, requireDenseSolver } from './core/newton/exact-direction.js';
export type { NewtonSolver } from './core/newton/exact-direction.js';
export { pseudoInverseSolve, levenbergMarquardtSolve, DEFAULT_PINV_RCOND } from './core/linalg/exact-newton.js';
export { spectralFlatness, SPECTRAL_TAUS } from './core/analysis/spectral-flatness.js';
export { residualsOf, rayleighIndices, classifyPoint, DEFAULT_THRESHOLDS } from './core/analysis/flatness.js';
export { denseHessian, morseIndex, spectrumOf } from './core/analysis/spectrum.js';
export { evaluatePoint } from './core/analysis/evaluate-point.js';
export { estimateIndex, hvpOperator, INDEX_ESTIMATOR, INDEX_METHODS, type IndexEstimate, type IndexEstimateOptions, type IndexMethod } from './core/analysis/index-estimate.js';
export { extremalEigenpairs, lanczos, ritzValues, type LinearOperator } from './core/linalg/lanczos.js';
export { slq, spectralDensity, probeCountBounds } from './core/linalg/slq.js';

export { runStepper, measuredStep } from './core/run/run-loop.js';
export { runExperiment } from './core/run/experiment.js';
export type { ExperimentConfig } from './core/run/experiment.js';
export { DEFAULT_CHECKPOINT_POLICY, decodeCheckpoint, encodeCheckpoint, fileCheckpointStore } from './core/run/checkpoint.js';
export type { CheckpointPolicy, CheckpointStore } from './core/run/checkpoint.js';
export { summarizeRunDirectory } from './core/run/summarize-run.js';
export { readRunRecord } from './core/run/record-file.js';
export { terminalProgress, setProgressPreference } from './core/run/progress.js';
export type { Progress, ProgressMode } from './core/run/progress.js';
export { UsageError, exitCodeOf } from './core/io/errors.js';
export { lockDirectory, DirectoryBusyError } from './core/io/lock.js';
/** Suites as BullMQ jobs (docs/scale-out.md), loaded on first use: bullmq takes about half a second to import. */
export async function queueExecutor(...args: Parameters<typeof import('./core/distributed/coordinator.js').queueExecutor>) {
  return (await import('./core/distributed/coordinator.js')).queueExecutor(...args);
}
export async function startQueueWorker(...args: Parameters<typeof import('./core/distributed/worker.js').startQueueWorker>) {
  return (await import('./core/distributed/worker.js')).startQueueWorker(...args);
}
export { Rng } from './core/random/rng.js';

export type { ReportOptions, ReportResult } from './core/report/write-report.js';
export type { ResolvedSuite } from './core/suite/config.js';
export { loadSuite, resolveSuite, readSuiteFile } from './core/suite/config.js';
export { runSuite, summarizeSuiteDirectory } from './core/suite/suite.js';
export { reproduce, FIGURE_IDS } from './studies/reproduce.js';

/**
 * The report writer (core/report/write-report.ts), loaded on first use: vega and vega-lite take
 * about half a second to import, which `import 'gradflat'` should not cost.
 */
export async function writeReport(...args: Parameters<typeof import('./core/report/write-report.js').writeReport>) {
  const m = await import('./core/report/write-report.js');
  return m.writeReport(...args);
}
