/**
 * The conformance battery for a problem plugin: what the harness assumes of a problem's oracle
 * and starts, checked numerically.
 * - the gradient agrees with central differences of the loss, coordinate by coordinate (all of
 *   them for small n, a seeded sample and random directions otherwise);
 * - H·v agrees with central differences of the gradient along random directions, and H is
 *   symmetric (uᵀHv = vᵀHu): Newton-type methods and the Morse index rely on both;
 * - two builds from the same options and seed give the same starts, info and values (suite
 *   workers rebuild the problem themselves), and the arrays have the declared dimension;
 * - options are validated, out buffers are filled, dispose runs.
 * Central differences: error h²·|f‴|/6 + ε|f|/h, smallest near h = ε^(1/3). In float64
 * (ε ≈ 1.1e-16) h = 10⁻⁵·max(1, |θ|) keeps both near 10⁻¹⁰ of the values' scale, so 10⁻⁶ relative
 * flags real mistakes only. An oracle whose provenance says it computes in float32 (the tfjs
 * engine's: ε ≈ 6e-8, and θ itself is rounded to float32) gets h = 4·10⁻³ ≈ ε^(1/3) and looser
 * tolerances (TOLERANCES): what `gradflat run` accepts of it, the check accepts too.
 */
import { PluginRegistry } from '../registry/registry.js';
import type { Problem, ProblemConfig, ProblemPlugin } from '../registry/problems.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { Rng } from '../random/rng.js';
import { Failure, PropertyLog } from './report.js';

export interface ProblemCheckSetup {
  /** The problem's config: its name, seed, options (small sizes keep the check fast) and training-start settings. */
  config: ProblemConfig;
  kernels: DenseKernels;
  /** Starts to check at (default 2). */
  starts?: number;
}

/** Coordinates checked one by one at most; beyond, a seeded sample plus random directions. */
const MAX_COORDINATES = 24;
const DIRECTIONS = 3;

/**
 * Per precision: the finite-difference step (relative to max(1, |θ|)), the relative tolerance
 * of gradient and H·v against central differences, and that of uᵀHv = vᵀHu against
 * ‖Hu‖ + ‖Hv‖. float64's are what a float64 oracle meets with room to spare (10⁴ × its
 * round-off); float32's: with h ≈ ε^(1/3), differences are good to ε^(2/3) ≈ 1.5e-5 of the
 * values' scale and a float32 Hessian product's symmetry to ~1e-6 (core/oracle/hvp-symmetry.ts),
 * so 10⁻³ and 10⁻⁴ still flag a wrong factor, sign or coordinate (errors of order one).
 */
const TOLERANCES = {
  float64: { step: 1e-5, fd: 1e-6, symmetry: 1e-9 },
  float32: { step: 4e-3, fd: 1e-3, symmetry: 1e-4 },
} as const;

const normInf = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const unit = (rng: Rng, n: number): Float64Array => {
  const v = Float64Array.from({ length: n }, () => rng.normal());
  const s = Math.sqrt(dot(v, v));
  return v.map((x) => x / s);
};
const shifted = (t: Float64Array, v: ArrayLike<number>, h: number): Float64Array => t.map((x, i) => x + h * v[i]);

export async function checkProblem(plugin: ProblemPlugin, setup: ProblemCheckSetup, log: PropertyLog): Promise<void> {
  const reg = new PluginRegistry();
  const config = setup.config;
  const registered = await log.check('declaration is valid', () => {
    reg.registerProblem(plugin);
    return `name, description, ${Object.keys(plugin.options).length} option(s), build()`;
  });
  if (!registered) return;
  await log.check('options are validated', () => {
    reg.problems.resolveOptions(config);
    try {
      reg.problems.resolveOptions({ ...config, notAnOption: 1 });
    } catch {
      return 'the given options (defaults filled in) are valid; an unknown option is refused';
    }
    throw new Failure('an unknown option was accepted');
  });
  const ctx = { kernels: setup.kernels, threads: 1 };
  let a: Problem | undefined, b: Problem | undefined;
  try {
    if (!(await log.check('builds', async () => {
      a = await reg.problems.buildAsync(config, ctx);
      return `n = ${a.oracle.dim}${Object.keys(a.info).length ? `, info ${JSON.stringify(a.info).slice(0, 80)}` : ''}`;
    }))) return;
    const count = setup.starts ?? 2;
    let starts: Float64Array[] = [];
    const dimOk = await log.check('arrays have the declared dimension', () => {
      const n = a!.oracle.dim;
      starts = a!.startingPoints(count, new Rng(config.seed));
      if (!Array.isArray(starts) || starts.length === 0) throw new Failure(`startingPoints(${count}, rng) returned ${Array.isArray(starts) ? 'no points' : 'no array'}`);
      for (const [i, s] of starts.entries()) {
        if (!(s instanceof Float64Array)) throw new Failure(`start ${i} is not a Float64Array`);
        if (s.length !== n) throw new Failure(`start ${i} has ${s.length} entries but oracle.dim = ${n}`);
      }
      const { loss, gradient } = a!.oracle.gradient(starts[0]);
      if (gradient.length !== n) throw new Failure(`the gradient has ${gradient.length} entries but oracle.dim = ${n}`);
      if (!Number.isFinite(loss)) throw new Failure(`the loss at start 0 is ${loss}`);
      const hv = a!.oracle.hvp(starts[0], unit(new Rng(1), n));
      if (hv.length !== n) throw new Failure(`H·v has ${hv.length} entries but oracle.dim = ${n}`);
      return `n = ${n}: ${starts.length} start(s), the gradient and H·v all of length n`;
    });
    if (!dimOk) return;
    // A fixed set (a grid) may hold more than `count`: all are compared, the first `count` checked numerically.
    const made = starts.length;
    starts = starts.slice(0, count);

    await log.check('deterministic build and starts (same options and seed)', async () => {
      b = await reg.problems.buildAsync(config, ctx);
      const again = b.startingPoints(count, new Rng(config.seed));
      if (again.length !== made) throw new Failure(`a second build gave ${again.length} starts, the first ${made}`);
      for (const [i, s] of starts.entries()) {
        const j = s.findIndex((x, k) => !Object.is(x, again[i][k]));
        if (j >= 0) throw new Failure(`a second build from the same options and seed gave another start ${i} (θ[${j}]: ${s[j]} vs ${again[i][j]}): seed every random choice from ctx.seed or the rng given to startingPoints`);
      }
      if (JSON.stringify(a!.info) !== JSON.stringify(b.info)) throw new Failure(`the two builds' info differ: ${JSON.stringify(a!.info)} vs ${JSON.stringify(b.info)}`);
      const la = a!.oracle.gradient(starts[0]), lb = b.oracle.gradient(starts[0]);
      if (!Object.is(la.loss, lb.loss)) throw new Failure(`the two builds give different losses at start 0 (${la.loss} vs ${lb.loss}): the data or the model depends on more than the options and ctx.seed`);
      return `two builds: the same ${starts.length} start(s), info and loss, bit for bit`;
    });

    const o = a!.oracle;
    const n = o.dim;
    // What the oracle says it computes in (tfjs: provenance.precision 'float32'); float64 otherwise.
    const precision = o.provenance?.precision === 'float32' ? 'float32' : 'float64';
    const { step: STEP, fd: FD_REL, symmetry: SYM_REL } = TOLERANCES[precision];
    const inPrecision = precision === 'float32' ? ' (float32 oracle: its step and tolerances)' : '';
    await log.check('gradient matches finite differences of the loss', () => {
      const rng = new Rng(config.seed + 17);
      const coords = n <= MAX_COORDINATES ? [...Array(n).keys()] : sample(rng, n, MAX_COORDINATES);
      for (const [si, t] of starts.entries()) {
        const { loss, gradient } = o.gradient(t);
        const g = Float64Array.from(gradient);
        const tol = FD_REL * (1 + normInf(g) + Math.abs(loss));
        for (const i of coords) {
          const h = STEP * Math.max(1, Math.abs(t[i]));
          const e = new Float64Array(n);
          e[i] = 1;
          const fd = (o.loss(shifted(t, e, h)) - o.loss(shifted(t, e, -h))) / (2 * h);
          if (!(Math.abs(fd - g[i]) <= tol)) throw new Failure(`at start ${si}, gradient[${i}] = ${g[i]} but central differences of the loss give ${fd} (h = ${h.toExponential(1)}, tolerance ${tol.toExponential(1)})`);
        }
        for (let d = 0; d < (n <= MAX_COORDINATES ? 0 : DIRECTIONS); d++) {
          const v = unit(rng, n);
          const h = STEP * Math.max(1, normInf(t));
          const fd = (o.loss(shifted(t, v, h)) - o.loss(shifted(t, v, -h))) / (2 * h);
          const gv = dot(g, v);
          if (!(Math.abs(fd - gv) <= tol)) throw new Failure(`at start ${si}, the gradient along a random direction is ${gv} but central differences of the loss give ${fd}`);
        }
      }
      return `${coords.length === n ? `all ${n}` : `${coords.length} sampled`} coordinate(s)${coords.length < n ? ` and ${DIRECTIONS} random directions` : ''} at ${starts.length} start(s), within ${FD_REL} relative${inPrecision}`;
    });

    await log.check('H·v matches finite differences of the gradient', () => {
      const rng = new Rng(config.seed + 29);
      for (const [si, t] of starts.entries()) {
        const g0 = normInf(o.gradient(t).gradient);
        for (let d = 0; d < DIRECTIONS; d++) {
          const v = unit(rng, n);
          const hv = Float64Array.from(o.hvp(t, v));
          const h = STEP * Math.max(1, normInf(t));
          const gp = Float64Array.from(o.gradient(shifted(t, v, h)).gradient);
          const gm = o.gradient(shifted(t, v, -h)).gradient;
          const fd = gp.map((x, i) => (x - gm[i]) / (2 * h));
          const err = normInf(fd.map((x, i) => x - hv[i]));
          const tol = FD_REL * (1 + normInf(fd) + g0);
          if (!(err <= tol)) {
            const ratio = dot(v, hv) / dot(v, fd);
            throw new Failure(`at start ${si}, H·v along a random direction differs from central differences of the gradient by ${err.toExponential(2)} (max-norm; ‖fd‖ = ${normInf(fd).toExponential(2)}, tolerance ${tol.toExponential(1)})` +
              (Number.isFinite(ratio) && Math.abs(ratio - 1) > 1e-3 ? `; vᵀHv / vᵀ(fd) = ${ratio.toPrecision(4)}, so H·v looks scaled by that factor` : ''));
          }
        }
      }
      return `${DIRECTIONS} random directions at ${starts.length} start(s), within ${FD_REL} relative${inPrecision}`;
    });

    await log.check('H·v is symmetric (uᵀHv = vᵀHu)', () => {
      const rng = new Rng(config.seed + 31);
      for (const [si, t] of starts.entries()) {
        for (let d = 0; d < DIRECTIONS; d++) {
          const u = unit(rng, n), v = unit(rng, n);
          const hu = Float64Array.from(o.hvp(t, u)), hv = Float64Array.from(o.hvp(t, v));
          const x = dot(u, hv), y = dot(v, hu);
          const tol = SYM_REL * (Math.sqrt(dot(hu, hu)) + Math.sqrt(dot(hv, hv))) + 1e-300;
          if (!(Math.abs(x - y) <= tol)) throw new Failure(`at start ${si}, uᵀHv = ${x} but vᵀHu = ${y} for random unit u, v: the Hessian the HVP applies is not symmetric`);
        }
      }
      return `${DIRECTIONS} random pairs at ${starts.length} start(s): equal to ${SYM_REL} of ‖Hu‖ + ‖Hv‖${inPrecision}`;
    });

    await log.check('out buffers are filled', () => {
      const t = starts[0];
      const v = unit(new Rng(config.seed + 37), n);
      const out = new Float64Array(n).fill(NaN);
      const r = o.hvp(t, v, out);
      const fresh = o.hvp(t, v);
      if (r !== out) throw new Failure('hvp(θ, v, out) did not return out');
      if (out.some((x, i) => !Object.is(x, fresh[i]))) throw new Failure('hvp(θ, v, out) left out different from hvp(θ, v)');
      const gout = new Float64Array(n).fill(NaN);
      const gr = o.gradient(t, gout);
      if (gr.gradient !== gout) throw new Failure('gradient(θ, out) did not return out as its gradient');
      const gfresh = o.gradient(t).gradient;
      if (gout.some((x, i) => !Object.is(x, gfresh[i]))) throw new Failure('gradient(θ, out) left out different from gradient(θ)');
      return 'gradient(θ, out) and hvp(θ, v, out) fill and return out, equal to the allocating calls';
    });
  } finally {
    await log.check('dispose', () => {
      for (const p of [a, b]) p?.oracle.dispose?.();
      return typeof a?.oracle.dispose === 'function' ? 'oracle.dispose() ran' : 'no oracle.dispose(): nothing to release';
    });
  }
}

/** `k` distinct indices of 0..n−1, seeded (partial Fisher–Yates). */
function sample(rng: Rng, n: number, k: number): number[] {
  const idx = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    out.push(idx.get(j) ?? j);
    idx.set(j, idx.get(i) ?? i);
  }
  return out.sort((x, y) => x - y);
}
