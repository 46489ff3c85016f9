// The precision study driver on a tiny suite: both engines start from the same float64-made
// points, every tfjs iterate is measured in float64 too, and where ‖g‖² is large the two agree
// to float32 accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf } from '../core/io/errors.js';
import { precisionStudyCommand, PRECISION_STUDY_USAGE, runPrecisionStudy, trustTable } from './precision-study.js';

test('precision study: same starts for both engines, float64 view of every tfjs step, tables written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-precision-'));
  try {
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, [
      'name: precision-tiny',
      'problem: { name: linear-ae, seed: 2, samples: 150, engine: tfjs, starts: { trainings: 1, steps: 40 } }',
      'seed: 2',
      'starts: { count: 2 }',
      'iterations: 8',
      'steppers:',
      '  - { stepper: newton-mr, hyperparameters: { rtol: 1.0e-10 } }',
      'probe: { kind: none }',
    ].join('\n'));
    const out = join(dir, 'out');
    const r = await runPrecisionStudy(file, out, { log: () => {}, timingRounds: 1 });
    assert.equal(r.runs.length, 4);
    for (const run of [0, 1]) {
      const [f, t] = ['f64', 'tfjs'].map((e) => JSON.parse(readFileSync(join(out, e, 'newton-mr', `run-00${run}.json`), 'utf8')) as { start: { loss: number }; provenance: Record<string, string> });
      assert.ok(Math.abs(f.start.loss - t.start.loss) <= 1e-5 * f.start.loss, 'both engines start from the same point (float32 summation: ~1e-6)');
      assert.equal(t.provenance.precision, 'float32');
    }
    const tf = r.runs.filter((x) => x.engine === 'tfjs');
    for (const x of tf) {
      assert.equal(x.pairs!.length, x.steps);
      for (const p of x.pairs!) assert.equal(p.length, 3, '(own, float64 at θ, float64 at fp32(θ))');
      // f64's judgement of a float32 point: equal in loss to float32 accuracy.
      assert.ok(Math.abs(x.own.loss - x.f64.loss) <= 1e-5 * x.f64.loss);
      // At the point tfjs itself evaluated, fp32(θ), the losses agree far better (per-sample sums in float64).
      assert.ok(x.f64AtFp32 !== undefined && x.f64MinGradNormSqAtFp32 !== undefined);
      assert.ok(Math.abs(x.own.loss - x.f64AtFp32!.loss) <= 1e-6 * x.f64AtFp32!.loss, `own loss ${x.own.loss} vs float64 at fp32(θ) ${x.f64AtFp32!.loss}`);
    }
    for (const against of ['fp32', 'theta'] as const) {
      for (const row of trustTable(tf.flatMap((x) => x.pairs!), against)) {
        if (row.decade >= -4) assert.ok(row.maxRelErr < 1e-3, `‖g‖² ~ 1e${row.decade}: tfjs vs float64 (${against}) rel. error ${row.maxRelErr}`);
      }
    }
    // trustTable compares with float64 at fp32(θ) by default, at θ on request.
    assert.deepEqual(trustTable([[1.5, 1, 2]]).map((r) => r.medianRelErr), [0.25]);
    assert.deepEqual(trustTable([[1.5, 1, 2]], 'theta').map((r) => r.medianRelErr), [0.5]);
    assert.equal(r.hvpMs.length, 2);
    const text = readFileSync(join(out, 'study.txt'), 'utf8');
    assert.match(text, /ms per HVP at the first start/);
    assert.match(text, /float64 at fp32\(final θ\)/);
    assert.match(text, /against float64's at the point tfjs evaluated, fp32\(θ_k\)/);
    assert.match(text, /against float64's at θ_k itself/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('precision study as a command: no suite file, or a flat-start suite, is a usage error (exit 2), not a process exit', async () => {
  await assert.rejects(precisionStudyCommand(['--force']), (e: Error) => exitCodeOf(e) === 2 && e.message === PRECISION_STUDY_USAGE);
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-precision-usage-'));
  try {
    const file = join(dir, 'flat.yaml');
    writeFileSync(file, 'problem: { name: quartic, seed: 1, grid: 2 }\nseed: 1\nstarts: { count: 2, flat: { finder: { stepper: newton-mr, iterations: 2 } } }\niterations: 2\nsteppers:\n  - { stepper: newton-mr }\n');
    await assert.rejects(precisionStudyCommand([file, '--out', join(dir, 'out')]), (e: Error) => exitCodeOf(e) === 2 && /remove starts\.flat/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
