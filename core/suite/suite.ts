/**
 * `gradflat suite`: every method from the same starting points, in parallel, resumable.
 * The run directory:
 *   manifest.json        resolved suite, its hash, versions, kernels, plugin and data hashes
 *   starts.json          the shared trained starting points (made once)
 *   truth.json           linear-ae: the analytic critical points
 *   finder/run-NNN.*     flat-start suites: the finder's runs (phase 1)
 *   flat-starts.json     the gradient-flat points every method then starts from
 *   runs/<label>/run-NNN.ndjson, .json   each method's step log and final record
 *   summary.json, summary.txt
 * Resuming skips every task whose final record exists and continues the others from their last
 * checkpoint (run-NNN.checkpoint; core/run/checkpoint.ts), or from scratch when they have none
 * (each task is deterministic, so the result is the same as an uninterrupted suite).
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { ConfigError, RunDirectoryGiven, runFailure, UsageError } from '../io/errors.js';
import { lockDirectory, type DirectoryLock } from '../io/lock.js';
import { registryFromSetup } from '../registry/setup.js';
import { PluginRegistry, registry as defaultRegistry } from '../registry/registry.js';
import { buildProblemAsync, problemsOf, type Problem } from '../registry/catalog.js';
import { loadOrComputeTruth, loadOrMakeStarts, packageVersion, problemFileHashes, startOrRollBack } from '../run/experiment.js';
import { readRunRecord, type DamagedRecord } from '../run/record-file.js';
import { computationOf } from '../run/computation.js';
import { checkHvpSymmetry } from '../oracle/hvp-symmetry.js';
import { pluginIdentity } from '../registry/plugin-files.js';
import { terminalProgress, type Progress } from '../run/progress.js';
import { fileSha256, openRunDirectory, parseManifest, removeStaleTemps, type Manifest } from '../run/run-directory.js';
import { checkProblemSize, checkRunSize, SUITE_FIELDS } from '../run/size-limits.js';
import type { RunRecord } from '../run/run-one.js';
import { checkpointPolicyFromEnv, type CheckpointPolicy } from '../run/checkpoint.js';
import type { ResolvedStepper, ResolvedSuite } from './config.js';
import { flatSearchText, selectFlatStarts } from './flat-starts.js';
import { flatnessCriterionOf } from '../analysis/flatness.js';
import { checkProbeConfig } from './probes.js';
import { runOnWorkers, suiteWorkerAvailable, type WorkerInit } from './pool.js';
import { buildSuiteSummary, formatSuiteSummary, readMethodRecords, type SuiteSummary } from './summarize.js';
import { executeTask, taskPaths, taskStepper, type SuiteTask, type TaskContext } from './task.js';

/** Kernel sets a worker thread can rebuild by name. */
const REBUILDABLE_KERNELS = ['typescript', 'openblas'];

export interface SuiteOptions {
  registry?: PluginRegistry;
  force?: boolean;
  /** Worker threads (default: the number of CPUs); 1 runs everything on this thread. */
  workers?: number;
  progress?: Progress;
  /** When to checkpoint runs (default: $GRADFLAT_CHECKPOINT_* over DEFAULT_CHECKPOINT_POLICY); false: never. */
  checkpoint?: CheckpointPolicy | false;
  /** Runs the tasks elsewhere (`--queue`: BullMQ jobs, core/distributed/coordinator.ts) instead of on threads here. */
  executor?: TaskExecutor;
}

/** Something that runs a phase's tasks and, for each, writes its log and record into `out` and calls `done`. */
export interface TaskExecutor {
  run(init: WorkerInit & { suiteHash: string; phase: SuiteTask['phase'] }, tasks: readonly SuiteTask[],
    on: { done(task: SuiteTask, record: RunRecord): void; progress(text: string): void }, describe: (task: SuiteTask) => string): Promise<void>;
}

export interface SuiteResult {
  dir: string;
  summary: SuiteSummary;
  text: string;
  /** Tasks computed now, and tasks found finished on disk. */
  computed: number;
  resumed: number;
}

export async function runSuite(suite: ResolvedSuite, out: string, kernels: DenseKernels, opts: SuiteOptions = {}): Promise<SuiteResult> {
  const registry = opts.registry ?? defaultRegistry;
  // Checked before anything is written to `out` (see runExperiment).
  checkProblemSize(suite.problem, SUITE_FIELDS, registry.problems);
  const problem = await buildProblemAsync(suite.problem, kernels, {}, registry);
  try {
    preflight(suite, problem, registry, kernels);
    const finder = suite.starts.flat?.finder;
    checkRunSize({
      runs: suite.starts.count, tasks: suite.starts.count * (suite.steppers.length + (finder ? 1 : 0)), dim: problem.oracle.dim,
      iterations: Math.max(...suite.steppers.map((s) => s.iterations), finder?.iterations ?? 0),
      totalSteps: suite.starts.count * [...suite.steppers, ...(finder ? [finder] : [])].reduce((k, s) => k + s.iterations, 0), out,
      training: problem.info.starts as { trainings: number; steps: number; keepEvery: number } | undefined,
    }, SUITE_FIELDS);
    const checkpoint = opts.checkpoint ?? checkpointPolicyFromEnv();
    const lock = lockDirectory(out);
    try {
      return await runWithProblem(suite, out, kernels, problem, registry, { ...opts, checkpoint }, lock);
    } catch (e) {
      // Workers stopped mid-write leave their temporary files: remove this process's.
      removeStaleTemps(out, process.pid);
      throw e;
    } finally {
      lock.release();
    }
  } finally {
    problem.oracle.dispose?.();
  }
}

async function runWithProblem(
  suite: ResolvedSuite, out: string, kernels: DenseKernels, problem: Problem, registry: PluginRegistry, opts: SuiteOptions, lock: DirectoryLock,
): Promise<SuiteResult> {
  const t0 = performance.now();
  const version = packageVersion();
  const { resuming, hash } = openSuiteDirectory(suite, out, kernels, problem, registry, version, Boolean(opts.force));
  const progress = opts.progress ?? terminalProgress();
  const { trained, truth } = startOrRollBack(out, resuming, lock, () => ({
    trained: loadOrMakeStarts(out, problem, suite.starts.count, suite.seed, resuming, progress),
    truth: loadOrComputeTruth(out, problem, suite.evaluation.indexCutoff, resuming),
  }));

  const workers = await workerCount(suite, kernels, registry, opts.workers);
  const checkpoint = opts.checkpoint;
  const ctx: TaskContext = { suite, out, registry, kernels, problem, truth, version, progress, checkpoint };
  const inv: InvocationState = { ctx, executor: opts.executor, workers, hash, computed: 0, resumed: 0 };
  const { methodStarts, startsInfo } = await flatStartPhase(inv, trained);
  await runPhase(inv, 'method', methodStarts, suite.steppers.map((_, i) => i));

  const summary = buildSuiteSummary(suite, problem.name, startsInfo, readMethodRecords(out, suite, methodStarts.length));
  const text = formatSuiteSummary(summary);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  writeFileAtomic(join(out, 'summary.txt'), text + '\n');
  const { computed, resumed } = inv;
  recordInvocation(out, { seconds: (performance.now() - t0) / 1000, computed, resumed, workers });
  return { dir: out, summary, text, computed, resumed };
}

/** Opens (or resumes) the suite's directory under its identity; stale temporary files removed. */
function openSuiteDirectory(
  suite: ResolvedSuite, out: string, kernels: DenseKernels, problem: Problem, registry: PluginRegistry, version: string, force: boolean,
): { resuming: boolean; hash: string } {
  // The version, the code, the kernels and what BLAS chose are part of the identity
  // (core/run/computation.ts): a fixed method or other round-off must not be mixed into a
  // directory computed before (resume refuses; --force starts over).
  const identity = {
    suite, problem: { ...problem.info, name: problem.name }, gradflat: version, kernels: kernels.name,
    computation: computationOf(kernels.name),
    plugins: suite.plugins.map(pluginIdentity),
    dataSha256: suite.problem.dataFile ? fileSha256(suite.problem.dataFile) : undefined,
    problemFiles: problemFileHashes(suite.problem, registry),
  };
  const { resuming, hash } = openRunDirectory(out, identity, {
    kind: 'suite', gradflat: version, node: process.version, kernels: kernels.name, seed: suite.seed,
    problem: { name: problem.name, description: problem.description, parameters: problem.oracle.dim, ...problem.info },
  }, force);
  removeStaleTemps(out);
  return { resuming, hash };
}

/** Worker threads to use: one when a thread could not rebuild the kernels, steppers or problem. */
async function workerCount(suite: ResolvedSuite, kernels: DenseKernels, registry: PluginRegistry, requested: number | undefined): Promise<number> {
  return Math.max(1, Math.min(requested ?? availableParallelism(),
    suiteWorkerAvailable() && REBUILDABLE_KERNELS.includes(kernels.name) && await workersKnowSteppers(suite, registry) ? Infinity : 1));
}

/** What the phases of one invocation share, and the tasks they computed and found finished. */
interface InvocationState {
  ctx: TaskContext;
  executor?: TaskExecutor;
  workers: number;
  /** The directory's identity hash (names a queued suite). */
  hash: string;
  computed: number;
  resumed: number;
}

/** The methods' starts: the gradient-flat points the finder phase meets (flat-starts.json), else the trained ones. */
async function flatStartPhase(inv: InvocationState, trained: readonly Float64Array[]): Promise<{ methodStarts: number[][]; startsInfo: SuiteSummary['starts'] }> {
  const { suite, out } = inv.ctx;
  let methodStarts: number[][] = trained.map((t) => Array.from(t));
  let startsInfo: SuiteSummary['starts'] = { kind: 'trained', count: trained.length, trained: trained.length };
  if (suite.starts.flat) {
    const [finderRecords] = await runPhase(inv, 'finder', methodStarts, [0]);
    const f = suite.starts.flat;
    const { starts: flat, search } = selectFlatStarts(finderRecords, f.minGradNormSq, f.max);
    writeJsonAtomic(join(out, 'flat-starts.json'), flat);
    methodStarts = flat.map((s) => s.theta);
    startsInfo = { kind: 'flat', count: flat.length, trained: trained.length, flatSearch: search };
    if (flat.length === 0 || (f.max !== null && flat.length < f.max)) {
      const c = flatnessCriterionOf(suite.evaluation.thresholds);
      process.emitWarning(`suite ${suite.name}: ${flatSearchText(search)}; certified: share of ‖g‖² at |λ| ≤ ${c.tau}‖H‖₂ certainly ≥ ${c.share}. ` +
        `${flat.length === 0 ? 'No method runs. ' : 'Only those are used (never padded with uncertified starts). '}` +
        'Try more starts or finder iterations, a larger Lanczos budget (evaluation.flatness.maxSteps) when many are undecided, or other evaluation.thresholds.flatTau/flatShare.');
    }
  }
  return { methodStarts, startsInfo };
}

/** One phase's records, [stepper position][run]: read from disk, else run by the executor, here, or on worker threads. */
async function runPhase(inv: InvocationState, phase: SuiteTask['phase'], starts: readonly number[][], steppers: number[]): Promise<RunRecord[][]> {
  const { suite, out, kernels, truth, version, checkpoint, progress, registry } = inv.ctx;
  const { results, todo } = finishedTasks(inv, phase, starts, steppers);
  const store = (t: SuiteTask, r: RunRecord) => {
    results[steppers.indexOf(t.stepper)][t.run] = r;
    inv.computed++;
  };
  const label = (t: SuiteTask) => `${phase === 'finder' ? 'finder' : taskStepper(suite, t).label} run ${t.run}`;
  const total = todo.length;
  let done = 0;
  const status = new Map<number, string>();
  const what = phase === 'finder' ? 'finder runs' : 'method runs';
  progress.runFinished?.(0, total, what);
  const show = () => progress.update(`${phase === 'finder' ? 'finding flat starts' : 'methods'} ${progressBar(done, total)} ${done}/${total}  ${[...status.values()].join(' | ')}`);
  const init: WorkerInit = { suite, setupModules: registry.setupModules, out, kernels: kernels.name, truth, version, checkpoint, runs: { finder: starts.length, ...Object.fromEntries(steppers.map((s) => [String(s), starts.length])) } };
  if (inv.executor) {
    if (total > 0) {
      await inv.executor.run({ ...init, suiteHash: inv.hash, phase }, todo, { done: (t, r) => { store(t, r); done++; }, progress: (text) => progress.update(text) }, label);
    }
  } else if (inv.workers === 1 || total <= 1) {
    for (const t of todo) {
      try {
        store(t, executeTask(inv.ctx, t, starts.length));
      } catch (e) {
        const message = `${label(t)} failed: ${(e as Error).message}`;
        throw runFailure(taskStepper(suite, t).stepper, message, e);
      }
      progress.runFinished?.(++done, total, what);
    }
  } else {
    await runOnWorkers(init, todo, inv.workers, {
      done: (t, r) => { store(t, r); done++; show(); progress.runFinished?.(done, total, what); },
      progress: (slot, text) => { status.set(slot, text); show(); },
    }, label);
  }
  progress.done();
  return results;
}

/** The phase's tasks whose final record is on disk (kept, counted as resumed), and the rest to run. */
function finishedTasks(inv: InvocationState, phase: SuiteTask['phase'], starts: readonly number[][], steppers: number[]): { results: RunRecord[][]; todo: SuiteTask[] } {
  const { suite, out } = inv.ctx;
  const results = steppers.map(() => new Array<RunRecord>(starts.length));
  const todo: SuiteTask[] = [];
  steppers.forEach((stepper, si) => starts.forEach((theta0, run) => {
    const record = readRunRecord(taskPaths(out, suite, { phase, stepper, run }).record);
    if (record) {
      results[si][run] = record;
      inv.resumed++;
    } else todo.push({ phase, stepper, run, theta0 });
  }));
  return { results, todo };
}

/**
 * Builds every stepper once on the problem before any work, so that a missing oracle
 * capability or an inconsistent pair of hyperparameters fails now, naming the entry, rather
 * than after the starts and the finder phase have run. A refusal (a UsageError) is put in the
 * suite file's terms; anything else a stepper's constructor throws is its bug (a PluginError).
 */
function preflight(suite: ResolvedSuite, problem: Problem, registry: PluginRegistry, kernels: DenseKernels): void {
  const entries: Array<[string, ResolvedStepper]> = suite.steppers.map((s, i) => [`steppers[${i}]`, s]);
  if (suite.starts.flat) entries.push(['starts.flat.finder', suite.starts.flat.finder]);
  for (const [path, s] of entries) {
    try {
      registry.create(s.stepper, problem.oracle, s.hyperparameters, { kernels });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      throw new ConfigError(path, `stepper '${s.stepper}' cannot run on problem '${problem.name}': ${e.message}`);
    }
  }
  checkHvpSymmetry(problem.oracle, problem.name);
  try {
    checkProbeConfig(suite.probe, problem.oracle);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new ConfigError('probe', `cannot run on problem '${problem.name}': ${e.message}`);
  }
}

/**
 * Workers rebuild the registry from its setup modules (the built-ins) and the suite's plugin files; a stepper
 * registered only in code (registerPlugin) exists on this thread alone, so such a suite runs
 * here, on one thread.
 */
async function workersKnowSteppers(suite: ResolvedSuite, registry: PluginRegistry): Promise<boolean> {
  const fresh = await registryFromSetup(registry.setupModules, suite.plugins);
  // The problem, too: a worker builds it from a registry like `fresh`, so it must be built in or come from a file.
  if (!problemsOf(fresh).has(suite.problem.name) && problemsOf(registry).has(suite.problem.name)) {
    process.emitWarning(`problem '${suite.problem.name}' was registered in code, not from a plugin file, so worker threads cannot build it: the suite runs on one thread. List its file under 'plugins' to run in parallel.`);
    return false;
  }
  const missing = [...suite.steppers, ...(suite.starts.flat ? [suite.starts.flat.finder] : [])].filter((s) => !fresh.has(s.stepper));
  if (missing.length === 0) return true;
  process.emitWarning(`steppers ${missing.map((s) => `'${s.stepper}'`).join(', ')} were registered in code, not from a plugin file, so worker threads cannot load them: the suite runs on one thread. List their files under 'plugins' to run in parallel.`);
  return false;
}

function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export interface SuiteInvocation {
  finishedAt: string;
  seconds: number;
  computed: number;
  resumed: number;
  workers: number;
}

/**
 * timing.json: the wall time of every `gradflat suite` invocation that finished in this
 * directory, so a suite computed across several resumed invocations still has an honest total
 * (an interrupted invocation's time is lost with it).
 */
function recordInvocation(out: string, t: Omit<SuiteInvocation, 'finishedAt'>): void {
  writeJsonAtomic(join(out, 'timing.json'), [...suiteInvocations(out), { finishedAt: new Date().toISOString(), ...t }]);
}

export function suiteInvocations(out: string): SuiteInvocation[] {
  const p = join(out, 'timing.json');
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) as SuiteInvocation[] : [];
}

/** `gradflat summarize DIR`: the summary of a suite directory as it is on disk (finished or not). */
export function summarizeSuiteDirectory(out: string, onDamaged?: DamagedRecord): { summary: SuiteSummary; text: string } {
  const { suite, problemName } = readSuiteManifest(out);
  const trained = existsSync(join(out, 'starts.json')) ? (JSON.parse(readFileSync(join(out, 'starts.json'), 'utf8')) as unknown[]).length : 0;
  let starts: SuiteSummary['starts'] = { kind: 'trained', count: trained, trained };
  if (suite.starts.flat) {
    const p = join(out, 'flat-starts.json');
    if (!existsSync(p)) throw new UsageError(`${out}: the flat-start phase has not finished yet (no flat-starts.json); run 'gradflat suite' again to resume it`);
    starts = { kind: 'flat', count: (JSON.parse(readFileSync(p, 'utf8')) as unknown[]).length, trained };
    // The search's tally from the finder's records; not for directories of versions before the
    // certified class (their records have no classPaper, and their starts were chosen by r).
    const finder = Array.from({ length: trained }, (_, run) => readRunRecord(taskPaths(out, suite, { phase: 'finder', stepper: 0, run }).record, onDamaged));
    if (finder.every((r) => r?.final.classPaper !== undefined)) {
      starts.flatSearch = selectFlatStarts(finder as RunRecord[], suite.starts.flat.minGradNormSq, suite.starts.flat.max ?? null).search;
    }
  }
  const summary = buildSuiteSummary(suite, problemName, starts, readMethodRecords(out, suite, starts.count, onDamaged));
  const text = formatSuiteSummary(summary);
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { summary, text };
}

/** What `gradflat summarize` was given: a suite directory, or a run directory (summarized by the caller). */
export function readSuiteManifest(out: string): { suite: ResolvedSuite; problemName: string } {
  const manifestPath = join(out, 'manifest.json');
  if (!existsSync(out)) throw new UsageError(`${out}: no such directory`);
  if (!existsSync(manifestPath)) throw new UsageError(`${out} holds no gradflat run (no manifest.json): give the --out directory of a 'gradflat suite' run`);
  let manifest: Manifest | undefined;
  try {
    manifest = parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (e) {
    throw new UsageError(`${manifestPath} is not valid JSON (${(e as Error).message}): ${out} is not a gradflat run directory, or the file was damaged`);
  }
  // The resolved suite that loadSuite wrote (its hash, configHash, guards it).
  const suite = manifest?.identity?.suite as ResolvedSuite | undefined;
  if (manifest?.kind === 'suite' && suite) return { suite, problemName: manifest.identity?.problem?.name ?? suite.problem.name };
  if (manifest?.identity?.config) throw new RunDirectoryGiven(out, manifest);
  throw new UsageError(`${manifestPath} is not a gradflat manifest (it has no configHash and identity): ${out} was not written by 'gradflat run' or 'gradflat suite'`);
}

