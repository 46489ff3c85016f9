import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { newtonMrPlugin } from '../../plugins/newton-mr/index.js';
import { runExperiment, type ExperimentConfig } from './experiment.js';
import { checkProblemSize, formatBytes, RUN_FLAGS, sizeBudgets, SUITE_FIELDS } from './size-limits.js';
import { registerBuiltinProblems } from '../../builtins.js';

const registry = new PluginRegistry();

registerBuiltinProblems(registry);
registry.register(newtonMrPlugin);
const quiet = { update() {}, done() {} };
const base: ExperimentConfig = { problem: { name: 'linear-ae', seed: 1, samples: 64 }, stepper: 'newton-mr', runs: 1, iterations: 1, seed: 1 };

/** Runs `config` into a fresh directory; asserts it is refused within `ms` and writes nothing. */
function refused(config: ExperimentConfig, pattern: RegExp, ms = 2000): void {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-size-'));
  try {
    const t0 = performance.now();
    assert.throws(() => runExperiment(config, join(root, 'out'), typescriptKernels, { registry, progress: quiet }), pattern);
    assert.ok(performance.now() - t0 < ms, `refused only after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(existsSync(join(root, 'out')), false, 'nothing written');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Regression: --grid 100000 used to die of a V8 heap abort after 34 s; --samples 1e15 of "Invalid typed array length".
test('every size argument is bounded with a message naming the flag and the memory it would need', () => {
  refused({ ...base, problem: { name: 'quartic', seed: 1, grid: 100_000 } }, /--grid 100000 is too large: 1\.00e\+10 runs .* would need about [\d.]+ TB, more than .*JavaScript heap/);
  refused({ ...base, problem: { name: 'linear-ae', seed: 1, samples: 1e15 } }, /--samples 1000000000000000 is too large: the data .* would need about 512 PB, more than half of this machine's memory/);
  refused({ ...base, runs: 1e12 }, /--runs 1000000000000 is too large: .* PB/);
  refused({ ...base, iterations: 1e13 }, /--iterations 10000000000000 is too large: the step logs .* more than the free space/);
  refused({ ...base, problem: { name: 'linear-ae', seed: 1, samples: 64, starts: { steps: 1e11 } } }, /--train-steps 100000000000 is too large/);
});

test('ordinary sizes pass; suite files are named by their fields', () => {
  checkProblemSize({ name: 'linear-ae', samples: 10_000 }, RUN_FLAGS, registry.problems);
  checkProblemSize({ name: 'quartic', grid: 20 }, RUN_FLAGS, registry.problems);
  assert.throws(() => checkProblemSize({ name: 'mnist-memorize', samples: 1e14 }, SUITE_FIELDS, registry.problems), /^Error: problem\.samples 100000000000000 is too large/);
  const { heap, memory } = sizeBudgets();
  assert.ok(heap > 1e8 && memory > 1e8);
  assert.equal(formatBytes(512e15), '512 PB');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(2.17e9), '2.17 GB');
});
