/**
 * Figure 4 ([GF] Fig. 3C): empirical CDFs, per group, of each run's final r (fresh probe at
 * the final point) and maximal r (over its steps), with the 0.9 cutoff marked.
 */
import { groupsOf, type RunRow } from '../io/run-rows.js';
import { facetByGroup, figure, fmt, type VlSpec } from './spec-common.js';

/**
 * Points of the step function F(x) = share of values ≤ x, to be drawn with 'step-after':
 * (x₁, 0), then (xᵢ, i/n) for the sorted values, then (right, 1) when right > the largest.
 */
export function ecdf(values: readonly number[], right?: number): Array<{ x: number; p: number }> {
  const xs = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  if (xs.length === 0) return [];
  const n = xs.length;
  const out = [{ x: xs[0], p: 0 }];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && xs[i + 1] === xs[i]) continue;
    out.push({ x: xs[i], p: (i + 1) / n });
  }
  if (right !== undefined && right > xs[n - 1]) out.push({ x: right, p: 1 });
  return out;
}

export const ECDF_KINDS = ['final r', 'maximal r'] as const;

export function rEcdfSpec(runs: readonly RunRow[], opts: { flatR?: number } = {}): VlSpec {
  const flatR = opts.flatR ?? 0.9;
  const values: Array<Record<string, unknown>> = [];
  const groups = groupsOf(runs);
  for (const g of groups) {
    const mine = runs.filter((r) => r.group === g);
    for (const [kind, pick] of [['final r', (r: RunRow) => r.r], ['maximal r', (r: RunRow) => r.maxR]] as const) {
      const xs = mine.map(pick).filter(Number.isFinite);
      const above = xs.filter((x) => x > flatR).length;
      for (const pt of ecdf(xs, 1)) values.push({ group: g, kind, r: pt.x, share: pt.p, n: xs.length, above });
    }
  }
  const inner: VlSpec = {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#d62728' }, encoding: { x: { datum: flatR } } },
      {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
        params: [{ name: 'pick_kind', select: { type: 'point', fields: ['kind'] }, bind: 'legend' }],
        encoding: {
          x: { field: 'r', type: 'quantitative', title: 'r', scale: { domain: [0, 1], clamp: true } },
          y: { field: 'share', type: 'quantitative', title: 'share of runs with r ≤ x', scale: { domain: [0, 1] } },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: [...ECDF_KINDS], range: ['#1b9e77', '#7570b3'] }, legend: { orient: 'top' } },
          strokeDash: { field: 'kind', type: 'nominal', title: null, scale: { domain: [...ECDF_KINDS], range: [[1, 0], [5, 2]] }, legend: { orient: 'top' } },
          opacity: { condition: { param: 'pick_kind', value: 1, empty: true }, value: 0.1 },
          tooltip: [
            { field: 'kind', title: 'what' }, { field: 'r', title: 'r', format: fmt(3) }, { field: 'share', title: 'share ≤ r', format: '.0%' },
            { field: 'above', title: `runs with r > ${flatR}` }, { field: 'n', title: 'runs' },
          ],
        },
      },
    ],
  };
  return figure(`ECDF of final and maximal r per run`, [
    `Final r: a fresh MINRES-QLP probe at the run's last point; maximal r: the largest r measured on its steps. Dashed: r = ${flatR} (gradient-flat above).`,
  ], { data: { values }, ...facetByGroup(groups, inner, { width: 230, height: 170 }) });
}
