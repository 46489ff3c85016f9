import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { newtonMrPlugin } from '../../plugins/newton-mr/index.js';
import { runExperiment, type ExperimentConfig } from './experiment.js';
import { registerBuiltinProblems } from '../../builtins.js';

const registry = new PluginRegistry();

registerBuiltinProblems(registry);
registry.register(newtonMrPlugin);
const config: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 4 }, stepper: 'newton-mr', runs: 1, iterations: 40, seed: 1 };

test('quartic experiment writes logs, final records and a summary in the documented shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-exp-'));
  try {
    const res = runExperiment(config, dir, typescriptKernels, { registry });
    assert.equal(res.records.length, 16);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.problem, 'quartic');
    assert.equal(summary.stepper, 'newton-mr');
    assert.equal(summary.runs.length, 16);
    for (const r of summary.runs) {
      assert.ok(['critical', 'gradient-flat', 'neither', 'undecided'].includes(r.final.class) && ['critical', 'gradient-flat', 'neither'].includes(r.final.classPaper!));
      assert.equal(r.final.theta.length, 2, 'θ inline for n ≤ 16');
      assert.ok(Number.isFinite(r.final.r) && Number.isFinite(r.final.index));
    }
    const lines = readFileSync(join(dir, 'runs', 'run-000.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].type, 'start');
    assert.equal(lines[lines.length - 1].type, 'final');
    const steps = lines.filter((l) => l.type === 'step');
    // A halted run also logs the step that could not move.
    assert.equal(steps.length, res.records[0].steps + (res.records[0].stopReason === 'max-iterations' ? 0 : 1));
    for (const s of steps) assert.ok('gradNormSq' in s && 'alpha' in s && 'work' in s);
    for (const s of steps.filter((x) => x.alpha > 0)) assert.ok('newton' in s && 'r_solverA' in s.newton, 'a Newton step logs its solve');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-running resumes: finished runs are kept, a missing one is recomputed identically; a changed config is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-resume-'));
  try {
    const first = runExperiment(config, dir, typescriptKernels, { registry });
    unlinkSync(join(dir, 'runs', 'run-005.json'));
    const again = runExperiment(config, dir, typescriptKernels, { registry });
    assert.deepEqual(again.records.map((r) => r.theta), first.records.map((r) => r.theta));
    assert.throws(() => runExperiment({ ...config, iterations: 41 }, dir, typescriptKernels, { registry }), /different configuration.*--force/);
    assert.ok(readdirSync(join(dir, 'runs')).length >= 32);
    assert.ok(existsSync(join(dir, 'manifest.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input gets errors that name the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-bad-'));
  try {
    assert.throws(() => runExperiment({ ...config, problem: { name: 'cubic', seed: 1 } }, dir, typescriptKernels, { registry }), /unknown problem 'cubic'.*quartic, linear-ae, swish-ae/);
    assert.throws(() => runExperiment({ ...config, stepper: 'adamw' }, dir, typescriptKernels, { registry }), /unknown stepper 'adamw'/);
    assert.throws(() => runExperiment({ ...config, problem: { name: 'linear-ae', seed: 1, dataFile: join(dir, 'nope.csv') } }, dir, typescriptKernels, { registry }), /data file not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
