import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));
const gradflat = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });

test('--hp solver=exact and --probe-solver exact: steps and final records name the solver and log the true residual', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-solver-'));
  try {
    const r = gradflat('run', '--problem', 'quartic', '--grid', '2', '--iterations', '3', '--hp', 'solver=exact', '--out', dir);
    assert.equal(r.status, 0, r.stderr);
    const record = JSON.parse(readFileSync(join(dir, 'runs', 'run-000.json'), 'utf8')) as { final: { solver: string; newtonResidual: number; pinvCutoff: number } };
    assert.equal(record.final.solver, 'exact');
    assert.ok(Number.isFinite(record.final.newtonResidual) && record.final.pinvCutoff > 0);
    const step = JSON.parse(readFileSync(join(dir, 'runs', 'run-000.ndjson'), 'utf8').split('\n').find((l) => l.includes('"type":"step"'))!) as { newton: { solver: string; residual: number } };
    assert.equal(step.newton.solver, 'exact');
    assert.ok(step.newton.residual >= 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad solver input is refused with a message naming the choices or the figures of --control', () => {
  const bad = gradflat('run', '--problem', 'quartic', '--probe-solver', 'exact-lm', '--out', join(tmpdir(), 'gradflat-never'));
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /probe-solver.*Choices: "minres-qlp", "minres-qlp-reorth", "exact"/s);
  const fig = gradflat('reproduce', '--control', '--measure-only', '--figures', 'fig2-quartic', '--out', join(tmpdir(), 'gradflat-never'));
  assert.notEqual(fig.status, 0);
  assert.match(fig.stderr, /unknown figure 'fig2-quartic' for --control\. Figures: fig1-linear, fig1-swish, fig3-mnist-ae, fig5-memorize/);
});
