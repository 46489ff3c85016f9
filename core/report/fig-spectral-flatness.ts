/**
 * Spectral flatness of final points: for each run, the share of ‖g‖² in eigen-directions of H
 * with |λ| ≤ τ‖H‖₂ against τ (final record `spectralFlatness`, core/analysis/spectral-flatness.ts),
 * as a line, with its certified bracket lower ≤ share ≤ upper as a band (Lanczos: Gauss–Radau
 * rules and the Chebyshev–Markov–Stieltjes inequalities; dense: the band is the line). Coloured
 * by the certified class, which reads the band where the rules cross: gradient-flat when the band
 * at τ_flat lies on or above s_flat.
 */
import { groupsOf, type RunRow } from '../io/run-rows.js';
import { classColor, dimUnless, facetByGroup, figure, fmt, legendParam, logAxis, type VlSpec } from './spec-common.js';

/** The certified criterion: gradient-flat when the share's lower bound at flatTau is ≥ flatShare. */
export interface FlatnessRule {
  flatTau: number;
  flatShare: number;
}

export interface SpectralFlatnessOptions {
  /** 'final': the methods' final points; 'flat-starts': the flat-start finder's final points. */
  points?: 'final' | 'flat-starts';
}

const START_LABEL: Record<string, string> = { final: 'yes, this point', 'max-r': 'its maximal-r iterate, not this point' };

/** Each run's class under the certified criterion, or its record's class when none is known (see RunRow.clsCertified). */
const certifiedOf = (r: RunRow) => r.clsCertified ?? r.cls;

export function spectralFlatnessSpec(runs: readonly RunRow[], rule: FlatnessRule, opts: SpectralFlatnessOptions = {}): VlSpec {
  const starts = opts.points === 'flat-starts';
  const withShares = runs.filter((r) => r.spectral && r.spectral.taus.length > 0);
  const groups = groupsOf(withShares);
  const values: Array<Record<string, unknown>> = [];
  for (const r of withShares) {
    const s = r.spectral!;
    s.taus.forEach((tau, k) => {
      if (!(tau > 0) || !Number.isFinite(s.shares[k])) return;
      values.push({
        id: r.id, group: r.group, cls: certifiedOf(r), clsPaper: r.clsPaper, tau, share: s.shares[k],
        // A bound that is not finite (a damaged record) collapses onto the share: the band never invents width.
        lower: Number.isFinite(s.lower[k]) ? s.lower[k] : s.shares[k], upper: Number.isFinite(s.upper[k]) ? s.upper[k] : s.shares[k],
        method: s.method ?? 'dense', r: Number.isFinite(r.r) ? r.r : null,
        ...(starts && { start: r.flatStart ? START_LABEL[r.flatStart] ?? r.flatStart : 'no' }),
      });
    });
  }
  const xTitle = 'τ (threshold |λ| ≤ τ‖H‖₂)';
  const x = { field: 'tau', type: 'quantitative', title: xTitle, scale: { type: 'log' }, axis: logAxis([...values.map((v) => v.tau as number), rule.flatTau], xTitle, 6) };
  const y = { type: 'quantitative', title: 'share of ‖g‖²', scale: { domain: [0, 1] } };
  const color = classColor('cls', 'certified class');
  // One row per panel for the rules (a rule per data row would draw hundreds on top of each other).
  const onePerPanel = [{ aggregate: [{ op: 'count', as: 'n' }], groupby: ['group'] }];
  const ruleMark = { type: 'rule', color: '#555555', strokeDash: [4, 3], strokeWidth: 1 };
  const inner: VlSpec = {
    layer: [
      {
        mark: { type: 'area', interpolate: 'linear' },
        encoding: { x, y: { ...y, field: 'lower' }, y2: { field: 'upper' }, color, detail: { field: 'id' }, opacity: dimUnless('pick_class', 0.22, 0.03) },
      },
      {
        mark: { type: 'line', strokeWidth: 1.2, point: { size: 14, filled: true } },
        params: [legendParam('pick_class', 'cls')],
        encoding: {
          x, y: { ...y, field: 'share' }, color, detail: { field: 'id' }, opacity: dimUnless('pick_class', 0.8, 0.06),
          tooltip: [
            { field: 'id', title: 'run' }, { field: 'cls', title: 'certified class' }, { field: 'clsPaper', title: "paper's class (r)" },
            { field: 'tau', title: 'τ', format: '.0e' }, { field: 'share', title: 'share of ‖g‖²', format: fmt(3) },
            { field: 'lower', title: 'certified ≥', format: fmt(3) }, { field: 'upper', title: 'certified ≤', format: fmt(3) },
            { field: 'method', title: 'computed by' }, { field: 'r', title: 'final r', format: fmt(3) },
            ...(starts ? [{ field: 'start', title: 'became a flat start' }] : []),
          ],
        },
      },
      { transform: onePerPanel, mark: ruleMark, encoding: { y: { datum: rule.flatShare, type: 'quantitative' } } },
      { transform: onePerPanel, mark: ruleMark, encoding: { x: { datum: rule.flatTau, type: 'quantitative' } } },
    ],
  };
  const counts = new Map<string, number>();
  for (const r of withShares) counts.set(certifiedOf(r), (counts.get(certifiedOf(r)) ?? 0) + 1);
  const lanczos = withShares.filter((r) => r.spectral!.method === 'lanczos').length;
  const taken = withShares.filter((r) => r.flatStart).length;
  return figure(starts ? 'Spectral flatness of the flat-start finder\'s final points' : 'Spectral flatness of the final points', [
    'Share of ‖g‖² in Hessian eigen-directions with |λ| ≤ τ·‖H‖₂, one line per run: the estimate; the band around it: its certified bracket.',
    `${lanczos} of ${withShares.length} runs by Lanczos from g, the rest dense and exact. Colour: certified class (${[...counts].map(([c, k]) => `${k} ${c}`).join(', ')}).`,
    `Dashed: the criterion, gradient-flat when the band at τ = ${rule.flatTau.toExponential(0)} lies on or above ${rule.flatShare}, neither when wholly below, undecided when it straddles.`,
    ...(starts ? [`${taken} of these finder runs gave a method its start (flat-starts.json); the tooltip says which.`] : []),
  ], { data: { values }, ...facetByGroup(groups, inner, { width: 230, height: 170 }) });
}
