/**
 * Drives one stepper from one start: the harness side of the Stepper contract. It knows
 * nothing of a method's internals: it calls `step`, hands each metrics record to `onStep`,
 * and stops on the iteration limit, a target ‖g‖², a stepper that halts, or a non-finite value
 * (the last finite state is kept and the reason recorded; NaN is never reported as a result).
 *
 * Work accounting is the harness's job: each step's `work` is the change of the method's oracle
 * counters across `step()` (give `counters`: those of the `countingOracle` the stepper was built
 * on). What a stepper reports itself is ignored then, so no stepper can under- or over-bill, and
 * observers (probes) run after the step, outside the measured window.
 */
import { StepperThrew } from '../io/errors.js';
import { allFinite } from '../linalg/vector.js';
import { counterDelta, emptyCounters, snapshotCounters, type OracleCounters } from '../oracle/oracle.js';
import type { MeasuredStepMetrics, StepResult, Stepper, StepperState } from '../stepper/stepper.js';

export interface RunLoopOptions {
  maxIterations: number;
  /**
   * The live counters of the oracle the stepper was built on; each step's work is their change
   * across step(). Absent: the stepper's own report, else zero (only for callers that do not
   * care about work).
   */
  counters?: OracleCounters;
  /** Stop once ‖g‖² ≤ this (0 = never; the paper runs a fixed number of iterations). */
  targetGradNormSq?: number;
  /** Each step's metrics, with the state θ_k it stepped from (do not keep references). */
  onStep?: (metrics: MeasuredStepMetrics, from: StepperState) => void;
  /** Every state the run visits, θ₀ included (do not keep references: copy what you need). */
  onState?: (state: StepperState) => void;
  /** Continue from a checkpointed state (no `init`, no onState for it): run.steps done, elapsedMs already spent. */
  resume?: { state: StepperState; steps: number; elapsedMs: number };
}

export interface RunLoopOutcome<S extends StepperState = StepperState> {
  state: S;
  steps: number;
  stopReason: string;
  wallMs: number;
}


function guarded<T>(step: number | 'init', fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new StepperThrew(step, e);
  }
}

export function runStepper<S extends StepperState>(stepper: Stepper<S>, theta0: Float64Array, opts: RunLoopOptions): RunLoopOutcome<S> {
  const t0 = performance.now() - (opts.resume?.elapsedMs ?? 0);
  let state = opts.resume ? opts.resume.state as S : guarded('init', () => stepper.init(theta0));
  if (!opts.resume) {
    if (!isFiniteState(state)) {
      return { state, steps: 0, stopReason: 'non-finite loss or gradient at the starting point', wallMs: performance.now() - t0 };
    }
    opts.onState?.(state);
  }
  const target = opts.targetGradNormSq ?? 0;
  let stopReason = 'max-iterations';
  let steps = opts.resume?.steps ?? 0;
  while (steps < opts.maxIterations) {
    if (target > 0 && state.gradNormSq <= target) {
      stopReason = 'target-reached';
      break;
    }
    const current = state;
    const { state: next, metrics, halted } = guarded(state.iteration, () => measuredStep(stepper, current, opts.counters));
    opts.onStep?.(metrics, state);
    if (halted) {
      stopReason = halted;
      break;
    }
    if (!isFiniteState(next)) {
      stopReason = `non-finite loss or gradient after step ${steps} (kept the last finite point)`;
      break;
    }
    state = next;
    steps++;
    opts.onState?.(state);
  }
  return { state, steps, stopReason, wallMs: performance.now() - t0 };
}

function isFiniteState(s: StepperState): boolean {
  return Number.isFinite(s.loss) && Number.isFinite(s.gradNormSq) && allFinite(s.theta);
}

/**
 * One step with its work measured by the harness: the change of `counters` across step()
 * (the harness's number wins over a stepper's own report); without counters, the stepper's
 * report or zero.
 */
export function measuredStep<S extends StepperState>(stepper: Stepper<S>, state: S, counters?: OracleCounters): StepResult<S> & { metrics: MeasuredStepMetrics } {
  const before = counters && snapshotCounters(counters);
  const res = stepper.step(state);
  const work = before ? counterDelta(counters!, before) : res.metrics.work ?? emptyCounters();
  return { ...res, metrics: { ...res.metrics, work } };
}
