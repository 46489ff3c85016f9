import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../di.js';
import { PluginRegistry } from '../registry/registry.js';
import { registerBuiltins } from '../../builtins.js';
import { readSuiteFile, resolveSuite } from './config.js';

const registry = new PluginRegistry();
registerBuiltins(registry);

const base = () => ({
  problem: { name: 'quartic', seed: 1, grid: 3 },
  seed: 2,
  starts: { count: 4 },
  iterations: 10,
  steppers: [{ stepper: 'newton-mr' }],
});

function rejects(mutate: (c: Record<string, any>) => void, pattern: RegExp) {
  const c: Record<string, any> = base();
  mutate(c);
  assert.throws(() => resolveSuite(c, registry), pattern);
}

test('a minimal suite resolves with every default filled in', () => {
  const s = resolveSuite(base(), registry);
  assert.equal(s.steppers[0].label, 'newton-mr');
  assert.equal(s.steppers[0].iterations, 10);
  assert.equal(s.steppers[0].hyperparameters.rtol, 1e-10);
  assert.equal(s.starts.flat, null);
  assert.equal(s.probe.kind, 'auto');
  assert.deepEqual(s.plugins, []);
  // Spelling a default out gives the same resolved suite (and so the same run-directory hash).
  const explicit = base() as Record<string, any>;
  explicit.steppers[0].hyperparameters = { rtol: 1e-10 };
  explicit.steppers[0].label = 'newton-mr';
  assert.deepEqual(resolveSuite(explicit, registry), s);
  // The default probe solver is left out of the resolved suite (hashes of older suites unchanged).
  assert.deepEqual(resolveSuite({ ...base(), probe: { solver: 'minres-qlp' } }, registry), s);
  assert.equal('solver' in s.probe, false);
});

test('probe.solver exact resolves with its pseudo-inverse rcond; --probe-solver replaces it', async () => {
  const { withProbeSolver } = await import('./config.js');
  const s = resolveSuite({ ...base(), probe: { solver: 'exact' } }, registry);
  assert.equal(s.probe.solver, 'exact');
  assert.equal(s.probe.pinvRcond, 1e-10);
  assert.deepEqual(withProbeSolver(s, 'minres-qlp'), resolveSuite(base(), registry));
  assert.deepEqual(withProbeSolver(resolveSuite(base(), registry), 'exact'), s);
});

test('bad suites are rejected with messages that name the field', () => {
  rejects((c) => { c.iteratons = 5; }, /^ConfigError: iteratons: unknown field\. Valid fields: /);
  rejects((c) => { delete c.steppers; }, /steppers: is required/);
  rejects((c) => { c.steppers = []; }, /steppers: must have at least 1 entry/);
  rejects((c) => { c.iterations = -1; }, /iterations: must be ≥ 0, got -1/);
  rejects((c) => { c.iterations = '10'; }, /iterations: must be a finite number, got "10"/);
  rejects((c) => { c.problem.name = 'mnist'; }, /problem\.name: must be one of 'quartic', 'linear-ae', 'swish-ae'/);
  rejects((c) => { c.problem.starts = { learningrate: 0.1 }; }, /problem\.starts\.learningrate: unknown field/);
  rejects((c) => { c.steppers[0].stepper = 'newton'; }, /steppers\[0\]\.stepper: unknown stepper 'newton'\. Registered: /);
  rejects((c) => { c.steppers[0].hyperparameters = { rtol: -1 }; }, /steppers\[0\]\.hyperparameters: stepper 'newton-mr': hyperparameter 'rtol' must be > 0/);
  rejects((c) => { c.steppers.push({ stepper: 'newton-mr' }); }, /steppers\[1\]\.label: 'newton-mr' is already used by steppers\[0\]/);
  rejects((c) => { c.steppers[0].label = 'a/b'; }, /steppers\[0\]\.label: must be letters/);
  rejects((c) => { c.steppers.push({ stepper: 'newton-mr', label: 'Newton-MR' }); }, /steppers\[1\]\.label: 'Newton-MR' is already used by steppers\[0\] \(labels name folders, compared without case\)/);
  rejects((c) => { c.starts.flat = { finder: { stepper: 'nope' } }; }, /starts\.flat\.finder\.stepper: unknown stepper 'nope'/);
  rejects((c) => { c.probe = { kind: 'exact' }; }, /probe\.kind: must be one of 'auto', 'newton', 'rayleigh', 'spectral', 'none'/);
  rejects((c) => { c.summary = { lossAfter: [0] }; }, /summary\.lossAfter\[0\]: must be ≥ 1/);
  rejects((c) => { c.probe = { solver: 'exact-lm' }; }, /probe\.solver: must be one of 'minres-qlp', 'minres-qlp-reorth', 'exact'/);
  assert.throws(() => resolveSuite([], registry), /must be an object/);
});

test('suite files: JSON and YAML read alike; syntax errors and missing files name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-suite-config-'));
  const yaml = join(dir, 's.yaml');
  writeFileSync(yaml, 'problem: { name: quartic, seed: 1, grid: 3 }\nseed: 2\nstarts: { count: 4 }\niterations: 10\nsteppers:\n  - stepper: newton-mr\n');
  const json = join(dir, 's.json');
  writeFileSync(json, JSON.stringify(base()));
  assert.deepEqual(readSuiteFile(yaml), readSuiteFile(json));
  writeFileSync(join(dir, 'bad.yaml'), 'problem: { name: quartic\n');
  assert.throws(() => readSuiteFile(join(dir, 'bad.yaml')), /bad\.yaml is not valid YAML/);
  writeFileSync(join(dir, 'bad.json'), '{"problem": ');
  assert.throws(() => readSuiteFile(join(dir, 'bad.json')), /bad\.json is not valid JSON/);
  assert.throws(() => readSuiteFile(join(dir, 'none.json')), /cannot read suite file .*none\.json: no such file/);
  writeFileSync(join(dir, 's.txt'), '{}');
  assert.throws(() => readSuiteFile(join(dir, 's.txt')), /use a \.json, \.yaml or \.yml file/);
});

test('relative plugin and data paths are taken from the suite file’s folder', () => {
  const c = { ...base(), problem: { name: 'swish-ae', seed: 1, dataFile: 'data.csv' } } as Record<string, any>;
  const s = resolveSuite(c, registry, '/some/dir');
  assert.equal(s.problem.dataFile, '/some/dir/data.csv');
});

test('probe.flatTau: a point of the spectral τ grid, absent unless set (older suites keep their hash)', () => {
  assert.equal(resolveSuite(base(), registry).probe.flatTau, undefined);
  assert.equal(resolveSuite({ ...base(), probe: { kind: 'spectral', flatTau: 1e-4 } }, registry).probe.flatTau, 1e-4);
  assert.throws(() => resolveSuite({ ...base(), probe: { kind: 'spectral', flatTau: 3e-5 } }, registry), /probe\.flatTau: must be one of the spectral grid's τ/);
  assert.throws(() => resolveSuite({ ...base(), probe: { kind: 'spectral', flatTau: 0 } }, registry), /probe\.flatTau: must be > 0, got 0/);
});
