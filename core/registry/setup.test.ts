import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginRegistry } from './registry.js';
import { registryFromSetup } from './setup.js';
import { registerBuiltins } from '../../builtins.js';

test('a registry rebuilt from its setup modules knows the same steppers and problems, in the same order', async () => {
  const original = registerBuiltins(new PluginRegistry());
  registerBuiltins(original); // idempotent: the module is recorded once
  assert.equal(original.setupModules.length, 1);
  const rebuilt = await registryFromSetup(original.setupModules, []);
  assert.deepEqual(rebuilt.names(), original.names());
  assert.deepEqual(rebuilt.problems.names(), original.problems.names());
  assert.deepEqual(rebuilt.setupModules, original.setupModules);
});

test('a fresh registry is empty, and a setup module without setup(registry) is refused by name', async () => {
  assert.deepEqual(new PluginRegistry().names(), []);
  assert.deepEqual(new PluginRegistry().problems.names(), []);
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-setup-'));
  try {
    const file = join(dir, 'not-setup.mjs');
    writeFileSync(file, 'export const x = 1;\n');
    const url = pathToFileURL(file).href;
    await assert.rejects(registryFromSetup([url], []), (e: unknown) => e instanceof TypeError && e.message === `registry setup module ${url} exports no setup(registry) function`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
