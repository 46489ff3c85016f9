import test from 'node:test';
import assert from 'node:assert/strict';
import { checkPlugin } from 'gradflat';
import plugin from './index.js';

test('matrix-factorization passes gradflat\'s conformance check', async () => {
  const report = await checkPlugin(plugin, { problemOptions: { rows: 4, cols: 3, rank: 1, k: 2 } });
  assert.ok(report.passed, report.text);
});
