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
import { parseField } from '../io/fields.js';
import { readRunRecord } from '../io/records.js';
import { experimentConfigShape } from './config-schema.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { checkTheta, type Oracle } from '../oracle/oracle.js';
import { registry as defaultRegistry, type PluginRegistry } from '../plugins/registry.js';
import type { Hyperparameters } from '../plugins/hyperparameters.js';
import { buildProblem, type Problem, type ProblemConfig } from '../problems/catalog.js';
import type { TruthPoint } from '../problems/linear-ae-truth.js';
import { Rng } from '../random/rng.js';
import { terminalProgress, type Progress } from './progress.js';
import { fileSha256, openRunDirectory } from './run-directory.js';
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

/** Checks everything that can be checked before any work, with messages naming the field. */
function validate(config: ExperimentConfig): { thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[] } {
  const c = parseField(experimentConfigShape, config);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...c.thresholds };
  return { thresholds, indexCutoff: c.indexCutoff ?? DEFAULT_INDEX_CUTOFF, cutoffs: c.cutoffs ?? [1e-2, 1e-8] };
}

export function runExperiment(config: ExperimentConfig, out: string, kernels: DenseKernels, hooks: ExperimentHooks = {}): ExperimentResult {
  const registry = hooks.registry ?? defaultRegistry;
  const hp = registry.resolveHyperparameters(config.stepper, config.hyperparameters);
  const { thresholds, indexCutoff, cutoffs } = validate(config);
  const problem = buildProblem(config.problem, kernels);
  try {
    return runProblem(config, problem, out, kernels, hooks, registry, { hp, thresholds, indexCutoff, cutoffs });
  } finally {
    problem.oracle.dispose?.();
  }
}

function runProblem(
  config: ExperimentConfig, problem: Problem, out: string, kernels: DenseKernels, hooks: ExperimentHooks, registry: PluginRegistry,
  v: { hp: Hyperparameters; thresholds: ClassThresholds; indexCutoff: number; cutoffs: number[] },
): ExperimentResult {
  const { hp, thresholds, indexCutoff, cutoffs } = v;
  const plugin = registry.get(config.stepper);
  // The identity uses the problem as built (defaults filled in), so that spelling a default out
  // or leaving it implicit names the same experiment.
  const resolved = { ...config, problem: { ...problem.info, name: problem.name, seed: config.problem.seed }, hyperparameters: hp, thresholds, indexCutoff, cutoffs };
  const dataFile = config.problem.dataFile;
  const version = packageVersion();
  const plugins = (hooks.pluginFiles ?? []).map((file) => ({ file, sha256: fileSha256(file) }));
  const identity = { config: resolved, dataSha256: dataFile ? fileSha256(dataFile) : undefined, ...(plugins.length > 0 && { plugins }) };
  const { resuming } = openRunDirectory(out, identity, {
    gradflat: version, node: process.version, kernels: kernels.name,
    problem: { name: problem.name, description: problem.description, ...problem.info },
  }, Boolean(hooks.force));

  const progress = hooks.progress ?? terminalProgress();
  const starts = loadOrMakeStarts(out, problem, config.runs, config.seed, resuming, progress);
  const truth = loadOrComputeTruth(out, problem, indexCutoff, resuming);
  const ctx = {
    oracle: problem.oracle, kernels, stepperName: config.stepper, problemName: problem.name,
    makeStepper: (oracle: Oracle, k: DenseKernels) => registry.create(config.stepper, oracle, hp, { kernels: k }),
    iterations: config.iterations, targetGradNormSq: config.targetGradNormSq, cutoffs, indexCutoff, thresholds,
    probe: { ...config.probe, ...plugin.probeSolver?.(hp) }, truth, version, progress, runs: starts.length,
  };
  let resumed = 0;
  const records = starts.map((theta0, run) => {
    const id = String(run).padStart(3, '0');
    const finalPath = join(out, 'runs', `run-${id}.json`);
    if (resuming && existsSync(finalPath)) {
      resumed++;
      return readRunRecord(finalPath);
    }
    const record = runOne(ctx, run, theta0, join(out, 'runs', `run-${id}.ndjson`));
    writeJsonAtomic(finalPath, record);
    return record;
  });
  progress.done();
  const summary = buildSummary(problem.name, config.stepper, hp, records, thresholds, indexCutoff);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { dir: out, records, summary, resumed };
}

/** starts.json: made once from the seed (training runs sampled uniformly in loss), reused on resume. */
export function loadOrMakeStarts(out: string, problem: Problem, count: number, seed: number, resuming: boolean, progress: Progress): Float64Array[] {
  const path = join(out, 'starts.json');
  let starts: Float64Array[];
  if (resuming && existsSync(path)) {
    starts = (JSON.parse(readFileSync(path, 'utf8')) as number[][]).map((a) => Float64Array.from(a));
  } else {
    const rng = new Rng(seed).fork(2);
    starts = problem.startingPoints(count, rng, (d, t) => progress.update(`making starting points: training run ${d}/${t}`));
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
