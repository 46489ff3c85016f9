/**
 * A Hessian is symmetric, so for any u, v: u·(Hv) = v·(Hu). A problem whose Hessian-vector
 * product breaks that has a bug (a transposed Jacobian, a missing term), and everything built on
 * it — the Morse index, saddle-or-minimum, Newton steps — is wrong without any error: an
 * asymmetric HVP made a convex bowl's minimum read as a saddle. Checked once before any work.
 */
import { PluginError } from '../io/errors.js';
import { Rng } from '../random/rng.js';
import type { Oracle } from './oracle.js';

/**
 * Relative tolerance, against ‖u‖‖Hv‖ + ‖v‖‖Hu‖ (not the inner products, which may cancel):
 * float64 round-off is ~1e-15 of that, float32 engines (tfjs) ~1e-6; a bug is of order one.
 */
const TOLERANCE = 1e-3;

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));

/** Throws PluginError naming the problem when u·(Hv) and v·(Hu) differ beyond round-off at a fixed random θ. */
export function checkHvpSymmetry(oracle: Pick<Oracle, 'dim' | 'hvp'>, problemName: string): void {
  const n = oracle.dim;
  if (n < 2) return;
  // A fixed stream: the check never depends on, or moves, any run's random numbers.
  const rng = new Rng(0x5eed);
  const theta = rng.uniformVector(n, -0.5, 0.5);
  const u = rng.uniformVector(n, -1, 1), v = rng.uniformVector(n, -1, 1);
  const hv = Float64Array.from(oracle.hvp(theta, v)), hu = Float64Array.from(oracle.hvp(theta, u));
  const a = dot(u, hv), b = dot(v, hu);
  const scale = norm(u) * norm(hv) + norm(v) * norm(hu);
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(scale > 0)) return; // nothing to judge here (non-finite or zero curvature at this θ)
  if (Math.abs(a - b) > TOLERANCE * scale) {
    throw new PluginError('problem', problemName, `problem '${problemName}': its Hessian-vector product is not symmetric: for random u, v at a random θ, u·(Hv) = ${a} but v·(Hu) = ${b} ` +
      `(a Hessian is symmetric, so they must agree to round-off). Its hvp has a bug; compare it with finite differences of the gradient, (g(θ + εv) − g(θ − εv)) / 2ε`);
  }
}
