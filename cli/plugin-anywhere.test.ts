// Plugin files that import 'gradflat' load from any folder: the running gradflat resolves itself
// for them (core/registry/self-resolve.ts). The folders here have no node_modules at all, as a
// user's scratch folder next to a global or npx gradflat.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gradflat, inTemp } from '../core/testing/cli.js';

// docs/problems.md's "Writing a problem" example, verbatim in substance.
const SADDLE = `
import { functionOracle } from 'gradflat';

const f = (a, [x, y]) => a * x * x - y * y + y ** 4 / 4;

export default {
  name: 'saddle',
  description: 'f(x, y) = a·x² − y² + y⁴/4: a saddle at 0, minima at (0, ±√2)',
  options: { a: { type: 'number', min: 0, exclusiveMin: true, default: 1, description: 'curvature along x' } },
  build({ a }, ctx) {
    const oracle = functionOracle({
      dim: 2,
      loss: (t) => f(a, t),
      gradient: (t) => ({ loss: f(a, t), gradient: [2 * a * t[0], -2 * t[1] + t[1] ** 3] }),
      hvp: (t, v) => [2 * a * v[0], (3 * t[1] ** 2 - 2) * v[1]],
    });
    return {
      oracle,
      info: { a },
      startingPoints: (count, rng) => Array.from({ length: count }, () => Float64Array.of(rng.normal(), 0.5 + rng.normal())),
    };
  },
};
`;

test("a plugin file importing 'gradflat' runs from a fresh folder with no node_modules (gradflat run --plugin)", () => {
  inTemp('anywhere', (dir) => {
    writeFileSync(join(dir, 'p.mjs'), SADDLE);
    const r = gradflat(dir, ['run', '--plugin', './p.mjs', '--problem', 'saddle', '--option', 'a=2', '--runs', '2', '--iterations', '20', '--stepper', 'newton-mr', '--out', 'o']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Cannot find package|Warning/);
    const summary = JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8'));
    assert.equal(summary.problem, 'saddle');
    assert.equal(summary.runs.length, 2);
    // Newton-MR from (x, 0.5 + …) reaches a critical point of f: ‖g‖² → 0.
    for (const run of summary.runs) assert.ok(run.final.gradNormSq < 1e-12, JSON.stringify(run.final));
  });
});

test('worker threads resolve it too: a suite listing the plugin runs on 2 workers from a folder with no node_modules', () => {
  inTemp('anywhere-suite', (dir) => {
    mkdirSync(join(dir, 'plugins'));
    writeFileSync(join(dir, 'plugins', 'p.mjs'), SADDLE);
    writeFileSync(join(dir, 's.yaml'), 'plugins: [./plugins/p.mjs]\nproblem: { name: saddle, seed: 1, a: 2 }\nseed: 1\nstarts: { count: 2 }\niterations: 10\nsteppers: [{ stepper: newton-mr }, { stepper: gd }]\n');
    const r = gradflat(dir, ['suite', 's.yaml', '--out', 'o', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8')).problem, 'saddle');
  });
});

test('a plugin whose folder has another gradflat version installed runs with the running one, with a warning naming both versions', () => {
  inTemp('own-gradflat', (dir) => {
    // A stand-in for an old install: importing it would fail, so a passing run proves it was not used.
    const own = join(dir, 'node_modules', 'gradflat');
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 'package.json'), JSON.stringify({ name: 'gradflat', version: '0.0.1', type: 'module', exports: { '.': './index.js' } }));
    writeFileSync(join(own, 'index.js'), "throw new Error('the plugin folder\\'s own gradflat was imported');\n");
    writeFileSync(join(dir, 'p.mjs'), SADDLE);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = gradflat(dir, ['problems', '--plugin', 'p.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^saddle — /m);
    assert.match(r.stderr, new RegExp(`has its own gradflat 0\\.0\\.1 installed .*runs with the gradflat that loads it, ${version.replace(/\./g, '\\.')}`));
    assert.equal(r.stderr.match(/GRADFLAT_PLUGIN_VERSION|own gradflat/g)?.length, 2, 'one warning, with its code');
  });
});

/** A folder with two plugin packages installed: one by its main export (two modules), one by a `gradflat` field. */
function withPackages(dir: string): void {
  const saddle = join(dir, 'node_modules', 'gradflat-saddle');
  mkdirSync(join(saddle, 'lib'), { recursive: true });
  writeFileSync(join(saddle, 'package.json'), JSON.stringify({ name: 'gradflat-saddle', version: '1.2.3', type: 'module', main: 'lib/index.js', peerDependencies: { gradflat: '*' } }));
  writeFileSync(join(saddle, 'lib', 'f.js'), 'export const f = (a, [x, y]) => a * x * x - y * y + y ** 4 / 4;\n');
  writeFileSync(join(saddle, 'lib', 'index.js'), SADDLE.replace("const f = (a, [x, y]) => a * x * x - y * y + y ** 4 / 4;", "import { f } from './f.js';"));
  const steppers = join(dir, 'node_modules', '@me', 'steppers');
  mkdirSync(steppers, { recursive: true });
  writeFileSync(join(steppers, 'package.json'), JSON.stringify({ name: '@me/steppers', version: '0.3.0', type: 'module', main: 'not-plugins.js', gradflat: './plugins.js' }));
  writeFileSync(join(steppers, 'not-plugins.js'), "throw new Error('the main export was loaded instead of the gradflat field');\n");
  writeFileSync(join(steppers, 'plugins.js'), "import { registry } from 'gradflat';\nexport default { ...registry.get('gd'), name: 'my-gd', description: 'gd, packaged' };\n");
}

test('--plugin and a suite\'s plugins: take installed npm packages by name (main export, or the package.json "gradflat" field), from the suite file\'s folder upward', () => {
  inTemp('packages', (dir) => {
    withPackages(dir);
    const listed = gradflat(dir, ['problems', '--plugin', 'gradflat-saddle']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^saddle — /m);
    const steppers = gradflat(dir, ['plugins', '--plugin', '@me/steppers']);
    assert.equal(steppers.status, 0, steppers.stderr);
    assert.match(steppers.stdout, /^my-gd — gd, packaged/m);

    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'suites', 's.yaml'), 'plugins: [gradflat-saddle, "@me/steppers"]\nproblem: { name: saddle, seed: 1, a: 2 }\nseed: 1\nstarts: { count: 2 }\niterations: 8\nsteppers: [{ stepper: my-gd }, { stepper: newton-mr }]\n');
    // From another working directory: the packages are found from the suite file's folder.
    mkdirSync(join(dir, 'elsewhere'));
    const r = gradflat(join(dir, 'elsewhere'), ['suite', '../suites/s.yaml', '--out', 'o', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'elsewhere', 'o', 'summary.json'), 'utf8'));
    assert.deepEqual(summary.methods.map((m: { label: string }) => m.label).sort(), ['my-gd', 'newton-mr']);

    const run = gradflat(dir, ['run', '--plugin', 'gradflat-saddle', '--problem', 'saddle', '--runs', '1', '--iterations', '3', '--out', 'single']);
    assert.equal(run.status, 0, run.stderr);
    const missing = gradflat(dir, ['problems', '--plugin', 'gradflat-nothing']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /plugin 'gradflat-nothing' is neither a file .* nor a package installed from .*: npm install gradflat-nothing there, or give a file path/);
    const checked = gradflat(dir, ['check', 'gradflat-saddle', '@me/steppers']);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /all checks passed/);
  });
});
