// The precision study driver on a tiny suite: both engines start from the same float64-made
// points, every tfjs iterate is measured in float64 too, and where ‖g‖² is large the two agree
// to float32 accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPrecisionStudy, trustTable } from './precision-study.js';

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
      // f64's judgement of a float32 point: equal in loss to float32 accuracy.
      assert.ok(Math.abs(x.own.loss - x.f64.loss) <= 1e-5 * x.f64.loss);
    }
    for (const row of trustTable(tf.flatMap((x) => x.pairs!))) {
      if (row.decade >= -4) assert.ok(row.maxRelErr < 1e-3, `‖g‖² ~ 1e${row.decade}: tfjs vs float64 rel. error ${row.maxRelErr}`);
    }
    assert.equal(r.hvpMs.length, 2);
    assert.match(readFileSync(join(out, 'study.txt'), 'utf8'), /ms per HVP at the first start/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
