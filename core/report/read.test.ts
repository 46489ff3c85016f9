import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayQuarticTrajectories } from '../../problems/quartic/replay.js';
import { parseStepLog, readRunDirectory } from './read-run-dir.js';
import { ReportInputError } from '../io/errors.js';
import { quarticRun, quarticSuite, quiet, testRegistry } from './testing.js';
import { uniqueNames, writeReport } from './write-report.js';
import { DEFAULT_FLATNESS_CRITERION, SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';
import { withChecksumField } from '../io/checksum.js';

const cli = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const env = { ...process.env, GRADFLAT_KERNELS: 'typescript', CI: '1' };
const gradflat = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });

const root = mkdtempSync(join(tmpdir(), 'gradflat-report-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
/** Changes a run record as a later gradflat would have written it: sealed again with its checksum. */
function editRecord(path: string, f: (rec: { final: Record<string, unknown>; observed: { flat: Record<string, unknown> } }) => void): void {
  const { checksum: _, ...rec } = JSON.parse(readFileSync(path, 'utf8'));
  f(rec);
  writeFileSync(path, withChecksumField(rec));
}
const fresh = (name: string) => {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
};

async function rejects(dir: string, pattern: RegExp) {
  await assert.rejects(writeReport([dir], join(root, 'never'), { progress: quiet }), (e: Error) => {
    assert.ok(e instanceof ReportInputError, `a ReportInputError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('bad input: a missing, empty, foreign or damaged directory gets one clear message', async () => {
  await rejects(join(root, 'nope'), /no such directory.*--out directory of 'gradflat run' or 'gradflat suite'/);
  const file = join(fresh('f'), 'x.txt');
  writeFileSync(file, 'x');
  await rejects(file, /is a file, not a run directory/);
  await rejects(fresh('empty'), /is empty: nothing to report/);
  const foreign = fresh('foreign');
  writeFileSync(join(foreign, 'notes.md'), '# mine');
  mkdirSync(join(foreign, 'data'));
  await rejects(foreign, /holds no gradflat run \(no manifest\.json; found .*notes\.md/);
  const parent = fresh('parent');
  mkdirSync(join(parent, 'a'));
  writeFileSync(join(parent, 'a', 'manifest.json'), '{}');
  await rejects(parent, /holds no gradflat run itself.*these folders do: .*parent[\\/]a/);
  const damaged = fresh('damaged');
  writeFileSync(join(damaged, 'manifest.json'), '{"gradflat": ');
  await rejects(damaged, /manifest\.json is not valid JSON/);
  const other = fresh('other-tool');
  writeFileSync(join(other, 'manifest.json'), JSON.stringify({ name: 'some other tool', version: 3 }));
  await rejects(other, /is not a gradflat manifest/);
  assert.ok(!existsSync(join(root, 'never')), 'nothing written for bad input');
  // The CLI prints the message alone (no stack) and exits 2.
  const r = gradflat('report', join(root, 'empty'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^gradflat: error: .*is empty: nothing to report/m);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('step logs: r from Newton or probe, work and wall time up to θ_k, non-finite strings, the final point, damaged lines', () => {
  const lines = [
    { v: 1, type: 'start', run: 0 },
    { v: 1, type: 'step', run: 0, iteration: 0, loss: 2, gradNormSq: 4, newton: { r_solverA: 0.5 }, work: { gradient: 1, hvp: 3 }, cumulativeWork: 4, methodWallMs: 1.5 },
    { v: 1, type: 'step', run: 0, iteration: 1, loss: 'NaN', gradNormSq: 'Infinity', probe: { kind: 'newton', r: 0.25 }, work: { gradient: 1 }, cumulativeWork: 5, methodWallMs: 2 },
    { v: 1, type: 'step', run: 0, iteration: 2, loss: 1, gradNormSq: 1, probe: { kind: 'rayleigh', rayleigh: 0.3 }, work: { gradient: 1 }, cumulativeWork: 6, methodWallMs: 3 },
    { v: 1, type: 'final', run: 0, steps: 3, loss: 0.5, gradNormSq: 0.25 },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n{"v":1,"type":"st';
  const { steps, badLines } = parseStepLog(lines, 'm/run-000', 'm', 0, 'neither');
  assert.equal(badLines, 1);
  assert.deepEqual(steps.map((s) => s.iteration), [0, 1, 2, 3]);
  assert.deepEqual(steps.map((s) => s.r), [0.5, 0.25, null, null]);
  assert.deepEqual(steps.map((s) => s.work), [0, 4, 5, 6], 'work spent to reach θ_k');
  assert.deepEqual(steps.map((s) => s.wallMs), [0, 1.5, 2, 3]);
  assert.ok(Number.isNaN(steps[1].loss) && steps[1].gradNormSq === Infinity);
  // `gradflat run` logs have no cumulativeWork: it is summed from each step's oracle calls.
  const plain = parseStepLog([
    { type: 'step', iteration: 0, loss: 1, gradNormSq: 1, work: { loss: 2, gradient: 1, hvp: 4 } },
    { type: 'step', iteration: 1, loss: 1, gradNormSq: 1, work: { gradient: 1, statistics: 1 } },
  ].map((l) => JSON.stringify(l)).join('\n'), 'x', 'x', 0, 'critical');
  assert.deepEqual(plain.steps.map((s) => [s.work, s.wallMs]), [[0, null], [6, null]]);
});

test('step logs: a spectral probe gives the share at τ_flat, its bracket and the verdict, nothing else of its profile', () => {
  const taus = [...SPECTRAL_TAUS];
  // Shares (k + 1)/11 rising with τ; a Lanczos bracket ±0.05 around them.
  const shares = taus.map((_, k) => (k + 1) / taus.length);
  const spectral = { taus, shares, sharesLower: shares.map((x) => x - 0.05), sharesUpper: shares.map((x) => Math.min(1, x + 0.05)), method: 'lanczos', products: 30 };
  const lines = [
    { type: 'step', iteration: 0, loss: 1, gradNormSq: 1, newton: { r_solverA: 0.7 }, probe: { kind: 'spectral', spectral, verdict: 'undecided' } },
    { type: 'step', iteration: 1, loss: 1, gradNormSq: 1 },
    { type: 'step', iteration: 2, loss: 1, gradNormSq: 1, probe: { kind: 'newton', r: 0.3 } },
    // Older records: exact shares without bounds; a non-finite share is null, never a number.
    { type: 'step', iteration: 3, loss: 1, gradNormSq: 1, probe: { kind: 'spectral', spectral: { taus, shares }, verdict: 'flat' } },
    { type: 'step', iteration: 4, loss: 1, gradNormSq: 1, probe: { kind: 'spectral', spectral: { taus, shares: shares.map(() => 'NaN') } } },
    // A grid without τ_flat: no share rather than a neighbour's.
    { type: 'step', iteration: 5, loss: 1, gradNormSq: 1, probe: { kind: 'spectral', spectral: { taus: [1], shares: [1] }, verdict: 'flat' } },
  ].map((l) => JSON.stringify(l)).join('\n');
  const k = taus.findIndex((t) => Math.abs(t - DEFAULT_FLATNESS_CRITERION.tau) <= 1e-12 * t);
  const { steps } = parseStepLog(lines, 's/run-000', 's', 0, 'neither');
  assert.deepEqual(steps.map((s) => s.r), [0.7, null, 0.3, null, null, null], 'r stays the paper\'s r; a spectral probe is not r');
  assert.deepEqual(steps[0].flat, { share: shares[k], lower: shares[k] - 0.05, upper: shares[k] + 0.05, verdict: 'undecided' });
  assert.equal(steps[1].flat, undefined);
  assert.equal(steps[2].flat, undefined, 'a newton probe has no share');
  assert.deepEqual(steps[3].flat, { share: shares[k], lower: shares[k], upper: shares[k], verdict: 'flat' }, 'no bounds: the bracket is the share');
  assert.deepEqual(steps[4].flat, { share: null, lower: null, upper: null });
  assert.equal(steps[5].flat, undefined);
  // The suite's own τ_flat is where the share is read.
  const at = parseStepLog(lines, 's/run-000', 's', 0, 'neither', 1e-2).steps[0].flat!;
  const k2 = taus.findIndex((t) => Math.abs(t - 1e-2) <= 1e-12 * t);
  assert.equal(at.share, shares[k2]);
  assert.ok(k2 !== k && at.share !== steps[0].flat!.share);
});

test('a suite with spectral probes: maximal r is r alone (no share in its place), and the flatness figure draws the certified share', async () => {
  const full = join(root, 'quartic-suite');
  if (!existsSync(join(full, 'summary.json'))) await quarticSuite(root);
  const record = (dir: string, m: string, run: number) => join(dir, 'runs', m, `run-${String(run).padStart(3, '0')}.json`);
  const d = readRunDirectory(full);
  for (const r of d.runs.filter((x) => x.phase === 'method')) {
    const flat = JSON.parse(readFileSync(record(full, r.group, r.run), 'utf8')).observed.flat;
    assert.equal(flat.by, 'spectral', 'the default probes are spectral');
    const rs = d.steps.filter((s) => s.id === r.id && s.r !== null).map((s) => s.r!);
    if (r.group === 'newton-mr') assert.equal(r.maxR, Math.max(...rs), 'Newton-MR: its own solves\' r');
    else {
      assert.equal(rs.length, 0, `${r.id}: no r measured`);
      assert.ok(Number.isFinite(flat.maxR), 'the observer kept a share as maxR');
      assert.ok(Number.isNaN(r.maxR), `${r.id}: no maximal r, not the share ${flat.maxR}`);
    }
  }
  // A record observed by r (an r-probe suite, or one written before `by` existed) still gives its maxR.
  const older = join(root, 'r-observed-suite');
  cpSync(full, older, { recursive: true });
  editRecord(record(older, 'gd', 0), (rec) => {
    rec.observed.flat = { ...rec.observed.flat, by: 'r', maxR: 0.42 };
  });
  editRecord(record(older, 'gd', 1), (rec) => {
    delete rec.observed.flat.by;
    rec.observed.flat.maxR = 0.37;
  });
  const o = readRunDirectory(older);
  assert.deepEqual([0, 1].map((i) => o.runs.find((r) => r.group === 'gd' && r.run === i)!.maxR), [0.42, 0.37]);

  // The head-to-head flatness figure: shares at τ_flat with their brackets, every method (Newton-MR probed too), no r.
  const report = await writeReport([full], join(root, 'spectral-h2h-report'), { progress: quiet, svg: false });
  const fig = report.figures.find((f) => f.id === 'fig6-flatness')!;
  assert.match(fig.title, /Certified flatness/);
  const spec = JSON.parse(readFileSync(fig.spec, 'utf8'));
  const values = spec.data.values as Array<{ id: string; method: string; share: number; lower: number; upper: number; verdict: string | null; r?: unknown }>;
  assert.deepEqual(new Set(values.map((v) => v.method)), new Set(['newton-mr', 'gnm', 'gd']));
  assert.equal(new Set(values.map((v) => v.id)).size, d.runs.filter((r) => r.phase === 'method').length, 'every run');
  for (const v of values) {
    assert.ok(v.lower <= v.share && v.share <= v.upper && v.share >= 0 && v.share <= 1, `${v.id}: ${v.lower} ≤ ${v.share} ≤ ${v.upper}`);
    assert.ok(v.r === undefined && ['flat', 'not-flat', 'undecided'].includes(v.verdict!));
    // The verdict is the criterion applied to the drawn bracket.
    const expect = v.lower >= d.thresholds.flatShare ? 'flat' : v.upper < d.thresholds.flatShare ? 'not-flat' : 'undecided';
    assert.equal(v.verdict, expect, `${v.id}`);
  }
  const text = JSON.stringify(spec);
  assert.ok(text.includes(`"datum":${d.thresholds.flatShare}`), 'a rule at s_flat');
  assert.doesNotMatch(text, /"field":"r"/);
});

test('a gradflat run on the quartic: rows for every run, θ₀ and final θ, trajectories replayed exactly', () => {
  const dir = quarticRun(root);
  const d = readRunDirectory(dir);
  assert.equal(d.kind, 'run');
  assert.equal(d.problem, 'quartic');
  assert.equal(d.runs.length, 16);
  assert.deepEqual(d.missing, []);
  for (const r of d.runs) {
    assert.equal(r.start?.length, 2);
    assert.equal(r.theta?.length, 2);
    assert.ok(d.steps.some((s) => s.id === r.id && s.iteration === 0));
  }
  const { trajectories, notes } = replayQuarticTrajectories(d, testRegistry);
  assert.deepEqual(notes, []);
  assert.equal(trajectories.length, 16);
  for (const t of trajectories) {
    assert.ok(t.replayed, `${t.id} replayed`);
    const run = d.runs.find((r) => r.id === t.id)!;
    assert.deepEqual(t.points[0], run.start);
    assert.deepEqual(t.points[t.points.length - 1], run.theta);
  }
  // A stepper that is not registered (a plugin file not loaded): straight lines and a note.
  const empty = new (testRegistry.constructor as new () => typeof testRegistry)();
  const fallback = replayQuarticTrajectories(d, empty);
  assert.ok(fallback.trajectories.every((t) => !t.replayed && t.points.length === 2));
  assert.match(fallback.notes.join(' '), /not replayed \(not registered/);
});

test('a partial suite: the report lists the missing runs and draws the rest', async () => {
  const full = await quarticSuite(root);
  const dir = join(root, 'partial-suite');
  cpSync(full, dir, { recursive: true });
  unlinkSync(join(dir, 'runs', 'gnm', 'run-003.json')); // started, log kept: unfinished
  unlinkSync(join(dir, 'runs', 'gd', 'run-001.json'));
  unlinkSync(join(dir, 'runs', 'gd', 'run-001.ndjson')); // never started
  const flat = JSON.parse(readFileSync(join(dir, 'flat-starts.json'), 'utf8')) as unknown[];
  const out = join(root, 'partial-report');
  const r = await writeReport([dir], out, { progress: quiet });
  assert.deepEqual(r.missing, [
    'gnm: 1 run(s) missing (run-003); 1 of them started but unfinished',
    'gd: 1 run(s) missing (run-001)',
  ]);
  assert.match(r.notes.join('\n'), /summary\.json has \d+ finished run\(s\) of gnm, the directory \d+/);
  const html = readFileSync(r.index, 'utf8');
  assert.match(html, /Missing runs/);
  assert.match(html, /gnm: 1 run\(s\) missing \(run-003\)/);
  assert.deepEqual(r.figures.map((f) => f.id), ['fig1-gradnorm', 'fig2-loss-index', 'fig3-r-iterations', 'fig4-r-ecdf', 'fig4-spectral-flatness', 'fig4-flat-start-flatness', 'fig4-class-agreement', 'fig5-quartic', 'fig6-progress', 'fig6-flatness', 'fig6-profile']);
  const profile = JSON.parse(readFileSync(join(out, 'specs', 'fig6-profile.vl.json'), 'utf8'));
  assert.match(JSON.stringify(profile.title), new RegExp(`of the ${flat.length - 2} shared starts`), 'starts not finished by every method are left out');
  assert.match(JSON.stringify(profile.title), /Target from the suite file/);
  for (const f of r.figures) assert.ok(readFileSync(f.svg!, 'utf8').includes('<svg'), `${f.id}.svg`);
  for (const f of r.figures) assert.deepEqual(f.warnings, [], `${f.id}: no Vega-Lite warnings`);

  // Flat-start phase not finished: the finder's runs are reported, and the page says why no method is there.
  const early = join(root, 'early-suite');
  cpSync(full, early, { recursive: true });
  rmSync(join(early, 'flat-starts.json'));
  rmSync(join(early, 'runs'), { recursive: true });
  rmSync(join(early, 'summary.json'));
  const e = await writeReport([early], join(root, 'early-report'), { progress: quiet });
  assert.match(e.notes.join('\n'), /flat-start phase has not finished/);
  assert.ok(!e.figures.some((f) => f.id.startsWith('fig6')), 'no head-to-head without method runs');
  assert.match(e.missing.join('\n'), /newton-mr: not started/);

  // Nothing finished at all: one clear error.
  for (const f of readdirSync(join(early, 'finder'))) if (f.endsWith('.json')) unlinkSync(join(early, 'finder', f));
  await rejects(early, /nothing to report: no finished run .*flat-start phase has not finished/);
});

test('a report killed part-way is still known as a report: the same command replaces it', async () => {
  const dir = join(root, 'quartic-run');
  if (!existsSync(dir)) quarticRun(root);
  const out = join(root, 'killed-report');
  const child = spawn(process.execPath, [cli, 'report', dir, '--out', out], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const gone = new Promise((r) => child.once('exit', r));
  // Killed as soon as it has begun writing figures (specs/ exists), long before index.html.
  for (let i = 0; i < 2000 && !existsSync(join(out, 'specs')) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(join(out, 'specs')) && !existsSync(join(out, 'index.html')), 'killed after it began writing, before it finished');
  const again = spawnSync(process.execPath, [cli, 'report', dir, '--out', out], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(again.status, 0, again.stderr);
  assert.ok(existsSync(join(out, 'index.html')));
  assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).status, undefined, 'the marker written in full at the end');
});

test('the output folder: never a run directory or someone else\'s folder; an earlier report is replaced', async () => {
  const dir = join(root, 'quartic-run');
  if (!existsSync(dir)) quarticRun(root);
  await assert.rejects(writeReport([dir], dir, { progress: quiet }), /is the run directory itself/);
  const busy = fresh('busy');
  writeFileSync(join(busy, 'thesis.tex'), '');
  await assert.rejects(writeReport([dir], busy, { progress: quiet }), /not empty and holds no earlier report/);
  const out = join(root, 'again');
  await writeReport([dir], out, { progress: quiet });
  writeFileSync(join(out, 'svg', 'stale.svg'), '');
  await writeReport([dir], out, { progress: quiet, svg: false });
  assert.ok(!existsSync(join(out, 'svg')), 'old figures removed; --no-svg writes none');
  assert.ok(existsSync(join(out, 'specs', 'fig5-quartic.vl.json')));
});

test('CLI: gradflat report compares several directories; gradflat suite --report writes one at the end', () => {
  const a = join(root, 'quartic-run');
  if (!existsSync(a)) quarticRun(root);
  const b = join(root, 'cli-b', 'quartic-run');
  mkdirSync(join(root, 'cli-b'), { recursive: true });
  cpSync(a, b, { recursive: true });
  const out = join(root, 'cli-report');
  const r = gradflat('report', a, b, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote \d+ figures .*\nreport: .*index\.html/);
  const meta = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(meta.dirs.length, 2);
  const fig1 = JSON.parse(readFileSync(join(out, 'specs', 'fig1-gradnorm.vl.json'), 'utf8'));
  const groups = new Set((fig1.data.values as Array<{ group: string }>).map((v) => v.group));
  assert.deepEqual([...groups].sort(), ['cli-b/quartic-run · newton-mr', `${root.split(/[\\/]/).pop()}/quartic-run · newton-mr`].sort());
  assert.ok(readdirSync(join(out, 'specs')).filter((f) => f.startsWith('fig5-quartic')).length === 2, 'one quartic figure per directory');

  const suiteFile = join(root, 'tiny.yaml');
  writeFileSync(suiteFile, 'name: tiny\nproblem: { name: quartic, seed: 1, grid: 3 }\nseed: 1\nstarts: { count: 9 }\niterations: 10\nsteppers:\n  - { stepper: newton-mr }\n  - { stepper: gnm }\n');
  const s = gradflat('suite', suiteFile, '--out', join(root, 'tiny'), '--workers', '1', '--report');
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /report: .*tiny[\\/]report[\\/]index\.html/);
  assert.ok(existsSync(join(root, 'tiny', 'report', 'svg', 'fig6-profile.svg')));
});

test('several directories never merge: names unique by construction, ids from the position (-d0, -d1, ...)', async () => {
  assert.deepEqual(uniqueNames(['/x/A/q/run', '/x/B/q/run']), ['A/q/run', 'B/q/run'], 'as many parent folders as it takes');
  assert.deepEqual(uniqueNames(['/r/a/x', '/r/b/x', '/r/a-x', '/r/c']), ['a/x', 'b/x', 'a-x', 'c']);
  assert.deepEqual(uniqueNames(['/r/d', '/r/d/', '/r/e']), ['d', 'd #2', 'e'], 'the same directory twice');
  const src = join(root, 'quartic-run');
  if (!existsSync(src)) quarticRun(root);
  // Two that the old names merged (both q/run), and a/x, a-x that collide once made into ids.
  const dirs = ['m/A/q/run', 'm/B/q/run', 'n/a/x', 'n/b/x', 'n/a-x'].map((d) => join(root, 'merge', d));
  for (const d of dirs) cpSync(src, d, { recursive: true });
  const out = join(root, 'merge-report');
  const r = await writeReport(dirs, out, { progress: quiet, svg: false });
  const meta = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.deepEqual(meta.dirs.map((d: { runs: number }) => d.runs), [16, 16, 16, 16, 16]);
  const quartic = r.figures.filter((f) => f.id.startsWith('fig5-quartic')).map((f) => f.id);
  assert.deepEqual(quartic, ['fig5-quartic-d0', 'fig5-quartic-d1', 'fig5-quartic-d2', 'fig5-quartic-d3', 'fig5-quartic-d4']);
  assert.equal(readdirSync(join(out, 'specs')).length, r.figures.length, 'one spec file per figure, none overwritten');
  const fig1 = JSON.parse(readFileSync(join(out, 'specs', 'fig1-gradnorm.vl.json'), 'utf8'));
  const groups = new Set((fig1.data.values as Array<{ group: string }>).map((v) => v.group));
  assert.deepEqual([...groups].sort(), ['A/q/run', 'B/q/run', 'a-x', 'a/x', 'b/x'].map((n) => `${n} · newton-mr`).sort());
  assert.equal(new Set((fig1.data.values as Array<{ id: string }>).map((v) => v.id)).size, 80, 'rows of different directories stay apart');
  const html = readFileSync(r.index, 'utf8');
  const divs = [...html.matchAll(/<div class="fig" id="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(divs.length, r.figures.length);
  assert.equal(new Set(divs).size, divs.length, 'page element ids are unique');
});

test('no performance profile when only one method ran (a note says why)', async () => {
  const full = join(root, 'quartic-suite');
  if (!existsSync(join(full, 'summary.json'))) await quarticSuite(root);
  const dir = join(root, 'one-method');
  cpSync(full, dir, { recursive: true });
  for (const m of ['gnm', 'gd']) rmSync(join(dir, 'runs', m), { recursive: true });
  const r = await writeReport([dir], join(root, 'one-method-report'), { progress: quiet, svg: false });
  assert.ok(r.figures.some((f) => f.id === 'fig6-progress'));
  assert.ok(!r.figures.some((f) => f.id === 'fig6-profile'), 'no profile of one method');
  assert.match(r.notes.join('\n'), /only one method \(newton-mr\) has finished runs: no performance profile/);
});

test('CLI: gradflat report --plugin FILE replays the quartic trajectories of a plugin\'s stepper', async () => {
  const { pluginSandbox, EXAMPLE_PLUGIN } = await import('../registry/load-fixtures.js');
  const box = pluginSandbox();
  try {
    const file = box.write('tr.js', readFileSync(EXAMPLE_PLUGIN, 'utf8'));
    const runDir = join(box.dir, 'tr-run');
    const ran = gradflat('run', '--plugin', file, '--stepper', 'tr-newton', '--problem', 'quartic', '--grid', '2', '--iterations', '20', '--out', runDir);
    assert.equal(ran.status, 0, ran.stderr);
    // Without the plugin, the trajectories cannot be replayed (the note tells the user to load it).
    const without = await writeReport([runDir], join(box.dir, 'without'), { progress: quiet, svg: false, registry: testRegistry });
    assert.match(without.notes.join('\n'), /stepper\(s\) tr-newton not replayed \(not registered: load their plugin file\)/);
    const out = join(box.dir, 'with');
    const r = gradflat('report', runDir, '--plugin', file, '--out', out, '--no-svg');
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /not replayed/);
    const spec = JSON.parse(readFileSync(join(out, 'specs', 'fig5-quartic.vl.json'), 'utf8'));
    const paths = spec.datasets.paths as Array<{ id: string; replayed?: boolean }>;
    assert.equal(new Set(paths.map((p) => p.id)).size, 4);
    assert.ok(paths.every((p) => p.replayed !== false), 'every trajectory replayed');
    assert.ok(paths.length > 8, 'the iterates, not start-to-end lines');
  } finally {
    box.remove();
  }
});

test('certified flatness: brackets, both classes and the thresholds read from new records; older records accepted', async () => {
  const src = join(root, 'quartic-run');
  if (!existsSync(src)) quarticRun(root);
  // Thresholds the config does not name take the defaults.
  const plain = readRunDirectory(src);
  assert.deepEqual(plain.thresholds, { critical: 1e-8, flatR: 0.9, flatTau: DEFAULT_FLATNESS_CRITERION.tau, flatShare: DEFAULT_FLATNESS_CRITERION.share });

  const dir = join(root, 'certified-run');
  cpSync(src, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.identity.config.thresholds = { ...manifest.identity.config.thresholds, flatTau: 1e-2, flatShare: 0.9 };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const edit = (run: number, f: (final: Record<string, unknown>) => void) => editRecord(join(dir, 'runs', `run-00${run}.json`), (rec) => f(rec.final));
  const taus = [...SPECTRAL_TAUS];
  const step = (from: number, v: number) => taus.map((t) => (t >= from * (1 - 1e-12) ? v : 0));
  // A new record: a Lanczos bracket, certified gradient-flat, the paper's neither.
  edit(0, (f) => Object.assign(f, {
    class: 'gradient-flat', classPaper: 'neither',
    spectralFlatness: { taus, shares: step(1e-3, 0.96), sharesLower: step(1e-3, 0.93), sharesUpper: step(1e-3, 0.99), method: 'lanczos', products: 37, spectralNorm: 2, spectralNormBounds: [2, 2.1], steps: 30, invariant: false },
  }));
  // Older records: the paper's class in `class`, shares without bounds (certified here: 0.95 ≥ 0.9 at 1e-2), or no shares at all.
  edit(1, (f) => {
    delete f.classPaper;
    Object.assign(f, { class: 'neither', spectralFlatness: { taus, shares: step(1e-2, 0.95), spectralNorm: 2 } });
  });
  edit(2, (f) => {
    delete f.classPaper;
    f.class = 'neither';
    delete f.spectralFlatness;
  });
  const d = readRunDirectory(dir);
  assert.deepEqual([d.thresholds.flatTau, d.thresholds.flatShare], [1e-2, 0.9]);
  const [r0, r1, r2] = [0, 1, 2].map((i) => d.runs.find((r) => r.run === i)!);
  assert.deepEqual([r0.cls, r0.clsPaper, r0.clsCertified], ['gradient-flat', 'neither', 'gradient-flat']);
  assert.equal(r0.spectral!.method, 'lanczos');
  assert.equal(r0.spectral!.products, 37);
  r0.spectral!.shares.forEach((s, k) => assert.ok(r0.spectral!.lower[k] <= s && s <= r0.spectral!.upper[k]));
  assert.deepEqual([r1.cls, r1.clsPaper, r1.clsCertified], ['neither', 'neither', 'gradient-flat'], 'older record: certified from its exact shares');
  assert.deepEqual([r1.spectral!.lower, r1.spectral!.upper], [r1.spectral!.shares, r1.spectral!.shares], 'older record: lower = upper = shares');
  assert.equal(r1.spectral!.method, undefined);
  assert.deepEqual([r2.clsPaper, r2.clsCertified, r2.spectral], ['neither', undefined, undefined], 'no shares: no certified class');
  // The runs left as written are new records: both classes as they state them.
  for (const r of d.runs.filter((x) => x.run > 2)) {
    const { final } = JSON.parse(readFileSync(join(dir, 'runs', `run-${String(r.run).padStart(3, '0')}.json`), 'utf8'));
    assert.deepEqual([r.clsPaper, r.clsCertified], [final.classPaper, final.class], `${r.id}: classPaper and class as recorded`);
  }

  const report = await writeReport([dir], join(root, 'certified-report'), { progress: quiet, svg: false });
  const ids = report.figures.map((f) => f.id);
  assert.ok(ids.includes('fig4-spectral-flatness') && ids.includes('fig4-class-agreement'), ids.join(', '));
  assert.ok(!ids.includes('fig4-flat-start-flatness'), 'no finder: no flat-start profiles');
  const specOf = (id: string) => JSON.parse(readFileSync(join(report.out, 'specs', `${id}.vl.json`), 'utf8'));
  const profile = specOf('fig4-spectral-flatness').data.values as Array<{ id: string; share: number; lower: number; upper: number }>;
  assert.equal(new Set(profile.map((v) => v.id)).size, d.runs.length - 1, 'every run with shares drawn');
  for (const v of profile) assert.ok(v.lower <= v.share && v.share <= v.upper, `${v.id}: bracket contains the share`);
  const cells = specOf('fig4-class-agreement').data.values as Array<{ paper: string; certified: string; count: number }>;
  assert.equal(cells.reduce((s, c) => s + c.count, 0), d.runs.length - 1, 'every run with a certified class counted once');
  for (const c of cells) assert.equal(c.count, d.runs.filter((r) => r.clsPaper === c.paper && r.clsCertified === c.certified).length, `${c.paper} × ${c.certified}`);
  assert.ok(cells.find((c) => c.paper === 'neither' && c.certified === 'gradient-flat')!.count >= 2, 'runs 0 and 1 off the diagonal');
});

test('flat starts: the finder\'s final points are profiled, marked with the start they gave', async () => {
  const full = join(root, 'quartic-suite');
  if (!existsSync(join(full, 'summary.json'))) await quarticSuite(root);
  const d = readRunDirectory(full);
  const flat = JSON.parse(readFileSync(join(full, 'flat-starts.json'), 'utf8')) as Array<{ finderRun: number; source: string }>;
  const finder = d.runs.filter((r) => r.phase === 'finder');
  assert.deepEqual(finder.filter((r) => r.flatStart).map((r) => [r.run, r.flatStart]), flat.map((f) => [f.finderRun, f.source]).sort((a, b) => (a[0] as number) - (b[0] as number)));
  assert.ok(d.runs.filter((r) => r.phase === 'method').every((r) => r.flatStart === undefined));
  const report = await writeReport([full], join(root, 'flat-start-report'), { progress: quiet, svg: false });
  const spec = JSON.parse(readFileSync(join(report.out, 'specs', 'fig4-flat-start-flatness.vl.json'), 'utf8'));
  const ids = new Set((spec.data.values as Array<{ id: string }>).map((v) => v.id));
  assert.deepEqual(ids, new Set(finder.filter((r) => r.spectral).map((r) => r.id)), 'every finder run with shares, nothing else');
  const methods = JSON.parse(readFileSync(join(report.out, 'specs', 'fig4-spectral-flatness.vl.json'), 'utf8'));
  assert.ok((methods.data.values as Array<{ group: string }>).every((v) => !v.group.startsWith('finder')), 'the methods\' figure leaves the finder out');
});
