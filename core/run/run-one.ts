/**
 * One run of an experiment: one stepper from one start, with its step log, the first iterate
 * below each ‖g‖² cutoff, and the evaluation of the final point. Returns the final record.
 */
import { evaluatePoint, lossAndIndex, type FlatnessBudget, type PointReport } from '../analysis/evaluate-point.js';
import { DENSE_MAX_DIM } from '../oracle/dense-hessian.js';
import type { ClassThresholds } from '../analysis/flatness.js';
import type { NewtonSolveOptions, NewtonSolveWorkspace } from '../newton/direction.js';
import type { IndexMethod } from '../analysis/index-estimate.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { normSq } from '../linalg/vector.js';
import { countingOracle } from '../oracle/counting.js';
import { type Oracle, type OracleCounters } from '../oracle/oracle.js';
import { matchToTruth, type TruthMatch, type TruthPoint } from '../analysis/truth.js';
import type { MeasuredStepMetrics, Stepper, StepperState } from '../stepper/stepper.js';
import type { Progress } from './progress.js';
import { runStepper } from './run-loop.js';
import { openStepLog, type StepLog } from './step-log.js';
import { openRunCheckpoint, type OpenedCheckpoint, type RunCheckpointOptions } from './run-checkpoint.js';

export interface CutoffPoint {
  cutoff: number;
  iteration: number;
  loss: number;
  gradNormSq: number;
  index?: number;
  negativeEigenvalues?: number;
  truth?: TruthMatch;
}

/**
 * One finished run, as runs/run-NNN.json holds it: where it started, how it stopped, the work it
 * spent, and the final point's flatness, class and index. Deterministic given the config, except
 * `wallMs` and the provenance fields.
 */
export interface RunRecord {
  /** The run's number in its directory (the NNN of run-NNN.json). */
  run: number;
  /** Which kernels, oracle engine and gradflat version computed this run (a resumed directory may mix them). */
  kernels: string;
  /** The oracle's provenance (engine, threads, ...): engines differ in round-off. */
  provenance?: Readonly<Record<string, string | number>>;
  /** The gradflat version that computed this run. */
  gradflat: string;
  /** The starting point θ₀. */
  start: {
    /** f(θ₀). */
    loss: number;
    /** ‖∇f(θ₀)‖². */
    gradNormSq: number;
  };
  /** Steps taken (a resumed run counts the steps before the resume too). */
  steps: number;
  /** 'max-iterations', 'target-reached', a stepper's halt reason, or what was non-finite. */
  stopReason: string;
  /** Wall time of the steps in milliseconds (not the final evaluation); the record's only timing. */
  wallMs: number;
  /** The method's own oracle calls, counted by the harness (probes are in `probeWork`). */
  work: OracleCounters;
  /** Smallest ‖g‖² seen along the run, and the largest r of a Newton step (Newton-type steppers). */
  minGradNormSq: number;
  /** Largest r_solverA over the run's Newton steps (the paper's r, [GF] §2.4); absent for other methods. */
  maxR?: number;
  /** The final point evaluated: loss, ‖g‖², r and rH, spectral share, class and Morse index (evaluatePoint). */
  final: PointReport;
  /** Nearest analytic critical point (problems with ground truth, when the index is known). */
  truth?: TruthMatch;
  /** The first iterate below each ‖g‖² cutoff (absent when never reached). */
  firstBelow: CutoffPoint[];
  /** The final θ, as plain numbers (JSON). */
  theta: number[];
  /** What a RunObserver added (suites: flatness probes, head-to-head measures). */
  observed?: Record<string, unknown>;
  /** Oracle work of the observer's probes, kept out of `work` (the method's own). */
  probeWork?: OracleCounters;
}

/**
 * Watches a run from outside the stepper (suites: flatness probes, loss drop, step blow-ups).
 * Work it spends on the oracle is reported back and kept apart from the method's work.
 */
export interface RunObserver {
  /** After the step θ_k → θ_{k+1}; returns fields for step k's log line (e.g. a probe at θ_k). */
  onStep(metrics: MeasuredStepMetrics, from: StepperState): Record<string, unknown> | undefined;
  /** Oracle work the observer spent so far. */
  work(): OracleCounters;
  /** Fields for the final record's `observed`, given the run's last state. */
  finish(final: StepperState): Record<string, unknown>;
  /** Plain data from which `restore` continues exactly (run checkpoints); absent: the run is not checkpointed. */
  checkpoint?(): unknown;
  restore?(data: unknown): void;
}

export interface RunContext {
  oracle: Oracle;
  kernels: DenseKernels;
  /** Builds the method on the oracle it is given (the harness's counting wrapper of `oracle`) and the run's kernels. */
  makeStepper: (oracle: Oracle, kernels: DenseKernels) => Stepper;
  stepperName: string;
  problemName: string;
  iterations: number;
  targetGradNormSq?: number;
  cutoffs: number[];
  indexCutoff: number;
  /** Final points: 'dense', 'estimate' or 'auto' (default; core/analysis/index-estimate.ts). */
  indexMethod?: IndexMethod;
  thresholds: ClassThresholds;
  /** Budget of the final point's Lanczos flatness bracket beyond the dense limit (default: spectral-flatness.ts). */
  flatness?: FlatnessBudget;
  probe: NewtonSolveOptions;
  /** Buffers for the final point's Newton solve (e.g. shared with the observer's probes; default: fresh). */
  solveWorkspace?: NewtonSolveWorkspace;
  truth?: readonly TruthPoint[];
  version: string;
  progress: Progress;
  runs: number;
  observer?: RunObserver;
  /** Label in progress lines and the log's start record (default: the stepper's name). */
  label?: string;
  /** Save the run's state now and then, and resume from the last save (core/run/run-checkpoint.ts). */
  checkpoint?: RunCheckpointOptions;
}

export function runOne(ctx: RunContext, run: number, theta0: Float64Array, logPath: string): RunRecord {
  const ckpt = ctx.checkpoint && openRunCheckpoint(ctx, run, theta0, logPath);
  // Closed on every exit, a failing stepper's included: one descriptor per run would otherwise leak.
  const log = openStepLog(logPath, Boolean(ckpt?.resumed));
  try {
    return runLogged(ctx, run, theta0, log, ckpt);
  } finally {
    log.close();
  }
}

function runLogged(ctx: RunContext, run: number, theta0: Float64Array, log: StepLog, ckpt: OpenedCheckpoint | undefined | false): RunRecord {
  const { oracle, kernels } = ctx;
  const observer = ctx.observer;
  const saved = ckpt ? ckpt.resumed : undefined;
  // The method sees only its own counting wrapper: its work is what passed through it, and the
  // observer's probes and the final evaluation (on `oracle` itself) are never billed to it.
  // On resume it starts from the work done before the checkpoint, so `work` counts the whole run.
  const method = countingOracle(oracle);
  if (saved) Object.assign(method.counters, saved.work);
  const stepper = ctx.makeStepper(method, kernels);
  let minG = saved?.minGradNormSq ?? Infinity;
  let maxR: number | undefined = saved?.maxR;
  const firstBelow = new Map<number, { iteration: number; theta: Float64Array }>(saved?.firstBelow);
  let startRecord: { loss: number; gradNormSq: number };
  if (saved) {
    startRecord = saved.start;
    if (saved.observer !== undefined) observer?.restore?.(saved.observer);
  } else {
    // Billed to the method as it always was (the gradient at θ₀ every method needs).
    const start = method.gradient(theta0);
    startRecord = { loss: start.loss, gradNormSq: normSq(start.gradient) };
    log.write({ type: 'start', run, stepper: ctx.stepperName, ...(ctx.label && { label: ctx.label }), problem: ctx.problemName, ...startRecord });
  }
  let steps = saved?.steps ?? 0;
  let initial = !saved; // the first onState is θ₀ itself, not a step
  const outcome = runStepper(stepper, theta0, {
    maxIterations: ctx.iterations,
    targetGradNormSq: ctx.targetGradNormSq,
    counters: method.counters,
    ...(saved && { resume: { state: saved.state, steps: saved.steps, elapsedMs: saved.elapsedMs } }),
    onState: (st) => {
      for (const c of ctx.cutoffs) {
        if (st.gradNormSq < c && !firstBelow.has(c)) firstBelow.set(c, { iteration: st.iteration, theta: Float64Array.from(st.theta) });
      }
      if (initial) initial = false;
      else steps++;
      // The step log is written synchronously, so its length on disk is what the checkpoint records.
      if (ckpt && ckpt.due(steps)) {
        ckpt.save({
          steps, state: st, start: startRecord, minGradNormSq: minG, maxR, firstBelow: [...firstBelow],
          work: { ...method.counters }, observer: observer?.checkpoint?.(),
        });
      }
    },
    onStep: (m, from) => {
      const observed = observer?.onStep(m, from);
      log.write({ type: 'step', run, ...m, ...observed });
      if (m.gradNormSq < minG) minG = m.gradNormSq;
      if (m.newton && Number.isFinite(m.newton.r_solverA)) maxR = Math.max(maxR ?? 0, m.newton.r_solverA);
      ctx.progress.update(`${ctx.label ? `${ctx.label} ` : ''}run ${run + 1}/${ctx.runs}  step ${m.iteration}  loss ${m.loss.toExponential(3)}  ‖g‖² ${m.gradNormSq.toExponential(2)}`);
    },
  });
  // Before the final evaluation, so that the observer's timings cover the method alone.
  const observed = observer?.finish(outcome.state);
  const probeWork = observer?.work();
  const work = { ...method.counters };
  const evalStart = performance.now();
  const final = evaluatePoint(oracle, outcome.state.theta, kernels, { solve: ctx.probe, indexCutoff: ctx.indexCutoff, thresholds: ctx.thresholds, indexMethod: ctx.indexMethod, workspace: ctx.solveWorkspace, ...(ctx.flatness && { flatness: ctx.flatness }) });
  const evaluationMs = performance.now() - evalStart;
  const match = (loss: number, neg: number | undefined) => (ctx.truth && neg !== undefined ? matchToTruth(loss, neg, ctx.truth) : undefined);
  const record: RunRecord = {
    run, kernels: kernels.name, provenance: oracle.provenance, gradflat: ctx.version, start: startRecord,
    steps: outcome.steps, stopReason: outcome.stopReason, wallMs: outcome.wallMs, work,
    minGradNormSq: Math.min(minG, final.gradNormSq), maxR, final,
    // An estimated count matches analytic points only when its interval pins it down.
    truth: match(final.loss, final.negativeEigenvaluesInterval && final.negativeEigenvaluesInterval[0] !== final.negativeEigenvaluesInterval[1] ? undefined : final.negativeEigenvalues),
    firstBelow: [...firstBelow].map(([cutoff, p]) => {
      if (oracle.dim > DENSE_MAX_DIM) {
        const { loss, gradient } = oracle.gradient(p.theta);
        return { cutoff, iteration: p.iteration, loss, gradNormSq: normSq(gradient) };
      }
      const ev = lossAndIndex(oracle, p.theta, kernels, ctx.indexCutoff);
      return { cutoff, iteration: p.iteration, ...ev, truth: match(ev.loss, ev.negativeEigenvalues) };
    }),
    theta: Array.from(outcome.state.theta),
    ...(observed && { observed, probeWork }),
  };
  // The evaluation's wall time goes to the log only (timings stay out of the deterministic record but wallMs).
  log.write({ type: 'final', run, steps: outcome.steps, stopReason: outcome.stopReason, evaluationMs, ...final });
  return record;
}
