/** Helpers every stepper needs, in one place. */
import { allFinite, dot } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';

export interface PointValues {
  loss: number;
  gradient: Float64Array;
  gradNormSq: number;
}

/**
 * Loss, gradient and ‖g‖² at θ (a fresh gradient array). A non-finite θ is not sent to the
 * oracle, which would throw: it comes back as NaN values, and the harness stops the run on them.
 */
export function evaluateAt(oracle: Oracle, theta: Float64Array): PointValues {
  if (!allFinite(theta)) return { loss: NaN, gradient: new Float64Array(theta.length).fill(NaN), gradNormSq: NaN };
  const { loss, gradient } = oracle.gradient(theta, new Float64Array(theta.length));
  return { loss, gradient, gradNormSq: dot(gradient, gradient) };
}

/** The state every stepper starts from: a private copy of θ₀ with its loss and gradient, step 0. */
export function initialState<E extends Readonly<Record<string, unknown>>>(oracle: Oracle, theta0: Float64Array, extra: E): PointValues & { iteration: 0; theta: Float64Array; extra: E } {
  const theta = Float64Array.from(theta0);
  const { loss, gradient } = oracle.gradient(theta, new Float64Array(theta.length));
  return { iteration: 0, theta, loss, gradient, gradNormSq: dot(gradient, gradient), extra };
}
