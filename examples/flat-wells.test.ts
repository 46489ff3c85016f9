// examples/flat-wells: a problem plugin with exactly gradient-flat points (g ∈ ker H), copied
// OUTSIDE the package and run through `gradflat run` as a user runs it. The certified class must
// call them gradient-flat at n ≤ 2,000 (dense shares) and beyond (the Lanczos bracket).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT, pluginSandbox } from '../core/registry/load-fixtures.js';
import { DENSE_MAX_DIM } from '../core/oracle/dense-hessian.js';
import { evaluatePoint, type PointReport } from '../core/analysis/evaluate-point.js';
import { loadPluginFile } from '../core/registry/load.js';
import { PluginRegistry } from '../core/registry/registry.js';
import { typescriptKernels } from '../core/linalg/kernels-typescript.js';
import { Rng } from '../core/random/rng.js';

const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const gradflat = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 120_000 });
const finals = (out: string): PointReport[] => readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json')).sort()
  .map((f) => (JSON.parse(readFileSync(join(out, 'runs', f), 'utf8')) as { final: PointReport }).final);

for (const [wells, iterations, method] of [[39, 30, 'dense'], [2599, 20, 'lanczos']] as const) {
  test(`flat-wells, n = ${wells + 1} (${method}): converged points with g ∈ ker H are certified gradient-flat at every τ`, () => {
    assert.equal(wells + 1 <= DENSE_MAX_DIM, method === 'dense');
    const box = pluginSandbox();
    try {
      cpSync(join(PACKAGE_ROOT, 'examples', 'flat-wells'), join(box.dir, 'flat-wells'), { recursive: true });
      const r = gradflat(box.dir, 'run', '--plugin', 'flat-wells/plugin.js', '--problem', 'flat-wells', '--option', `wells=${wells}`,
        '--runs', '3', '--iterations', String(iterations), '--out', 'out');
      assert.equal(r.status, 0, r.stderr);
      for (const f of finals(join(box.dir, 'out'))) {
        // Newton-MR converged in the wells: Hg = 0 to round-off while ‖g‖ stays the slope's.
        assert.ok(f.hgRatio < 1e-12, `‖Hg‖/(‖H‖‖g‖) = ${f.hgRatio}`);
        assert.ok(f.gradNormSq > 1e-8);
        const s = f.spectralFlatness!;
        assert.equal(s.method, method);
        s.sharesLower.forEach((lo, i) => assert.ok(lo >= 1 - 1e-10, `τ ${s.taus[i]}: lower bound ${lo}`));
        assert.equal(f.class, 'gradient-flat');
        // The paper's class is recorded beside it, whatever it is (it depends on the solve).
        assert.ok(['gradient-flat', 'neither'].includes(f.classPaper!));
      }
      const summary = JSON.parse(readFileSync(join(box.dir, 'out', 'summary.json'), 'utf8'));
      assert.equal(summary.classes['gradient-flat'], 3);
      assert.equal(Object.values(summary.agreement['gradient-flat'] as Record<string, number>).reduce((a, b) => a + b, 0), 3);
    } finally {
      box.remove();
    }
  });
}

test('flat-wells through evaluatePoint: near-converged wells are certified gradient-flat while the paper\'s r (MINRES-QLP at rtol 5e-4) reads neither', async () => {
  const box = pluginSandbox();
  try {
    cpSync(join(PACKAGE_ROOT, 'examples', 'flat-wells'), join(box.dir, 'flat-wells'), { recursive: true });
    const reg = new PluginRegistry();
    await loadPluginFile(join(box.dir, 'flat-wells', 'plugin.js'), reg);
    for (const wells of [39, 2599]) {
      // Wells within 1e-6 of their stationary points: g is the slope along z plus ~1e-6 per well.
      const p = reg.problems.build({ name: 'flat-wells', seed: 1, wells, jitter: 1e-6 }, { kernels: typescriptKernels });
      const reports = p.startingPoints(3, new Rng(2)).map((theta) => evaluatePoint(p.oracle, theta, typescriptKernels, { solve: { rtol: 5e-4 } }));
      for (const r of reports) {
        assert.equal(r.class, 'gradient-flat', `n = ${wells + 1}`);
        assert.equal(r.spectralFlatness!.method, wells + 1 <= DENSE_MAX_DIM ? 'dense' : 'lanczos');
      }
      // The solver stops after one iteration with p along g: r ≈ 0.5 (the paper's criterion misses these points).
      assert.ok(reports.some((r) => r.classPaper === 'neither'), reports.map((r) => `${r.classPaper} r ${r.r_solverA}`).join('; '));
    }
  } finally {
    box.remove();
  }
});
