import test from 'node:test';
import assert from 'node:assert/strict';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { functionOracle } from '../oracle/function-oracle.js';
import { PluginRegistry } from './registry.js';
import { ProblemRegistry, type ProblemPlugin } from './problems.js';
import { problemsOf } from './catalog.js';
import { registerBuiltins } from '../../builtins.js';

const line: ProblemPlugin = {
  name: 'line',
  description: 'f(x) = a·x²/2',
  options: {
    a: { type: 'number', min: 0, exclusiveMin: true, default: 1, description: 'curvature' },
    data: { type: 'file', default: null, description: 'unused' },
    widths: { type: 'numbers', integer: true, min: 1, default: [3], description: 'unused' },
  },
  build: (o) => ({
    oracle: functionOracle({ dim: 1, loss: (t) => (o.a as number) * t[0] ** 2 / 2, gradient: (t) => ({ loss: (o.a as number) * t[0] ** 2 / 2, gradient: [(o.a as number) * t[0]] }), hvp: (_t, v) => [(o.a as number) * v[0]] }),
    info: { a: o.a },
    startingPoints: (count) => Array.from({ length: count }, (_, i) => Float64Array.of(i + 1)),
  }),
};

test('problem options: defaults filled, numeric strings and lists coerced, unknown and bad ones named', () => {
  const reg = new ProblemRegistry();
  reg.register(line);
  assert.deepEqual(reg.resolveOptions({ name: 'line', seed: 1, starts: { steps: 3 } }), { a: 1, data: null, widths: [3] });
  assert.deepEqual(reg.resolveOptions({ name: 'line', seed: 1, a: '2.5', widths: '4,5' }), { a: 2.5, data: null, widths: [4, 5] });
  assert.throws(() => reg.resolveOptions({ name: 'line', seed: 1, a: 0 }), /problem 'line': option 'a' must be > 0, got 0/);
  assert.throws(() => reg.resolveOptions({ name: 'line', seed: 1, widths: [2, 1.5] }), /option 'widths'\[1\] must be an integer, got 1\.5/);
  assert.throws(() => reg.resolveOptions({ name: 'line', seed: 1, b: 1 }), /problem\.b: unknown field\. Valid fields of problem: name, seed, starts, a, data, widths/);
  assert.throws(() => reg.get('nope'), /unknown problem 'nope'\. Available problems: line/);
  assert.deepEqual(reg.fileOptions({ name: 'line', seed: 1, data: 'x.csv' }), [['data', 'x.csv']]);
  assert.throws(() => reg.register(line), /a problem named 'line' is already registered/);
});

test('build: name and defaults are the registry’s; work is counted; an async build needs buildAsync', async () => {
  const reg = new ProblemRegistry();
  reg.register(line);
  const p = reg.build({ name: 'line', seed: 1, a: 3 }, { kernels: typescriptKernels });
  assert.equal(p.name, 'line');
  assert.equal(p.description, 'f(x) = a·x²/2');
  assert.deepEqual(p.info, { a: 3 });
  assert.deepEqual(p.oracle.gradient(Float64Array.of(2)).gradient, Float64Array.of(6));
  assert.deepEqual(p.oracle.hvp(Float64Array.of(2), Float64Array.of(1)), Float64Array.of(3));
  assert.equal(p.oracle.counters.gradient, 1);
  assert.equal(p.oracle.counters.hvp, 1);
  reg.register({ ...line, name: 'later', build: async (o, ctx) => line.build(o, ctx) });
  assert.throws(() => reg.build({ name: 'later', seed: 1 }, { kernels: typescriptKernels }), /problem 'later' builds asynchronously/);
  assert.equal((await reg.buildAsync({ name: 'later', seed: 1 }, { kernels: typescriptKernels })).oracle.dim, 1);
});

test('the built-in problems are registered through the same registry, in the figures’ order', () => {
  const reg = registerBuiltins(new PluginRegistry());
  assert.deepEqual(problemsOf(reg).names(), ['quartic', 'linear-ae', 'swish-ae', 'mnist-ae', 'mnist-classifier', 'mnist-memorize', 'mnist-mlp']);
  // Each declares a schema gradflat can describe (what `gradflat problems` prints).
  for (const name of reg.problems.names()) assert.ok(reg.problems.describe(name).length >= 1, name);
  assert.match(reg.problems.describe('quartic')[0], /^grid: integer \[1, ∞\] = 20 — /);
  assert.throws(() => reg.register(line as never), /looks like a problem .* registerProblem/);
});
