/**
 * One run of an experiment: one stepper from one start, with its step log, the first iterate
 * below each ‖g‖² cutoff, and the evaluation of the final point. Returns the final record.
 */
import { DENSE_MAX_DIM, evaluatePoint, lossAndIndex, type PointReport } from '../analysis/evaluate-point.js';
import type { ClassThresholds } from '../analysis/flatness.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { normSq } from '../linalg/vector.js';
import { counterDelta, snapshotCounters, type Oracle, type OracleCounters } from '../oracle/oracle.js';
import { matchToTruth, type TruthMatch, type TruthPoint } from '../problems/linear-ae-truth.js';
import type { Stepper } from '../stepper/stepper.js';
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
  log.write({ type: 'start', run, stepper: ctx.stepperName, problem: ctx.problemName, ...startRecord });
  const outcome = runStepper(stepper, theta0, {
    maxIterations: ctx.iterations,
    targetGradNormSq: ctx.targetGradNormSq,
    onState: (st) => {
      for (const c of ctx.cutoffs) {
        if (st.gradNormSq < c && !firstBelow.has(c)) firstBelow.set(c, { iteration: st.iteration, theta: Float64Array.from(st.theta) });
      }
    },
    onStep: (m) => {
      log.write({ type: 'step', run, ...m });
      if (m.gradNormSq < minG) minG = m.gradNormSq;
      if (m.newton && Number.isFinite(m.newton.r_solverA)) maxR = Math.max(maxR ?? 0, m.newton.r_solverA);
      ctx.progress.update(`run ${run + 1}/${ctx.runs}  step ${m.iteration}  loss ${m.loss.toExponential(3)}  ‖g‖² ${m.gradNormSq.toExponential(2)}`);
    },
  });
  const work = counterDelta(oracle.counters, before);
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
  };
  log.write({ type: 'final', run, steps: outcome.steps, stopReason: outcome.stopReason, ...final });
  log.close();
  return record;
}
