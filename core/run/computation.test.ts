import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../di.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { pluginIdentity, pluginModuleFiles } from '../registry/plugin-files.js';
import { registerBuiltins } from '../../builtins.js';
import { runExperiment, type ExperimentConfig } from './experiment.js';
import { configHash } from './run-directory.js';
import type { Progress } from './progress.js';
import { IMPORTED_RATE_PLUGIN } from '../testing/plugin-fixtures.js';

const registry = new PluginRegistry();
registerBuiltins(registry);
const quiet: Progress = { update() {}, done() {} };
const config: ExperimentConfig = { problem: { name: 'quartic', seed: 1, grid: 1 }, stepper: 'gd', hyperparameters: { learningRate: 0.001 }, runs: 1, iterations: 3, seed: 1 };

test('a directory computed by another build (its recorded code differs) is refused on resume, naming both computations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-computation-'));
  try {
    const out = join(dir, 'o');
    runExperiment(config, out, typescriptKernels, { registry, progress: quiet, checkpoint: false });
    assert.equal(runExperiment(config, out, typescriptKernels, { registry, progress: quiet, checkpoint: false }).resumed, 1, 'the same build resumes');
    // As if an older build had written it: same configuration, same version string, other code.
    const path = join(out, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8'));
    m.identity.computation.code = 'a'.repeat(64);
    const old = m.configHash;
    writeFileSync(path, JSON.stringify({ ...m, configHash: configHash(m.identity) }));
    assert.notEqual(configHash(m.identity), old);
    assert.throws(() => runExperiment(config, out, typescriptKernels, { registry, progress: quiet, checkpoint: false }),
      /was computed with code aaaaaaaaaaaa, kernels typescript, and this invocation computes with code [0-9a-f]{12}, kernels typescript \(code differ\): resuming would mix runs computed by two builds/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a plugin\'s identity covers the local modules it imports, transitively; editing one changes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-plugin-imports-'));
  try {
    writeFileSync(join(dir, 'rate.mjs'), 'export const RATE = 1e-3;\n');
    writeFileSync(join(dir, 'helper.mjs'), "export { RATE } from './rate.mjs';\nexport const NAME = 'gd-plus';\n");
    writeFileSync(join(dir, 'plugin.mjs'), IMPORTED_RATE_PLUGIN);
    const plugin = join(dir, 'plugin.mjs');
    assert.deepEqual(pluginModuleFiles(plugin), [plugin, join(dir, 'helper.mjs'), join(dir, 'rate.mjs')]);
    const before = pluginIdentity(plugin);
    assert.deepEqual(before.imports?.map((i) => i.file), ['helper.mjs', 'rate.mjs']);
    writeFileSync(join(dir, 'rate.mjs'), 'export const RATE = 2e-3;\n');
    const after = pluginIdentity(plugin);
    assert.equal(after.sha256, before.sha256, 'the plugin file itself is unchanged');
    assert.notDeepEqual(after.imports, before.imports);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
