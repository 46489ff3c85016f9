/**
 * Figure 6, head-to-head panels of a suite (every method from the same starts):
 *  - loss and ‖g‖² against the method's own oracle work (HVP-equivalents) and wall time;
 *  - flatness over the steps: under spectral probes the certified share at τ_flat with its
 *    bracket (the measure that decides the suite's "left flat"); else the paper's r of the
 *    method's own Newton solves or of the suite's newton probes.
 * The performance profile is in fig-profile.ts.
 */
import { downsampleByRun, pointsPerRun } from './downsample.js';
import { logFloor } from './fig-gradnorm.js';
import { DEFAULT_FLATNESS_CRITERION } from '../analysis/spectral-flatness.js';
import { finiteOrNull, groupsOf, type RunRow, type StepRow } from '../io/run-rows.js';
import { classColor, decadeTicks, dimUnless, facetByGroup, figure, fmt, legendParam, logAxis, methodColor, type VlSpec } from './spec-common.js';

export interface H2hOptions {
  maxPointsPerRun?: number;
  /** Method order (the suite's); default: as the rows come. */
  methods?: readonly string[];
}

/**
 * Loss and ‖g‖² against work and against wall time: four panels, one line per run, coloured by
 * method, and a dot where each run ended: at the run record's work (`observed.work` in suites,
 * else the record's oracle calls in work units) and wall time (`observed.wallMs`, else
 * `wallMs`), which include a failed last attempt that the step log's last row precedes. A run
 * that ended with no work or no time (halted at θ₀) has its dot at the left edge of the log
 * axis (half the smallest positive value drawn), and the subtitle says so.
 */
export function h2hProgressSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: H2hOptions = {}): VlSpec {
  const methods = opts.methods ?? groupsOf(runs);
  const mine = runs.filter((r) => methods.includes(r.group));
  const ids = new Set(mine.map((r) => r.id));
  const rows = steps.filter((s) => ids.has(s.id));
  const floor = logFloor([...rows.map((s) => s.gradNormSq), ...mine.map((r) => r.gradNormSq)]);
  const max = opts.maxPointsPerRun ?? pointsPerRun(ids.size, 40_000);
  // Keep each run's extremes of both drawn quantities.
  const keep = new Set([...downsampleByRun(rows, Math.ceil(max / 2), (s) => Math.log10(Math.max(s.gradNormSq, floor))), ...downsampleByRun(rows, Math.ceil(max / 2), (s) => s.loss)]);
  const hasWall = rows.some((s) => s.wallMs !== null);
  const lastOf = new Map<string, StepRow>();
  for (const s of rows) if ((lastOf.get(s.id)?.iteration ?? -1) < s.iteration) lastOf.set(s.id, s);
  const lines: Array<Record<string, unknown>> = rows.filter((s) => keep.has(s) || lastOf.get(s.id) === s).map((s) => ({
    id: s.id, method: s.group, cls: s.cls, iteration: s.iteration, work: s.work, wallS: s.wallMs === null ? null : s.wallMs / 1000,
    loss: s.loss, gradNormSq: Math.max(s.gradNormSq, floor),
  }));
  const pick = (a: number, b: number | null | undefined) => (Number.isFinite(a) ? a : b ?? NaN);
  const ends = mine.map((r) => {
    const last = lastOf.get(r.id);
    const wallMs = pick(r.wallMs, last?.wallMs);
    return {
      id: r.id, method: r.group, cls: r.cls, iteration: r.steps, work: pick(r.work, last?.work), wallS: hasWall && Number.isFinite(wallMs) ? wallMs / 1000 : null,
      loss: pick(r.loss, last?.loss), gradNormSqValue: pick(r.gradNormSq, last?.gradNormSq), r: finiteOrNull(r.r), stopReason: r.stopReason,
    };
  });
  // Log axes: a run that ended at work 0 (or time 0) is drawn at the left edge instead of dropped.
  const edge = (field: 'work' | 'wallS') => {
    const pos = [...lines.map((v) => v[field] as number | null), ...ends.map((e) => e[field])].filter((v): v is number => v !== null && v > 0 && Number.isFinite(v));
    return pos.length > 0 ? Math.min(...pos) / 2 : 1;
  };
  const edges = { work: edge('work'), wallS: edge('wallS') };
  const atEdge = { work: 0, wallS: 0 };
  const markers = ends.map((e) => {
    const x = (field: 'work' | 'wallS') => {
      const v = e[field];
      if (v === null || !Number.isFinite(v)) return null;
      if (v > 0) return v;
      atEdge[field]++;
      return edges[field];
    };
    return {
      ...e, last: true, work: x('work'), wallS: x('wallS'), workValue: finiteOrNull(e.work), wallValue: e.wallS,
      loss: finiteOrNull(e.loss), gradNormSq: Number.isFinite(e.gradNormSqValue) ? Math.max(e.gradNormSqValue, floor) : null, gradNormSqValue: finiteOrNull(e.gradNormSqValue),
    };
  });
  const values: Array<Record<string, unknown>> = [...lines, ...markers];
  // A line's tooltip shows its first point (vega picks the whole path), so only what holds for the whole run.
  const tooltip = [{ field: 'method' }, { field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }];
  const xs = [{ field: 'work', title: 'oracle work (HVP-equivalents)' }, ...(hasWall ? [{ field: 'wallS', title: 'method wall time (s)' }] : [])];
  const ys = [{ field: 'loss', title: 'loss', scale: { zero: false } }, { field: 'gradNormSq', title: '‖g‖²', scale: { type: 'log' }, axis: logAxis(values.map((v) => v.gradNormSq as number), '‖g‖²') }];
  const xTicks = (field: 'work' | 'wallS') => ({ values: decadeTicks(values.map((v) => (v[field] as number | null) ?? NaN), 6), format: field === 'work' ? '~s' : '~g', grid: true });
  const panels: VlSpec[] = [];
  for (const y of ys) for (const x of xs) {
    const first = panels.length === 0;
    const xEnc = { field: x.field, type: 'quantitative', title: x.title, scale: { type: 'log' }, axis: xTicks(x.field as 'work' | 'wallS') };
    panels.push({
      width: 300, height: 200,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.1, clip: true },
          // Log axes: θ₀ (work 0, time 0) is left out of the lines; every method starts from the same point there.
          transform: [{ filter: `datum.last !== true && datum.${x.field} > 0` }],
          ...(first && { params: [legendParam('pick_method', 'method')] }),
          encoding: {
            x: xEnc, y: { type: 'quantitative', ...y },
            color: methodColor(methods), detail: { field: 'id' }, order: { field: 'iteration' },
            opacity: dimUnless('pick_method', 0.7, 0.04), tooltip,
          },
        },
        {
          mark: { type: 'point', filled: true, size: 16, clip: true },
          transform: [{ filter: `datum.last === true && datum.${x.field} > 0` }],
          encoding: {
            x: { field: x.field, type: 'quantitative' }, y: { field: y.field, type: 'quantitative' },
            color: methodColor(methods), opacity: dimUnless('pick_method', 0.9, 0.04),
            tooltip: [
              ...tooltip, { field: 'iteration', title: 'steps' }, { field: 'stopReason', title: 'stopped' }, { field: 'workValue', title: 'work (HVP-eq)', format: fmt(4) },
              { field: 'wallValue', title: 'wall s', format: fmt(3) }, { field: 'loss', title: 'final loss', format: fmt(6) },
              { field: 'gradNormSqValue', title: 'final ‖g‖²', format: fmt(3) }, { field: 'r', title: 'final r', format: fmt(3) },
            ],
          },
        },
      ],
    });
  }
  const starts = new Set(mine.map((r) => r.run)).size;
  const edgeNote = (['work', 'wallS'] as const).filter((f) => atEdge[f] > 0 && (f === 'work' || hasWall))
    .map((f) => `${atEdge[f]} run(s) ended with no ${f === 'work' ? 'work' : 'wall time'} (halted at θ₀): dot at the left edge, ${f === 'work' ? 'work' : 'time'} ${edges[f].toPrecision(2)}`);
  return figure('Head-to-head: loss and ‖g‖² against work and wall time', [
    `${methods.length} methods from the same ${starts} starts; one line per run, from the first step on (log axes);`,
    'a dot where each run ended, at its final record\'s total work and wall time (a failed last attempt included).',
    'Work: the method\'s oracle calls in HVP-equivalents (gradient, HVP, Gauss-Newton product 1; loss 0.5; K-FAC statistics 2);',
    'probes are excluded from work and wall time. Click a method in the legend to pick it (shift-click adds).',
    ...(edgeNote.length > 0 ? [`${edgeNote.join('; ')}; the tooltip has the value.`] : []),
  ], { data: { values }, concat: panels, columns: xs.length });
}

/**
 * What the flatness figure can draw from these steps: 'share' when spectral probes measured the
 * share at τ_flat anywhere (the suite judges flatness by it), else 'r' when some step has the
 * paper's r (newton probes, or a method's own Newton solve), else null (no figure).
 */
export function h2hFlatnessMeasure(steps: readonly StepRow[], methods: readonly string[]): 'share' | 'r' | null {
  const mine = steps.filter((s) => methods.includes(s.group));
  if (mine.some((s) => s.flat?.share != null)) return 'share';
  return mine.some((s) => s.r !== null) ? 'r' : null;
}

/**
 * The certified flatness over the steps, one panel per method: per run, the share of ‖g‖² at
 * |λ| ≤ τ_flat‖H‖₂ of each spectral probe as a line, its certified bracket as a band, and a rule
 * at s_flat. A probe is flat when the band lies on or above the rule, not flat when wholly below:
 * the verdicts the suite's "left flat" counts (core/suite/observer.ts). Coloured by final class.
 */
export function h2hShareSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: H2hOptions & { flatTau?: number; flatShare?: number } = {}): VlSpec {
  const methods = opts.methods ?? groupsOf(runs);
  const flatTau = opts.flatTau ?? DEFAULT_FLATNESS_CRITERION.tau;
  const flatShare = opts.flatShare ?? DEFAULT_FLATNESS_CRITERION.share;
  const ids = new Set(runs.filter((r) => methods.includes(r.group)).map((r) => r.id));
  const rows = steps.filter((s) => ids.has(s.id) && s.flat?.share != null);
  const max = opts.maxPointsPerRun ?? pointsPerRun(ids.size, 30_000);
  const values = downsampleByRun(rows, max, (s) => s.flat!.share!).map((s) => {
    const f = s.flat!;
    // A bound that is not finite collapses onto the share: the band never invents width.
    return { id: s.id, method: s.group, cls: s.cls, iteration: s.iteration, share: f.share, lower: f.lower ?? f.share, upper: f.upper ?? f.share, verdict: f.verdict ?? null };
  });
  const present = methods.filter((m) => values.some((v) => v.method === m));
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration k' };
  const y = { type: 'quantitative', title: `share of ‖g‖² at τ_flat = ${flatTau.toExponential(0)}`, scale: { domain: [0, 1], clamp: true } };
  const inner: VlSpec = {
    layer: [
      {
        mark: { type: 'area', interpolate: 'linear' },
        encoding: { x, y: { ...y, field: 'lower' }, y2: { field: 'upper' }, color: classColor(), detail: { field: 'id' }, opacity: dimUnless('pick_class', 0.18, 0.02) },
      },
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { y: { datum: flatShare } } },
      {
        mark: { type: 'line', strokeWidth: 1 },
        params: [legendParam('pick_class', 'cls')],
        encoding: {
          x, y: { ...y, field: 'share' }, color: classColor(), detail: { field: 'id' }, opacity: dimUnless('pick_class', 0.7, 0.05),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }],
        },
      },
      {
        mark: { type: 'point', filled: true, size: 10, aria: false },
        encoding: {
          x: { field: 'iteration', type: 'quantitative' }, y: { field: 'share', type: 'quantitative' },
          color: classColor(), opacity: dimUnless('pick_class', 0.7, 0.05),
          tooltip: [
            { field: 'id', title: 'run' }, { field: 'cls', title: 'final class' }, { field: 'iteration', title: 'k' },
            { field: 'share', title: 'share', format: fmt(3) }, { field: 'lower', title: 'certified ≥', format: fmt(3) },
            { field: 'upper', title: 'certified ≤', format: fmt(3) }, { field: 'verdict', title: 'probe verdict' },
          ],
        },
      },
    ],
  };
  return figure('Head-to-head: certified flatness over the steps', [
    `Share of ‖g‖² in Hessian eigen-directions with |λ| ≤ τ_flat·‖H‖₂ (τ_flat = ${flatTau.toExponential(0)}) at each spectral probe of θ_k,`,
    'one line per run; the band: its certified bracket. The same measure for every method, a function of θ alone.',
    `Dashed: s_flat = ${flatShare}; a probe is flat when the band lies on or above it, not flat when wholly below,`,
    'undecided when it straddles (the verdicts behind "left flat region"). Colour: class of the run\'s final point.',
  ], { data: { values }, ...facetByGroup(present, inner, { width: 240, height: 150, field: 'method' }) });
}

/** The paper's r over the steps, one panel per method, one line per run coloured by its final class. */
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
  return figure("Head-to-head: the paper's r over the steps", [
    `The paper's measure: r = ‖Hp+g‖/(‖H‖‖p‖+‖g‖) of the method's own Newton solve (Newton-MR) or of the suite's MINRES-QLP probe, wherever measured; dashed: r = ${flatR}.`,
    'Colour: class of the run\'s final point. Methods without a Newton solve and with probes off have no panel.',
  ], { data: { values }, ...facetByGroup(present, inner, { width: 240, height: 150, field: 'method' }) });
}
