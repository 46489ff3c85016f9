/**
 * Spectral flatness of final points: for each run, the share of ‖g‖² in
 * eigen-directions of H with |λ| ≤ τ‖H‖₂, against τ (final record `spectralFlatness`,
 * core/analysis/spectral-flatness.ts), one line per run coloured by the run's final class.
 * A curve near 1 at small τ: g lies in the near-kernel of H — gradient-flat whatever a Krylov
 * solver reports.
 */
import { groupsOf, type RunRow } from '../io/run-rows.js';
import { classColor, dimUnless, facetByGroup, figure, fmt, legendParam, logAxis, type VlSpec } from './spec-common.js';

export function spectralFlatnessSpec(runs: readonly RunRow[]): VlSpec {
  const withShares = runs.filter((r) => r.spectral && r.spectral.taus.length > 0);
  const groups = groupsOf(withShares);
  const values: Array<Record<string, unknown>> = [];
  for (const r of withShares) {
    const s = r.spectral!;
    s.taus.forEach((tau, k) => {
      if (tau > 0 && Number.isFinite(s.shares[k])) values.push({ id: r.id, group: r.group, cls: r.cls, tau, share: s.shares[k], r: Number.isFinite(r.r) ? r.r : null });
    });
  }
  const inner: VlSpec = {
    mark: { type: 'line', strokeWidth: 1.2, point: { size: 14, filled: true } },
    params: [legendParam('pick_class', 'cls')],
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (threshold |λ| ≤ τ‖H‖₂)', scale: { type: 'log' }, axis: logAxis(values.map((v) => v.tau as number), 'τ (threshold |λ| ≤ τ‖H‖₂)', 6) },
      y: { field: 'share', type: 'quantitative', title: 'share of ‖g‖²', scale: { domain: [0, 1] } },
      color: classColor(),
      detail: { field: 'id' },
      opacity: dimUnless('pick_class', 0.8, 0.06),
      tooltip: [
        { field: 'id', title: 'run' }, { field: 'cls', title: 'class' }, { field: 'tau', title: 'τ', format: '.0e' },
        { field: 'share', title: 'share of ‖g‖²', format: fmt(3) }, { field: 'r', title: 'final r', format: fmt(3) },
      ],
    },
  };
  return figure('Spectral flatness of the final points', [
    `Share of ‖g‖² in Hessian eigen-directions with |λ| ≤ τ·‖H‖₂ (dense eigendecomposition, n ≤ 2000), one line per run (${withShares.length}), colour: final class.`,
    'High at small τ: the gradient lies in the near-kernel of H (gradient-flat, independent of the Krylov solver).',
  ], { data: { values }, ...facetByGroup(groups, inner, { width: 230, height: 170 }) });
}
