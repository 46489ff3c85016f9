/**
 * Errors by type: the exit code follows from the class alone, bad input is a UsageError where
 * it is checked (whoever calls the check), and a plugin's own throw is a PluginError naming it.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, DamagedRecordError, DirectoryBusyError, exitCodeOf, HyperparameterError, PluginError, ReportInputError,
  RunDirectoryGiven, StepperThrew, UsageError,
} from './errors.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { functionOracle } from '../oracle/function-oracle.js';
import { QuadraticOracle } from '../oracle/quadratic.js';
import { PluginRegistry, type StepperPlugin } from '../registry/registry.js';
import { buildProblem, buildProblemAsync, type ProblemPlugin } from '../registry/catalog.js';
import { checkProblemSize, RUN_FLAGS } from '../run/size-limits.js';
import { checkpointPolicyFromEnv } from '../run/checkpoint.js';
import { registerBuiltinProblems, registerBuiltins } from '../../builtins.js';
import { selectKernels } from '../linalg/select-kernels.js';
import { runExperiment } from '../run/experiment.js';
import type { StepperState } from '../stepper/stepper.js';

test('exit codes by class: usage errors and their subclasses 2, everything else 1', () => {
  for (const e of [new UsageError('x'), new ConfigError('runs', 'x'), new HyperparameterError('x', 'f', 'd'), new ReportInputError('x'), new RunDirectoryGiven('d', {})]) {
    assert.equal(exitCodeOf(e), 2, e.name);
  }
  for (const e of [new Error('x'), new TypeError('x'), new PluginError('problem', 'p', 'x'), new StepperThrew(3, new Error('x')),
    new DamagedRecordError('f', 'cut short'), new DirectoryBusyError('x'), Object.assign(new Error('disk full'), { code: 'ENOSPC' }), 'a string']) {
    assert.equal(exitCodeOf(e), 1, String(e));
  }
  // A damaged record means "run again", not "change the input"; its message is as before.
  const damaged = new DamagedRecordError('runs/run-001.json', 'empty');
  assert.ok(!(damaged instanceof UsageError));
  assert.equal(damaged.message, 'runs/run-001.json is empty');
});

test("a usage error thrown by another copy of gradflat (a plugin's own install) still exits 2", () => {
  // What a second copy's UsageError looks like from here: another class, the same registered symbol.
  class OtherCopyUsageError extends Error {}
  Object.defineProperty(OtherCopyUsageError.prototype, Symbol.for('gradflat.usageError'), { value: true });
  assert.equal(exitCodeOf(new OtherCopyUsageError('bad option')), 2);
  // Subclasses are told apart by their own prototype, as usual.
  assert.ok(!(new UsageError('x') instanceof ConfigError));
  assert.ok(new ConfigError('a', 'x') instanceof UsageError);
});

test('validators throw usage errors themselves, outside any checking phase', () => {
  assert.throws(() => checkProblemSize({ name: 'linear-ae', samples: 1e15 }, RUN_FLAGS, registerBuiltins(new PluginRegistry()).problems), UsageError);
  assert.throws(() => checkpointPolicyFromEnv({ GRADFLAT_CHECKPOINT_STEPS: 'often' }), UsageError);
  assert.throws(() => selectKernels('bogus' as never, () => {}), UsageError);
  assert.throws(() => new PluginRegistry().get('nope'), UsageError);
  assert.throws(() => buildProblem({ name: 'no-such-problem', seed: 1 }, typescriptKernels, {}, new PluginRegistry()), UsageError);
});

const problem = (name: string, build: ProblemPlugin['build']): ProblemPlugin => ({ name, description: 'test fixture', options: {}, build });
const oracle = () => functionOracle({ dim: 1, loss: (t) => t[0] ** 2, gradient: (t) => ({ loss: t[0] ** 2, gradient: [2 * t[0]] }), hvp: (_t, v) => [2 * v[0]] });

test("a problem's build that throws is a PluginError naming the problem; gradflat's own checks in it stay usage errors", async () => {
  const reg = new PluginRegistry();
  reg.registerProblem(problem('typo', () => (undefined as unknown as { oracle: never }).oracle));
  reg.registerProblem(problem('rejects', async () => { throw new RangeError('no such layer'); }));
  reg.registerProblem(problem('refuses', () => { throw new UsageError("problem 'refuses': option 'data' is required"); }));
  reg.registerProblem(problem('returns-null', () => null as never));
  reg.registerProblem(problem('fine', () => ({ oracle: oracle(), startingPoints: () => [Float64Array.of(1)] })));
  const build = (name: string) => buildProblem({ name, seed: 1 }, typescriptKernels, {}, reg);
  assert.throws(() => build('typo'), (e: unknown) => e instanceof PluginError && e.kind === 'problem' && e.plugin === 'typo' && exitCodeOf(e) === 1 &&
    /^problem 'typo': build threw: TypeError: Cannot read properties of undefined/.test(e.message) && e.cause instanceof TypeError);
  await assert.rejects(buildProblemAsync({ name: 'rejects', seed: 1 }, typescriptKernels, {}, reg), (e: unknown) =>
    e instanceof PluginError && e.plugin === 'rejects' && e.message === "problem 'rejects': build threw: RangeError: no such layer");
  assert.throws(() => build('refuses'), (e: unknown) => exitCodeOf(e) === 2 && !(e instanceof PluginError) && (e as Error).message === "problem 'refuses': option 'data' is required");
  assert.throws(() => build('returns-null'), (e: unknown) => e instanceof PluginError && /^problem 'returns-null': build\(\) returned null/.test(e.message));
  assert.equal(build('fine').name, 'fine');
});

const stepper = (name: string, create: StepperPlugin['create']): StepperPlugin => ({ name, description: 'test fixture', hyperparameters: {}, create });

test("a stepper's constructor that throws is a PluginError naming it; a refusal (UsageError) stays a usage error", () => {
  const reg = new PluginRegistry();
  reg.register(stepper('ctor-bug', (o) => { (o as unknown as { layers: number[] }).layers.push(1); return null as never; }));
  reg.register(stepper('ctor-refuses', () => { throw new UsageError("stepper 'ctor-refuses' needs at least 2 parameters"); }));
  reg.register(stepper('not-a-stepper', () => ({}) as never));
  const q = QuadraticOracle.diagonal([1], [0]);
  assert.throws(() => reg.create('ctor-bug', q), (e: unknown) => e instanceof PluginError && e.kind === 'stepper' && e.plugin === 'ctor-bug' &&
    /^stepper 'ctor-bug': create\(oracle, hp\) threw: TypeError: /.test(e.message));
  assert.throws(() => reg.create('ctor-refuses', q), (e: unknown) => exitCodeOf(e) === 2 && (e as Error).message === "stepper 'ctor-refuses' needs at least 2 parameters");
  assert.throws(() => reg.create('not-a-stepper', q), (e: unknown) => e instanceof PluginError && /did not produce a stepper/.test(e.message));
});

test("a stepper whose step throws fails the run with a PluginError naming it (exit 1), the step's error as its cause", () => {
  const reg = registerBuiltinProblems(new PluginRegistry());
  reg.register(stepper('step-bug', (o) => {
    const at = (theta: Float64Array, iteration: number): StepperState => {
      const { loss, gradient } = o.gradient(theta);
      const g = Float64Array.from(gradient);
      return { iteration, theta, loss, gradient: g, gradNormSq: g.reduce((s, x) => s + x * x, 0), extra: {} };
    };
    return { init: (theta0) => at(Float64Array.from(theta0), 0), step: () => { throw new TypeError('step is broken'); } };
  }));
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-errors-'));
  try {
    assert.throws(() => runExperiment({ problem: { name: 'quartic', seed: 1, grid: 2 }, stepper: 'step-bug', runs: 1, iterations: 3, seed: 1 }, dir, typescriptKernels, { registry: reg, checkpoint: false }),
      (e: unknown) => e instanceof PluginError && e.kind === 'stepper' && e.plugin === 'step-bug' && exitCodeOf(e) === 1 && e.cause instanceof StepperThrew &&
        e.message === "stepper 'step-bug' run 0 of 4 failed: step 0 threw: step is broken");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
