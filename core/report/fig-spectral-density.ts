/**
 * Hessian spectral density of a final point from stochastic Lanczos quadrature (final records
 * with an estimated index, `indexMethod: 'lanczos-slq'`): per method the run whose final ‖g‖² is
 * lowest, its Gauss nodes smoothed by a Gaussian of width σ (core/linalg/slq.ts), the locked
 * (exactly resolved) Ritz values as unit masses, the cutoff −c as a dashed line, and the
 * estimated Morse count with its interval in the panel's label (Ghorbani et al. 2019, Fig. 1).
 */
import { spectralDensity } from '../linalg/slq.js';
import { groupsOf, type RunRow } from '../io/run-rows.js';
import { facetByGroup, figure, fmt, type VlSpec } from './spec-common.js';

const GRID = 400;

/** The run of each group shown: the lowest final ‖g‖² among those with a stored quadrature. */
export function densityRuns(runs: readonly RunRow[]): RunRow[] {
  const out: RunRow[] = [];
  for (const g of groupsOf(runs)) {
    // Locked values alone are a whole spectrum when Lanczos exhausted the space (no probes left).
    const cands = runs.filter((r) => r.group === g && r.density && (r.density.probes.length > 0 || r.density.locked.length > 0));
    if (cands.length === 0) continue;
    out.push(cands.reduce((a, b) => (b.gradNormSq < a.gradNormSq ? b : a)));
  }
  return out;
}

export function indexLabel(r: RunRow): string {
  const d = r.density!;
  const [lo, hi] = d.countInterval;
  return `${r.id}: ${d.negativeCount} of ${d.n} eigenvalues < −${d.cutoff} (${Math.round(d.confidence * 100)}% interval [${lo}, ${hi}]; index ${(d.negativeCount / d.n).toPrecision(3)})`;
}

/** Density on a grid spanning every node (σ = 1% of the span, at least 1e-12). */
export function densityCurve(r: RunRow, points = GRID): { lambda: number; density: number }[] {
  const d = r.density!;
  const all = [...d.probes.flatMap((p) => p.nodes), ...d.locked, -d.cutoff];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const sigma = Math.max((hi - lo) / 100, 1e-12);
  const grid = Array.from({ length: points }, (_, i) => lo - 3 * sigma + ((hi - lo + 6 * sigma) * i) / (points - 1));
  const dens = spectralDensity(d.probes, grid, sigma, d.n, d.locked);
  return grid.map((lambda, i) => ({ lambda, density: dens[i] }));
}

export function spectralDensitySpec(runs: readonly RunRow[]): VlSpec {
  const shown = densityRuns(runs);
  const groups = shown.map((r) => r.group);
  const values: Array<Record<string, unknown>> = [];
  for (const r of shown) {
    const curve = densityCurve(r);
    const peak = Math.max(...curve.map((c) => c.density));
    // Log axis: values below 1e-6 of the peak are smoothing tails, not spectrum.
    for (const c of curve) values.push({ group: r.group, kind: 'density', lambda: c.lambda, density: Math.max(c.density, peak * 1e-6) });
    values.push({ group: r.group, kind: 'cutoff', lambda: -r.density!.cutoff, label: indexLabel(r) });
  }
  const x = { field: 'lambda', type: 'quantitative', title: 'Hessian eigenvalue λ' };
  const layer: VlSpec[] = [
    {
      mark: { type: 'line', strokeWidth: 1.4, color: '#1f77b4', interpolate: 'linear' },
      transform: [{ filter: "datum.kind === 'density'" }],
      encoding: {
        x, y: { field: 'density', type: 'quantitative', title: 'density (SLQ, Gaussian-smoothed)', scale: { type: 'log' } },
        tooltip: [{ field: 'lambda', title: 'λ', format: fmt(4) }, { field: 'density', title: 'density', format: fmt(3) }],
      },
    },
    {
      mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3], strokeWidth: 1.2 },
      transform: [{ filter: "datum.kind === 'cutoff'" }],
      encoding: { x, tooltip: [{ field: 'label', title: 'estimated index' }] },
    },
    {
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 10, color: '#d62728' },
      transform: [{ filter: "datum.kind === 'cutoff'" }],
      encoding: { x, y: { value: 0 }, text: { value: '−cutoff' } },
    },
  ];
  const subtitle = [
    'Spectral density of the final point with the lowest ‖g‖² of each method, from stochastic Lanczos quadrature (HVPs only); dashed: −cutoff.',
    ...shown.map(indexLabel),
  ];
  return figure('Hessian spectral density and estimated Morse index', subtitle, { data: { values }, ...facetByGroup(groups, { layer }, { width: 300, height: 200, independentX: true }) });
}
