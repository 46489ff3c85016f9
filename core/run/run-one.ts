/**
 * One run of an experiment: one stepper from one start, with its step log, the first iterate
 * below each ‖g‖² cutoff, and the evaluation of the final point. Returns the final record.
 */
import { DENSE_MAX_DIM, evaluatePoint, lossAndIndex, type PointReport } from '../analysis/evaluate-point.js';
import type { ClassThresholds } from '../analysis/flatness.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { normSq } from '../linalg/vector.js';
import { counterDelta, emptyCounters, snapshotCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import { matchToTruth, type TruthMatch, type TruthPoint } from '../problems/linear-ae-truth.js';
import type { StepMetrics, Stepper, StepperState } from '../stepper/stepper.js';
import type { Progress } from './progress.js';
import { runStepper } from './run-loop.js';
import { openStepLog } from './step-log.js';

export interface CutoffPoint {
  cutoff: number;
  iteration: number;
  loss: number;
  gradNormSq: number;
  index?: number;
  negativeEigenvalues?: number;
  truth?: TruthMatch;
}

export interface RunRecord {
  run: number;
  /** Which kernels, oracle engine and gradflat version computed this run (a resumed directory may mix them). */
  kernels: string;
  provenance?: Readonly<Record<string, string | number>>;
  gradflat: string;
  start: { loss: number; gradNormSq: number };
  steps: number;
  stopReason: string;
  wallMs: number;
  work: OracleCounters;
  /** Smallest ‖g‖² seen along the run, and the largest r of a Newton step (Newton-type steppers). */
  minGradNormSq: number;
  maxR?: number;
  final: PointReport;
  /** Nearest analytic critical point (problems with ground truth, when the index is known). */
  truth?: TruthMatch;
  /** The first iterate below each ‖g‖² cutoff (absent when never reached). */
  firstBelow: CutoffPoint[];
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
  onStep(metrics: StepMetrics, from: StepperState): Record<string, unknown> | undefined;
  /** Oracle work the observer spent so far. */
  work(): OracleCounters;
  /** Fields for the final record's `observed`, given the run's last state. */
  finish(final: StepperState): Record<string, unknown>;
}

export interface RunContext {
  oracle: Oracle;
  kernels: DenseKernels;
  makeStepper: () => Stepper;
  stepperName: string;
  problemName: string;
  iterations: number;
  targetGradNormSq?: number;
  cutoffs: number[];
  indexCutoff: number;
  thresholds: ClassThresholds;
  probe: MinresQlpOptions;
  truth?: readonly TruthPoint[];
  version: string;
  progress: Progress;
  runs: number;
  observer?: RunObserver;
  /** Label in progress lines and the log's start record (default: the stepper's name). */
  label?: string;
}

export function runOne(ctx: RunContext, run: number, theta0: Float64Array, logPath: string): RunRecord {
  const { oracle, kernels } = ctx;
  const log = openStepLog(logPath);
  const stepper = ctx.makeStepper();
  const before = snapshotCounters(oracle.counters);
  let minG = Infinity;
  let maxR: number | undefined;
  const firstBelow = new Map<number, { iteration: number; theta: Float64Array }>();
  const start = oracle.gradient(theta0);
  const startRecord = { loss: start.loss, gradNormSq: normSq(start.gradient) };
  log.write({ type: 'start', run, stepper: ctx.stepperName, ...(ctx.label && { label: ctx.label }), problem: ctx.problemName, ...startRecord });
  const observer = ctx.observer;
  // A stepper that throws must not leave its log open (one descriptor per failed run).
  const outcome = closeOnThrow(log, () => runStepper(stepper, theta0, {
    maxIterations: ctx.iterations,
    targetGradNormSq: ctx.targetGradNormSq,
    onState: (st) => {
      for (const c of ctx.cutoffs) {
        if (st.gradNormSq < c && !firstBelow.has(c)) firstBelow.set(c, { iteration: st.iteration, theta: Float64Array.from(st.theta) });
      }
    },
    onStep: (m, from) => {
      const observed = observer?.onStep(m, from);
      log.write({ type: 'step', run, ...m, ...observed });
      if (m.gradNormSq < minG) minG = m.gradNormSq;
      if (m.newton && Number.isFinite(m.newton.r_solverA)) maxR = Math.max(maxR ?? 0, m.newton.r_solverA);
      ctx.progress.update(`${ctx.label ? `${ctx.label} ` : ''}run ${run + 1}/${ctx.runs}  step ${m.iteration}  loss ${m.loss.toExponential(3)}  ‖g‖² ${m.gradNormSq.toExponential(2)}`);
    },
  }));
  // Before the final evaluation, so that the observer's timings cover the method alone.
  const observed = observer?.finish(outcome.state);
  const probeWork = observer?.work() ?? emptyCounters();
  const work = counterDelta(counterDelta(oracle.counters, before), probeWork);
  const final = evaluatePoint(oracle, outcome.state.theta, kernels, { solve: ctx.probe, indexCutoff: ctx.indexCutoff, thresholds: ctx.thresholds });
  const match = (loss: number, neg: number | undefined) => (ctx.truth && neg !== undefined ? matchToTruth(loss, neg, ctx.truth) : undefined);
  const record: RunRecord = {
    run, kernels: kernels.name, provenance: oracle.provenance, gradflat: ctx.version, start: startRecord,
    steps: outcome.steps, stopReason: outcome.stopReason, wallMs: outcome.wallMs, work,
    minGradNormSq: Math.min(minG, final.gradNormSq), maxR, final,
    truth: match(final.loss, final.negativeEigenvalues),
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
  log.write({ type: 'final', run, steps: outcome.steps, stopReason: outcome.stopReason, ...final });
  log.close();
  return record;
}

function closeOnThrow<T>(log: { close(): void }, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    log.close();
    throw e;
  }
}
