/**
 * Figure 3 ([GF] Fig. 3B): r per iteration for a few selected runs, the raw values as points
 * and a 10-iteration moving average over the raw values as a line, with the 0.9 cutoff.
 */
import { downsampleByRun, pointsPerRun } from './downsample.js';
import { groupsOf, type RunRow, type StepRow } from '../io/run-rows.js';
import { classColor, facetByGroup, figure, fmt, type VlSpec } from './spec-common.js';

/**
 * Trailing moving average over iterations: at each measured iteration k, the mean of the r
 * measured at iterations k − window + 1 … k (probes every few steps give fewer values).
 */
export function movingAverage(points: ReadonlyArray<{ iteration: number; r: number }>, window = 10): Array<{ iteration: number; r: number; average: number }> {
  const xs = points.filter((p) => Number.isFinite(p.r)).slice().sort((a, b) => a.iteration - b.iteration);
  const out: Array<{ iteration: number; r: number; average: number }> = [];
  let lo = 0, sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i].r;
    while (xs[lo].iteration <= xs[i].iteration - window) sum -= xs[lo++].r;
    out.push({ iteration: xs[i].iteration, r: xs[i].r, average: sum / (i - lo + 1) });
  }
  return out;
}

/**
 * Which runs to show: per group, first the run with the largest maximal r of each final class
 * present, then the next largest maximal r, up to `perGroup` runs.
 */
export function selectRuns(runs: readonly RunRow[], perGroup: number, measured: ReadonlyMap<string, number>): RunRow[] {
  const out: RunRow[] = [];
  for (const g of groupsOf(runs)) {
    // Runs with a few measured r first (a run that halted after one step says little), then by maximal r.
    const rank = (r: RunRow) => (measured.get(r.id) ?? 0) >= 3 ? 1 : 0;
    const mine = runs.filter((r) => r.group === g && (measured.get(r.id) ?? 0) > 0)
      .sort((a, b) => rank(b) - rank(a) || (b.maxR || -1) - (a.maxR || -1) || a.run - b.run);
    const picked: RunRow[] = [];
    for (const cls of ['gradient-flat', 'critical', 'neither'] as const) {
      const best = mine.find((r) => r.cls === cls);
      if (best && picked.length < perGroup) picked.push(best);
    }
    for (const r of mine) if (picked.length < perGroup && !picked.includes(r)) picked.push(r);
    out.push(...picked.sort((a, b) => a.run - b.run));
  }
  return out;
}

export interface RIterationsOptions {
  /** Runs to show (ids); default: selectRuns with ≈ 12 panels in all. */
  ids?: readonly string[];
  window?: number;
  flatR?: number;
  maxPointsPerRun?: number;
}

export function rIterationsSpec(runs: readonly RunRow[], steps: readonly StepRow[], opts: RIterationsOptions = {}): VlSpec {
  const window = opts.window ?? 10;
  const flatR = opts.flatR ?? 0.9;
  const measured = new Map<string, number>();
  for (const s of steps) if (s.r !== null) measured.set(s.id, (measured.get(s.id) ?? 0) + 1);
  const groups = groupsOf(runs.filter((r) => measured.has(r.id)));
  const perGroup = Math.max(1, Math.min(4, Math.ceil(12 / Math.max(1, groups.length))));
  const chosen = opts.ids ? runs.filter((r) => opts.ids!.includes(r.id)) : selectRuns(runs, perGroup, measured);
  const byId = new Map(chosen.map((r) => [r.id, r]));
  const series = new Map<string, Array<{ iteration: number; r: number }>>();
  for (const s of steps) {
    if (s.r === null || !byId.has(s.id)) continue;
    let l = series.get(s.id);
    if (!l) series.set(s.id, (l = []));
    l.push({ iteration: s.iteration, r: s.r });
  }
  const max = opts.maxPointsPerRun ?? pointsPerRun(chosen.length, 30_000);
  const values: Array<Record<string, unknown>> = [];
  const panels: string[] = [];
  for (const r of chosen) {
    const ma = movingAverage(series.get(r.id) ?? [], window);
    if (ma.length === 0) continue;
    const panel = `${r.id} (${r.cls})`;
    panels.push(panel);
    const rows = ma.map((p) => ({ panel, id: r.id, cls: r.cls, iteration: p.iteration, r: p.r, average: p.average }));
    // Keep the extremes of the raw r (the dots) and of the moving average (the line).
    const half = Math.max(4, Math.ceil(max / 2));
    const keep = new Set([...downsampleByRun(rows, half, (p) => p.r), ...downsampleByRun(rows, half, (p) => p.average)]);
    values.push(...rows.filter((p) => keep.has(p)));
  }
  const x = { field: 'iteration', type: 'quantitative', title: 'iteration k' };
  const yScale = { domain: [0, 1], clamp: true };
  const inner: VlSpec = {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { y: { datum: flatR } } },
      {
        mark: { type: 'point', filled: true, size: 9, opacity: 0.35, aria: false },
        encoding: {
          x, y: { field: 'r', type: 'quantitative', title: 'r', scale: yScale }, color: classColor(),
          tooltip: [{ field: 'id', title: 'run' }, { field: 'iteration', title: 'k' }, { field: 'r', title: 'r', format: fmt(3) }, { field: 'average', title: `mean of last ${window}`, format: fmt(3) }],
        },
      },
      { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y: { field: 'average', type: 'quantitative', scale: yScale }, color: classColor() } },
    ],
  };
  const subtitle = [
    `Dots: r of each Newton solve (the method's own, or a probe every few steps); line: mean of the r measured in the last ${window} iterations; dashed: r = ${flatR}.`,
    `Shown: per group the run with the largest r of each final class, then the next largest (${chosen.length} runs).`,
  ];
  return figure('r per iteration (selected runs)', subtitle, {
    data: { values }, ...facetByGroup(panels, inner, { width: 230, height: 130, columns: 4, field: 'panel', independentX: true }),
  });
}
