// The README's "bring your own TensorFlow.js model" example, run as a user runs it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/registry/load-fixtures.js';

test('examples/tfjs-model.js runs: gradflat reads the model’s loss, Newton-MR lowers ‖g‖², toModel writes the point back', () => {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'examples', 'tfjs-model.js')], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const num = (re: RegExp) => Number(out.match(re)?.[1]);
  // gradflat's loss is the model's cross-entropy plus the ℓ2 term (λ·mean θ² > 0, small).
  const tfLoss = num(/after tfjs training: model loss ([\d.]+)/);
  const gfLoss = num(/gradflat: loss \+ ℓ2 ([\d.]+)/);
  assert.ok(gfLoss > tfLoss && gfLoss - tfLoss < 1e-2, `tfjs loss ${tfLoss} vs gradflat ${gfLoss}`);
  const g0 = num(/after tfjs training: .*‖g‖² ([\d.e+-]+)/);
  const g1 = num(/newton-mr, .*‖g‖² ([\d.e+-]+)/);
  assert.ok(g1 < 1e-4 * g0, `‖g‖² ${g0} → ${g1}`);
  assert.match(out, /model weights = gradflat's point: yes/);
  assert.match(out, /computed by: engine tfjs, precision float32, backend (wasm|cpu|tensorflow)/);
});
