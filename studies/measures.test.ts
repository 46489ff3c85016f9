import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFigureRuns, solverExitShares, stepsBetween } from './measures.js';
import { mergeResults, type FigureResult } from './reproduce.js';

test('solverExitShares: residual (relres) and co-kernel (relAres) exits are counted apart; steps without a solve are skipped', () => {
  const s = solverExitShares([['rtol', 'rtol-least-squares', 'rtol-least-squares', ''], ['eps', 'eps-least-squares', 'maxit']]);
  assert.deepEqual(s, { residual: 2, coKernel: 3, other: 1, steps: 6, others: { maxit: 1 } });
});

test('readFigureRuns reads every finished run of a suite stopped part-way, in run order, and skips unfinished logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-measures-'));
  try {
    const runs = join(dir, 'runs', 'newton-mr');
    mkdirSync(runs, { recursive: true });
    const step = (exit: string) => JSON.stringify({ type: 'step', gradNormSq: exit === 'rtol' ? 1 : 0.5, stepNorm: exit === 'rtol' ? 0.1 : 0, newton: { exit } });
    for (const i of [3, 0]) {
      // A record as run-one.ts writes it (read back through the record schema).
      const final = { loss: 1, gradNormSq: 0.25, r_solverA: 0.5, rH_solverA: 0.1, solverExit: 'maxit', solverIterations: 2, Anorm_solver: 1, indexCutoff: 1e-5, rayleigh: 0, hgRatio: 0, class: 'neither' };
      writeFileSync(join(runs, `run-00${i}.json`), JSON.stringify({ run: i, steps: 2, stopReason: 'max-iterations', wallMs: 1, work: { loss: 0, gradient: 3, hvp: 4 }, final }));
      writeFileSync(join(runs, `run-00${i}.ndjson`), [step('rtol'), step('maxit'), ''].join('\n'));
    }
    writeFileSync(join(runs, 'run-001.ndjson'), step('rtol')); // still running: no record yet
    const f = readFigureRuns(dir, 'newton-mr');
    assert.deepEqual(f.records.map((r) => r.run), [0, 3]);
    assert.deepEqual(f.exits, [['rtol', 'maxit'], ['rtol', 'maxit']]);
    // ‖g‖² at θ₀, θ₁ (before each logged step) and at the final iterate (the record).
    assert.deepEqual(f.gradNormSq, [[1, 0.5, 0.25], [1, 0.5, 0.25]]);
    assert.deepEqual(f.moved, [[true, false], [true, false]]);
    assert.equal(f.training, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mergeResults keeps earlier figures, replaces re-run ones, and orders rows as the paper does', () => {
  const r = (figure: string, runs: number) => ({ figure, runs }) as unknown as FigureResult;
  const merged = mergeResults([r('fig5-memorize', 50), r('fig2-quartic', 400)], [r('fig1-linear', 50), r('fig5-memorize', 49)]);
  assert.deepEqual(merged.map((m) => [m.figure, m.runs]), [['fig1-linear', 50], ['fig2-quartic', 400], ['fig5-memorize', 49]]);
});

test('stepsBetween counts steps from the first value under one level to the first under another, for runs reaching both', () => {
  assert.deepEqual(stepsBetween([[1, 1e-9, 1e-12, 1e-21], [1, 1e-9], [1e-21]], 1e-8, 1e-20), [2, 0]);
});

test('control claims: runs ≤ 1e-28, 1e-8 → 1e-20 steps, classes with the exact r, spectral flatness at τ = 1e-6, true residuals', async () => {
  const { fig1LinearControlClaims } = await import('./measures.js');
  const { SPECTRAL_TAUS } = await import('../core/analysis/spectral-flatness.js');
  const shares = (k0: number) => SPECTRAL_TAUS.map((_, k) => (k >= k0 ? 1 : 0));
  const rec = (minG: number, cls: string, k0: number, residual: number) => ({
    minGradNormSq: minG, final: { class: cls, gradNormSq: minG, newtonResidual: residual, spectralFlatness: { taus: [...SPECTRAL_TAUS], shares: shares(k0), spectralNorm: 1 } },
  });
  const records = [rec(1e-30, 'critical', 10, 1e-12), rec(1e-3, 'gradient-flat', 2, 0.9), rec(1e-2, 'neither', 6, 1e-9)] as unknown as import('../core/run/run-one.js').RunRecord[];
  const claims = fig1LinearControlClaims({ records, exits: [], gradNormSq: [[1, 1e-9, 1e-15, 1e-25], [1], [1]], moved: [] });
  const v = (what: RegExp) => claims.find((c) => what.test(c.what))!.values;
  assert.deepEqual(v(/≤ 1e-28/), { below1e28: 1, runs: 3, lowest: 1e-30 });
  assert.deepEqual(v(/steps from/), { median: 2, fewest: 2, most: 2, runs: 1 });
  assert.deepEqual(v(/critical \/ gradient-flat/), { critical: 1, flat: 1, neither: 1, runs: 3 });
  // share ≥ 0.9 at τ = 1e-6 (index 4): the run whose shares jump at index 2 only.
  assert.deepEqual(v(/spectral flatness/), { flat: 1, runs: 3 });
  assert.deepEqual(v(/true residual/), { median: 1e-9, highest: 0.9 });
});
