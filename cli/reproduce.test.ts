import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./main.js', import.meta.url));

test('gradflat reproduce (quick fig2 and fig5): the paper-vs-measured table comes from the runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-reproduce-'));
  try {
    const r = spawnSync(process.execPath, [cli, 'reproduce', '--figures', 'fig2-quartic,fig5-memorize', '--out', dir], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| figure \| what \| paper \| measured \(quick\) \|/);
    const results = JSON.parse(readFileSync(join(dir, 'reproduction.json'), 'utf8')) as Array<{ figure: string; runs: number; claims: Array<{ what: string; values: Record<string, number> }> }>; // null-free here: every value below has runs behind it
    const values = (fig: string, what: RegExp) => results.find((f) => f.figure === fig)!.claims.find((c) => what.test(c.what))!.values;
    // Fig. 2: every Newton-MR run from the 10×10 grid ends at one of the two stationary points of
    // ‖g‖², and the runs classed critical are exactly those at the minimum (−3, 0).
    const { atMinimum, atFlat, runs } = values('fig2-quartic', /runs ending at the minimum/);
    const { critical, flat } = values('fig2-quartic', /classes/);
    assert.equal(runs, 100);
    assert.equal(critical, atMinimum);
    assert.ok(atMinimum + atFlat >= 90 && flat >= atFlat, `at (−3,0) ${atMinimum}, at (√2,0) ${atFlat}, flat ${flat}`);
    // Fig. 5: the memorising network is trained to 48–50 of 50 correct ([GF]); every training run here.
    const { trainingRuns, fewestCorrect } = values('fig5-memorize', /training runs/);
    assert.ok(trainingRuns > 0 && fewestCorrect >= 48, `${trainingRuns} training runs, fewest correct ${fewestCorrect}`);

    // --measure-only re-tabulates one figure from disk (nothing runs) and keeps the other's rows.
    const again = spawnSync(process.execPath, [cli, 'reproduce', '--measure-only', '--figures', 'fig2-quartic', '--out', dir], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /running/, 'measure-only runs nothing');
    const merged = JSON.parse(readFileSync(join(dir, 'reproduction.json'), 'utf8')) as typeof results;
    assert.deepEqual(merged.map((f) => f.figure), ['fig2-quartic', 'fig5-memorize']);
    assert.deepEqual(merged[0].claims, results.find((f) => f.figure === 'fig2-quartic')!.claims);
    // …and refuses a folder holding the other variant's suite.
    const wrong = spawnSync(process.execPath, [cli, 'reproduce', '--full', '--measure-only', '--figures', 'fig2-quartic', '--out', dir], { encoding: 'utf8' });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /holds suite 'fig2-quartic-quick', not 'fig2-quartic'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gradflat reproduce rejects an unknown figure by name', () => {
  const r = spawnSync(process.execPath, [cli, 'reproduce', '--figures', 'fig9', '--out', join(tmpdir(), 'gradflat-unused')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--figures: unknown figure 'fig9'\. Figures: fig1-linear, fig1-swish/);
});
