/**
 * Drives one stepper from one start: the harness side of the Stepper contract. It knows
 * nothing of a method's internals: it calls `step`, hands each metrics record to `onStep`,
 * and stops on the iteration limit, a target ‖g‖², a stepper that halts, or a non-finite value
 * (the last finite state is kept and the reason recorded; NaN is never reported as a result).
 */
import { allFinite } from '../linalg/vector.js';
import type { StepMetrics, Stepper, StepperState } from '../stepper/stepper.js';

export interface RunLoopOptions {
  maxIterations: number;
  /** Stop once ‖g‖² ≤ this (0 = never; the paper runs a fixed number of iterations). */
  targetGradNormSq?: number;
  /** Each step's metrics, with the state θ_k it stepped from (do not keep references). */
  onStep?: (metrics: StepMetrics, from: StepperState) => void;
  /** Every state the run visits, θ₀ included (do not keep references: copy what you need). */
  onState?: (state: StepperState) => void;
}

export interface RunLoopOutcome<S extends StepperState = StepperState> {
  state: S;
  steps: number;
  stopReason: string;
  wallMs: number;
}

/** A stepper threw: the message says where (init or step k); suite and `run` add the stepper and run. */
export class StepperThrew extends Error {
  constructor(readonly step: number | 'init', cause: unknown) {
    super(`${step === 'init' ? 'init' : `step ${step}`} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StepperThrew';
  }
}

function guarded<T>(step: number | 'init', fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new StepperThrew(step, e);
  }
}

export function runStepper<S extends StepperState>(stepper: Stepper<S>, theta0: Float64Array, opts: RunLoopOptions): RunLoopOutcome<S> {
  const t0 = performance.now();
  let state = guarded('init', () => stepper.init(theta0));
  if (!isFiniteState(state)) {
    return { state, steps: 0, stopReason: 'non-finite loss or gradient at the starting point', wallMs: performance.now() - t0 };
  }
  opts.onState?.(state);
  const target = opts.targetGradNormSq ?? 0;
  let stopReason = 'max-iterations';
  let steps = 0;
  while (steps < opts.maxIterations) {
    if (target > 0 && state.gradNormSq <= target) {
      stopReason = 'target-reached';
      break;
    }
    const current = state;
    const { state: next, metrics, halted } = guarded(state.iteration, () => stepper.step(current));
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
