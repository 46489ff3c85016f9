/**
 * Figure 1 ([GF] Figs. 1A/C, 3A, 4A, 5A): ‖g‖² per iteration on a log scale, one line per
 * run, coloured by the class of the run's final point; each run's last point is marked and
 * carries the final record in its tooltip.
 */
import { downsampleByRun, pointsPerRun } from './downsample.js';
import { finiteOrNull, groupsOf, type RunRow, type StepRow } from '../io/run-rows.js';
import { classColor, dimUnless, facetByGroup, figure, fmt, legendParam, logAxis, type VlSpec } from './spec-common.js';

export interface GradNormOptions {
  maxPointsPerRun?: number;
}

/**
 * ‖g‖² = 0 exactly (the quartic's Newton-MR reaches it) cannot sit on a log axis, and values
 * far below float64 round-off (1e-89 on the quartic) would squeeze everything else: values
 * under this floor are drawn at it. 1e-32 is below the ≈1e-30 where Newton steps stop changing
 * θ in float64 (docs/conventions.md), unless the data live lower still.
 */
export function logFloor(values: Iterable<number>): number {
  let max = 0;
  for (const v of values) if (v > max && Number.isFinite(v)) max = v;
  return max > 0 && max < 1e-28 ? max * 1e-4 : 1e-32;
}

export function gradNormSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: GradNormOptions = {}): VlSpec {
  const groups = groupsOf(runs);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const drawn = steps.filter((s) => byId.has(s.id) && Number.isFinite(s.gradNormSq));
  const floor = logFloor(drawn.map((s) => s.gradNormSq));
  const zeros = new Set(drawn.filter((s) => s.gradNormSq < floor).map((s) => s.id)).size;
  const max = opts.maxPointsPerRun ?? pointsPerRun(runs.length);
  const sampled = downsampleByRun(drawn, max, (s) => Math.log10(Math.max(s.gradNormSq, floor)));
  const lastOf = new Map<string, StepRow>();
  for (const s of drawn) if ((lastOf.get(s.id)?.iteration ?? -1) < s.iteration) lastOf.set(s.id, s);
  const values = sampled.map((s) => ({ id: s.id, group: s.group, cls: s.cls, iteration: s.iteration, gradNormSq: Math.max(s.gradNormSq, floor) }));
  // One row per run marks where it ended, with the final record for the tooltip.
  for (const r of runs) {
    const last = lastOf.get(r.id);
    const g = Number.isFinite(r.gradNormSq) ? r.gradNormSq : last?.gradNormSq;
    if (g === undefined || !Number.isFinite(g)) continue;
    values.push({
      id: r.id, group: r.group, cls: r.cls, iteration: last?.iteration ?? r.steps, gradNormSq: Math.max(g, floor),
      ...{ final: true, loss: finiteOrNull(r.loss), finalGradNormSq: finiteOrNull(r.gradNormSq), r: finiteOrNull(r.r), steps: r.steps, stopReason: r.stopReason },
    } as typeof values[number]);
  }
  const subtitle = [
    `${runs.length} runs${groups.length > 1 ? ` in ${groups.length} groups` : ''}; colour: class of the final point (critical: ‖g‖² small; gradient-flat: r > 0.9; else neither).`,
    ...(zeros > 0 ? [`‖g‖² below ${floor.toExponential(0)}, 0 included (${zeros} run${zeros > 1 ? 's' : ''}), is drawn at ${floor.toExponential(0)}; the tooltip of the final dot has the value.`] : []),
    ...(sampled.length < drawn.length ? [`Long runs thinned to ≤ ${max} points each (min/max per bucket); every run is drawn.`] : []),
  ];
  const inner: VlSpec = {
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1.1, clip: true },
        transform: [{ filter: 'datum.final !== true' }],
        params: [legendParam('pick_class', 'cls')],
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'iteration k' },
          y: { field: 'gradNormSq', type: 'quantitative', title: '‖g‖²', scale: { type: 'log' }, axis: logAxis(values.map((v) => v.gradNormSq), '‖g‖²') },
          color: classColor(),
          detail: { field: 'id' },
          opacity: dimUnless('pick_class', 0.75, 0.05),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'cls', title: 'class' }],
        },
      },
      {
        mark: { type: 'point', filled: true, size: 22, clip: true },
        transform: [{ filter: 'datum.final === true' }],
        encoding: {
          x: { field: 'iteration', type: 'quantitative' },
          y: { field: 'gradNormSq', type: 'quantitative' },
          color: classColor(),
          opacity: dimUnless('pick_class', 0.9, 0.05),
          tooltip: [
            { field: 'id', title: 'run' }, { field: 'cls', title: 'class' }, { field: 'loss', title: 'loss', format: fmt(6) },
            { field: 'finalGradNormSq', title: '‖g‖²', format: fmt(3) }, { field: 'r', title: 'r', format: fmt(3) },
            { field: 'steps', title: 'steps' }, { field: 'stopReason', title: 'stopped' },
          ],
        },
      },
    ],
  };
  return figure('‖g‖² per iteration', subtitle, { data: { values }, ...facetByGroup(groups, inner, { width: 260, height: 180, independentX: true }) });
}
