/**
 * gradflat-lbfgs: limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * Algorithm 7.4 two-loop recursion, Algorithm 7.5) with Armijo backtracking (Alg. 3.1).
 *
 * The last `memory` curvature pairs (s, y) live in the state (a ring buffer), so a run resumes
 * bit-identically. A pair with sᵀy ≤ 10⁻¹⁰·‖s‖‖y‖ is not stored: on a non-convex loss BFGS's
 * update needs positive curvature (N&W §6.1) to keep H positive definite. A direction that is
 * not a descent direction resets the memory to steepest descent.
 */
import type { Oracle, Stepper, StepperPlugin, StepperState, StepResult } from 'gradflat';

// A type (not an interface): assignable to the state's Record<string, unknown> extra.
type LbfgsExtra = {
  /** Ring buffers of the pairs, pair j at [j·n, (j+1)·n). */
  S: Float64Array;
  Y: Float64Array;
  /** 1 / (sⱼᵀyⱼ). */
  rho: Float64Array;
  /** Pairs stored (≤ memory), and the slot the next one goes to. */
  count: number;
  next: number;
};

interface State extends StepperState {
  readonly extra: LbfgsExtra;
}

const dot = (a: Float64Array, b: Float64Array, offset = 0): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[offset + i];
  return s;
};

function stateAt(oracle: Oracle, theta: Float64Array, iteration: number, extra: LbfgsExtra): State {
  const { loss, gradient } = oracle.gradient(theta, new Float64Array(theta.length));
  return { iteration, theta, loss, gradient, gradNormSq: dot(gradient, gradient), extra };
}

/** p = −H·g by the two-loop recursion, H₀ = γI with γ = sᵀy / yᵀy of the newest pair (N&W eq. 7.20). */
function direction(g: Float64Array, e: LbfgsExtra, m: number): Float64Array {
  const n = g.length;
  const q = Float64Array.from(g);
  const alpha = new Float64Array(e.count);
  for (let j = 0; j < e.count; j++) {
    const slot = (e.next - 1 - j + m) % m;
    alpha[j] = e.rho[slot] * dot(q, e.S, slot * n);
    for (let i = 0; i < n; i++) q[i] -= alpha[j] * e.Y[slot * n + i];
  }
  if (e.count > 0) {
    const newest = (e.next - 1 + m) % m;
    let yy = 0;
    for (let i = 0; i < n; i++) yy += e.Y[newest * n + i] ** 2;
    const gamma = 1 / (e.rho[newest] * yy);
    for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let j = e.count - 1; j >= 0; j--) {
    const slot = (e.next - 1 - j + m) % m;
    const beta = e.rho[slot] * dot(q, e.Y, slot * n);
    for (let i = 0; i < n; i++) q[i] += (alpha[j] - beta) * e.S[slot * n + i];
  }
  for (let i = 0; i < n; i++) q[i] = -q[i];
  return q;
}

const hyperparameters = {
  memory: { type: 'integer', default: 10, min: 1, description: 'curvature pairs kept (m)' },
  c1: { type: 'number', default: 1e-4, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: 'Armijo sufficient-decrease constant' },
  shrink: { type: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: 'backtracking factor' },
  maxBacktracks: { type: 'integer', default: 40, min: 1, description: 'trial steps before the stepper halts' },
} as const;

const plugin: StepperPlugin<typeof hyperparameters> = {
  name: 'lbfgs',
  description: 'L-BFGS (two-loop recursion, Armijo backtracking; Nocedal & Wright Alg. 7.5)',
  hyperparameters,
  create(oracle, hp): Stepper<State> {
    const m = hp.memory as number, c1 = hp.c1, shrink = hp.shrink, maxTries = hp.maxBacktracks as number;
    const empty = (n: number): LbfgsExtra => ({ S: new Float64Array(m * n), Y: new Float64Array(m * n), rho: new Float64Array(m), count: 0, next: 0 });
    return {
      init: (theta0) => stateAt(oracle, Float64Array.from(theta0), 0, empty(theta0.length)),
      step(s): StepResult<State> {
        const n = s.theta.length;
        let e: LbfgsExtra = s.extra;
        let p = direction(s.gradient, e, m);
        let slope = dot(s.gradient, p);
        if (!(slope < 0)) {
          // Not a descent direction (round-off, or a stale pair): start over from steepest descent.
          e = empty(n);
          p = s.gradient.map((x) => -x);
          slope = -s.gradNormSq;
        }
        const pNorm = Math.sqrt(dot(p, p));
        const metrics = { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, directionNorm: pNorm };
        let alpha = 1;
        for (let tries = 1; tries <= maxTries; tries++, alpha *= shrink) {
          const theta = s.theta.map((x, i) => x + alpha * p[i]);
          if (!(oracle.loss(theta) <= s.loss + c1 * alpha * slope)) continue;
          const next = stateAt(oracle, theta, s.iteration + 1, e);
          // The new pair, into copies of the buffers (the state handed in stays as it was).
          const sv = new Float64Array(n), yv = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            sv[i] = theta[i] - s.theta[i];
            yv[i] = next.gradient[i] - s.gradient[i];
          }
          const sy = dot(sv, yv);
          let extra = e;
          if (sy > 1e-10 * Math.sqrt(dot(sv, sv) * dot(yv, yv))) {
            extra = { S: Float64Array.from(e.S), Y: Float64Array.from(e.Y), rho: Float64Array.from(e.rho), count: Math.min(e.count + 1, m), next: (e.next + 1) % m };
            extra.S.set(sv, e.next * n);
            extra.Y.set(yv, e.next * n);
            extra.rho[e.next] = 1 / sy;
          }
          return {
            state: { ...next, extra },
            metrics: { ...metrics, alpha, stepNorm: alpha * pNorm, lineSearch: { tries, accepted: tries === 1 ? 'unit' : 'backtracking' }, extra: { pairs: extra.count } },
          };
        }
        return {
          state: s,
          metrics: { ...metrics, alpha: 0, stepNorm: 0, lineSearch: { tries: maxTries, accepted: 'none' } },
          halted: `no sufficient decrease in ${maxTries} backtracking steps`,
        };
      },
    };
  },
};

export default plugin;
