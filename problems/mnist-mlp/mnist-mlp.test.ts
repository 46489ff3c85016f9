// The large problem (n = 109,386) end to end, beyond the dense limit: the tiny suite runs every
// method, probes with HVPs only and evaluates final points without a dense Hessian.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DENSE_MAX_DIM } from '../../core/oracle/dense-hessian.js';
import { PACKAGE_ROOT } from '../../core/registry/load-fixtures.js';
import { PluginRegistry } from '../../core/registry/registry.js';
import { selectKernels } from '../../core/linalg/select-kernels.js';
import { buildProblem } from '../../core/registry/catalog.js';
import { dot } from '../../core/linalg/vector.js';
import { Rng } from '../../core/random/rng.js';
import { loadSuite } from '../../core/suite/config.js';
import { runSuite } from '../../core/suite/suite.js';
import { readMethodRecords } from '../../core/suite/summarize.js';
import { taskPaths } from '../../core/suite/task.js';
import { registerBuiltins } from '../../builtins.js';
import { mnistPixels } from './index.js';

// buildProblem without a registry uses the default one: give it the built-in problems.
registerBuiltins();

const kernels = selectKernels(undefined, () => {});
const quiet = { update() {}, done() {} };

test('mnist-mlp: 784→128→64→10 has 109,386 parameters; inputs are centred pixels; the gradient matches a central difference', () => {
  const { inputs, labels } = mnistPixels(50);
  assert.equal(inputs.length, 50 * 784);
  for (let j = 0; j < 784; j += 97) {
    let mean = 0;
    for (let i = 0; i < 50; i++) mean += inputs[i * 784 + j] / 50;
    assert.ok(Math.abs(mean) < 1e-12, `pixel ${j}: mean ${mean}`);
  }
  assert.ok(labels.every((y) => y >= 0 && y <= 9));
  const p = buildProblem({ name: 'mnist-mlp', seed: 1, samples: 50 }, kernels, { threads: 1 });
  try {
    assert.equal(p.oracle.dim, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    assert.equal(p.oracle.dim, 109_386);
    assert.ok(p.oracle.dim > DENSE_MAX_DIM);
    const rng = new Rng(4);
    const theta = Float64Array.from({ length: p.oracle.dim }, () => 0.05 * rng.normal());
    const v = Float64Array.from({ length: p.oracle.dim }, () => rng.normal());
    const { loss, gradient } = p.oracle.gradient(theta);
    assert.ok(Math.abs(loss - Math.log(10)) < 0.5, `loss ${loss} near ln 10 at a small random θ`);
    const eps = 1e-5;
    const plus = p.oracle.loss(theta.map((t, i) => t + eps * v[i]));
    const minus = p.oracle.loss(theta.map((t, i) => t - eps * v[i]));
    const fd = (plus - minus) / (2 * eps);
    assert.ok(Math.abs(fd - dot(gradient, v)) < 1e-6 * Math.max(1, Math.abs(fd)), `directional derivative ${fd} vs gᵀv ${dot(gradient, v)}`);
    assert.throws(() => buildProblem({ name: 'mnist-mlp', seed: 1, hidden: [128, 0] }, kernels), /problem 'mnist-mlp': option 'hidden'\[1\] must be ≥ 1, got 0/);
  } finally {
    p.oracle.dispose?.();
  }
});

test('suites/mnist-mlp-large.tiny.yaml: every method runs on n = 109,386, with HVP-only probes and no dense Hessian', async () => {
  const registry = new PluginRegistry();
  registerBuiltins(registry);
  const suite = await loadSuite(join(PACKAGE_ROOT, 'suites', 'mnist-mlp-large.tiny.yaml'), registry);
  const out = mkdtempSync(join(tmpdir(), 'gradflat-large-'));
  try {
    const result = await runSuite(suite, out, kernels, { registry, workers: 2, progress: quiet });
    assert.equal(result.computed, 4);
    const recs = readMethodRecords(out, suite, 1);
    for (const [i, s] of suite.steppers.entries()) {
      const r = recs[i].get(0)!;
      assert.equal(r.steps, s.iterations, s.label);
      const log = readFileSync(taskPaths(out, suite, { phase: 'method', stepper: i, run: 0 }).log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const finalLine = log[log.length - 1] as { type: string; evaluationMs: number };
      assert.equal(finalLine.type, 'final');
      for (const x of [r.final.loss, r.final.gradNormSq, r.final.rayleigh, finalLine.evaluationMs]) assert.ok(Number.isFinite(x), `${s.label}: ${JSON.stringify(r.final)}`);
      // Beyond the dense limit: no dense spectrum; the index is the lanczos-slq estimate, inside
      // its interval; the final solve stops at probe.maxit.
      assert.equal(r.final.hessianFrobenius, undefined);
      const f = r.final as typeof r.final & { indexMethod?: string; indexInterval?: [number, number] };
      assert.equal(f.indexMethod, 'lanczos-slq', s.label);
      assert.ok(f.indexInterval && f.indexInterval[0] <= f.index! && f.index! <= f.indexInterval[1], `${s.label}: index ${f.index} in ${JSON.stringify(f.indexInterval)}`);
      assert.ok(r.final.solverIterations <= 5, `${s.label}: ${r.final.solverIterations} MINRES-QLP iterations`);
      if (s.stepper === 'adam') assert.ok(r.final.loss < r.start.loss, `adam: ${r.start.loss} → ${r.final.loss}`);
      // Flatness along the way from HVPs only: Rayleigh probes for the methods that do not solve Hp = −g themselves.
      if (s.stepper !== 'newton-mr') assert.ok((r.probeWork?.hvp ?? 0) > 0, `${s.label}: no probe HVPs`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
