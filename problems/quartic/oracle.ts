/**
 * The two-parameter quartic of [GF] Fig. 2:
 *   f(x, y) = 0.25x⁴ − 3x² + 9x + 0.9y⁴ + 5y² + 40.
 * ∂f/∂x = x³ − 6x + 9 vanishes only at x = −3, so (−3, 0) is the only critical point.
 * ∂²f/∂x² = 3x² − 6 vanishes at x = ±√2: (√2, 0) and (−√2, 0) are strict gradient-flat points
 * (g ≠ 0 but Hg = 0), the first a local minimum of ‖g‖² with value (9 − 4√2)².
 */
import { checkTheta, emptyCounters, type LossAndGradient, type Oracle, type OracleCapability } from '../../core/oracle/oracle.js';

export const QUARTIC_CRITICAL_POINT = Object.freeze([-3, 0] as const);
export const QUARTIC_FLAT_MINIMUM = Object.freeze([Math.SQRT2, 0] as const);
export const QUARTIC_FLAT_SADDLE = Object.freeze([-Math.SQRT2, 0] as const);

export class QuarticOracle implements Oracle {
  readonly dim = 2;
  readonly capabilities: ReadonlySet<OracleCapability> = new Set<OracleCapability>(['dense-hessian']);
  readonly counters = emptyCounters();

  loss(theta: Float64Array): number {
    checkTheta(theta, 2);
    this.counters.loss++;
    return quarticLoss(theta[0], theta[1]);
  }

  gradient(theta: Float64Array, out: Float64Array = new Float64Array(2)): LossAndGradient {
    checkTheta(theta, 2);
    this.counters.gradient++;
    const [x, y] = theta;
    out[0] = x * x * x - 6 * x + 9;
    out[1] = 3.6 * y * y * y + 10 * y;
    return { loss: quarticLoss(x, y), gradient: out };
  }

  hvp(theta: Float64Array, v: Float64Array, out: Float64Array = new Float64Array(2)): Float64Array {
    checkTheta(theta, 2);
    this.counters.hvp++;
    const [x, y] = theta;
    out[0] = (3 * x * x - 6) * v[0];
    out[1] = (10.8 * y * y + 10) * v[1];
    return out;
  }

  hessian(theta: Float64Array): Float64Array {
    checkTheta(theta, 2);
    const [x, y] = theta;
    return Float64Array.of(3 * x * x - 6, 0, 0, 10.8 * y * y + 10);
  }
}

/** f(x, y), the loss the oracle and the report's heatmap share. */
export function quarticLoss(x: number, y: number): number {
  return 0.25 * x ** 4 - 3 * x * x + 9 * x + 0.9 * y ** 4 + 5 * y * y + 40;
}

/** An m×m grid of starting points on [lo, hi]² (row by row, x fastest). */
export function quarticGrid(m: number, lo = -4, hi = 4): Float64Array[] {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`grid size must be a positive integer, got ${m}`);
  const pts: Float64Array[] = [];
  const at = (i: number) => (m === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (m - 1));
  for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) pts.push(Float64Array.of(at(i), at(j)));
  return pts;
}
