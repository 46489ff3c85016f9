// A user's stepper plugin for gradflat, in plain JavaScript, importing only from 'gradflat': trust-region
// Newton with Steihaug–Toint CG on Hessian-vector products (Nocedal & Wright, Numerical Optimization,
// Alg. 4.1 and 7.2). It minimises the loss, so unlike Newton-MR it is not drawn to gradient-flat points.
import { injectableStepper, ORACLE, HYPERPARAMETERS } from 'gradflat';

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm2 = (a) => Math.hypot(...a);

// ‖z + τd‖ = Δ, τ ≥ 0: where the CG path leaves the trust region.
const toBoundary = (z, d, radius) => {
  const a = dot(d, d), b = 2 * dot(z, d), c = dot(z, z) - radius * radius;
  return (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
};
const axpy = (x, a, y) => x.map((xi, i) => xi + a * y[i]); // x + a·y, a new array

class TrustRegionNewton {
  constructor(oracle, hp) { this.oracle = oracle; this.hp = hp; }
  init(theta0) {
    const theta = Float64Array.from(theta0);
    const { loss, gradient } = this.oracle.gradient(theta);
    return { iteration: 0, theta, loss, gradient: Float64Array.from(gradient), gradNormSq: dot(gradient, gradient), extra: { radius: this.hp.radius0 } };
  }
  // Steihaug–Toint CG on min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ. Returns p, Hp (for the model value) and why it stopped.
  solve(theta, g, radius) {
    const n = g.length, maxit = this.hp.cgMaxit ?? n, gNorm = Math.sqrt(dot(g, g));
    const tol = Math.min(0.5, Math.sqrt(gNorm)) * gNorm; // superlinear forcing (N&W eq. 7.3)
    let z = new Float64Array(n), r = Float64Array.from(g), d = r.map((x) => -x), rr = dot(r, r);
    const Hz = () => axpy(r, -1, g); // r = g + Hz along the CG path
    for (let it = 1; it <= maxit; it++) {
      const Hd = this.oracle.hvp(theta, d), dHd = dot(d, Hd);
      const boundary = (exit) => { const t = toBoundary(z, d, radius); return { p: axpy(z, t, d), Hp: axpy(Hz(), t, Hd), exit, it }; };
      if (dHd <= 0) return boundary('negative-curvature');
      const a = rr / dHd, zNext = axpy(z, a, d);
      if (norm2(zNext) >= radius) return boundary('boundary');
      z = zNext; r = axpy(r, a, Hd);
      const rrNext = dot(r, r);
      if (Math.sqrt(rrNext) <= tol) return { p: z, Hp: Hz(), exit: 'converged', it };
      d = axpy(r.map((x) => -x), rrNext / rr, d); rr = rrNext;
    }
    return { p: z, Hp: Hz(), exit: 'maxit', it: maxit };
  }
  step(s) {
    const { oracle, hp } = this, radius = s.extra.radius;
    const base = { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq };
    const stay = (why) => ({ state: s, metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 }, halted: why });
    if (s.gradNormSq === 0) return stay('converged: the gradient is exactly zero');
    if (radius < hp.minRadius) return stay(`trust-region radius ${radius} fell below minRadius`);

    const { p, Hp, exit, it } = this.solve(s.theta, s.gradient, radius);
    const pNorm = norm2(p), predicted = -(dot(s.gradient, p) + 0.5 * dot(p, Hp));
    const trial = axpy(s.theta, 1, p);
    const { loss, gradient } = oracle.gradient(trial);
    const gradNormSq = dot(gradient, gradient);
    // Where both reductions are lost in round-off, ρ says nothing: judge the step by ‖g‖ instead.
    const roundoff = 1e-13 * Math.max(1, Math.abs(s.loss));
    const rho = predicted <= roundoff && Math.abs(s.loss - loss) <= roundoff ? (gradNormSq < s.gradNormSq ? 1 : 0) : (s.loss - loss) / predicted;
    let next = radius;
    if (!(rho >= 0.25)) next = 0.25 * pNorm;
    else if (rho > 0.75 && pNorm >= 0.99 * radius) next = Math.min(2 * radius, hp.maxRadius);
    const accepted = rho > hp.eta && Number.isFinite(loss);
    const state = accepted
      ? { iteration: s.iteration + 1, theta: trial, loss, gradient: Float64Array.from(gradient), gradNormSq, extra: { radius: next } }
      : { ...s, iteration: s.iteration + 1, extra: { radius: next } };
    const metrics = {
      ...base, alpha: accepted ? 1 : 0, directionNorm: pNorm, stepNorm: accepted ? norm2(axpy(trial, -1, s.theta)) : 0,
      extra: { radius, rho, cgExit: exit, cgIterations: it, accepted },
    };
    return { state, metrics };
  }
}
injectableStepper(TrustRegionNewton, [ORACLE, HYPERPARAMETERS]);

export default {
  name: 'tr-newton',
  description: 'trust-region Newton, Steihaug–Toint CG on HVPs (example user plugin)',
  hyperparameters: {
    radius0: { type: 'number', default: 1, min: 0, exclusiveMin: true, description: 'initial trust-region radius Δ₀' },
    maxRadius: { type: 'number', default: 100, min: 0, exclusiveMin: true, description: 'largest radius Δ' },
    eta: { type: 'number', default: 0.1, min: 0, max: 0.25, exclusiveMax: true, description: 'accept the step when ρ = actual/predicted reduction > η' },
    cgMaxit: { type: 'integer', default: null, min: 1, nullMeans: 'n, the number of parameters', description: 'CG iteration limit' },
    minRadius: { type: 'number', default: 1e-14, min: 0, exclusiveMin: true, description: 'radius below which the method halts' },
  },
  stepper: TrustRegionNewton,
};
