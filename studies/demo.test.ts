import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectKernels } from '../core/linalg/select-kernels.js';
import { registerBuiltins } from '../builtins.js';
import { demoConfigs, quarticShares, runDemo } from './demo.js';
import { runExperiment } from '../core/run/experiment.js';

registerBuiltins();

test('quick demo: quartic starts split between (−3, 0) and (√2, 0); the report states what was measured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-demo-'));
  try {
    const kernels = selectKernels('auto', () => {});
    const path = runDemo(dir, kernels, { quick: true });
    const report = readFileSync(path, 'utf8');
    assert.match(report, /## Quartic/);
    assert.match(report, /## Deep linear autoencoder/);
    assert.match(report, /forcing rule/);
    // Re-reading the finished quartic runs is a resume, not a recomputation.
    const quartic = runExperiment(demoConfigs(true).quartic, join(dir, 'quartic'), kernels);
    assert.equal(quartic.resumed, quartic.records.length);
    const q = quarticShares(quartic);
    assert.ok(q.critical > 0 && q.flat > 0 && q.critical + q.flat <= q.runs);
    // Every start left of x = −√2 lies in the critical point's basin ([GF] Fig. 2).
    const starts = JSON.parse(readFileSync(join(dir, 'quartic', 'starts.json'), 'utf8')) as number[][];
    quartic.records.forEach((r, i) => {
      if (starts[i][0] < -Math.SQRT2) assert.ok(Math.abs(r.theta[0] + 3) < 1e-6 && r.final.class === 'critical', `start ${starts[i]} ended at ${r.theta}`);
    });
    for (const g of q.flatGradNormSq) assert.ok(Math.abs(g - (9 - 4 * Math.SQRT2) ** 2) < 1e-3, `‖g‖² at the flat point: ${g}`);
    for (const r of q.flatR) assert.ok(r > 0.9, `r at the flat point: ${r}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
