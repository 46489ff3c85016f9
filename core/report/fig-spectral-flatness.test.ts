import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FLATNESS_CRITERION, SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';
import { spectralFlatnessSpec } from './fig-spectral-flatness.js';
import { compileSpec, renderSvg } from './render-svg.js';
import { specDataMarkItems } from './scenegraph.js';
import { CLASS_COLORS, CLASSES } from '../io/run-rows.js';
import { bracketed, dense, flatRun } from './flatness-fixtures.js';
import type { VlSpec } from './spec-common.js';

const rule = { flatTau: DEFAULT_FLATNESS_CRITERION.tau, flatShare: DEFAULT_FLATNESS_CRITERION.share };

const dataOf = (spec: VlSpec) => (spec.data as { values: Array<Record<string, number | string | null>> }).values;
const layersOf = (spec: VlSpec) => ((spec.spec ?? spec) as { layer: Array<Record<string, any>> }).layer;

test('spectral flatness figure: every run with shares present, its band contains its line, log τ, certified colours, the criterion as rules', async () => {
  const runs = [
    flatRun('newton-mr', 0, 'gradient-flat', bracketed(3, 0.1)), flatRun('newton-mr', 1, 'critical', dense(8)), flatRun('newton-mr', 2, 'neither'),
    flatRun('gd', 0, 'undecided', bracketed(6, 0.3), { clsPaper: 'gradient-flat' }), flatRun('gd', 1, 'neither', dense(10)),
  ];
  const spec = spectralFlatnessSpec(runs, rule);
  const values = dataOf(spec);
  const drawn = runs.filter((r) => r.spectral);
  assert.deepEqual(new Set(values.map((v) => v.id)), new Set(drawn.map((r) => r.id)), 'every run with shares, none without');
  for (const r of drawn) assert.equal(values.filter((v) => v.id === r.id).length, SPECTRAL_TAUS.length, `${r.id}: one point per τ`);
  for (const v of values) {
    const [lo, s, hi] = [v.lower as number, v.share as number, v.upper as number];
    assert.ok(lo >= 0 && lo <= s && s <= hi && hi <= 1, `${v.id} at τ = ${v.tau}: ${lo} ≤ ${s} ≤ ${hi} in [0, 1]`);
    assert.equal(v.cls, runs.find((r) => r.id === v.id)!.clsCertified, 'coloured by the certified class');
  }
  // Dense rows: the band is the line; Lanczos rows: a band of positive width somewhere.
  assert.ok(values.filter((v) => v.method === 'dense').every((v) => v.lower === v.share && v.upper === v.share));
  assert.ok(values.some((v) => v.method === 'lanczos' && (v.upper as number) > (v.lower as number)));
  assert.equal(values.find((v) => v.id === 'gd/run-000')!.clsPaper, 'gradient-flat', "the paper's class rides along in the tooltip");

  const [band, line, hRule, vRule] = layersOf(spec);
  assert.equal(band.mark.type, 'area');
  assert.deepEqual([band.encoding.y.field, band.encoding.y2.field], ['lower', 'upper']);
  assert.equal(line.encoding.y.field, 'share');
  for (const l of [band, line]) {
    assert.equal(l.encoding.x.scale.type, 'log');
    assert.deepEqual(l.encoding.color.scale.domain, [...CLASSES]);
    assert.deepEqual(l.encoding.color.scale.range, CLASSES.map((c) => CLASS_COLORS[c]));
    assert.equal(l.encoding.detail.field, 'id', 'one band and one line per run');
  }
  assert.ok(CLASSES.includes('undecided') && CLASS_COLORS.undecided !== CLASS_COLORS.neither);
  assert.equal(hRule.mark.type, 'rule');
  assert.equal(hRule.encoding.y.datum, rule.flatShare);
  assert.equal(vRule.encoding.x.datum, rule.flatTau);
  assert.deepEqual((spec.facet as { sort: string[] }).sort, ['newton-mr', 'gd']);

  assert.deepEqual(compileSpec(spec).warnings, []);
  assert.match((await renderSvg(spec)).svg, /<svg/);
  const marks = await specDataMarkItems(spec);
  assert.equal(Object.keys(marks).length, 5, `band, line and its points, two rules: ${JSON.stringify(marks)}`);
  for (const [name, items] of Object.entries(marks)) assert.ok(items > 0, `${name} drew nothing`);
  // One rule of each kind per panel, not one per data row.
  const rules = Object.entries(marks).filter(([n]) => /layer_[23]/.test(n)).map(([, k]) => k);
  assert.deepEqual(rules, [2, 2], JSON.stringify(marks));
});

test('spectral flatness of flat starts: the finder\'s final points, whether each gave a start, a single panel', async () => {
  const runs = [0, 1, 2].map((i) => flatRun('finder (newton-mr)', i, i === 2 ? 'neither' : 'gradient-flat', bracketed(2 + i, 0.05), {
    phase: 'finder', ...(i === 0 && { flatStart: 'final' }), ...(i === 2 && { flatStart: 'max-r' }),
  }));
  const spec = spectralFlatnessSpec(runs, { flatTau: 1e-6, flatShare: 0.9 }, { points: 'flat-starts' });
  const values = dataOf(spec);
  assert.equal(new Set(values.map((v) => v.id)).size, 3);
  const startOf = (id: string) => values.find((v) => v.id === id)!.start;
  assert.equal(startOf('finder (newton-mr)/run-000'), 'yes, this point');
  assert.equal(startOf('finder (newton-mr)/run-001'), 'no');
  assert.match(String(startOf('finder (newton-mr)/run-002')), /maximal-r iterate/);
  assert.equal(spec.facet, undefined, 'one group: one panel');
  assert.match(JSON.stringify(spec.title), /flat-start finder/);
  assert.match(JSON.stringify(spec.title), /2 of these finder runs gave a method its start/);
  assert.equal(layersOf(spec)[2].encoding.y.datum, 0.9);
  assert.equal(layersOf(spec)[3].encoding.x.datum, 1e-6);
  assert.deepEqual(compileSpec(spec).warnings, []);
  for (const [name, items] of Object.entries(await specDataMarkItems(spec))) assert.ok(items > 0, `${name} drew nothing`);
});
