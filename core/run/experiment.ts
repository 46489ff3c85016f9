/**
 * `gradflat run`: one problem, one stepper, many starts. Writes into `out/`:
 *   manifest.json        the resolved config, its hash, versions, kernels, seed (written once)
 *   starts.json          the starting points (made once; reused on resume)
 *   runs/run-NNN.ndjson  the step log (pino NDJSON, one object per step)
 *   runs/run-NNN.json    the final record, written atomically when the run ends
 *   runs/run-NNN.checkpoint  the unfinished run's last checkpoint (removed with the final record)
 *   truth.json           linear-ae: the analytic critical points' loss and index
 *   summary.json         every run's start and final point (θ inline when n ≤ 16)
 * Re-running into the same directory resumes: finished runs are kept, an unfinished one continues
 * from its last checkpoint (bit-identical to an uninterrupted run; checkpoint.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS, type ClassThresholds } from '../analysis/flatness.js';
import type { IndexMethod } from '../analysis/index-estimate.js';
import type { FlatnessBudget } from '../analysis/evaluate-point.js';
import { DEFAULT_INDEX_CUTOFF } from '../analysis/spectrum.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { runFailure, UsageError } from '../io/errors.js';
import { parseField } from '../io/fields.js';
import { lockDirectory, removeIfEmpty, type DirectoryLock } from '../io/lock.js';
import { experimentConfigShape } from './config-schema.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { NewtonSolveOptions } from '../newton/direction.js';
import { isDenseSolver, PROBE_SOLVERS, requireDenseSolver } from '../newton/exact-direction.js';
import { checkTheta, type Oracle } from '../oracle/oracle.js';
import { registry as defaultRegistry, type PluginRegistry } from '../registry/registry.js';
import type { Hyperparameters } from '../registry/hyperparameters.js';
import { buildProblem, problemsOf, type Problem, type ProblemConfig } from '../registry/catalog.js';
import type { TruthPoint } from '../analysis/truth.js';
import { Rng } from '../random/rng.js';
import { terminalProgress, type Progress } from './progress.js';
import { discardOutputs, fileSha256, openRunDirectory, removeStaleTemps } from './run-directory.js';
import { readRunRecord, writeRunRecord } from './record-file.js';
import { computationOf } from './computation.js';
import { checkHvpSymmetry } from '../oracle/hvp-symmetry.js';
import { pluginIdentity } from '../registry/plugin-files.js';
import { runOne, type RunRecord } from './run-one.js';
import { checkProblemSize, checkRunSize, RUN_FLAGS, type SizeNames } from './size-limits.js';
import { buildSummary, type Summary } from './summary.js';
import { checkpointPathFor, checkpointPolicyFromEnv, fileCheckpointStore, type CheckpointPolicy } from './checkpoint.js';

export type { RunRecord } from './run-one.js';
// For the CLI's config files. Re-exported: the CLI importing the schema modules itself loads zod's
// many files at once with everything else, past `ulimit -n 100` (cli/bad-input.test.ts P117).
export { configFileShape } from './config-schema.js';

export interface ExperimentConfig {
  problem: ProblemConfig;
  stepper: string;
  hyperparameters?: Record<string, unknown>;
  /** Starting points (ignored by the quartic, whose grid sets them). */
  runs: number;
  iterations: number;
  seed: number;
  /** Stop a run once ‖g‖² ≤ this (default 0: never; the paper runs fixed iteration counts). */
  targetGradNormSq?: number;
  /** Morse index cutoff: eigenvalues < −cutoff count as negative (default 1e-5). */
  indexCutoff?: number;
  /** Final-point Morse index: 'dense', 'estimate' (lanczos-slq, HVPs only) or 'auto' (default: dense up to n = 2000). */
  indexMethod?: IndexMethod;
  /** Both criteria's thresholds (core/analysis/flatness.ts); flatTau/flatShare: the certified class. */
  thresholds?: Partial<ClassThresholds>;
  /** Budget of the final points' Lanczos flatness bracket beyond the dense limit (maxSteps, normSteps, memoryBytes). */
  flatness?: FlatnessBudget;
  /**
   * ‖g‖² cutoffs at which the first iterate below is kept and evaluated (loss, index, match
   * to analytic points) — the paper's 1e-8 vs 1e-2 contrast. Default [1e-2, 1e-8].
   */
  cutoffs?: number[];
  /** MINRES-QLP settings of the final-point probe when the stepper declares none. */
  probe?: NewtonSolveOptions;
}

export interface ExperimentResult {
  dir: string;
  records: RunRecord[];
  summary: Summary;
  /** Finished runs found on disk rather than computed now. */
  resumed: number;
}

export interface ExperimentHooks {
  registry?: PluginRegistry;
  /** Clear a directory written with a different config and start over. */
  force?: boolean;
  progress?: Progress;
  /** Plugin files the stepper may come from: their contents are part of the directory's identity. */
  pluginFiles?: readonly string[];
  /** The problem, already built from config.problem (a problem whose build is async: see buildProblemAsync). */
  problem?: Problem;
  /** When to checkpoint runs (default: $GRADFLAT_CHECKPOINT_* over DEFAULT_CHECKPOINT_POLICY); false: never. */
  checkpoint?: CheckpointPolicy | false;
  /** How size errors name the numbers (default: the `gradflat run` flags). */
  sizeNames?: SizeNames;
}

/** Checks everything that can be checked before any work, with messages naming the field. */
function validate(config: ExperimentConfig, registry: PluginRegistry): { thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[] } {
  const c = parseField(experimentConfigShape, config);
  problemsOf(registry).resolveOptions(config.problem); // the problem's own options: unknown or bad ones are named
  const thresholds = { ...DEFAULT_THRESHOLDS, ...c.thresholds };
  return { thresholds, indexCutoff: c.indexCutoff ?? DEFAULT_INDEX_CUTOFF, cutoffs: c.cutoffs ?? [1e-2, 1e-8] };
}

/** The final-point solve: the config's probe, overridden by the stepper's own solver settings (its probeSolver). */
function probeSettings(config: ExperimentConfig, problem: Problem, registry: PluginRegistry, hp: Hyperparameters): NewtonSolveOptions {
  const probe: NewtonSolveOptions = { ...config.probe, ...registry.get(config.stepper).probeSolver?.(hp) };
  if (probe.solver !== undefined && !(PROBE_SOLVERS as readonly string[]).includes(probe.solver)) {
    throw new UsageError(`probe.solver must be one of ${PROBE_SOLVERS.join(', ')}, got ${JSON.stringify(probe.solver)}`);
  }
  if (isDenseSolver(probe.solver)) requireDenseSolver(problem.oracle, probe.solver!, 'final-point probe.solver');
  return probe;
}

/**
 * Everything about a config that can be refused before its problem is built (the CLI builds a
 * problem itself, asynchronously, so it checks first): fields, hyperparameters, problem options, sizes.
 */
export function checkExperimentConfig(config: ExperimentConfig, registry: PluginRegistry = defaultRegistry, names: SizeNames = RUN_FLAGS): void {
  registry.resolveHyperparameters(config.stepper, config.hyperparameters);
  validate(config, registry);
  checkProblemSize(config.problem, names, registry.problems);
}

export function runExperiment(config: ExperimentConfig, out: string, kernels: DenseKernels, hooks: ExperimentHooks = {}): ExperimentResult {
  const registry = hooks.registry ?? defaultRegistry;
  // Everything that can be checked is checked before anything is written to `out`: a manifest
  // written by an invocation that then fails would make the corrected rerun a "different
  // configuration". The checks throw UsageError for what is the user's to fix (exit 2).
  const checked = { hp: registry.resolveHyperparameters(config.stepper, config.hyperparameters), ...validate(config, registry) };
  const names = hooks.sizeNames ?? RUN_FLAGS;
  const sizes = checkProblemSize(config.problem, names, registry.problems);
  // A problem built by the caller (async builds) stays the caller's to dispose.
  const problem = hooks.problem ?? buildProblem(config.problem, kernels, {}, registry);
  try {
    // The stepper must be constructible on this problem (oracle capabilities, hyperparameter pairs).
    registry.create(config.stepper, problem.oracle, checked.hp, { kernels });
    checkHvpSymmetry(problem.oracle, problem.name);
    // Starts fixed by an option (the quartic's grid) set the run count instead of config.runs.
    const fixed = sizes.fixedStarts;
    const runs = fixed ? fixed.count : config.runs;
    checkRunSize({
      runs, tasks: runs, dim: problem.oracle.dim, iterations: config.iterations, totalSteps: runs * config.iterations, out,
      training: problem.info.starts as { trainings: number; steps: number; keepEvery: number } | undefined,
    }, names, fixed ? names.option(fixed.option) : names.runs, fixed ? fixed.value : runs);
    const probe = probeSettings(config, problem, registry, checked.hp);
    const policy = hooks.checkpoint ?? checkpointPolicyFromEnv();
    const lock = lockDirectory(out);
    try {
      return runProblem(config, problem, out, kernels, hooks, registry, { ...checked, probe, policy }, lock);
    } finally {
      lock.release();
    }
  } finally {
    if (!hooks.problem) problem.oracle.dispose?.();
  }
}

function runProblem(
  config: ExperimentConfig, problem: Problem, out: string, kernels: DenseKernels, hooks: ExperimentHooks, registry: PluginRegistry,
  v: { hp: Hyperparameters; thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[]; probe: NewtonSolveOptions; policy: CheckpointPolicy | false },
  lock: DirectoryLock,
): ExperimentResult {
  const { hp, thresholds, indexCutoff, cutoffs, probe, policy } = v;
  // The identity uses the problem as built (defaults filled in), so that spelling a default out
  // or leaving it implicit names the same experiment. The kernels are part of it: their
  // round-off differs, so a resumed directory must not mix runs of two kernel sets.
  // A plugin's problem adds its resolved options (its info need not repeat them); the built-ins' info covers theirs.
  const options = registry.problems.get(problem.name).infoCoversOptions ? undefined : registry.problems.resolveOptions(config.problem);
  const resolved = { ...config, problem: { ...problem.info, name: problem.name, seed: config.problem.seed, ...(options && { options }) }, hyperparameters: hp, thresholds, indexCutoff, cutoffs };
  const dataFile = config.problem.dataFile;
  const version = packageVersion();
  const plugins = (hooks.pluginFiles ?? []).map(pluginIdentity);
  const files = problemFileHashes(config.problem, registry);
  // The computation (core/run/computation.ts: gradflat's code, the kernels and what BLAS chose) decides the numbers too.
  const identity = {
    config: resolved, dataSha256: dataFile ? fileSha256(dataFile) : undefined, ...(plugins.length > 0 && { plugins }), ...(files && { problemFiles: files }), kernels: kernels.name,
    computation: computationOf(kernels.name),
  };
  const { resuming } = openRunDirectory(out, identity, {
    gradflat: version, node: process.version, kernels: kernels.name,
    problem: { name: problem.name, description: problem.description, parameters: problem.oracle.dim, ...problem.info },
  }, Boolean(hooks.force));
  removeStaleTemps(out);

  const progress = hooks.progress ?? terminalProgress();
  const { starts, truth } = startOrRollBack(out, resuming, lock, () => ({
    starts: loadOrMakeStarts(out, problem, config.runs, config.seed, resuming, progress),
    truth: loadOrComputeTruth(out, problem, indexCutoff, resuming),
  }));
  const ctx = {
    oracle: problem.oracle, kernels, stepperName: config.stepper, problemName: problem.name,
    makeStepper: (oracle: Oracle, k: DenseKernels) => registry.create(config.stepper, oracle, hp, { kernels: k }),
    iterations: config.iterations, targetGradNormSq: config.targetGradNormSq, cutoffs, indexCutoff, thresholds, indexMethod: config.indexMethod, ...(config.flatness && { flatness: config.flatness }),
    probe, truth, version, progress, runs: starts.length,
  };
  const kept = starts.map((_, run) => (resuming ? readRunRecord(recordPath(out, run)) : undefined));
  const resumed = kept.filter(Boolean).length;
  const total = starts.length - resumed;
  let done = 0;
  progress.runFinished?.(0, total, `${config.stepper} runs`);
  const records = starts.map((theta0, run) => {
    const old = kept[run];
    if (old) return old;
    const logPath = recordPath(out, run).replace(/\.json$/, '.ndjson');
    const store = policy ? fileCheckpointStore(checkpointPathFor(logPath)) : undefined;
    let record: RunRecord;
    try {
      record = runOne({ ...ctx, ...(policy && store && { checkpoint: { store, policy } }) }, run, theta0, logPath);
    } catch (e) {
      // The same context the suite gives: which stepper, which run (the step is in the message).
      const message = `stepper '${config.stepper}' run ${run} of ${starts.length} failed: ${(e as Error).message}`;
      throw runFailure(config.stepper, message, e);
    }
    writeRunRecord(recordPath(out, run), record);
    store?.clear(); // after the record: a crash in between leaves a checkpoint, never neither
    progress.runFinished?.(++done, total, `${config.stepper} runs`);
    return record;
  });
  progress.done();
  const summary = buildSummary(problem.name, config.stepper, hp, records, thresholds, indexCutoff);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { dir: out, records, summary, resumed };
}

/**
 * The contents of a problem's 'file' options (a plugin's model or data file) belong to a run's
 * identity, as the built-ins' dataFile does (dataSha256, kept under its own name). Undefined when none.
 */
export function problemFileHashes(config: ProblemConfig, registry: PluginRegistry): Record<string, string> | undefined {
  const files = problemsOf(registry).fileOptions(config).filter(([k]) => k !== 'dataFile');
  return files.length ? Object.fromEntries(files.map(([k, f]) => [k, fileSha256(f)])) : undefined;
}

const recordPath = (out: string, run: number) => join(out, 'runs', `run-${String(run).padStart(3, '0')}.json`);

/**
 * Runs the set-up of a fresh directory (training the starts, the analytic points). If it fails,
 * the directory is put back as it was (manifest and partial outputs removed, the folder too if
 * this invocation created it), so that the corrected rerun is not refused as a different
 * configuration. A resumed directory is left alone.
 */
export function startOrRollBack<T>(out: string, resuming: boolean, lock: DirectoryLock, setUp: () => T): T {
  try {
    return setUp();
  } catch (e) {
    if (!resuming) {
      discardOutputs(out);
      if (lock.created) {
        lock.release();
        removeIfEmpty(out);
      }
    }
    throw e;
  }
}

/** starts.json: made once from the seed (training runs sampled uniformly in loss), reused on resume. */
export function loadOrMakeStarts(out: string, problem: Problem, count: number, seed: number, resuming: boolean, progress: Progress): Float64Array[] {
  const path = join(out, 'starts.json');
  let starts: Float64Array[];
  if (resuming && existsSync(path)) {
    starts = (JSON.parse(readFileSync(path, 'utf8')) as number[][]).map((a) => Float64Array.from(a));
  } else {
    const rng = new Rng(seed).fork(2);
    starts = problem.startingPoints(count, rng, (d, t) => {
      progress.update(`making starting points: training run ${d}/${t}`);
      progress.runFinished?.(d, t, 'training runs (for the starting points)');
    });
    if (problem.training) writeJsonAtomic(join(out, 'training.json'), problem.training);
    writeJsonAtomic(path, starts);
  }
  starts.forEach((s, i) => checkTheta(s, problem.oracle.dim, `starting point ${i}`));
  return starts;
}

export function loadOrComputeTruth(out: string, problem: Problem, indexCutoff: number, resuming: boolean): TruthPoint[] | undefined {
  if (!problem.truth) return undefined;
  const path = join(out, 'truth.json');
  if (resuming && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as TruthPoint[];
  const truth = problem.truth(indexCutoff).map(({ subset, loss, index, negativeEigenvalues, indexCutoff: c }) => ({ subset, loss, index, negativeEigenvalues, indexCutoff: c }));
  writeJsonAtomic(path, truth);
  return truth;
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      cachedVersion = (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
      return cachedVersion;
    } catch { /* try the next layout */ }
  }
  return 'unknown';
}
