import test from 'node:test';
import assert from 'node:assert/strict';
import type { PointClass } from '../analysis/flatness.js';
import type { RunRecord } from '../run/run-one.js';
import { flatSearchText, selectFlatStarts } from './flat-starts.js';

/** A finder record: its final point's certified class, paper's r and ‖g‖²; a max-r iterate that the old rule would have taken. */
const rec = (run: number, cls: PointClass, gradNormSq = 1e-3, r = 0.99): RunRecord => ({
  run, steps: 10, theta: [run, 0],
  final: { class: cls, classPaper: r > 0.9 ? 'gradient-flat' : 'neither', gradNormSq, r_solverA: r, loss: run },
  observed: { maxR: { step: 3, r: 0.999, loss: 1, gradNormSq: 1, theta: [9, 9] } },
} as unknown as RunRecord);

test('flat starts: only certified gradient-flat final points, never padded; the tally says why the others were not used', () => {
  const records = [rec(0, 'neither'), rec(1, 'gradient-flat', 1e-3, 0.3), rec(2, 'undecided'), rec(3, 'critical', 1e-12), rec(4, 'gradient-flat', 1e-9), rec(5, 'gradient-flat')];
  const { starts, search } = selectFlatStarts(records, 1e-8, 4);
  // Run 1 is certified flat although its paper's r is 0.3; runs 0 and 2 have r = 0.99 and a max-r iterate but are not certified.
  assert.deepEqual(starts.map((s) => s.finderRun), [1, 5]);
  assert.ok(starts.every((s) => s.source === 'final'));
  assert.deepEqual(search, {
    asked: 4, found: 2, finderRuns: 6, belowMinGradNormSq: 1,
    byClass: { critical: 1, 'gradient-flat': 3, neither: 1, undecided: 1, 'non-finite': 0 },
  });
  assert.match(flatSearchText(search), /^2 of 4 asked .* from 6 finder runs/);
  // max caps the starts but not the tally.
  const one = selectFlatStarts(records, 1e-8, 1);
  assert.deepEqual(one.starts.map((s) => s.finderRun), [1]);
  assert.equal(one.search.byClass['gradient-flat'], 3);
});
