import test from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { loadPluginFile, loadPluginFiles } from './load.js';
import { pluginSandbox } from './load-fixtures.js';
import { PluginRegistry } from './registry.js';
import { registerBuiltins } from '../../builtins.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { runStepper } from '../run/run-loop.js';

// A plugin file as a user writes it, importing only from 'gradflat'. `create` is a factory;
// `stepper` a class marked with injectableStepper.
const GD = `
import { injectableStepper, ORACLE, HYPERPARAMETERS } from 'gradflat';
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const snapshotCounters = (c) => ({ ...c });
const counterDelta = (c, before) => Object.fromEntries(Object.keys(before).map((k) => [k, c[k] - before[k]]));
export class Gd {
  constructor(oracle, hp) { this.oracle = oracle; this.hp = hp; }
  init(t) { const { loss, gradient } = this.oracle.gradient(t); return { iteration: 0, theta: Float64Array.from(t), loss, gradient: Float64Array.from(gradient), gradNormSq: dot(gradient, gradient), extra: {} }; }
  step(s) {
    const before = snapshotCounters(this.oracle.counters);
    const next = this.init(s.theta.map((x, i) => x - this.hp.lr * s.gradient[i]));
    return { state: { ...next, iteration: s.iteration + 1 }, metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: this.hp.lr,
      directionNorm: Math.sqrt(s.gradNormSq), stepNorm: this.hp.lr * Math.sqrt(s.gradNormSq), work: counterDelta(this.oracle.counters, before) } };
  }
}
injectableStepper(Gd, [ORACLE, HYPERPARAMETERS]);
const hyperparameters = { lr: { type: 'number', default: 0.25, min: 0, exclusiveMin: true, description: 'step size' } };
`;
const plugin = (name: string, how: 'stepper' | 'create' = 'stepper') =>
  `{ name: '${name}', description: 'GD', hyperparameters, ${how === 'stepper' ? 'stepper: Gd' : 'create: (oracle, hp) => new Gd(oracle, hp)'} }`;

/** ‖θ‖ after 40 GD steps on ½‖θ‖² from θ = (1, 1): checks the stepper got its oracle and lr. */
function runsGd(reg: PluginRegistry, name: string): void {
  const out = runStepper(reg.create(name, QuadraticOracle.diagonal([1, 1], [0, 0]), { lr: 0.5 }), Float64Array.of(1, 1), { maxIterations: 40 });
  assert.ok(out.state.gradNormSq < 1e-20, `${name}: ‖g‖² = ${out.state.gradNormSq}`);
}

test('accepted shapes: default plugin, default array, named plugin / plugins, registering function (async)', async () => {
  const box = pluginSandbox();
  try {
    const files = [
      box.write('one.js', `${GD}\nexport default ${plugin('user-gd-one')};`),
      box.write('arr.js', `${GD}\nexport default [${plugin('user-gd-a')}, ${plugin('user-gd-b', 'create')}];`),
      box.write('named.js', `${GD}\nexport const plugin = ${plugin('user-gd-named', 'create')};\nexport default plugin;`),
      box.write('many.js', `${GD}\nexport const plugins = [${plugin('user-gd-m1')}, ${plugin('user-gd-m2')}];`),
      box.write('fn.js', `${GD}\nexport default async (registry) => { await null; registry.register(${plugin('user-gd-fn')}); };`),
      box.write('cjs.cjs', `const p = (name) => ({ name, description: 'd', hyperparameters: {}, create: () => ({ init() {}, step() {} }) });
module.exports = { plugins: [p('user-cjs-1'), p('user-cjs-2')] };`),
    ];
    const reg = new PluginRegistry();
    assert.deepEqual(await loadPluginFile(files[0], reg), ['user-gd-one']);
    assert.deepEqual(await loadPluginFile(files[1], reg), ['user-gd-a', 'user-gd-b']);
    assert.deepEqual(await loadPluginFile(files[2], reg), ['user-gd-named'], 'the same object as default and named export counts once');
    assert.deepEqual(await loadPluginFiles(files.slice(3, 5), reg), ['user-gd-m1', 'user-gd-m2', 'user-gd-fn']);
    assert.deepEqual(await loadPluginFile(files[5], reg), ['user-cjs-1', 'user-cjs-2'], 'CommonJS module.exports = { plugins }');
    const gds = reg.names().filter((n) => n.startsWith('user-gd-'));
    assert.deepEqual(gds, ['user-gd-a', 'user-gd-b', 'user-gd-fn', 'user-gd-m1', 'user-gd-m2', 'user-gd-named', 'user-gd-one']);
    for (const n of gds) runsGd(reg, n);
  } finally {
    box.remove();
  }
});

test('loading the same file twice (any spelling of its path) registers nothing new and does not throw', async () => {
  const box = pluginSandbox();
  try {
    const arr = box.write('arr.js', `${GD}\nexport default [${plugin('user-gd-a')}, ${plugin('user-gd-b')}];`);
    const fn = box.write('fn.js', `${GD}\nexport default (registry) => registry.register(${plugin('user-gd-fn')});`);
    const reg = new PluginRegistry();
    registerBuiltins(reg);
    assert.deepEqual(await loadPluginFiles([arr, fn], reg), ['user-gd-a', 'user-gd-b', 'user-gd-fn']);
    assert.deepEqual(await loadPluginFiles([relative(process.cwd(), arr), fn, arr], reg), ['user-gd-a', 'user-gd-b', 'user-gd-fn']);
    assert.deepEqual(reg.names().filter((n) => n.startsWith('user-')), ['user-gd-a', 'user-gd-b', 'user-gd-fn']);
    assert.ok(reg.has('newton-mr'));
    // Another registry is independent: the same file loads into it afresh.
    assert.deepEqual(await loadPluginFile(fn, new PluginRegistry()), ['user-gd-fn']);
  } finally {
    box.remove();
  }
});

test('a name taken by a different plugin is an error naming both, and a bad file registers nothing', async () => {
  const box = pluginSandbox();
  try {
    const reg = new PluginRegistry();
    registerBuiltins(reg);
    const first = box.write('first.js', `${GD}\nexport default ${plugin('user-gd')};`);
    await loadPluginFile(first, reg);
    const other = box.write('other.js', `${GD}\nexport default [${plugin('user-gd-new')}, ${plugin('user-gd')}];`);
    await assert.rejects(loadPluginFile(other, reg), (e: Error) => {
      assert.match(e.message, /^plugin file .*other\.js: the default export\[1\] is named 'user-gd', but a different stepper of that name is already registered \(from .*first\.js\); rename one/);
      return true;
    });
    assert.ok(!reg.has('user-gd-new'), 'nothing from the failing file was registered');
    const builtin = box.write('builtin.js', `${GD}\nexport default ${plugin('newton-mr')};`);
    await assert.rejects(loadPluginFile(builtin, reg), /builtin\.js: the default export is named 'newton-mr', but a different stepper .*\(built in, or registered by code\)/);
    const twice = box.write('twice.js', `${GD}\nexport default [${plugin('user-gd-x')}, ${plugin('user-gd-x')}];`);
    await assert.rejects(loadPluginFile(twice, reg), /twice\.js: two different plugins are named 'user-gd-x'/);
    const fnClash = box.write('fnclash.js', `${GD}\nexport default (r) => r.register(${plugin('newton-mr')});`);
    await assert.rejects(loadPluginFile(fnClash, reg), /fnclash\.js: a plugin registered by the default export is named 'newton-mr', but a different stepper/);
  } finally {
    box.remove();
  }
});

test('errors name the file and say what a plugin file must export', async () => {
  const box = pluginSandbox();
  try {
    const reg = new PluginRegistry();
    const contract = /A plugin file must `export default` a stepper plugin/;
    const expect = async (name: string, source: string | null, ...patterns: RegExp[]) => {
      const file = source === null ? `${box.dir}/${name}` : box.write(name, source);
      await assert.rejects(loadPluginFile(file, reg), (e: Error) => {
        assert.ok(e.message.includes(name), `names the file: ${e.message}`);
        for (const p of patterns) assert.match(e.message, p);
        return true;
      });
    };
    await expect('missing.js', null, /^plugin file not found: /);
    await expect('nothing.js', 'export const lr = 0.1;\nexport function helper() {}', /exports nothing gradflat can use \(its exports: helper, lr\)/, contract);
    await expect('empty.js', '', /it has no exports/, contract);
    await expect('syntax.js', 'export default { name: "x",', /failed to load: SyntaxError: Unexpected end of input/);
    await expect('throws.js', 'throw new Error("boom at import");', /failed to load: boom at import/);
    await expect('nogradflat.js', "import { ORACLE } from 'gradflat-typo';\nexport default {};", /failed to load: Cannot find package 'gradflat-typo'/);
    await expect('shape.js', `${GD}\nexport default { name: 'user-gd', stepper: Gd };`, /the default export \('user-gd'\) is not a stepper plugin: it lacks 'description' \(a string\), 'hyperparameters'/, contract);
    await expect('nostepper.js', `${GD}\nexport default { name: 'user-gd', description: 'd', hyperparameters };`, /lacks 'stepper' \(a class\) or 'create'/);
    await expect('both.js', `${GD}\nexport default { name: 'user-gd', description: 'd', hyperparameters, stepper: Gd, create: () => null };`, /give exactly one of 'stepper' \(a class\) and 'create'/);
    await expect('badname.js', `${GD}\nexport default ${plugin('My GD')};`, /plugin name "My GD" is invalid/);
    await expect('string.js', "export default 'tr-newton';", /the default export is a string, not a stepper plugin/, contract);
    await expect('class.js', `${GD}\nexport default Gd;`, /the default export is a class; export a plugin object instead, e\.g\. export default \{ name, description, hyperparameters, stepper: Gd \}/);
    await expect('emptyarr.js', 'export default [];', /the default export is an empty array/);
    await expect('silent.js', 'export default () => {};', /its default export function registered no stepper/);
    await expect('fnthrows.js', 'export default () => { throw new Error("no GPU"); };', /its default export function threw: no GPU/);
    await expect('namedfn.js', 'export function plugin() {}', /export 'plugin' is a function; only the default export may be a registering function/);
    assert.deepEqual(reg.names(), [], 'no failing file registered anything');
  } finally {
    box.remove();
  }
});

test('a create() that returns no stepper is reported at construction, naming the stepper', async () => {
  const box = pluginSandbox();
  try {
    const reg = new PluginRegistry();
    await loadPluginFile(box.write('bad-create.js', "export default { name: 'nada', description: 'd', hyperparameters: {}, create: () => ({}) };"), reg);
    assert.throws(() => reg.create('nada', QuadraticOracle.diagonal([1], [0])), /stepper 'nada': create\(oracle, hp\) did not produce a stepper/);
  } finally {
    box.remove();
  }
});

test('a plugin importing a SECOND copy of gradflat (own tsyringe) still works with this registry', async () => {
  const box = pluginSandbox({ separateCopy: true });
  try {
    const reg = new PluginRegistry();
    // injectableStepper of the other copy marks the class in ITS tsyringe, which this registry
    // never sees; the tokens it records (Symbol.for) let this registry construct the class.
    const file = box.write('copy.js', `${GD}\nexport default [${plugin('user-gd-copy')}, ${plugin('user-gd-copy-create', 'create')}];`);
    assert.deepEqual(await loadPluginFile(file, reg), ['user-gd-copy', 'user-gd-copy-create']);
    const theirs = (await import(`${box.dir}/node_modules/gradflat/dist/index.js`)) as typeof import('../../index.js');
    const ours = await import('../../index.js');
    assert.notEqual(theirs.PluginRegistry, ours.PluginRegistry, 'the fixture really loads two copies');
    assert.equal(theirs.ORACLE, ours.ORACLE, 'the tokens are the same registered symbols');
    runsGd(reg, 'user-gd-copy');
    runsGd(reg, 'user-gd-copy-create');
    // A class marked only with the other copy's tsyringe decorators cannot be built here: say why.
    const raw = box.write('raw.js', `${GD.replace('injectableStepper(Gd, [ORACLE, HYPERPARAMETERS]);', '')}
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
inject(ORACLE)(Gd, undefined, 0); inject(HYPERPARAMETERS)(Gd, undefined, 1); injectable()(Gd);
export default ${plugin('user-gd-raw')};`);
    await loadPluginFile(raw, reg);
    assert.throws(() => reg.create('user-gd-raw', QuadraticOracle.diagonal([1], [0])),
      /stepper 'user-gd-raw': gradflat cannot construct class Gd: it was not marked injectable by the tsyringe gradflat uses\. Mark it with injectableStepper\(Gd, \[ORACLE, HYPERPARAMETERS\]\) imported from 'gradflat'/);
  } finally {
    box.remove();
  }
});
