/**
 * Weak spots of input handling, through the CLI as a user meets them: each case asserts the exit
 * status (2: the input must change; 1: the work failed), the message naming the problem, and
 * what is (not) left on disk. Every case runs in its own temporary folder.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { files, gradflat, inTemp, QUARTIC } from '../core/testing/cli.js';

// A plugin stepper (no imports: a `create` factory) taking gradient steps and throwing at step 3.
const THROWING_PLUGIN = `export default {
  name: 'throw-step', description: 'throws at step 3', hyperparameters: {},
  create(oracle) {
    const at = (theta, iteration) => { const { loss, gradient } = oracle.gradient(theta); const g = Float64Array.from(gradient);
      return { iteration, theta, loss, gradient: g, gradNormSq: g.reduce((s, x) => s + x * x, 0), extra: {} }; };
    return {
      init: (theta0) => at(Float64Array.from(theta0), 0),
      step(s) {
        if (s.iteration === 3) throw new Error('deliberate failure at step 3');
        const work = { loss: 0, gradient: 1, hvp: 0, gvp: 0, statistics: 0 };
        return { state: at(s.theta.map((x, i) => x - 0.01 * s.gradient[i]), s.iteration + 1),
          metrics: { iteration: s.iteration, loss: s.loss, gradNormSq: s.gradNormSq, alpha: 0.01, directionNorm: 0, stepNorm: 0, work } };
      },
    };
  },
};
`;

test('usage errors exit 2 and write nothing: non-finite flags shown as given, a bad config shape, a directory as --data, a hex cell', () => inTemp('usage', (dir) => {
  let r = gradflat(dir, ['run', '--problem', 'quartic', '--iterations', 'Infinity', '--out', 'o']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /gradflat: error: iterations: must be a finite number, got Infinity\n/);
  r = gradflat(dir, ['run', '--problem', 'quartic', '--runs', 'abc', '--out', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--runs must be a number/);
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ problem: 5 }));
  r = gradflat(dir, ['run', '--config', 'cfg.json', '--out', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /config file cfg\.json: 'problem' must be a problem name \("linear-ae"\) or an object/);
  mkdirSync(join(dir, 'data'));
  r = gradflat(dir, ['run', '--problem', 'linear-ae', '--data', 'data', '--out', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /data file data is a directory, give a CSV file/);
  const rows = Array.from({ length: 40 }, (_, i) => Array.from({ length: 16 }, (_, j) => (i === 3 && j === 4 ? '0x10' : (Math.sin(i * (j + 1)) * (j + 1)).toFixed(5))).join(','));
  writeFileSync(join(dir, 'hex.csv'), rows.join('\n') + '\n');
  r = gradflat(dir, ['run', '--problem', 'linear-ae', '--data', 'hex.csv', '--out', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /hex\.csv:4: column 5 is "0x10", not a finite number/);
  writeFileSync(join(dir, 'empty.yaml'), '');
  r = gradflat(dir, ['suite', 'empty.yaml', '--out', 'o']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /suite file empty\.yaml is empty/);
  assert.deepEqual(files(dir), ['cfg.json', 'data', 'empty.yaml', 'hex.csv'], 'no output directory was made');
}));

test('--config may name the problem with a string (its defaults), as --problem does', () => inTemp('config', (dir) => {
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ problem: 'quartic', iterations: 3 }));
  const r = gradflat(dir, ['run', '--config', 'cfg.json', '--grid', '2', '--out', 'o']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /quartic × newton-mr: 4 runs/);
}));

test("a plugin throwing under run exits 1 with the suite's context (stepper, run, step) and leaves no temporary or lock file", () => inTemp('plugin', (dir) => {
  writeFileSync(join(dir, 'throw-step.js'), THROWING_PLUGIN);
  const r = gradflat(dir, [...QUARTIC, '--plugin', 'throw-step.js', '--stepper', 'throw-step', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /gradflat: error: stepper 'throw-step' run 0 of 4 failed: step 3 threw: deliberate failure at step 3/);
  assert.doesNotMatch(r.stderr, /gradflat: gradflat:/);
  assert.deepEqual(files(dir).filter((f) => /\.tmp$|\.lock$/.test(f)), []);
}));

test('a suite whose plugin throws on worker threads exits 1 and leaves no temporary file', () => inTemp('suite-plugin', (dir) => {
  writeFileSync(join(dir, 'throw-step.js'), THROWING_PLUGIN);
  writeFileSync(join(dir, 's.yaml'), 'problem: { name: quartic, seed: 1, grid: 3 }\nseed: 1\nstarts: { count: 1 }\niterations: 6\nplugins: [throw-step.js]\nsteppers:\n  - { stepper: newton-mr }\n  - { stepper: throw-step }\n');
  const r = gradflat(dir, ['suite', 's.yaml', '--out', 'o', '--workers', '2']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /throw-step run \d+ failed: step 3 threw: deliberate failure at step 3/);
  assert.deepEqual(files(dir).filter((f) => /\.tmp$|\.lock$/.test(f)), []);
}));

// A problem plugin whose build has a bug, and a stepper plugin whose factory has one (no imports).
const BROKEN_BUILD = `export default { name: 'broken-build', description: 'build has a bug', options: {},
  build(options) { return { oracle: options.model.oracle }; } };
`;
const BROKEN_CREATE = `export default { name: 'broken-create', description: 'create has a bug', hyperparameters: {},
  create(oracle, hp) { return hp.schedule.map((x) => x); } };
`;

test("a problem plugin whose build throws (not a usage error) exits 1 naming the problem, for run and suite, writing nothing", () => inTemp('broken-build', (dir) => {
  writeFileSync(join(dir, 'broken.js'), BROKEN_BUILD);
  let r = gradflat(dir, ['run', '--plugin', 'broken.js', '--problem', 'broken-build', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^gradflat: error: problem 'broken-build': build threw: TypeError: Cannot read properties of undefined \(reading 'oracle'\)\n$/);
  writeFileSync(join(dir, 's.yaml'), 'problem: { name: broken-build, seed: 1 }\nseed: 1\nstarts: { count: 1 }\niterations: 2\nplugins: [broken.js]\nsteppers:\n  - { stepper: newton-mr }\n');
  r = gradflat(dir, ['suite', 's.yaml', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /gradflat: error: problem 'broken-build': build threw: TypeError: /);
  assert.deepEqual(files(dir), ['broken.js', 's.yaml']);
}));

test("a stepper plugin whose constructor throws exits 1 naming the stepper; whose step throws, too (the run and step named)", () => inTemp('broken-create', (dir) => {
  writeFileSync(join(dir, 'broken.js'), BROKEN_CREATE);
  let r = gradflat(dir, [...QUARTIC, '--plugin', 'broken.js', '--stepper', 'broken-create', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^gradflat: error: stepper 'broken-create': create\(oracle, hp\) threw: TypeError: Cannot read properties of undefined \(reading 'map'\)\n$/);
  writeFileSync(join(dir, 's.yaml'), 'problem: { name: quartic, seed: 1, grid: 2 }\nseed: 1\nstarts: { count: 1 }\niterations: 2\nplugins: [broken.js]\nsteppers:\n  - { stepper: broken-create }\n');
  r = gradflat(dir, ['suite', 's.yaml', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /gradflat: error: stepper 'broken-create': create\(oracle, hp\) threw: TypeError: /);
  assert.deepEqual(files(dir), ['broken.js', 's.yaml']);
  writeFileSync(join(dir, 'throw-step.js'), THROWING_PLUGIN);
  r = gradflat(dir, [...QUARTIC, '--plugin', 'throw-step.js', '--stepper', 'throw-step', '--out', 'o']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /gradflat: error: stepper 'throw-step' run 0 of 4 failed: step 3 threw: deliberate failure at step 3/);
}));
