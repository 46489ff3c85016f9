// The problem-plugin example examples/csv-mlp (tfjs-saved-model: its own test file), copied OUTSIDE the
// package and run through `gradflat suite` as a user runs them ('gradflat' → the package root).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPluginFile } from '../core/registry/load.js';
import { PACKAGE_ROOT, pluginSandbox } from '../core/registry/load-fixtures.js';
import { PluginRegistry } from '../core/registry/registry.js';
import { registerBuiltins } from '../builtins.js';

const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const gradflat = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

interface Rec { start: { loss: number; gradNormSq: number }; steps: number; final: { loss: number; gradNormSq: number; index?: number } }
const records = (out: string, label: string): Rec[] => readdirSync(join(out, 'runs', label)).filter((f) => f.endsWith('.json')).sort().map((f) => readJson(join(out, 'runs', label, f)));

test('examples/csv-mlp: a user MLP on a user CSV runs through gradflat suite, summarize and report like a built-in problem', () => {
  const box = pluginSandbox();
  try {
    cpSync(join(PACKAGE_ROOT, 'examples', 'csv-mlp'), join(box.dir, 'csv-mlp'), { recursive: true });
    const listed = gradflat(box.dir, 'problems', '--plugin', 'csv-mlp/plugin.js');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^csv-mlp — my MLP classifier/m);
    assert.match(listed.stdout, /hidden: numbers = \[8\]/);
    assert.match(listed.stdout, /^quartic — /m, 'built-ins are listed by the same command');

    const r = gradflat(box.dir, 'suite', 'csv-mlp/suite.yaml', '--out', 'out', '--workers', '2');
    assert.equal(r.status, 0, r.stderr);
    const out = join(box.dir, 'out');
    const manifest = readJson(join(out, 'manifest.json'));
    // 4 features → 6 tanh → 3 classes, with biases: 4·6 + 6 + 6·3 + 3 = 51.
    assert.equal(manifest.problem.name, 'csv-mlp');
    assert.equal(manifest.problem.parameters, 51);
    assert.deepEqual(manifest.problem.spec.layers, [4, 6, 3]);
    assert.match(manifest.identity.problemFiles.data, /^[0-9a-f]{64}$/, 'the CSV is part of the identity');
    assert.equal(readJson(join(out, 'starts.json')).length, 3);
    for (const label of ['newton-mr', 'adam']) {
      const recs = records(out, label);
      assert.equal(recs.length, 3, label);
      for (const rec of recs) {
        assert.equal(rec.steps, 30);
        assert.ok(Number.isFinite(rec.final.loss) && Number.isFinite(rec.final.gradNormSq), JSON.stringify(rec.final));
        // n = 51 ≤ the dense limit: final points carry the Morse index.
        assert.ok(rec.final.index !== undefined && rec.final.index >= 0 && rec.final.index <= 1);
      }
    }
    for (const rec of records(out, 'adam')) assert.ok(rec.final.loss < rec.start.loss, `adam: ${rec.start.loss} → ${rec.final.loss}`);
    for (const rec of records(out, 'newton-mr')) assert.ok(rec.final.gradNormSq < rec.start.gradNormSq, `newton-mr ‖g‖²: ${rec.start.gradNormSq} → ${rec.final.gradNormSq}`);
    const summary = readJson(join(out, 'summary.json'));
    assert.equal(summary.problem, 'csv-mlp');

    // Resuming recomputes nothing; summarize and report read the directory as they read a built-in's.
    const again = gradflat(box.dir, 'suite', 'csv-mlp/suite.yaml', '--out', 'out', '--workers', '1');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /resumed out: 6 finished run\(s\) kept/);
    assert.equal(gradflat(box.dir, 'summarize', 'out').status, 0);
    const rep = gradflat(box.dir, 'report', 'out', '--no-svg');
    assert.equal(rep.status, 0, rep.stderr);
    assert.match(readFileSync(join(out, 'report', 'index.html'), 'utf8'), /csv-mlp/);

    // gradflat run takes the same problem, its options as --option key=value.
    const run = gradflat(box.dir, 'run', '--plugin', 'csv-mlp/plugin.js', '--problem', 'csv-mlp', '--option', 'data=csv-mlp/data.csv', '--option', 'hidden=5,4',
      '--runs', '1', '--iterations', '5', '--train-steps', '20', '--out', 'single');
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(readJson(join(box.dir, 'single', 'manifest.json')).problem.spec.layers, [4, 5, 4, 3]);
    assert.equal(readJson(join(box.dir, 'single', 'summary.json')).problem, 'csv-mlp');
    const bad = gradflat(box.dir, 'run', '--plugin', 'csv-mlp/plugin.js', '--problem', 'csv-mlp', '--option', 'data=csv-mlp/data.csv', '--option', 'hidden=5,x', '--out', 'bad');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /problem 'csv-mlp': option 'hidden'\[1\] must be a finite number, got "x"/);
  } finally {
    box.remove();
  }
});

test('bad problem options and bad problem exports get errors naming the field', async () => {
  const box = pluginSandbox();
  try {
    cpSync(join(PACKAGE_ROOT, 'examples', 'csv-mlp'), join(box.dir, 'csv-mlp'), { recursive: true });
    const suite = readFileSync(join(box.dir, 'csv-mlp', 'suite.yaml'), 'utf8');
    const expectSuiteError = (edit: (s: string) => string, pattern: RegExp) => {
      writeFileSync(join(box.dir, 'csv-mlp', 'bad.yaml'), edit(suite));
      const r = gradflat(box.dir, 'suite', 'csv-mlp/bad.yaml', '--out', 'bad');
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, pattern);
    };
    expectSuiteError((s) => s.replace('hidden: [6]', 'hidden: [6, 0]'), /problem\.hidden\[1\]: must be ≥ 1, got 0 \(an option of problem 'csv-mlp'\)/);
    expectSuiteError((s) => s.replace('hidden: [6]', 'hiden: [6]'), /problem\.hiden: unknown field\. Valid fields of problem: name, seed, starts, data, hidden, activation, l2/);
    expectSuiteError((s) => s.replace('activation: tanh', 'activation: sigmoid'), /problem\.activation: .*must be one of tanh, swish, relu, got "sigmoid"/);
    expectSuiteError((s) => s.replace('data: ./data.csv, ', ''), /option 'data' is required/);
    expectSuiteError((s) => s.replace('name: csv-mlp, seed', 'name: csv-mpl, seed'), /problem\.name: must be one of 'quartic', .*'csv-mlp'.*got "csv-mpl"/);

    const reg = new PluginRegistry();
    const expectLoadError = async (source: string, pattern: RegExp) => {
      const file = box.write(`bad-${Math.random().toString(36).slice(2)}.js`, source);
      await assert.rejects(loadPluginFile(file, reg), pattern);
    };
    await expectLoadError(`export default { problems: [{ name: 'p', description: 'x', options: {} }] };`, /\('p'\) is not a problem plugin: problem 'p' lacks 'build'/);
    await expectLoadError(`export default { name: 'p', description: 'x', options: { k: { default: 1 } }, build() {} };`, /option 'k' needs a 'type'/);
    await expectLoadError(`export default { name: 'p', description: 'x', options: { k: { type: 'number' } }, build() {} };`, /option 'k' needs a 'default'/);
    await expectLoadError(`export default { name: 'p', description: 'x', options: { seed: { type: 'number', default: 1 } }, build() {} };`, /option 'seed' is reserved/);
    await expectLoadError(`export default { name: 'P q', description: 'x', options: {}, build() {} };`, /problem name "P q" is invalid/);
    registerBuiltins(reg);
    await expectLoadError(`export default { name: 'quartic', description: 'x', options: {}, build() {} };`,
      /is named 'quartic', but a different problem of that name is already registered \(built in/);
    assert.ok(!reg.problems.has('p'), 'a bad file registers nothing');
    // A build that returns no usable oracle is named when the problem is built.
    const file = box.write('no-oracle.js', `export default { name: 'no-oracle', description: 'x', options: {}, build: () => ({ oracle: { dim: 2 }, startingPoints: () => [] }) };`);
    await loadPluginFile(file, reg);
    assert.throws(() => reg.problems.build({ name: 'no-oracle', seed: 1 }, { kernels: undefined as never }), /problem 'no-oracle': build\(\) returned an 'oracle' that lacks 'loss', 'gradient', 'hvp'/);
  } finally {
    box.remove();
  }
});

test('the minimal problem plugin of docs/problems.md runs as written through gradflat suite (plugin file + suite, two workers)', () => {
  const box = pluginSandbox();
  try {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'problems.md'), 'utf8');
    const block = (lang: string) => doc.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))![1];
    box.write('my-problem.js', block('js'));
    box.write('my-suite.yaml', block('yaml'));
    const r = gradflat(box.dir, 'suite', 'my-suite.yaml', '--out', 'out', '--workers', '2');
    assert.equal(r.status, 0, r.stderr);
    const out = join(box.dir, 'out');
    assert.deepEqual(readJson(join(out, 'manifest.json')).problem, { name: 'saddle', description: 'f(x, y) = a·x² − y² + y⁴/4: a saddle at 0, minima at (0, ±√2)', parameters: 2, a: 2 });
    // Newton-MR converges to a critical point of f: the saddle (0, 0) (index 1/2) or a minimum (0, ±√2) (index 0).
    for (const rec of records(out, 'newton-mr') as Array<Rec & { theta: number[] }>) {
      assert.ok(rec.final.gradNormSq < 1e-20, JSON.stringify(rec.final));
      const [x, y] = rec.theta;
      assert.ok(Math.abs(x) < 1e-10 && [0, Math.SQRT2].some((c) => Math.abs(Math.abs(y) - c) < 1e-10), `θ = (${x}, ${y})`);
      assert.equal(rec.final.index, Math.abs(y) < 0.5 ? 0.5 : 0);
    }
    // Work is counted by functionOracle: GD spends (at least) one gradient a step.
    for (const rec of records(out, 'gd') as Array<Rec & { work: { gradient: number } }>) assert.ok(rec.work.gradient >= 30, JSON.stringify(rec.work));
  } finally {
    box.remove();
  }
});
