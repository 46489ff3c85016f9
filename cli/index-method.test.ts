import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../core/di.js';
import { PluginRegistry } from '../core/registry/registry.js';
import { resolveSuite } from '../core/suite/config.js';
import { registerBuiltins } from '../builtins.js';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('--index-method estimate: final records carry indexMethod, indexInterval and the SLQ quadrature; the report draws the density', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-index-method-'));
  try {
    const out = join(dir, 'o');
    const r = run('run', '--problem', 'swish-ae', '--samples', '64', '--runs', '2', '--iterations', '3', '--train-steps', '10', '--index-method', 'estimate', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const rec = JSON.parse(readFileSync(join(out, 'runs', 'run-000.json'), 'utf8'));
    assert.equal(rec.final.indexMethod, 'lanczos-slq');
    const [lo, hi] = rec.final.indexInterval;
    assert.ok(lo <= rec.final.index && rec.final.index <= hi);
    assert.equal(rec.final.indexEstimate.n, 384);
    assert.equal(rec.final.indexEstimate.probes.length, 10);
    assert.equal(rec.final.hessianFrobenius, undefined, 'nothing dense was built');
    assert.match(r.stdout, /\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/, 'the run table shows the interval');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.runs[0].final.indexInterval, rec.final.indexInterval);
    const rep = run('report', out, '--out', join(dir, 'report'), '--no-svg');
    assert.equal(rep.status, 0, rep.stderr);
    assert.ok(existsSync(join(dir, 'report', 'specs', 'fig2-spectral-density.vl.json')));
    // The default (auto) stays dense within the limit.
    const d = run('run', '--problem', 'quartic', '--grid', '2', '--iterations', '5', '--out', join(dir, 'q'));
    assert.equal(d.status, 0, d.stderr);
    assert.equal(JSON.parse(readFileSync(join(dir, 'q', 'runs', 'run-000.json'), 'utf8')).final.indexMethod, 'dense');
    const bad = run('run', '--problem', 'quartic', '--index-method', 'sparse', '--out', join(dir, 'b'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /index-method/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('suite key evaluation.indexMethod: validated, and absent from the resolved suite unless set (old directories keep their hash)', () => {
  const registry = new PluginRegistry();
  registerBuiltins(registry);
  const base = { problem: { name: 'quartic', seed: 1, grid: 3 }, seed: 2, starts: { count: 4 }, iterations: 10, steppers: [{ stepper: 'newton-mr' }] };
  assert.equal('indexMethod' in resolveSuite(base, registry).evaluation, false);
  assert.equal(resolveSuite({ ...base, evaluation: { indexMethod: 'estimate' } }, registry).evaluation.indexMethod, 'estimate');
  assert.throws(() => resolveSuite({ ...base, evaluation: { indexMethod: 'exact' } }, registry), /evaluation\.indexMethod: must be one of 'dense', 'estimate', 'auto'/);
});
