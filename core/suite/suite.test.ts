import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../di.js';
import { typescriptKernels } from '../linalg/kernels-typescript.js';
import { PluginRegistry } from '../registry/registry.js';
import { registerBuiltins } from '../../builtins.js';
import type { RunRecord } from '../run/run-one.js';
import { withoutTiming } from '../testing/timing.js';
import { resolveSuite } from './config.js';
import type { FlatStart } from './flat-starts.js';
import { runSuite, summarizeSuiteDirectory } from './suite.js';

const registry = new PluginRegistry();
registerBuiltins(registry);
const quiet = { update() {}, done() {} };

const quarticSuite = (iterations = 15) => resolveSuite({
  name: 'quartic-flat',
  problem: { name: 'quartic', seed: 1, grid: 4 },
  seed: 5,
  starts: { count: 16, flat: { finder: { stepper: 'newton-mr', iterations: 30 } } },
  iterations,
  steppers: [
    { stepper: 'newton-mr' },
    { stepper: 'damped-newton' },
    { stepper: 'gnm' },
    { stepper: 'gd', hyperparameters: { learningRate: 0.01 } },
  ],
  summary: { lossAfter: [5], targets: { gradNormSq: 1e-10 } },
}, registry);

/** A record without what legitimately differs between two executions (timings). */
function numbersOf(r: RunRecord): unknown {
  return withoutTiming(r);
}

function records(dir: string, label: string): RunRecord[] {
  const out: RunRecord[] = [];
  for (let i = 0; existsSync(join(dir, 'runs', label, `run-${String(i).padStart(3, '0')}.json`)); i++) {
    out.push(JSON.parse(readFileSync(join(dir, 'runs', label, `run-${String(i).padStart(3, '0')}.json`), 'utf8')) as RunRecord);
  }
  return out;
}

test('flat-start suite: every method starts from the same flat points; 1 or 2 workers give the same numbers', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-suite-'));
  const suite = quarticSuite();
  const a = await runSuite(suite, join(root, 'a'), typescriptKernels, { registry, workers: 1, progress: quiet });
  const b = await runSuite(suite, join(root, 'b'), typescriptKernels, { registry, workers: 2, progress: quiet });
  const flat = JSON.parse(readFileSync(join(root, 'a', 'flat-starts.json'), 'utf8')) as FlatStart[];
  // The quartic's gradient-flat point is (√2, 0) ([GF] Fig. 2): starts right of −√2 find it.
  assert.ok(flat.length >= 4, `flat starts: ${flat.length}`);
  // Each is a finder run's final point, certified gradient-flat; the tally accounts for every finder run.
  const finder = (run: number) => JSON.parse(readFileSync(join(root, 'a', 'finder', `run-${String(run).padStart(3, '0')}.json`), 'utf8')) as RunRecord;
  for (const s of flat) {
    assert.equal(finder(s.finderRun).final.class, 'gradient-flat');
    assert.ok(s.gradNormSq > 1e-8);
    assert.ok(Math.abs(s.theta[0] - Math.SQRT2) < 0.2, `flat start at ${s.theta}`);
  }
  const search = a.summary.starts.flatSearch!;
  assert.equal(search.found, flat.length);
  assert.equal(search.byClass['gradient-flat'] - search.belowMinGradNormSq, flat.length);
  assert.equal(Object.values(search.byClass).reduce((x, y) => x + y, 0), 16);
  for (const m of suite.steppers) {
    const ra = records(join(root, 'a'), m.label);
    assert.equal(ra.length, flat.length, m.label);
    ra.forEach((r, i) => assert.equal(r.start.loss, flat[i].loss, `${m.label} run ${i} starts at flat start ${i}`));
    assert.deepEqual(records(join(root, 'b'), m.label).map(numbersOf), ra.map(numbersOf), `${m.label}: 2 workers = 1 worker`);
  }
  assert.equal(a.computed, b.computed);
  const byLabel = Object.fromEntries(a.summary.methods.map((m) => [m.label, m]));
  // Newton-MR stays stuck at the flat point; gradient descent on the loss leaves it.
  assert.equal(byLabel['newton-mr'].classes['gradient-flat'], flat.length);
  assert.ok(byLabel.gd.headToHead.lossDrop[5]!.median > 0);
  assert.equal(byLabel.gd.headToHead.rMeasured, flat.length, 'gd is probed every step (n = 2)');
});

test('resume: finished runs are kept, missing ones recomputed, the summary is unchanged; a changed suite is refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-suite-resume-'));
  const suite = quarticSuite();
  const dir = join(root, 's');
  const first = await runSuite(suite, dir, typescriptKernels, { registry, workers: 2, progress: quiet });
  // Simulate a crash: two final records gone, one log cut mid-line.
  rmSync(join(dir, 'runs', 'gnm', 'run-001.json'));
  rmSync(join(dir, 'runs', 'gd', 'run-000.json'));
  writeFileSync(join(dir, 'runs', 'gd', 'run-000.ndjson'), '{"v":1,"type":"start"');
  const partial = summarizeSuiteDirectory(dir);
  assert.deepEqual(partial.summary.methods.find((m) => m.label === 'gnm')!.missingRuns, [1]);
  assert.match(partial.text, /gnm: missing runs 1 \(suite not finished/);
  const again = await runSuite(suite, dir, typescriptKernels, { registry, workers: 2, progress: quiet });
  assert.equal(again.computed, 2);
  const strip = (s: typeof first.summary) => JSON.stringify(s.methods.map(({ wallMs: _w, headToHead: { targets: _t, ...h }, ...m }) => ({ ...m, h })));
  assert.equal(strip(again.summary), strip(first.summary));
  const log = readFileSync(join(dir, 'runs', 'gd', 'run-000.ndjson'), 'utf8').trim().split('\n');
  assert.equal(JSON.parse(log[0]).type, 'start');
  assert.equal(JSON.parse(log[log.length - 1]).type, 'final');

  await assert.rejects(runSuite(quarticSuite(16), dir, typescriptKernels, { registry, workers: 1, progress: quiet }), /holds a run with a different configuration/);
  const forced = await runSuite(quarticSuite(16), dir, typescriptKernels, { registry, workers: 1, progress: quiet, force: true });
  assert.equal(forced.resumed, 0);
});

test('summarize: clear messages for a missing, empty or non-suite directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-summarize-'));
  assert.throws(() => summarizeSuiteDirectory(join(root, 'nope')), /no such directory/);
  assert.throws(() => summarizeSuiteDirectory(root), /holds no gradflat run \(no manifest\.json\)/);
  writeFileSync(join(root, 'manifest.json'), JSON.stringify({ identity: { config: {} } }));
  assert.throws(() => summarizeSuiteDirectory(root), /not a suite/);
});

test('a stepper that cannot run on the problem fails before any work, naming the suite entry', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-suite-preflight-'));
  const raw = { problem: { name: 'quartic', seed: 1, grid: 2 }, seed: 1, starts: { count: 4 }, iterations: 3 };
  const suite = resolveSuite({ ...raw, steppers: [{ stepper: 'gd' }, { stepper: 'kfac' }] }, registry);
  await assert.rejects(runSuite(suite, join(root, 'o'), typescriptKernels, { registry, workers: 1, progress: quiet }),
    /steppers\[1\]: stepper 'kfac' cannot run on problem 'quartic': .*needs the oracle capability 'layer-statistics'/);
  assert.ok(!existsSync(join(root, 'o', 'starts.json')), 'nothing was computed');
  const dn = resolveSuite({ ...raw, steppers: [{ stepper: 'damped-newton', hyperparameters: { gammaMin: 1, gammaMax: 0.1 } }] }, registry);
  await assert.rejects(runSuite(dn, join(root, 'p'), typescriptKernels, { registry, workers: 1, progress: quiet }), /steppers\[0\]: stepper 'damped-newton' cannot run/);
});

test('a worker that exits in the middle of a task fails the suite with the task named (no hang)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gradflat-suite-exit-'));
  const plugin = join(root, 'quitter.mjs');
  // A factory plugin needs no import of gradflat; this one ends its thread on the first step.
  writeFileSync(plugin, `export default { name: 'quitter', description: 'exits', hyperparameters: {},
    create: (oracle) => ({ init: (t) => { const { loss, gradient } = oracle.gradient(t); return { iteration: 0, theta: t, loss, gradient, gradNormSq: 1, extra: {} }; },
      step: () => process.exit(0) }) };\n`);
  const reg = new PluginRegistry();
  registerBuiltins(reg);
  const { loadPluginFiles } = await import('../registry/load.js');
  await loadPluginFiles([plugin], reg);
  const suite = { ...resolveSuite({ problem: { name: 'quartic', seed: 1, grid: 2 }, seed: 1, starts: { count: 4 }, iterations: 3, steppers: [{ stepper: 'quitter' }] }, reg), plugins: [plugin] };
  await assert.rejects(runSuite(suite, join(root, 'o'), typescriptKernels, { registry: reg, workers: 2, progress: quiet }),
    /a suite worker exited \(code 0\) while running quitter run \d before the suite finished/);
});
