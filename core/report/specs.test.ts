import test from 'node:test';
import assert from 'node:assert/strict';
import { downsampleByRun, downsampleSeries } from './downsample.js';
import { gradNormSpec, logFloor } from './fig-gradnorm.js';
import { h2hFlatnessMeasure, h2hFlatnessSpec, h2hProgressSpec, h2hShareSpec } from './fig-h2h.js';
import { distinctTruth, lossIndexSpec } from './fig-loss-index.js';
import { moreWildTarget, performanceProfile, performanceRatios, profileSpec, thresholdTarget, workToTarget, type Cost } from './fig-profile.js';
import { newtonDirection, quarticSpec, quarticWindow, STATIONARY_POINTS, thinTrajectory } from '../../problems/quartic/figure.js';
import { ecdf, rEcdfSpec } from './fig-r-ecdf.js';
import { movingAverage, rIterationsSpec, selectRuns } from './fig-r-iterations.js';
import { compileSpec, renderSvg } from './render-svg.js';
import { CLASS_COLORS, CLASSES, runId, type PointClass, type RunRow, type StepRow } from '../io/run-rows.js';
import { specDataMarkItems } from './scenegraph.js';
import { decadeTicks, METHOD_COLORS, type VlSpec } from './spec-common.js';
import { summaryTableHtml, summaryTableRows } from './summary-table.js';

// ---- synthetic rows ------------------------------------------------------------------------
const METHODS = ['newton-mr', 'gnm', 'adam'];
const CLS: PointClass[] = ['critical', 'gradient-flat', 'neither'];

function makeRun(group: string, run: number, cls: PointClass, extra: Partial<RunRow> = {}): RunRow {
  return {
    dir: 'syn', group, method: group, stepper: group, phase: 'method', run, id: runId(group, run), problem: 'swish-ae', cls, clsPaper: cls,
    loss: 6 - run * 0.1, gradNormSq: cls === 'critical' ? 1e-12 : 1e-3, r: cls === 'gradient-flat' ? 0.95 : 0.1, maxR: 0.97 - 0.1 * run,
    index: 0.1 * run, steps: 30, work: 100, wallMs: 50, stopReason: 'max-iterations', startLoss: 7, startGradNormSq: 1, ...extra,
  };
}

/** Each method from 3 shared starts; loss falls at a method-specific rate per unit work. */
function synthetic(stepsPerRun = 30): { runs: RunRow[]; steps: StepRow[] } {
  const runs: RunRow[] = [];
  const steps: StepRow[] = [];
  METHODS.forEach((m, mi) => {
    for (let run = 0; run < 3; run++) {
      const cls = CLS[(mi + run) % 3];
      const row = makeRun(m, run, cls);
      runs.push(row);
      for (let k = 0; k <= stepsPerRun; k++) {
        const work = k * (mi + 1) * 2;
        steps.push({
          id: row.id, group: m, run, cls, iteration: k, loss: 7 - (7 - 6) * (1 - Math.exp(-work / (10 * (mi + 1)))),
          gradNormSq: k === stepsPerRun && cls === 'critical' ? 0 : Math.exp(-k / 3), r: k % 2 === 0 ? 0.5 + 0.4 * Math.sin(k) : null,
          work, wallMs: work * 0.5,
        });
      }
    }
  });
  return { runs, steps };
}

/** Every (nested) object of a spec with a given key. */
function findAll(spec: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(spec)) for (const x of spec) findAll(x, key, out);
  else if (spec && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      if (k === key) out.push(v);
      findAll(v, key, out);
    }
  }
  return out;
}
const dataOf = (spec: VlSpec) => (spec.data as { values: Array<Record<string, unknown>> }).values;

async function compilesCleanly(spec: VlSpec, what: string): Promise<string> {
  const { warnings } = compileSpec(spec);
  assert.deepEqual(warnings, [], `${what}: Vega-Lite warnings`);
  const { svg } = await renderSvg(spec);
  assert.match(svg, /^<\?xml[^]*<svg[^>]+width="\d+"/, `${what}: an SVG with a size`);
  // Drawn from the data: every data mark (not axes, legends, titles, which draw without data) has items.
  const marks = await specDataMarkItems(spec);
  assert.ok(Object.keys(marks).length > 0, `${what}: no data mark`);
  for (const [name, items] of Object.entries(marks)) assert.ok(items > 0, `${what}: data mark ${name} drew nothing (${JSON.stringify(marks)})`);
  return svg;
}

// ---- figure 1 ------------------------------------------------------------------------------
test('‖g‖² figure: every run drawn, classes in the paper\'s colours, log scale, zeros at a floor', async () => {
  const { runs, steps } = synthetic();
  const spec = gradNormSpec(runs, steps);
  const values = dataOf(spec);
  assert.deepEqual(new Set(values.map((v) => v.id)), new Set(runs.map((r) => r.id)), 'every run appears');
  for (const r of runs) assert.ok(values.some((v) => v.id === r.id && v.final === true), `${r.id} has its final marker`);
  const colors = findAll(spec, 'color').filter((c) => (c as { field?: string }).field === 'cls') as Array<{ scale: { domain: string[]; range: string[] } }>;
  assert.ok(colors.length >= 2);
  for (const c of colors) {
    assert.deepEqual(c.scale.domain, [...CLASSES]);
    assert.deepEqual(c.scale.range, ['#1f77b4', '#ff7f0e', '#000000', '#999999', '#d62728'], 'blue critical, orange gradient-flat, black neither, grey undecided, red non-finite');
  }
  const y = findAll(spec, 'y').find((e) => (e as { field?: string }).field === 'gradNormSq') as { scale: { type: string } };
  assert.equal(y.scale.type, 'log');
  // A ‖g‖² of exactly 0 cannot be on a log axis: it is drawn at a floor below every positive value.
  const floor = logFloor(steps.map((s) => s.gradNormSq));
  assert.equal(floor, 1e-32);
  assert.ok(values.every((v) => (v.gradNormSq as number) >= floor));
  assert.ok(values.some((v) => v.gradNormSq === floor), 'the exact zeros sit at the floor');
  assert.ok(Math.abs(logFloor([0, 1e-40, 2e-35]) / 2e-39 - 1) < 1e-12, 'data that live below 1e-28 keep 4 decades under their largest value');
  assert.equal((spec.facet as { field: string }).field, 'group', 'one panel per method');
  await compilesCleanly(spec, 'gradnorm');
});

test('downsampling keeps every run, its first and last point, its extremes, and at most the budget', () => {
  const rows = Array.from({ length: 1000 }, (_, k) => ({ id: 'a', iteration: k, v: k === 437 ? 100 : k === 611 ? -100 : Math.sin(k) }));
  const other = Array.from({ length: 5 }, (_, k) => ({ id: 'b', iteration: k, v: k }));
  const out = downsampleByRun([...rows, ...other], 50, (r) => r.v);
  const a = out.filter((r) => r.id === 'a');
  assert.ok(a.length <= 50, `${a.length} ≤ 50`);
  assert.equal(a[0].iteration, 0);
  assert.equal(a[a.length - 1].iteration, 999);
  assert.ok(a.some((r) => r.iteration === 437) && a.some((r) => r.iteration === 611), 'the spike and the dip survive');
  assert.deepEqual(a.map((r) => r.iteration), a.map((r) => r.iteration).slice().sort((x, y) => x - y), 'order kept');
  assert.equal(out.filter((r) => r.id === 'b').length, 5, 'short runs untouched');
  assert.equal(downsampleSeries(rows, 2000, (r) => r.v).length, 1000);
});

// ---- figure 2 ------------------------------------------------------------------------------
test('loss–index figure: final points by class over the grey analytic points, one dot per distinct (loss, index)', async () => {
  const { runs } = synthetic();
  const truth = [{ loss: 5, index: 0 }, { loss: 5, index: 0 }, { loss: 6, index: 0.25 }, { loss: NaN, index: 0.1 }];
  assert.equal(distinctTruth(truth).length, 2);
  const spec = lossIndexSpec(runs, new Map([['syn', truth]]));
  const values = dataOf(spec);
  assert.equal(values.filter((v) => v.kind === 'found').length, runs.length);
  assert.equal(values.filter((v) => v.kind === 'analytic').length, 2 * METHODS.length, 'the analytic points in every method\'s panel');
  const marks = findAll(spec, 'mark') as Array<{ color?: string }>;
  assert.ok(marks.some((m) => m.color === '#b0b0b0'), 'analytic points grey');
  const without = lossIndexSpec(runs);
  assert.equal(dataOf(without).filter((v) => v.kind === 'analytic').length, 0);
  assert.ok(!(findAll(without, 'mark') as Array<{ color?: string }>).some((m) => m.color === '#b0b0b0'));
  await compilesCleanly(spec, 'loss-index');
});

// ---- figure 3 ------------------------------------------------------------------------------
test('moving average: the mean of the raw r measured in the last 10 iterations', () => {
  const pts = Array.from({ length: 40 }, (_, k) => ({ iteration: k, r: (k * 7919) % 13 / 13 }));
  const ma = movingAverage(pts, 10);
  for (const p of ma) {
    const win = pts.filter((q) => q.iteration > p.iteration - 10 && q.iteration <= p.iteration);
    const mean = win.reduce((s, q) => s + q.r, 0) / win.length;
    assert.ok(Math.abs(p.average - mean) < 1e-12, `k=${p.iteration}`);
  }
  // Sparse r (a probe every 5 steps): a window holds 2 measurements; NaN is ignored.
  const sparse = [{ iteration: 0, r: 1 }, { iteration: 5, r: 0 }, { iteration: 7, r: NaN }, { iteration: 10, r: 0.5 }];
  assert.deepEqual(movingAverage(sparse, 10).map((p) => p.average), [1, 0.5, 0.25]);
});

test('r figure: selected runs cover every final class per method, line = moving average', async () => {
  const { runs, steps } = synthetic();
  const measured = new Map<string, number>();
  for (const s of steps) if (s.r !== null) measured.set(s.id, (measured.get(s.id) ?? 0) + 1);
  const picked = selectRuns(runs, 3, measured);
  for (const m of METHODS) {
    const classes = new Set(runs.filter((r) => r.group === m).map((r) => r.cls));
    assert.deepEqual(new Set(picked.filter((r) => r.group === m).map((r) => r.cls)), classes, `${m}: one run of each class`);
  }
  const spec = rIterationsSpec(runs, steps, { ids: [runs[0].id] });
  const values = dataOf(spec);
  const raw = steps.filter((s) => s.id === runs[0].id && s.r !== null).map((s) => ({ iteration: s.iteration, r: s.r! }));
  const expected = movingAverage(raw, 10);
  assert.equal(values.length, expected.length);
  values.forEach((v, i) => assert.ok(Math.abs((v.average as number) - expected[i].average) < 1e-12));
  assert.ok(findAll(spec, 'y').some((y) => (y as { datum?: number }).datum === 0.9), '0.9 marked');
  await compilesCleanly(rIterationsSpec(runs, steps), 'r-iterations');
});

// ---- figure 4 ------------------------------------------------------------------------------
test('ECDF: monotone, from 0 to 1, ties counted once; final and maximal r per method with the 0.9 rule', async () => {
  const e = ecdf([0.3, NaN, 0.1, 0.3, 0.95, 0.5], 1);
  assert.deepEqual(e, [{ x: 0.1, p: 0 }, { x: 0.1, p: 0.2 }, { x: 0.3, p: 0.6 }, { x: 0.5, p: 0.8 }, { x: 0.95, p: 1 }, { x: 1, p: 1 }]);
  for (let i = 1; i < e.length; i++) assert.ok(e[i].x >= e[i - 1].x && e[i].p >= e[i - 1].p, 'monotone');
  assert.deepEqual(ecdf([]), []);
  const { runs } = synthetic();
  const spec = rEcdfSpec(runs);
  const values = dataOf(spec);
  for (const m of METHODS) for (const kind of ['final r', 'maximal r']) {
    const pts = values.filter((v) => v.group === m && v.kind === kind);
    assert.ok(pts.length > 0, `${m} ${kind}`);
    for (let i = 1; i < pts.length; i++) assert.ok((pts[i].share as number) >= (pts[i - 1].share as number) && (pts[i].r as number) >= (pts[i - 1].r as number));
    assert.equal(pts[pts.length - 1].share, 1);
  }
  assert.ok(findAll(spec, 'x').some((x) => (x as { datum?: number }).datum === 0.9), '0.9 marked');
  await compilesCleanly(spec, 'ecdf');
});

// ---- figure 5 ------------------------------------------------------------------------------
test('quartic figure: Newton arrows point along −H⁻¹g, both stationary points of ‖g‖², every trajectory', async () => {
  // At (0, 1): g = (9, 13.6), H = diag(−6, 20.8): −H⁻¹g = (1.5, −0.6538…).
  const p = newtonDirection(0, 1)!;
  assert.ok(Math.abs(p[0] - 1.5) < 1e-12 && Math.abs(p[1] + 13.6 / 20.8) < 1e-12);
  assert.equal(newtonDirection(-3, 0), null, 'g = 0 at the critical point');
  assert.deepEqual(STATIONARY_POINTS.map((s) => [s.x, s.y, s.cls]), [[-3, 0, 'critical'], [Math.SQRT2, 0, 'gradient-flat']]);
  const trajectories = [
    { id: 'nm/run-000', group: 'nm', cls: 'critical' as const, points: [[-4, 4], [-3.5, 2], [-3, 0]], replayed: true },
    { id: 'nm/run-001', group: 'nm', cls: 'gradient-flat' as const, points: [[4, 4], [Math.SQRT2, 0]], replayed: false },
  ];
  const spec = quarticSpec(trajectories);
  const ds = spec.datasets as Record<string, Array<Record<string, number>>>;
  assert.equal(new Set(ds.paths.map((r) => r.id)).size, 2);
  assert.ok(ds.heat.length >= 2500);
  // Vega turns symbols clockwise from 'up': angle = atan2(px, py).
  const a = ds.arrows[0];
  const d = newtonDirection(a.x, a.y)!;
  assert.ok(Math.abs(a.angle - (Math.atan2(d[0], d[1]) * 180) / Math.PI) < 1e-9);
  assert.match(JSON.stringify(spec.title), /could not be replayed/);
  await compilesCleanly(spec, 'quartic');
});

// ---- figure 6 ------------------------------------------------------------------------------
test('performance profile: ratios to the best method per start, shares ≤ τ, ∞ when never solved', () => {
  const costs: Cost[] = [
    { problem: 0, method: 'a', cost: 10 }, { problem: 0, method: 'b', cost: 20 }, { problem: 0, method: 'c', cost: Infinity },
    { problem: 1, method: 'a', cost: 30 }, { problem: 1, method: 'b', cost: 10 }, { problem: 1, method: 'c', cost: 40 },
    { problem: 2, method: 'a', cost: Infinity }, { problem: 2, method: 'b', cost: Infinity }, { problem: 2, method: 'c', cost: Infinity },
  ];
  const ratios = performanceRatios(costs);
  const r = (p: number, m: string) => ratios.find((x) => x.problem === p && x.method === m)!.ratio;
  assert.equal(r(0, 'a'), 1);
  assert.equal(r(0, 'b'), 2);
  assert.equal(r(0, 'c'), Infinity);
  assert.equal(r(1, 'a'), 3);
  assert.equal(r(1, 'b'), 1);
  assert.equal(r(1, 'c'), 4);
  assert.equal(r(2, 'a'), Infinity);
  const prof = performanceProfile(ratios, ['a', 'b', 'c'], 8);
  const at = (m: string, tau: number) => {
    const pts = prof.filter((x) => x.method === m && x.tau <= tau);
    return pts[pts.length - 1].share;
  };
  assert.equal(at('a', 1), 1 / 3);
  assert.equal(at('a', 2.9), 1 / 3);
  assert.equal(at('a', 3), 2 / 3);
  assert.equal(at('b', 1), 1 / 3);
  assert.equal(at('b', 2), 2 / 3);
  assert.equal(at('c', 3.9), 0);
  assert.equal(at('c', 8), 1 / 3);
  for (const m of ['a', 'b', 'c']) {
    const pts = prof.filter((x) => x.method === m);
    assert.equal(pts[0].tau, 1);
    assert.equal(pts[pts.length - 1].tau, 8);
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i].tau >= pts[i - 1].tau && pts[i].share >= pts[i - 1].share);
  }
  // A start every method solves at θ₀ (work 0) counts as ratio 1 for all.
  assert.deepEqual(performanceRatios([{ problem: 0, method: 'a', cost: 0 }, { problem: 0, method: 'b', cost: 0 }]).map((x) => x.ratio), [1, 1]);
});

test('work to a target: the work before the first θ_k meeting it; Moré–Wild default per start', () => {
  const { runs, steps } = synthetic();
  const costs = workToTarget(runs, steps, METHODS, thresholdTarget('loss', 6.5));
  assert.equal(costs.length, 3 * METHODS.length);
  for (const c of costs) {
    const first = steps.filter((s) => s.id === runId(c.method, c.problem)).find((s) => s.loss <= 6.5);
    assert.equal(c.cost, first ? first.work : Infinity);
  }
  const mw = moreWildTarget(runs, steps, METHODS);
  const mwCosts = workToTarget(runs, steps, METHODS, mw);
  for (const p of [0, 1, 2]) {
    assert.ok(mwCosts.some((c) => c.problem === p && Number.isFinite(c.cost)), 'the best method always meets the Moré–Wild test');
  }
  // Starts not finished by every method are left out.
  const partial = runs.filter((r) => !(r.group === 'gnm' && r.run === 2));
  assert.deepEqual([...new Set(workToTarget(partial, steps, METHODS, thresholdTarget('loss', 6.5)).map((c) => c.problem))], [0, 1]);
});

test('head-to-head figures: every method and run, log work axis, profile per suite target', async () => {
  const { runs, steps } = synthetic();
  const progress = h2hProgressSpec(runs, steps, { methods: METHODS });
  const values = dataOf(progress);
  assert.deepEqual(new Set(values.map((v) => v.id)), new Set(runs.map((r) => r.id)));
  const colors = findAll(progress, 'color').filter((c) => (c as { field?: string }).field === 'method') as Array<{ scale: { domain: string[] } }>;
  assert.deepEqual(colors[0].scale.domain, METHODS);
  const xs = (findAll(progress, 'x') as Array<{ field: string; scale?: { type: string } }>).filter((x) => x.scale);
  assert.deepEqual(xs.map((x) => x.field).sort(), ['wallS', 'wallS', 'work', 'work']);
  assert.ok(xs.every((x) => x.scale?.type === 'log'));
  assert.equal(values.filter((v) => v.last === true).length, runs.length, 'every run\'s end is marked');
  await compilesCleanly(progress, 'progress');
  const flat = h2hFlatnessSpec(runs, steps, { methods: METHODS });
  assert.ok(dataOf(flat).every((v) => v.r !== null));
  await compilesCleanly(flat, 'flatness');
  const two = profileSpec(runs, steps, METHODS, { loss: 6.5, gradNormSq: 1e-2 });
  assert.deepEqual(new Set(dataOf(two).map((v) => v.target)), new Set(['loss ≤ 6.5', '‖g‖² ≤ 0.01']));
  await compilesCleanly(two, 'profile, two targets');
  const def = profileSpec(runs, steps, METHODS, {});
  assert.match(JSON.stringify(def.title), /Moré & Wild/);
  await compilesCleanly(def, 'profile, default target');
});

test('head-to-head flatness under spectral probes: the share at τ_flat per run with its bracket, a rule at s_flat, thinned with each run\'s extremes kept', async () => {
  const { runs, steps } = synthetic(200);
  // A spectral probe every 5 steps: a share drifting down from flat, a bracket ±0.1 clamped into [0, 1].
  const probed: StepRow[] = steps.map((s) => {
    if (s.iteration % 5 !== 0) return s;
    const share = Math.min(1, Math.max(0, 0.9 - s.iteration / 250 + 0.05 * Math.sin(s.iteration + s.run)));
    const lower = Math.max(0, share - 0.1), upper = Math.min(1, share + 0.1);
    return { ...s, flat: { share, lower, upper, verdict: lower >= 0.6 ? 'flat' : upper < 0.6 ? 'not-flat' : 'undecided' } };
  });
  assert.equal(h2hFlatnessMeasure(probed, METHODS), 'share', 'spectral probes: the certified share');
  assert.equal(h2hFlatnessMeasure(steps, METHODS), 'r', 'no spectral probe: the paper\'s r');
  assert.equal(h2hFlatnessMeasure(steps.map((s) => ({ ...s, r: null })), METHODS), null);
  assert.equal(h2hFlatnessMeasure(probed, ['other']), null, 'only the asked methods count');

  const max = 12;
  const spec = h2hShareSpec(runs, probed, { methods: METHODS, flatTau: 1e-3, flatShare: 0.6, maxPointsPerRun: max });
  const values = dataOf(spec);
  assert.deepEqual(new Set(values.map((v) => v.id)), new Set(runs.map((r) => r.id)), 'every run');
  for (const r of runs) {
    const mine = values.filter((v) => v.id === r.id);
    const all = probed.filter((s) => s.id === r.id && s.flat).map((s) => s.flat!.share!);
    assert.ok(mine.length <= max && mine.length > 2, `${r.id}: ${mine.length} points`);
    assert.equal(Math.max(...mine.map((v) => v.share as number)), Math.max(...all), `${r.id}: its largest share kept`);
    assert.equal(Math.min(...mine.map((v) => v.share as number)), Math.min(...all), `${r.id}: its smallest share kept`);
    assert.ok(mine.every((v) => v.cls === r.cls), 'coloured by the run\'s final class');
  }
  for (const v of values) assert.ok((v.lower as number) <= (v.share as number) && (v.share as number) <= (v.upper as number));
  assert.ok(values.every((v) => v.r === undefined), 'no r in the certified figure');
  const ys = findAll(spec, 'y') as Array<{ field?: string; datum?: number; scale?: { domain?: number[] } }>;
  assert.ok(ys.some((y) => y.datum === 0.6), 'a rule at s_flat');
  assert.ok(ys.some((y) => y.field === 'lower') && (findAll(spec, 'y2') as Array<{ field: string }>).some((y) => y.field === 'upper'), 'the bracket as a band');
  assert.deepEqual(ys.find((y) => y.field === 'share')!.scale!.domain, [0, 1]);
  assert.deepEqual((spec.facet as { sort: string[] }).sort, METHODS, 'one panel per method');
  assert.match(JSON.stringify(spec.title), /τ_flat = 1e-3/);
  await compilesCleanly(spec, 'certified flatness over the steps');
  // A bound that is not finite collapses onto the share.
  const open = probed.map((s) => (s.flat ? { ...s, flat: { ...s.flat, lower: null, upper: null } } : s));
  assert.ok(dataOf(h2hShareSpec(runs, open, { methods: METHODS })).every((v) => v.lower === v.share && v.upper === v.share));
  // The r figure says it is the paper's measure.
  assert.match(JSON.stringify(h2hFlatnessSpec(runs, steps, { methods: METHODS }).title), /paper's/);
});

test('summary table: counts by class and medians per method from the run records', () => {
  const { runs } = synthetic();
  const rows = summaryTableRows({
    path: 'x', name: 'syn', kind: 'run', problem: 'swish-ae', runs, steps: [], truth: null, thresholds: { critical: 1e-8, flatR: 0.9, flatTau: 1e-4, flatShare: 0.5 },
    missing: [], notes: [], summary: null, targets: {}, steppers: {}, expectedRuns: 4, methodGroups: METHODS,
  });
  assert.deepEqual(rows.map((r) => r.group), METHODS);
  for (const r of rows) {
    assert.equal(r.critical + r.flat + r.neither, 3);
    assert.equal(r.done, 3);
    assert.equal(r.expected, 4);
  }
  assert.equal(rows[0].loss, 5.9);
  const html = summaryTableHtml(rows);
  assert.match(html, /<tr class="partial"/, 'a method with missing runs is marked');
  assert.ok(html.includes(CLASS_COLORS['gradient-flat']));
  // An undecided run (certified criterion, bracket straddling) has a column of its own, in its grey.
  const withUndecided = runs.map((r, i) => (i === 0 ? { ...r, cls: 'undecided' as const } : r));
  const u = summaryTableRows({
    path: 'x', name: 'syn', kind: 'run', problem: 'swish-ae', runs: withUndecided, steps: [], truth: null, thresholds: { critical: 1e-8, flatR: 0.9, flatTau: 1e-4, flatShare: 0.5 },
    missing: [], notes: [], summary: null, targets: {}, steppers: {}, expectedRuns: 4, methodGroups: METHODS,
  });
  for (const r of u) assert.equal(r.critical + r.flat + r.neither + r.undecided + r.nonFinite, r.done, `${r.group}: every run in one column`);
  assert.equal(u.reduce((t, r) => t + r.undecided, 0), 1);
  assert.ok(summaryTableHtml(u).includes(`background:${CLASS_COLORS.undecided}"></span>undecided`));
});

test('decade ticks cover the range with at most the asked number of labels', () => {
  assert.deepEqual(decadeTicks([3e-5, 0, 20]), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]);
  assert.deepEqual(decadeTicks([1e-32, 7e4], 8), [1e-30, 1e-25, 1e-20, 1e-15, 1e-10, 1e-5, 1, 1e5]);
  assert.ok(decadeTicks([1e-300, 1e300], 8).length <= 8);
  assert.deepEqual(decadeTicks([0, NaN]), []);
});

// ---- review fixes --------------------------------------------------------------------------
test('the data-mark check: a figure whose data is removed fails it (axes, titles and legends still draw)', async () => {
  const { runs, steps } = synthetic();
  for (const spec of [gradNormSpec(runs, steps), h2hProgressSpec(runs, steps, { methods: METHODS })]) {
    const empty = { ...spec, data: { values: [] } };
    assert.ok((await renderSvg(empty)).svg.includes('<text'), 'the empty figure still has ink');
    await assert.rejects(compilesCleanly(empty, 'emptied'), /drew nothing|no data mark|warnings/);
  }
});

test('Moré–Wild profile: a start from which no method lowers the loss is unsolved by every method, and the subtitle says so', async () => {
  const { runs, steps } = synthetic();
  // Start 1: every method's loss stays at (or above) f₀, so f_L = f₀ and the test would hold at θ₀.
  const flat = steps.map((s) => (s.run === 1 ? { ...s, loss: 7 + (s.iteration % 3) * 0.01 } : s));
  const mw = moreWildTarget(runs, flat, METHODS);
  assert.deepEqual([...(mw.void ?? [])], [1]);
  const costs = workToTarget(runs, flat, METHODS, mw);
  for (const c of costs) {
    if (c.problem === 1) assert.equal(c.cost, Infinity, `${c.method} does not "solve" start 1 at θ₀`);
    else assert.ok(Number.isFinite(c.cost) || c.method !== 'newton-mr');
  }
  assert.ok(costs.filter((c) => c.problem !== 1).every((c) => c.cost > 0), 'no start is solved with no work');
  const spec = profileSpec(runs, flat, METHODS, {});
  assert.match(JSON.stringify(spec.title), /1 of the 3 starts count as unsolved by every method: no method lowered the loss/);
  const at1 = dataOf(spec).filter((v) => v.tau === 1);
  assert.ok(at1.every((v) => (v.share as number) <= 2 / 3), 'no method is credited with start 1');
  await compilesCleanly(spec, 'profile with a void start');
});

test('head-to-head end markers: at the run record\'s work and wall time; a run halted at θ₀ is drawn at the axis edge, not dropped', async () => {
  const { runs, steps } = synthetic();
  // newton-mr run 0 halted after a failed last attempt: the record's work and time exceed the last logged row's.
  const halted = runs.map((r) => (r.id === runId('newton-mr', 0) ? { ...r, work: 75, wallMs: 40 } : r));
  // gnm run 1 halted at θ₀: one logged row (iteration 0), no work, no time.
  const atStart = halted.map((r) => (r.id === runId('gnm', 1) ? { ...r, work: 0, wallMs: 0, steps: 0, stopReason: 'halted' } : r));
  const kept = steps.filter((s) => s.id !== runId('gnm', 1) || s.iteration === 0);
  const spec = h2hProgressSpec(atStart, kept, { methods: METHODS });
  const ends = dataOf(spec).filter((v) => v.last === true);
  assert.equal(ends.length, runs.length, 'one end marker per run');
  const end = (id: string) => ends.find((v) => v.id === id)!;
  assert.equal(end(runId('newton-mr', 0)).work, 75, 'the record\'s work, not the last logged row\'s (60)');
  assert.equal(end(runId('newton-mr', 0)).wallS, 0.04);
  const z = end(runId('gnm', 1));
  assert.ok((z.work as number) > 0 && (z.wallS as number) > 0, 'clamped onto the log axes');
  assert.equal(z.workValue, 0);
  assert.equal(z.wallValue, 0);
  assert.match(JSON.stringify(spec.title), /1 run\(s\) ended with no work \(halted at θ₀\): dot at the left edge.*1 run\(s\) ended with no wall time/);
  // Vega draws every marker in every panel (its filters drop none).
  const marks = await specDataMarkItems(spec);
  const dots = Object.entries(marks).filter(([name]) => /layer_1_marks$/.test(name));
  assert.equal(dots.length, 4);
  for (const [name, n] of dots) assert.equal(n, runs.length, name);
  await compilesCleanly(spec, 'progress with halted runs');
});

test('quartic figure: each trajectory thinned to the per-run budget (first and last kept); the window grows with either coordinate', async () => {
  // A GD-like run of 2000 iterates creeping to (−3, 0).
  const long = Array.from({ length: 2000 }, (_, k) => [-3 - 1.5 * Math.exp(-k / 50) * Math.cos(k / 10), 2 * Math.exp(-k / 80)]);
  const kept = thinTrajectory(long, 100);
  assert.ok(kept.length <= 100 && kept.length > 50, `${kept.length} points`);
  assert.deepEqual([kept[0].k, kept[kept.length - 1].k], [0, 1999]);
  assert.deepEqual(thinTrajectory(long.slice(0, 30), 100).map((p) => p.k), Array.from({ length: 30 }, (_, k) => k), 'short runs untouched');
  const trajectories = [
    { id: 'gd/run-000', group: 'gd', cls: 'critical' as const, points: long, replayed: true },
    { id: 'gd/run-001', group: 'gd', cls: 'critical' as const, points: long.slice(0, 20), replayed: true },
  ];
  const spec = quarticSpec(trajectories, { maxPointsPerRun: 100 });
  const paths = (spec.datasets as Record<string, Array<Record<string, unknown>>>).paths;
  const of = (id: string) => paths.filter((p) => p.id === id);
  assert.ok(of('gd/run-000').length <= 100);
  assert.deepEqual([of('gd/run-000')[0].k, of('gd/run-000').at(-1)!.k], [0, 1999]);
  assert.equal(of('gd/run-001').length, 20);
  assert.equal(paths.filter((p) => p.start === true).length, 2, 'one start marker per run');
  assert.ok(quarticSpec(trajectories).datasets && (quarticSpec(trajectories).datasets as { paths: unknown[] }).paths.length <= 1020, 'default budget 1000 per run');
  assert.match(JSON.stringify(spec.title), /1 long trajectories thinned to ≤ 100 iterates/);
  // Window: ±4.5 at least, grown when either |x| or |y| is large, capped at ±6.
  const win = (pts: number[][]) => quarticWindow([{ id: 'a', group: 'a', cls: 'neither', points: pts, replayed: true }]);
  assert.deepEqual(win([[1, 1]]), [-4.5, 4.5]);
  assert.ok(Math.abs(win([[5.5, 0]])[1] - 5.775) < 1e-12, 'x alone grows it');
  assert.ok(Math.abs(win([[0, -5]])[1] - 5.25) < 1e-12, 'y alone grows it');
  assert.deepEqual(win([[40, 1]]), [-6, 6]);
  await compilesCleanly(spec, 'quartic, thinned');
});

test('method colours: no blue, orange or black (the classes\' colours), seven distinct', () => {
  const hsl = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min, l = (max + min) / 2;
    const sat = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
    const hue = d === 0 ? 0 : max === r ? (60 * ((g - b) / d) + 360) % 360 : max === g ? 60 * ((b - r) / d) + 120 : 60 * ((r - g) / d) + 240;
    return { hue, sat, l };
  };
  const hueGap = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
  const blue = hsl(CLASS_COLORS.critical).hue, orange = hsl(CLASS_COLORS['gradient-flat']).hue;
  assert.equal(new Set(METHOD_COLORS).size, METHOD_COLORS.length);
  assert.ok(METHOD_COLORS.length >= 7);
  for (const c of METHOD_COLORS) {
    const { hue, sat, l } = hsl(c);
    assert.ok(l > 0.2, `${c} is not near black`);
    if (sat < 0.15) continue; // a grey
    assert.ok(hueGap(hue, blue) > 40, `${c} (hue ${hue.toFixed(0)}) is not blue`);
    assert.ok(hueGap(hue, orange) > 25, `${c} (hue ${hue.toFixed(0)}) is not orange or brown`);
  }
  const { runs, steps } = synthetic();
  for (const spec of [h2hProgressSpec(runs, steps, { methods: METHODS }), profileSpec(runs, steps, METHODS, { loss: 6.5 })]) {
    const scales = findAll(spec, 'color').filter((c) => (c as { field?: string }).field === 'method').map((c) => (c as { scale: { range?: string[]; scheme?: string } }).scale);
    assert.ok(scales.length > 0 && scales.every((sc) => sc.scheme === undefined && JSON.stringify(sc.range) === JSON.stringify(METHOD_COLORS)));
  }
});
