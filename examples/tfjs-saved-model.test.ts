// examples/tfjs-saved-model: a tf.LayersModel saved to disk by the example's own script, copied
// OUTSIDE the package and run through `gradflat suite` as a user runs it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT, pluginSandbox } from '../core/registry/load-fixtures.js';
import { loadLayersModelFile } from '../engines/tfjs/saved-model.js';
import { tfjsModelProblem } from '../engines/tfjs/layers-model.js';

const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const gradflat = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

interface Rec { start: { loss: number; gradNormSq: number }; final: { loss: number; gradNormSq: number } }
const records = (out: string, label: string): Rec[] => readdirSync(join(out, 'runs', label)).filter((f) => f.endsWith('.json')).sort().map((f) => readJson(join(out, 'runs', label, f)));

test('examples/tfjs-saved-model: a tf.LayersModel saved to disk starts from its own weights and runs through gradflat suite', async () => {
  const box = pluginSandbox();
  try {
    const dir = join(box.dir, 'tfjs-saved-model');
    cpSync(join(PACKAGE_ROOT, 'examples', 'tfjs-saved-model'), dir, { recursive: true });
    // The model is made by the example's own script (trains with tfjs, saves model.json + weights.bin).
    const saved = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'examples', 'tfjs-saved-model', 'save-model.js'), dir], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(saved.status, 0, saved.stderr);
    const r = gradflat(box.dir, 'suite', 'tfjs-saved-model/suite.yaml', '--out', 'out', '--workers', '2');
    assert.equal(r.status, 0, r.stderr);
    const out = join(box.dir, 'out');
    const manifest = readJson(join(out, 'manifest.json'));
    assert.equal(manifest.problem.parameters, 6 * 5 + 5 + 5 * 3 + 3);
    assert.deepEqual(Object.keys(manifest.identity.problemFiles).sort(), ['data', 'model']);
    // The first start is the saved model's weights (float32 values, read exactly).
    const model = await loadLayersModelFile(join(dir, 'model.json'));
    const csv = readFileSync(join(dir, 'data.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
    const p = tfjsModelProblem(model, { x: csv.map((row) => row.slice(0, 6)), y: csv.map((row) => row[6]) }, { loss: 'softmax-cross-entropy', l2: 1e-3, engine: 'f64' });
    assert.deepEqual(readJson(join(out, 'starts.json'))[0], Array.from(p.theta));
    const [nmr] = records(out, 'newton-mr');
    assert.ok(Math.abs(nmr.start.loss - p.oracle.loss(p.theta)) < 1e-12, 'the suite computes the loss the model has');
    assert.ok(nmr.final.gradNormSq < 0.1 * nmr.start.gradNormSq, `newton-mr ‖g‖²: ${nmr.start.gradNormSq} → ${nmr.final.gradNormSq}`);
    for (const rec of records(out, 'gd')) assert.ok(rec.final.loss < rec.start.loss && Number.isFinite(rec.final.loss));
    p.oracle.dispose?.();
  } finally {
    box.remove();
  }
});

