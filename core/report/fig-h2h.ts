/**
 * Figure 6, head-to-head panels of a suite (every method from the same starts):
 *  - loss and ‖g‖² against the method's own oracle work (HVP-equivalents) and wall time;
 *  - flatness: r of the method's Newton solves or of the suite's probes over the steps.
 * The performance profile is in fig-profile.ts.
 */
import { downsampleByRun, pointsPerRun } from './downsample.js';
import { logFloor } from './fig-gradnorm.js';
import { finiteOrNull, groupsOf, type RunRow, type StepRow } from './rows.js';
import { classColor, decadeTicks, dimUnless, facetByGroup, figure, fmt, legendParam, logAxis, METHOD_SCHEME, type VlSpec } from './spec-common.js';

export interface H2hOptions {
  maxPointsPerRun?: number;
  /** Method order (the suite's); default: as the rows come. */
  methods?: readonly string[];
}

const methodColor = (methods: readonly string[]) => ({ field: 'method', type: 'nominal', title: 'method', scale: { domain: [...methods], scheme: METHOD_SCHEME }, legend: { orient: 'top', columns: 6 } });

/** Loss and ‖g‖² against work and against wall time: four panels, one line per run, coloured by method. */
export function h2hProgressSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: H2hOptions = {}): VlSpec {
  const methods = opts.methods ?? groupsOf(runs);
  const ids = new Set(runs.filter((r) => methods.includes(r.group)).map((r) => r.id));
  const rows = steps.filter((s) => ids.has(s.id));
  const floor = logFloor(rows.map((s) => s.gradNormSq));
  const max = opts.maxPointsPerRun ?? pointsPerRun(ids.size, 40_000);
  // Keep each run's extremes of both drawn quantities.
  const keep = new Set([...downsampleByRun(rows, Math.ceil(max / 2), (s) => Math.log10(Math.max(s.gradNormSq, floor))), ...downsampleByRun(rows, Math.ceil(max / 2), (s) => s.loss)]);
  const hasWall = rows.some((s) => s.wallMs !== null);
  const lastOf = new Map<string, StepRow>();
  for (const s of rows) if ((lastOf.get(s.id)?.iteration ?? -1) < s.iteration) lastOf.set(s.id, s);
  const finalR = new Map(runs.map((r) => [r.id, r.r]));
  const values = rows.filter((s) => keep.has(s) || lastOf.get(s.id) === s).map((s) => ({
    id: s.id, method: s.group, cls: s.cls, iteration: s.iteration, work: s.work, wallS: s.wallMs === null ? null : s.wallMs / 1000,
    loss: s.loss, gradNormSq: Math.max(s.gradNormSq, floor),
    // The run's last point carries its values for the tooltip of the end marker.
    ...(lastOf.get(s.id) === s && { last: true, gradNormSqValue: s.gradNormSq, r: finiteOrNull(finalR.get(s.id)) }),
  }));
  // A line's tooltip shows its first point (vega picks the whole path), so only what holds for the whole run.
  const tooltip = [{ field: 'method' }, { field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }];
  const xs = [{ field: 'work', title: 'oracle work (HVP-equivalents)' }, ...(hasWall ? [{ field: 'wallS', title: 'method wall time (s)' }] : [])];
  const ys = [{ field: 'loss', title: 'loss', scale: { zero: false } }, { field: 'gradNormSq', title: '‖g‖²', scale: { type: 'log' }, axis: logAxis(values.map((v) => v.gradNormSq), '‖g‖²') }];
  const xTicks = (field: 'work' | 'wallS') => ({ values: decadeTicks(values.map((v) => v[field] ?? NaN), 6), format: field === 'work' ? '~s' : '~g', grid: true });
  const panels: VlSpec[] = [];
  for (const y of ys) for (const x of xs) {
    const first = panels.length === 0;
    const xEnc = { field: x.field, type: 'quantitative', title: x.title, scale: { type: 'log' }, axis: xTicks(x.field as 'work' | 'wallS') };
    panels.push({
      width: 300, height: 200,
      // Log axes: θ₀ (work 0, time 0) is left out; every method starts from the same point there.
      transform: [{ filter: `datum.${x.field} > 0` }],
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.1, clip: true },
          ...(first && { params: [legendParam('pick_method', 'method')] }),
          encoding: {
            x: xEnc, y: { type: 'quantitative', ...y },
            color: methodColor(methods), detail: { field: 'id' }, order: { field: 'iteration' },
            opacity: dimUnless('pick_method', 0.7, 0.04), tooltip,
          },
        },
        {
          mark: { type: 'point', filled: true, size: 16, clip: true },
          transform: [{ filter: 'datum.last === true' }],
          encoding: {
            x: { field: x.field, type: 'quantitative' }, y: { field: y.field, type: 'quantitative' },
            color: methodColor(methods), opacity: dimUnless('pick_method', 0.9, 0.04),
            tooltip: [
              ...tooltip, { field: 'iteration', title: 'steps' }, { field: 'work', title: 'work (HVP-eq)', format: fmt(4) },
              { field: 'wallS', title: 'wall s', format: fmt(3) }, { field: 'loss', title: 'final loss', format: fmt(6) },
              { field: 'gradNormSqValue', title: 'final ‖g‖²', format: fmt(3) }, { field: 'r', title: 'final r', format: fmt(3) },
            ],
          },
        },
      ],
    });
  }
  const starts = new Set(runs.filter((r) => ids.has(r.id)).map((r) => r.run)).size;
  return figure('Head-to-head: loss and ‖g‖² against work and wall time', [
    `${methods.length} methods from the same ${starts} starts; one line per run, from the first step on (log axes); a dot where each run ended.`,
    'Work: the method\'s oracle calls in HVP-equivalents (gradient, HVP, Gauss-Newton product 1; loss 0.5; K-FAC statistics 2);',
    'probes are excluded from work and wall time. Click a method in the legend to pick it (shift-click adds).',
  ], { data: { values }, concat: panels, columns: xs.length });
}

/** r over the steps, one panel per method, one line per run coloured by its final class. */
export function h2hFlatnessSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: H2hOptions & { flatR?: number } = {}): VlSpec {
  const methods = opts.methods ?? groupsOf(runs);
  const flatR = opts.flatR ?? 0.9;
  const ids = new Set(runs.filter((r) => methods.includes(r.group)).map((r) => r.id));
  const rows = steps.filter((s) => ids.has(s.id) && s.r !== null);
  const max = opts.maxPointsPerRun ?? pointsPerRun(ids.size, 30_000);
  const values = downsampleByRun(rows, max, (s) => s.r!).map((s) => ({ id: s.id, method: s.group, cls: s.cls, iteration: s.iteration, r: s.r }));
  const present = methods.filter((m) => values.some((v) => v.method === m));
  const inner: VlSpec = {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { y: { datum: flatR } } },
      {
        mark: { type: 'line', strokeWidth: 1 },
        params: [legendParam('pick_class', 'cls')],
        encoding: {
          x: { field: 'iteration', type: 'quantitative', title: 'iteration k' },
          y: { field: 'r', type: 'quantitative', title: 'r', scale: { domain: [0, 1], clamp: true } },
          color: classColor(), detail: { field: 'id' }, opacity: dimUnless('pick_class', 0.7, 0.05),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }],
        },
      },
      {
        mark: { type: 'point', filled: true, size: 10, aria: false },
        encoding: {
          x: { field: 'iteration', type: 'quantitative' }, y: { field: 'r', type: 'quantitative' },
          color: classColor(), opacity: dimUnless('pick_class', 0.7, 0.05),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }, { field: 'iteration', title: 'k' }, { field: 'r', title: 'r', format: fmt(3) }],
        },
      },
    ],
  };
  return figure('Head-to-head: flatness over the steps', [
    `r = ‖Hp+g‖/(‖H‖‖p‖+‖g‖) of the method's own Newton solve (Newton-MR) or of the suite's MINRES-QLP probe, wherever measured; dashed: r = ${flatR}.`,
    'Colour: class of the run\'s final point. Methods without a Newton solve and with probes off have no panel.',
  ], { data: { values }, ...facetByGroup(present, inner, { width: 240, height: 150, field: 'method' }) });
}
