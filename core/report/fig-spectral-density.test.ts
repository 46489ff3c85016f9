import test from 'node:test';
import assert from 'node:assert/strict';
import { estimatedCurvature, estimateIndex } from '../analysis/index-estimate.js';
import { matrixWithSpectrum } from '../testing/synthetic-spectrum.js';
import { lossIndexSpec } from './fig-loss-index.js';
import { densityCurve, densityRuns, spectralDensitySpec } from './fig-spectral-density.js';
import { compileSpec, renderSvg } from './render-svg.js';
import { runId, type RunRow } from '../io/run-rows.js';
import { specDataMarkItems } from './scenegraph.js';
import type { VlSpec } from './spec-common.js';

/** A final record's estimate of a known spectrum, as read-run-dir turns it into a row. */
function estimatedRow(group: string, run: number, gradNormSq: number): RunRow {
  const lam = Array.from({ length: 150 }, (_, i) => (i < 20 ? -1 - i / 10 : i < 40 ? 0 : 0.5 + i / 30));
  const { op, n } = matrixWithSpectrum(lam, 3 + run);
  const c = estimatedCurvature(estimateIndex(op, n, 1e-5, { seed: run + 1, lanczosSteps: 30, slqSteps: 20 }));
  return {
    dir: 'syn', group, method: group, stepper: group, phase: 'method', run, id: runId(group, run), problem: 'syn', cls: 'critical', clsPaper: 'critical',
    loss: 1, gradNormSq, r: 0.1, maxR: 0.2, index: c.index, steps: 3, work: 10, wallMs: 1, stopReason: 'max-iterations', startLoss: 2, startGradNormSq: 1,
    indexMethod: c.indexMethod, indexInterval: c.indexInterval,
    density: {
      n, cutoff: 1e-5, probes: c.indexEstimate.probes, locked: c.indexEstimate.locked,
      negativeCount: c.negativeEigenvalues, countInterval: c.negativeEigenvaluesInterval, confidence: c.indexEstimate.confidence,
    },
  };
}

async function compilesCleanly(spec: VlSpec, what: string): Promise<void> {
  assert.deepEqual(compileSpec(spec).warnings, [], `${what}: Vega-Lite warnings`);
  assert.match((await renderSvg(spec)).svg, /<svg[^>]+width="\d+"/);
  const marks = await specDataMarkItems(spec);
  for (const [name, items] of Object.entries(marks)) assert.ok(items > 0, `${what}: data mark ${name} drew nothing`);
}

test('spectral-density figure: the lowest-‖g‖² estimated run per method, density ≈ eigenvalue counts, cutoff and index in the subtitle', async () => {
  const rows = [estimatedRow('newton-mr', 0, 1e-3), estimatedRow('newton-mr', 1, 1e-9), estimatedRow('gnm', 2, 1e-4)];
  const shown = densityRuns(rows);
  assert.deepEqual(shown.map((r) => r.id), [rows[1].id, rows[2].id]);
  // The smoothed density integrates to ≈ 1 (fraction of eigenvalues) over the plotted window.
  const curve = densityCurve(rows[1], 2000);
  const dx = curve[1].lambda - curve[0].lambda;
  const total = curve.reduce((a, c) => a + c.density, 0) * dx;
  assert.ok(Math.abs(total - 1) < 0.05, `∫ density ${total}`);
  // ≈ 20/150 of the mass below the cutoff.
  const below = curve.filter((c) => c.lambda < -0.5).reduce((a, c) => a + c.density, 0) * dx;
  assert.ok(Math.abs(below - 20 / 150) < 0.05, `mass below −0.5: ${below}`);
  const spec = spectralDensitySpec(rows);
  const subtitle = (spec.title as { subtitle: string[] }).subtitle.join('\n');
  const d = rows[1].density!;
  assert.ok(subtitle.includes(`${d.negativeCount} of 150 eigenvalues < −0.00001`), subtitle);
  assert.ok(subtitle.includes(`95% interval [${d.countInterval[0]}, ${d.countInterval[1]}]`));
  const values = (spec.data as { values: Array<Record<string, unknown>> }).values;
  assert.deepEqual(values.filter((v) => v.kind === 'cutoff').map((v) => v.lambda), [-1e-5, -1e-5]);
  await compilesCleanly(spec, 'spectral density');
});

test('loss–index figure: estimated indices carry their interval as a bar', async () => {
  const rows = [estimatedRow('newton-mr', 0, 1e-3), { ...estimatedRow('gnm', 1, 1e-4), indexInterval: undefined, indexMethod: 'dense', density: undefined }];
  const spec = lossIndexSpec(rows);
  const found = (spec.data as { values: Array<Record<string, unknown>> }).values.filter((v) => v.kind === 'found');
  assert.deepEqual(found.map((v) => v.indexLo), [rows[0].indexInterval![0], undefined]);
  assert.ok(JSON.stringify(spec).includes('"x2":{"field":"indexHi"}'));
  await compilesCleanly(spec, 'loss-index with intervals');
});
