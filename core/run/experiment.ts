/**
 * `gradflat run`: one problem, one stepper, many starts. Writes into `out/`:
 *   manifest.json        the resolved config, its hash, versions, kernels, seed (written once)
 *   starts.json          the starting points (made once; reused on resume)
 *   runs/run-NNN.ndjson  the step log (pino NDJSON, one object per step)
 *   runs/run-NNN.json    the final record, written atomically when the run ends
 *   truth.json           linear-ae: the analytic critical points' loss and index
 *   summary.json         every run's start and final point (θ inline when n ≤ 16)
 * Re-running into the same directory resumes: finished runs are kept, unfinished ones restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS, type ClassThresholds } from '../analysis/flatness.js';
import { DEFAULT_INDEX_CUTOFF } from '../analysis/spectrum.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { asUsageErrors, showValue } from '../io/errors.js';
import { lockDirectory, removeIfEmpty, type DirectoryLock } from '../io/lock.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { checkTheta } from '../oracle/oracle.js';
import { registry as defaultRegistry, type PluginRegistry } from '../plugins/registry.js';
import type { Hyperparameters } from '../plugins/hyperparameters.js';
import { buildProblem, type Problem, type ProblemConfig } from '../problems/catalog.js';
import type { TruthPoint } from '../problems/linear-ae-truth.js';
import { Rng } from '../random/rng.js';
import { terminalProgress, type Progress } from './progress.js';
import { discardOutputs, fileSha256, openRunDirectory, removeStaleTemps } from './run-directory.js';
import { readRunRecord } from './record-file.js';
import { runOne, type RunRecord } from './run-one.js';
import { buildSummary, type Summary } from './summary.js';

export type { RunRecord } from './run-one.js';

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
  thresholds?: Partial<ClassThresholds>;
  /**
   * ‖g‖² cutoffs at which the first iterate below is kept and evaluated (loss, index, match
   * to analytic points) — the paper's 1e-8 vs 1e-2 contrast. Default [1e-2, 1e-8].
   */
  cutoffs?: number[];
  /** MINRES-QLP settings of the final-point probe when the stepper declares none. */
  probe?: MinresQlpOptions;
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
}

const CONFIG_KEYS = ['problem', 'stepper', 'hyperparameters', 'runs', 'iterations', 'seed', 'targetGradNormSq', 'indexCutoff', 'thresholds', 'cutoffs', 'probe'];
const PROBLEM_KEYS = ['name', 'seed', 'samples', 'l2', 'outputActivation', 'dataFile', 'grid', 'starts', 'engine'];
const START_KEYS = ['trainings', 'steps', 'learningRate', 'momentum', 'keepEvery'];
const THRESHOLD_KEYS = ['critical', 'flatR', 'flatRH'];

/** A misspelt key would silently fall back to a default: refuse it and list the valid ones. */
function rejectUnknownKeys(obj: unknown, allowed: readonly string[], where: string): void {
  if (obj === undefined) return;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${where} must be an object`);
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Error(`unknown field '${where === 'config' ? k : `${where}.${k}`}'. Valid fields${where === 'config' ? '' : ` of ${where}`}: ${allowed.join(', ')}`);
  }
}

/** Checks everything that can be checked before any work, with messages naming the field. */
function validate(config: ExperimentConfig): { thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[] } {
  rejectUnknownKeys(config, CONFIG_KEYS, 'config');
  rejectUnknownKeys(config.problem, PROBLEM_KEYS, 'problem');
  rejectUnknownKeys(config.problem?.starts, START_KEYS, 'problem.starts');
  rejectUnknownKeys(config.thresholds, THRESHOLD_KEYS, 'thresholds');
  const positiveInt = (v: unknown, name: string, min: number) => {
    if (!Number.isInteger(v) || (v as number) < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${showValue(v)}`);
  };
  positiveInt(config.iterations, 'iterations', 0);
  positiveInt(config.runs, 'runs', 1);
  if (!Number.isSafeInteger(config.seed)) throw new Error(`seed must be an integer, got ${showValue(config.seed)}`);
  const indexCutoff = config.indexCutoff ?? DEFAULT_INDEX_CUTOFF;
  if (!(typeof indexCutoff === 'number' && indexCutoff >= 0 && Number.isFinite(indexCutoff))) {
    throw new Error(`indexCutoff must be a finite number ≥ 0, got ${showValue(config.indexCutoff)}`);
  }
  const thresholds = { ...DEFAULT_THRESHOLDS, ...config.thresholds };
  for (const [k, v] of Object.entries(thresholds)) {
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new Error(`thresholds.${k} must be a number ≥ 0, got ${showValue(v)}`);
  }
  const cutoffs = config.cutoffs ?? [1e-2, 1e-8];
  if (!Array.isArray(cutoffs) || cutoffs.some((c) => !(typeof c === 'number' && c > 0))) {
    throw new Error(`cutoffs must be a list of positive numbers, got ${showValue(config.cutoffs)}`);
  }
  return { thresholds, indexCutoff, cutoffs };
}

export function runExperiment(config: ExperimentConfig, out: string, kernels: DenseKernels, hooks: ExperimentHooks = {}): ExperimentResult {
  const registry = hooks.registry ?? defaultRegistry;
  // Everything that can be checked is checked before anything is written to `out`: a manifest
  // written by an invocation that then fails would make the corrected rerun a "different
  // configuration". What fails here is the user's to fix (exit 2).
  const checked = asUsageErrors(() => ({ hp: registry.resolveHyperparameters(config.stepper, config.hyperparameters), ...validate(config) }));
  const problem = asUsageErrors(() => buildProblem(config.problem, kernels));
  try {
    // The stepper must be constructible on this problem (oracle capabilities, hyperparameter pairs).
    asUsageErrors(() => registry.create(config.stepper, problem.oracle, checked.hp));
    const lock = lockDirectory(out);
    try {
      return runProblem(config, problem, out, kernels, hooks, registry, checked, lock);
    } finally {
      lock.release();
    }
  } finally {
    problem.oracle.dispose?.();
  }
}

function runProblem(
  config: ExperimentConfig, problem: Problem, out: string, kernels: DenseKernels, hooks: ExperimentHooks, registry: PluginRegistry,
  v: { hp: Hyperparameters; thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[] }, lock: DirectoryLock,
): ExperimentResult {
  const { hp, thresholds, indexCutoff, cutoffs } = v;
  const plugin = registry.get(config.stepper);
  // The identity uses the problem as built (defaults filled in), so that spelling a default out
  // or leaving it implicit names the same experiment. The kernels are part of it: their
  // round-off differs, so a resumed directory must not mix runs of two kernel sets.
  const resolved = { ...config, problem: { ...problem.info, name: problem.name, seed: config.problem.seed }, hyperparameters: hp, thresholds, indexCutoff, cutoffs };
  const dataFile = config.problem.dataFile;
  const version = packageVersion();
  const plugins = (hooks.pluginFiles ?? []).map((file) => ({ file, sha256: fileSha256(file) }));
  const identity = { config: resolved, dataSha256: dataFile ? fileSha256(dataFile) : undefined, ...(plugins.length > 0 && { plugins }), kernels: kernels.name };
  const { resuming } = openRunDirectory(out, identity, {
    gradflat: version, node: process.version, kernels: kernels.name,
    problem: { name: problem.name, description: problem.description, ...problem.info },
  }, Boolean(hooks.force));
  removeStaleTemps(out);

  const progress = hooks.progress ?? terminalProgress();
  const { starts, truth } = startOrRollBack(out, resuming, lock, () => ({
    starts: loadOrMakeStarts(out, problem, config.runs, config.seed, resuming, progress),
    truth: loadOrComputeTruth(out, problem, indexCutoff, resuming),
  }));
  const ctx = {
    oracle: problem.oracle, kernels, stepperName: config.stepper, problemName: problem.name,
    makeStepper: () => registry.create(config.stepper, problem.oracle, hp),
    iterations: config.iterations, targetGradNormSq: config.targetGradNormSq, cutoffs, indexCutoff, thresholds,
    probe: { ...config.probe, ...plugin.probeSolver?.(hp) }, truth, version, progress, runs: starts.length,
  };
  const kept = starts.map((_, run) => (resuming ? readRunRecord(recordPath(out, run)) : undefined));
  const resumed = kept.filter(Boolean).length;
  const total = starts.length - resumed;
  let done = 0;
  progress.runFinished?.(0, total, `${config.stepper} runs`);
  const records = starts.map((theta0, run) => {
    const old = kept[run];
    if (old) return old;
    let record: RunRecord;
    try {
      record = runOne(ctx, run, theta0, recordPath(out, run).replace(/\.json$/, '.ndjson'));
    } catch (e) {
      // The same context the suite gives: which stepper, which run (the step is in the message).
      throw new Error(`stepper '${config.stepper}' run ${run} of ${starts.length} failed: ${(e as Error).message}`, { cause: e });
    }
    writeJsonAtomic(recordPath(out, run), record);
    progress.runFinished?.(++done, total, `${config.stepper} runs`);
    return record;
  });
  progress.done();
  const summary = buildSummary(problem.name, config.stepper, hp, records, thresholds, indexCutoff);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { dir: out, records, summary, resumed };
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
