import test from 'node:test';
import assert from 'node:assert/strict';
import { SPECTRAL_TAUS } from '../analysis/spectral-flatness.js';
import { spectralFlatnessSpec } from './fig-spectral-flatness.js';
import { compileSpec, renderSvg } from './render-svg.js';
import { CLASS_COLORS, CLASSES, runId, type PointClass, type RunRow } from '../io/run-rows.js';

function run(group: string, i: number, cls: PointClass, shares?: number[]): RunRow {
  return {
    dir: 'syn', group, method: group, stepper: group, phase: 'method', run: i, id: runId(group, i), problem: 'linear-ae', cls,
    loss: 1, gradNormSq: 1e-3, r: 0.5, maxR: 0.6, index: 0.1, steps: 10, work: 10, wallMs: 1, stopReason: 'max-iterations', startLoss: 2, startGradNormSq: 1,
    ...(shares && { spectral: { taus: [...SPECTRAL_TAUS], shares } }),
  };
}
const ramp = (k0: number) => SPECTRAL_TAUS.map((_, k) => (k >= k0 ? 1 : k / k0));

test('spectral flatness figure: one line per run with shares, log τ axis, share in [0, 1], coloured by class, faceted by method', async () => {
  const runs = [
    run('newton-mr', 0, 'gradient-flat', ramp(1)), run('newton-mr', 1, 'critical', ramp(8)), run('newton-mr', 2, 'neither'),
    run('gd', 0, 'neither', ramp(10)),
  ];
  const spec = spectralFlatnessSpec(runs);
  const values = (spec.data as { values: Array<Record<string, unknown>> }).values;
  assert.equal(values.length, 3 * SPECTRAL_TAUS.length, 'runs without shares are left out');
  assert.deepEqual([...new Set(values.map((v) => v.id))].sort(), ['gd/run-000', 'newton-mr/run-000', 'newton-mr/run-001'].sort());
  for (const v of values) assert.ok((v.share as number) >= 0 && (v.share as number) <= 1 && (v.tau as number) > 0);
  const inner = (spec.spec ?? spec) as { encoding: Record<string, { scale?: Record<string, unknown> }> };
  assert.equal(inner.encoding.x.scale!.type, 'log');
  assert.deepEqual(inner.encoding.color.scale!.range, CLASSES.map((c) => CLASS_COLORS[c]));
  assert.deepEqual((spec.facet as { sort: string[] }).sort, ['newton-mr', 'gd']);
  assert.deepEqual(compileSpec(spec).warnings, []);
  assert.match((await renderSvg(spec)).svg, /<svg/);
});
