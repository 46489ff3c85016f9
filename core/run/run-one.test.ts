import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../analysis/flatness.js';
import { REFERENCE_SOLVER_SETTINGS } from '../newton/direction.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { addCounters, emptyCounters, type OracleCounters } from '../oracle/oracle.js';
import { QuarticOracle } from '../../problems/quartic/oracle.js';
import { PluginRegistry } from '../registry/registry.js';
import { registerBuiltins } from '../../builtins.js';
import { runOne, type RunObserver } from './run-one.js';

test('a run bills the method only what its stepper called: observer probes and the final evaluation are not its work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-run-one-'));
  try {
    const oracle = new QuarticOracle();
    const registry = new PluginRegistry();
    registerBuiltins(registry);
    const stepWork: OracleCounters[] = [];
    let probeWork = emptyCounters();
    // A probe that asks the oracle for 3 HVPs and a loss at every θ_k.
    const observer: RunObserver = {
      onStep(m, from) {
        stepWork.push(m.work);
        for (let i = 0; i < 3; i++) oracle.hvp(from.theta, from.gradient);
        oracle.loss(from.theta);
        probeWork = addCounters(probeWork, { ...emptyCounters(), hvp: 3, loss: 1 });
        return undefined;
      },
      work: () => probeWork,
      finish: () => ({}),
    };
    const record = runOne({
      oracle, kernels: typescriptKernels, makeStepper: (o, k) => registry.create('gd', o, { learningRate: 0.01 }, { kernels: k }),
      stepperName: 'gd', problemName: 'quartic', iterations: 5, cutoffs: [], indexCutoff: 1e-8,
      thresholds: DEFAULT_THRESHOLDS, probe: { ...REFERENCE_SOLVER_SETTINGS, maxit: 10 }, version: 'test',
      progress: { update() {}, done() {} }, runs: 1, observer,
    }, 0, Float64Array.of(-3.5, 1), join(dir, 'run.ndjson'));
    assert.equal(record.steps, 5);
    assert.deepEqual(stepWork, Array(5).fill({ ...emptyCounters(), gradient: 1 }), 'one gradient per GD step, probes excluded');
    // The gradient at θ₀ the harness logs, init's gradient, one per step: as before the harness measured work.
    assert.deepEqual(record.work, { ...emptyCounters(), gradient: 7 });
    assert.deepEqual(record.probeWork, { ...emptyCounters(), hvp: 15, loss: 5 });
    assert.ok(oracle.counters.hvp >= 15 && oracle.counters.gradient >= 7, 'the oracle itself saw everyone\'s calls');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
