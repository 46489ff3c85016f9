import test from 'node:test';
import assert from 'node:assert/strict';
import { agreementCells, classAgreementSpec } from './fig-class-agreement.js';
import { compileSpec, renderSvg } from './render-svg.js';
import { specDataMarkItems } from './scenegraph.js';
import { CLASSES, PAPER_CLASSES, type PointClass, type RunRow } from '../io/run-rows.js';
import { flatRun } from './flatness-fixtures.js';

const thresholds = { flatR: 0.9, flatTau: 1e-4, flatShare: 0.5 };
const pair = (group: string, i: number, paper: PointClass, certified: PointClass | undefined): RunRow =>
  ({ ...flatRun(group, i, certified ?? paper), clsPaper: paper, clsCertified: certified });

test('class agreement: counts per (paper, certified) cell sum to the runs with both classes, zeros kept, diagonal = agreement', async () => {
  const runs = [
    pair('newton-mr', 0, 'gradient-flat', 'gradient-flat'), pair('newton-mr', 1, 'gradient-flat', 'neither'), pair('newton-mr', 2, 'neither', 'gradient-flat'),
    pair('newton-mr', 3, 'critical', 'critical'), pair('newton-mr', 4, 'gradient-flat', 'undecided'),
    pair('gd', 0, 'neither', 'neither'), pair('gd', 1, 'non-finite', 'non-finite'), pair('gd', 2, 'neither', undefined),
  ];
  const cells = agreementCells(runs);
  const known = runs.filter((r) => r.clsCertified !== undefined);
  assert.equal(cells.reduce((s, c) => s + c.count, 0), known.length, 'every run with a certified class counted once');
  for (const g of ['newton-mr', 'gd']) {
    const mine = cells.filter((c) => c.group === g);
    assert.equal(mine.length, PAPER_CLASSES.length * CLASSES.length, `${g}: the full table, zeros included`);
    assert.equal(mine.reduce((s, c) => s + c.count, 0), known.filter((r) => r.group === g).length);
    for (const r of known.filter((x) => x.group === g)) {
      const cell = mine.find((c) => c.paper === r.clsPaper && c.certified === r.clsCertified)!;
      assert.ok(cell.count >= 1);
      assert.equal(cell.agree, r.clsPaper === r.clsCertified);
    }
  }
  assert.ok(!cells.some((c) => c.paper === 'undecided'), 'the paper\'s criterion has no undecided');
  assert.equal(cells.find((c) => c.group === 'newton-mr')!.panel, 'newton-mr: 2/5 agree');
  assert.equal(cells.find((c) => c.group === 'gd')!.panel, 'gd: 2/2 agree');

  const spec = classAgreementSpec(runs, thresholds);
  assert.match(JSON.stringify(spec.title), /4 of 7 runs agree/);
  assert.match(JSON.stringify(spec.title), /1 run\(s\) without a certified class/);
  assert.deepEqual((spec.facet as { sort: string[] }).sort, ['newton-mr: 2/5 agree', 'gd: 2/2 agree']);
  const inner = spec.spec as { encoding: Record<string, { sort: string[] }> };
  assert.deepEqual(inner.encoding.x.sort, [...CLASSES]);
  assert.deepEqual(inner.encoding.y.sort, [...PAPER_CLASSES]);
  assert.deepEqual(compileSpec(spec).warnings, []);
  assert.match((await renderSvg(spec)).svg, /<svg/);
  const marks = await specDataMarkItems(spec);
  assert.deepEqual(Object.values(marks), [2 * PAPER_CLASSES.length * CLASSES.length, 2 * PAPER_CLASSES.length * CLASSES.length], `a cell and its count each: ${JSON.stringify(marks)}`);
});

test('class agreement of one method: a single table', async () => {
  const spec = classAgreementSpec([pair('adam', 0, 'neither', 'neither')], thresholds);
  assert.equal(spec.facet, undefined);
  assert.match(JSON.stringify(spec.title), /1 of 1 runs agree/);
  assert.doesNotMatch(JSON.stringify(spec.title), /without a certified class/);
  assert.deepEqual(compileSpec(spec).warnings, []);
});
