import test from 'node:test';
import assert from 'node:assert/strict';
import { checkPlugin } from 'gradflat';
import plugin from './index.js';

test('lbfgs passes gradflat\'s conformance check', async () => {
  const report = await checkPlugin(plugin);
  assert.ok(report.passed, report.text);
});
