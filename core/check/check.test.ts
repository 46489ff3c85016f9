// The conformance check: every built-in stepper and problem passes it; deliberately broken
// plugins fail it, with the failed property named.
import test from 'node:test';
import assert from 'node:assert/strict';
import { builtinPlugins, builtinProblems, registerBuiltins } from '../../builtins.js';
import { PluginRegistry, type StepperPlugin } from '../registry/registry.js';
import type { ProblemPlugin } from '../registry/problems.js';
import { functionOracle } from '../oracle/function-oracle.js';
import type { Oracle } from '../oracle/oracle.js';
import type { StepperState } from '../stepper/stepper.js';
import { checkPlugin } from './check.js';
import type { CheckReport } from './report.js';

/** Small sizes: the check builds each problem twice and runs finite differences. */
const SMALL: Record<string, Record<string, unknown>> = {
  quartic: { grid: 2 }, 'linear-ae': { samples: 64 }, 'swish-ae': { samples: 32 }, 'mnist-ae': { samples: 32 },
  'mnist-classifier': { samples: 32 }, 'mnist-memorize': { samples: 40 }, 'mnist-mlp': { samples: 16, hidden: [4] },
};
const TRAINING = { trainings: 1, steps: 3 };

const failed = (r: CheckReport) => r.plugins.flatMap((p) => p.results.filter((x) => !x.ok).map((x) => x.property));

test('every built-in stepper passes the conformance check (on the check function; K-FAC on a small MLP problem)', async () => {
  const registry = registerBuiltins(new PluginRegistry());
  for (const p of builtinPlugins) {
    const needsMlp = p.requires?.includes('layer-statistics');
    const r = await checkPlugin(p, needsMlp ? { registry, problem: { name: 'swish-ae', seed: 1, samples: 32, starts: TRAINING } } : {});
    assert.ok(r.passed, r.text);
    // Every property was checked (none skipped by an early failure).
    assert.equal(r.plugins[0].results.length, 10, r.text);
  }
  const kfac = builtinPlugins.find((p) => p.requires?.includes('layer-statistics'))!;
  const alone = await checkPlugin(kfac);
  assert.deepEqual(failed(alone), ['builds on the check function (n = 6)'], alone.text);
  assert.match(alone.text, /requires the oracle capability 'layer-statistics', which the check function \(n = 6\) lacks: check it on a problem whose oracle has it \(gradflat check --problem NAME/);
});

test('every built-in problem passes the conformance check (small sizes)', async () => {
  for (const p of builtinProblems) {
    assert.ok(SMALL[p.name], `a small size for '${p.name}' in this test`);
    const r = await checkPlugin(p, { problemOptions: { ...SMALL[p.name], starts: TRAINING } });
    assert.ok(r.passed, r.text);
    assert.equal(r.plugins[0].results.length, 10, r.text);
  }
});

// ── Broken steppers: gradient descent with heavy-ball momentum, broken in one way each ──────────
type Bug = 'none' | 'hidden-state' | 'mutates-theta' | 'wall-time' | 'throws-on-nan' | 'map-state' | 'calls-date';

function momentumGd(name: string, bug: Bug): StepperPlugin {
  return {
    name, description: `momentum GD (${bug})`,
    hyperparameters: { lr: { type: 'number', default: 0.05, min: 0, exclusiveMin: true, description: 'step size' }, mu: { type: 'number', default: 0.8, min: 0, max: 1, description: 'momentum' } },
    create(oracle: Oracle, hp) {
      const { lr, mu } = hp as { lr: number; mu: number };
      let hidden: Float64Array | undefined; // the 'hidden-state' bug keeps its momentum here
      const at = (theta: Float64Array, iteration: number, velocity: Float64Array): StepperState => {
        const { loss, gradient } = oracle.gradient(theta);
        const g = Float64Array.from(gradient);
        return { iteration, theta, loss, gradient: g, gradNormSq: g.reduce((s, x) => s + x * x, 0), extra: { velocity, ...(bug === 'map-state' && { seen: new Map([[iteration, loss]]) }) } };
      };
      return {
        init: (t0) => at(Float64Array.from(t0), 0, new Float64Array(t0.length)),
        step(s) {
          const v0 = bug === 'hidden-state' ? (hidden ?? new Float64Array(s.theta.length)) : (s.extra.velocity as Float64Array);
          // Date() without `new`: a timestamp for a log line, not for the numbers.
          if (bug === 'calls-date') void (Date as unknown as () => string)();
          const rate = bug === 'wall-time' ? lr * (1 + (Date.now() % 1000) / 1000) : lr;
          const v = v0.map((x, i) => mu * x - rate * s.gradient[i]);
          if (bug === 'hidden-state') hidden = v;
          const theta = bug === 'mutates-theta' ? s.theta : Float64Array.from(s.theta);
          for (let i = 0; i < theta.length; i++) theta[i] += v[i];
          const next = at(theta, s.iteration + 1, bug === 'hidden-state' ? new Float64Array(0) : v);
          if (bug === 'throws-on-nan' && !Number.isFinite(next.loss)) throw new Error('the loss is NaN');
          const stepNorm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
          return { state: next, metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: rate, directionNorm: Math.sqrt(s.gradNormSq), stepNorm } };
        },
      };
    },
  };
}

test('a correct momentum GD plugin passes; each broken one fails with the broken property named', async () => {
  const ok = await checkPlugin(momentumGd('mgd', 'none'));
  assert.ok(ok.passed, ok.text);

  const hidden = await checkPlugin(momentumGd('mgd-hidden', 'hidden-state'));
  assert.deepEqual(failed(hidden), ['state survives JSON and a resume is bit-identical'], hidden.text);
  assert.match(hidden.text, /a fresh stepper resumed from the state after step 3 \(through JSON\) differs from the uninterrupted run: the state after step 4 differs \(θ\[\d\]/);

  const mutates = await checkPlugin(momentumGd('mgd-mutates', 'mutates-theta'));
  assert.deepEqual(failed(mutates), ['θ and its states are not mutated'], mutates.text);
  assert.match(mutates.text, /step 0 changed the state it was given/);

  const clock = await checkPlugin(momentumGd('mgd-clock', 'wall-time'));
  assert.ok(failed(clock).includes('deterministic (same start, same steps; clock and Math.random do not matter)'), clock.text);
  assert.match(clock.text, /another clock and Math\.random: the state after step 1 differs/);

  const nan = await checkPlugin(momentumGd('mgd-nan', 'throws-on-nan'));
  assert.deepEqual(failed(nan), ['NaN from the oracle at a new point: passed on or halted, never a throw'], nan.text);
  assert.match(nan.text, /step\(\) threw Error: the loss is NaN: pass the NaN on in the state/);
});

test('a state holding a Map fails the JSON-state property, not "not mutated"; a stepper calling Date() without new passes', async () => {
  const map = await checkPlugin(momentumGd('mgd-map', 'map-state'));
  assert.deepEqual(failed(map), ['state survives JSON and a resume is bit-identical'], map.text);
  assert.match(map.text, /the state init\(\) returned is not plain data: cannot checkpoint \$\.extra\.seen: a Map/);
  assert.ok(!map.plugins[0].results.some((r) => r.property === 'θ and its states are not mutated' && r.ok), map.text);

  const date = await checkPlugin(momentumGd('mgd-date', 'calls-date'));
  assert.ok(date.passed, date.text);
});

test('a factory using what every object has (hasOwnProperty, toString, constructor, valueOf) on its hyperparameters passes', async () => {
  const plain = momentumGd('mgd-object', 'none');
  const create = plain.create!;
  plain.create = (o, hp, k) => {
    const h = hp as Record<string, unknown>;
    if (!h.hasOwnProperty('lr') || typeof h.constructor !== 'function' || `${h}` !== '[object Object]' || h.valueOf() !== hp) throw new Error('unexpected');
    return create(o, hp, k);
  };
  const r = await checkPlugin(plain);
  assert.ok(r.passed, r.text);
});

test('hyperparameter checks: a factory reading an undeclared hyperparameter, and an unbounded declaration, are named', async () => {
  const sneaky = momentumGd('mgd-sneaky', 'none');
  const create = sneaky.create!;
  sneaky.create = (o, hp, k) => create(o, { ...hp, lr: (hp as Record<string, unknown>).learningRate ?? 0.05 } as never, k);
  const r = await checkPlugin(sneaky);
  assert.deepEqual(failed(r), ['hyperparameters are validated'], r.text);
  assert.match(r.text, /create\(\) reads hyperparameter\(s\) 'learningRate' that its declaration does not have/);
});

// ── Broken problems: f(x, y, z) = x²y + sin(z)·y + ¼(x⁴ + y⁴ + z⁴), broken in one way each ───────
type ProblemBug = 'none' | 'hvp-factor' | 'asymmetric' | 'gradient-coordinate';

/**
 * `float32`: computed as a float32 engine does (θ, v and every result rounded to float32), and
 * `declared`: its provenance says so (as the tfjs engine's does).
 */
function problem(name: string, bug: ProblemBug, float32?: { declared: boolean }): ProblemPlugin {
  const r32 = (a: ArrayLike<number>): number[] => Array.from(a, (x) => (float32 ? Math.fround(x) : x));
  const f0 = ([x, y, z]: number[]) => x * x * y + Math.sin(z) * y + 0.25 * (x ** 4 + y ** 4 + z ** 4);
  const f = (t: ArrayLike<number>) => r32([f0(r32(t))])[0];
  const grad0 = ([x, y, z]: number[]) => [2 * x * y + x ** 3, x * x + Math.sin(z) + y ** 3 + (bug === 'gradient-coordinate' ? 0.01 : 0), Math.cos(z) * y + z ** 3];
  const grad = (t: ArrayLike<number>) => r32(grad0(r32(t)));
  const hess = ([x, y, z]: number[]) => [
    [2 * y + 3 * x * x, 2 * x, 0],
    [2 * x, 3 * y * y, Math.cos(z)],
    [bug === 'asymmetric' ? 0 : 0, Math.cos(z), -Math.sin(z) * y + 3 * z * z],
  ];
  return {
    name, description: `a cubic-quartic test function (${bug})`, options: {},
    build: () => ({
      oracle: functionOracle({
        dim: 3,
        loss: f,
        gradient: (t) => ({ loss: f(t), gradient: grad(t) }),
        hvp: (t, v0) => {
          const H = hess(r32(t)), v = r32(v0);
          if (bug === 'asymmetric') H[0][1] += 0.5; // H[0][1] ≠ H[1][0]
          const s = bug === 'hvp-factor' ? 2 : 1;
          return r32(H.map((row) => s * (row[0] * v[0] + row[1] * v[1] + row[2] * v[2])));
        },
        ...(float32?.declared && { provenance: { engine: 'simulated', precision: 'float32' } }),
      }),
      startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.of(rng.normal(), rng.normal(), rng.normal())),
    }),
  };
}

test('a correct problem passes; an HVP wrong by a factor, an asymmetric HVP, a gradient off in one coordinate fail, named', async () => {
  const ok = await checkPlugin(problem('cq', 'none'));
  assert.ok(ok.passed, ok.text);

  const factor = await checkPlugin(problem('cq-factor', 'hvp-factor'));
  assert.deepEqual(failed(factor), ['H·v matches finite differences of the gradient'], factor.text);
  assert.match(factor.text, /H·v looks scaled by that factor/);
  assert.match(factor.text, /vᵀHv \/ vᵀ\(fd\) = 2\.000/);

  const asym = await checkPlugin(problem('cq-asym', 'asymmetric'));
  assert.ok(failed(asym).includes('H·v is symmetric (uᵀHv = vᵀHu)'), asym.text);
  assert.match(asym.text, /the Hessian the HVP applies is not symmetric/);

  const grad = await checkPlugin(problem('cq-grad', 'gradient-coordinate'));
  assert.ok(failed(grad).includes('gradient matches finite differences of the loss'), grad.text);
  assert.match(grad.text, /gradient\[1\] = .* but central differences of the loss give/);
});

test('a float32 problem that says so (provenance.precision, as tfjs oracles do) passes with float32 tolerances, and a wrong H·v still fails; undeclared, float64 tolerances fail it', async () => {
  const ok = await checkPlugin(problem('cq32', 'none', { declared: true }));
  assert.ok(ok.passed, ok.text);
  assert.match(ok.text, /float32 oracle: its step and tolerances/);

  const factor = await checkPlugin(problem('cq32-factor', 'hvp-factor', { declared: true }));
  assert.deepEqual(failed(factor), ['H·v matches finite differences of the gradient'], factor.text);
  const asym = await checkPlugin(problem('cq32-asym', 'asymmetric', { declared: true }));
  assert.ok(failed(asym).includes('H·v is symmetric (uᵀHv = vᵀHu)'), asym.text);
  const grad = await checkPlugin(problem('cq32-grad', 'gradient-coordinate', { declared: true }));
  assert.ok(failed(grad).includes('gradient matches finite differences of the loss'), grad.text);

  // The same numbers without the declaration are judged as float64 (θ ± 10⁻⁵ rounded to float32 is not that step).
  const undeclared = await checkPlugin(problem('cq32-undeclared', 'none', { declared: false }));
  assert.ok(!undeclared.passed, undeclared.text);
});

test('nothing to check, or not a plugin, is bad input', async () => {
  await assert.rejects(checkPlugin([]), /nothing to check/);
  await assert.rejects(checkPlugin({ name: 'p', description: 'd', options: { k: { type: 'number' } }, build: () => ({}) } as never), /option 'k' needs a 'default'/);
});
