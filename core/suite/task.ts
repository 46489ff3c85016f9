/**
 * One suite task = one stepper from one start. The same code runs on the main thread and in
 * suite workers: each thread builds the problem itself from the resolved config (data and
 * oracle are deterministic functions of it), so a task's numbers do not depend on which
 * thread ran it or on how many there are.
 */
import { join } from 'node:path';
import type { TruthPoint } from '../analysis/truth.js';
import { flatnessCriterionOf } from '../analysis/flatness.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { NewtonSolveWorkspace, type NewtonSolveOptions } from '../newton/direction.js';
import type { PluginRegistry } from '../registry/registry.js';
import type { Problem } from '../registry/catalog.js';
import { Rng, deriveSeed } from '../random/rng.js';
import type { Progress } from '../run/progress.js';
import { runOne, type RunObserver, type RunRecord } from '../run/run-one.js';
import { writeRunRecord } from '../run/record-file.js';
import { checkpointPathFor, fileCheckpointStore, type CheckpointPolicy, type CheckpointStore } from '../run/checkpoint.js';
import type { ResolvedStepper, ResolvedSuite } from './config.js';
import { finderObserver } from './flat-starts.js';
import { headToHeadObserver } from './observer.js';
import { defaultProbeKind, NEWTON_PROBE_MAX_DIM, type ProbeSettings } from './probes.js';

export interface SuiteTask {
  /** 'finder': the flat-start search (phase 1); 'method': a stepper of the suite. */
  phase: 'finder' | 'method';
  /** Index into suite.steppers (method tasks). */
  stepper: number;
  run: number;
  theta0: number[];
}

export interface TaskContext {
  suite: ResolvedSuite;
  out: string;
  registry: PluginRegistry;
  kernels: DenseKernels;
  problem: Problem;
  truth?: readonly TruthPoint[];
  version: string;
  progress: Progress;
  /** When to checkpoint runs (false/absent: never). */
  checkpoint?: CheckpointPolicy | false;
  /** Where a task's checkpoint lives (default: run-NNN.checkpoint next to its log); queued jobs: Redis. */
  checkpointStore?: (task: SuiteTask) => CheckpointStore;
  /** Checkpoints carry the step log (another machine may continue the task). */
  portableLog?: boolean;
}

export function taskStepper(suite: ResolvedSuite, task: Pick<SuiteTask, 'phase' | 'stepper'>): ResolvedStepper {
  return task.phase === 'finder' ? suite.starts.flat!.finder : suite.steppers[task.stepper];
}

/** Where a task writes: finder/run-NNN.{ndjson,json} or runs/<label>/run-NNN.{ndjson,json}. */
export function taskPaths(out: string, suite: ResolvedSuite, task: Pick<SuiteTask, 'phase' | 'stepper' | 'run'>): { log: string; record: string } {
  const id = `run-${String(task.run).padStart(3, '0')}`;
  const dir = task.phase === 'finder' ? join(out, 'finder') : join(out, 'runs', suite.steppers[task.stepper].label);
  return { log: join(dir, `${id}.ndjson`), record: join(dir, `${id}.json`) };
}

export function probeSettings(suite: ResolvedSuite, n: number): ProbeSettings {
  const p = suite.probe;
  return {
    kind: p.kind === 'auto' ? defaultProbeKind(n) : p.kind,
    every: p.every ?? (n <= NEWTON_PROBE_MAX_DIM ? 1 : 10),
    rtol: p.rtol, maxit: p.maxit, frobeniusSamples: p.frobeniusSamples,
    ...(p.solver && { solver: p.solver, pinvRcond: p.pinvRcond }),
    criterion: flatnessCriterionOf(suite.evaluation.thresholds),
    ...(suite.evaluation.flatness && { flatness: suite.evaluation.flatness }),
  };
}

function finalProbe(suite: ResolvedSuite): NewtonSolveOptions {
  const p = suite.probe;
  return { rtol: p.rtol, ...(p.maxit !== null && { maxit: p.maxit }), ...(p.solver && { solver: p.solver, pinvRcond: p.pinvRcond }) };
}

/** Runs the task, writes its step log and (atomically) its final record, and returns the record. */
export function executeTask(ctx: TaskContext, task: SuiteTask, runs: number): RunRecord {
  const { suite, problem, registry } = ctx;
  const s = taskStepper(suite, task);
  const plugin = registry.get(s.stepper);
  const oracle = problem.oracle;
  // Each task has its own random stream (probes), fixed by the suite seed and the task alone.
  const rng = new Rng(deriveSeed(deriveSeed(suite.seed, task.phase === 'finder' ? 1 : 2 + task.stepper), task.run));
  // One set of Newton-solve buffers for the task's probes and its final point.
  const solveWorkspace = new NewtonSolveWorkspace(oracle.dim);
  const observer: RunObserver = task.phase === 'finder'
    ? finderObserver(suite.starts.flat!.minGradNormSq)
    : headToHeadObserver(oracle, {
      probe: { ...probeSettings(suite, oracle.dim), kernels: ctx.kernels },
      methodReportsFlatness: Boolean(plugin.reportsFlatness),
      lossAfter: suite.summary.lossAfter,
      flatR: suite.evaluation.thresholds.flatR,
      leaveR: suite.summary.leaveR,
      leaveWindow: suite.summary.leaveWindow,
      blowUpRatio: suite.summary.blowUpRatio,
      targets: suite.summary.targets,
      workspace: solveWorkspace,
    }, rng);
  const paths = taskPaths(ctx.out, suite, task);
  const policy = ctx.checkpoint;
  const store = policy ? ctx.checkpointStore?.(task) ?? fileCheckpointStore(checkpointPathFor(paths.log)) : undefined;
  const record = runOne({
    oracle, kernels: ctx.kernels, stepperName: s.stepper, label: task.phase === 'finder' ? 'finder' : s.label, problemName: problem.name,
    makeStepper: (o, k) => registry.create(s.stepper, o, s.hyperparameters, { kernels: k }),
    iterations: s.iterations, targetGradNormSq: suite.stop.targetGradNormSq,
    cutoffs: suite.evaluation.cutoffs, indexCutoff: suite.evaluation.indexCutoff, thresholds: suite.evaluation.thresholds,
    indexMethod: suite.evaluation.indexMethod, ...(suite.evaluation.flatness && { flatness: suite.evaluation.flatness }),
    // Final points of every method are judged with the same solver settings (the suite's
    // probe), so classes compare across methods; the finder's with its own, as its steps.
    probe: task.phase === 'finder' ? { ...plugin.probeSolver?.(s.hyperparameters) } : finalProbe(suite), truth: ctx.truth, version: ctx.version, progress: ctx.progress, runs,
    observer, solveWorkspace, ...(policy && store && { checkpoint: { store, policy, portableLog: ctx.portableLog } }),
  }, task.run, Float64Array.from(task.theta0), paths.log);
  writeRunRecord(paths.record, record);
  store?.clear(); // after the record: a crash in between leaves a checkpoint, never neither
  return record;
}
