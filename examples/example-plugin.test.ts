// The example user plugin (examples/trust-region-newton.js), copied OUTSIDE the package and
// importing 'gradflat' through node_modules/gradflat → the package root, as a user would have it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPluginFile } from '../core/registry/load.js';
import { EXAMPLE_PLUGIN, pluginSandbox } from '../core/registry/load-fixtures.js';
import { PluginRegistry } from '../core/registry/registry.js';
import { addCounters, emptyCounters, type OracleCounters } from '../core/oracle/oracle.js';
import { QuarticOracle } from '../problems/quartic/oracle.js';
import { runStepper } from '../core/run/run-loop.js';
import type { MeasuredStepMetrics, StepperState } from '../core/stepper/stepper.js';

const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const dist = (a: Float64Array, b: Float64Array) => Math.hypot(...a.map((x, i) => x - b[i]));

test('tr-newton, loaded from a user folder, reaches the critical point (−3, 0) and reports its steps truthfully', async () => {
  const box = pluginSandbox();
  try {
    const file = join(box.dir, 'tr.js');
    copyFileSync(EXAMPLE_PLUGIN, file);
    const reg = new PluginRegistry();
    assert.deepEqual(await loadPluginFile(file, reg), ['tr-newton']);
    // Left basin (Newton-MR's too), and the right basin where Newton-MR stalls at the gradient-flat (√2, 0).
    for (const start of [[-3.5, 1.5], [1, 0.5]]) {
      const oracle = new QuarticOracle();
      const steps: MeasuredStepMetrics[] = [];
      const states: StepperState[] = [];
      const copy = (s: StepperState) => ({ ...s, theta: Float64Array.from(s.theta) });
      const out = runStepper(reg.create('tr-newton', oracle), Float64Array.from(start), {
        maxIterations: 50, counters: oracle.counters, onStep: (m) => steps.push(m), onState: (s) => states.push(copy(s)),
      });
      assert.ok(dist(out.state.theta, Float64Array.of(-3, 0)) < 1e-12, `from (${start}): θ = (${out.state.theta})`);
      assert.ok(out.state.gradNormSq < 1e-24, `‖g‖² = ${out.state.gradNormSq}`);
      assert.match(out.stopReason, /converged/);
      // Metrics describe θ_k and the step θ_k → θ_{k+1}; the harness's per-step work adds up to the oracle's counters.
      let work: OracleCounters = emptyCounters();
      steps.forEach((m, k) => {
        assert.equal(m.iteration, k);
        assert.equal(m.loss, states[k].loss);
        assert.equal(m.gradNormSq, states[k].gradNormSq);
        if (k + 1 < states.length) assert.ok(Math.abs(m.stepNorm - dist(states[k + 1].theta, states[k].theta)) <= 1e-15 * (1 + m.stepNorm));
        assert.ok(m.alpha === 1 || (m.alpha === 0 && m.stepNorm === 0), `α = ${m.alpha}, ‖Δθ‖ = ${m.stepNorm}`);
        assert.ok(m.stepNorm <= m.directionNorm * (1 + 1e-12) + 1e-14, `‖Δθ‖ = ${m.stepNorm} vs ‖p‖ = ${m.directionNorm}`); // θ + p rounds at ulp(θ)
        work = addCounters(work, m.work);
      });
      assert.deepEqual(addCounters(work, { ...emptyCounters(), gradient: 1 }), oracle.counters, 'work = all oracle calls but init\'s gradient');
      assert.ok(steps.some((m) => m.work.hvp > 0) && steps.every((m) => m.work.loss === 0));
    }
  } finally {
    box.remove();
  }
});

test('gradflat run --plugin <user file> --stepper tr-newton writes a summary whose runs all end at (−3, 0)', () => {
  const box = pluginSandbox();
  try {
    const file = join(box.dir, 'tr.js');
    copyFileSync(EXAMPLE_PLUGIN, file);
    const out = join(box.dir, 'out');
    const r = spawnSync(process.execPath, [cli, 'run', '--plugin', file, '--stepper', 'tr-newton', '--problem', 'quartic', '--grid', '3', '--iterations', '50', '--out', out],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(s.classes.critical, 9);
    assert.equal(s.classesPaper.critical, 9);
    assert.equal(s.stepper, 'tr-newton');
    assert.deepEqual(s.hyperparameters, { radius0: 1, maxRadius: 100, eta: 0.1, cgMaxit: null, minRadius: 1e-14 });
    assert.equal(s.runs.length, 9);
    for (const run of s.runs) {
      assert.equal(run.final.class, 'critical');
      assert.ok(Math.hypot(run.final.theta[0] + 3, run.final.theta[1]) < 1e-12, JSON.stringify(run.final));
    }
  } finally {
    box.remove();
  }
});
