/**
 * Figure 2 ([GF] Figs. 1B/D, 3D): loss against Morse index of each run's final point,
 * coloured by class, over the analytic critical points in grey when the directory has them
 * (truth.json: the linear autoencoder's critical points).
 */
import { finiteOrNull, groupsOf, type RunRow, type TruthRow } from '../io/run-rows.js';
import { classColor, dimUnless, facetByGroup, figure, fmt, legendParam, type VlSpec } from './spec-common.js';

/** Analytic points with equal loss and index drawn once (many subsets share both). */
export function distinctTruth(truth: readonly TruthRow[]): TruthRow[] {
  const seen = new Map<string, TruthRow>();
  for (const t of truth) {
    if (!Number.isFinite(t.loss) || !Number.isFinite(t.index)) continue;
    const key = `${t.loss.toPrecision(9)}|${t.index.toPrecision(9)}`;
    if (!seen.has(key)) seen.set(key, t);
  }
  return [...seen.values()];
}

/** `truthByDir`: analytic points per directory name (RunRow.dir); groups of that directory get them. */
export function lossIndexSpec(runs: readonly RunRow[], truthByDir: ReadonlyMap<string, readonly TruthRow[]> = new Map()): VlSpec {
  const groups = groupsOf(runs);
  const values: Array<Record<string, unknown>> = [];
  let analytic = 0;
  for (const g of groups) {
    const dir = runs.find((r) => r.group === g)!.dir;
    const truth = truthByDir.get(dir);
    if (!truth) continue;
    for (const t of distinctTruth(truth)) {
      values.push({ group: g, kind: 'analytic', index: t.index, loss: t.loss });
      analytic++;
    }
  }
  for (const r of runs) {
    if (!Number.isFinite(r.index) || !Number.isFinite(r.loss)) continue;
    values.push({
      group: r.group, kind: 'found', id: r.id, cls: r.cls, index: r.index, loss: r.loss, gradNormSq: finiteOrNull(r.gradNormSq), r: finiteOrNull(r.r),
      ...(r.indexInterval && { indexLo: r.indexInterval[0], indexHi: r.indexInterval[1], method: r.indexMethod }),
    });
  }
  const estimated = values.some((v) => v.indexLo !== undefined);
  const x = { field: 'index', type: 'quantitative', title: 'Morse index', scale: { zero: true, nice: true } };
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } };
  const layer: VlSpec[] = [];
  if (analytic > 0) {
    layer.push({
      mark: { type: 'point', shape: 'circle', size: 30, color: '#b0b0b0', filled: true, opacity: 0.6, aria: false },
      transform: [{ filter: "datum.kind === 'analytic'" }],
      encoding: { x, y, tooltip: [{ field: 'loss', title: 'analytic loss', format: fmt(6) }, { field: 'index', title: 'index', format: '.4f' }] },
    });
  }
  if (estimated) {
    // Estimated indices (lanczos-slq): the interval as a horizontal bar behind the point.
    layer.push({
      mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.6 },
      transform: [{ filter: "datum.kind === 'found' && isValid(datum.indexLo)" }],
      encoding: { x: { ...x, field: 'indexLo' }, x2: { field: 'indexHi' }, y, color: classColor() },
    });
  }
  layer.push({
    mark: { type: 'point', filled: true, size: 46, strokeWidth: 0.6, stroke: 'white' },
    transform: [{ filter: "datum.kind === 'found'" }],
    params: [legendParam('pick_class', 'cls')],
    encoding: {
      x, y, color: classColor(), opacity: dimUnless('pick_class', 0.9, 0.08),
      tooltip: [
        { field: 'id', title: 'run' }, { field: 'cls', title: 'class' }, { field: 'loss', title: 'loss', format: fmt(6) },
        { field: 'index', title: 'index', format: '.4f' },
        ...(estimated ? [{ field: 'indexLo', title: 'index ≥', format: '.4f' }, { field: 'indexHi', title: 'index ≤', format: '.4f' }, { field: 'method', title: 'index method' }] : []),
        { field: 'gradNormSq', title: '‖g‖²', format: fmt(3) }, { field: 'r', title: 'r', format: fmt(3) },
      ],
    },
  });
  const subtitle = [
    `Final points of ${runs.length} runs, coloured by class${analytic > 0 ? `; grey: ${analytic} distinct analytic critical points (loss, index) of the problem` : ''}.`,
    'Morse index: the fraction of Hessian eigenvalues below −cutoff (cutoff in each run record, default 1e-5).',
    ...(estimated ? ['Bars: the interval of an estimated index (lanczos-slq, HVPs only; its confidence in the run record).'] : []),
  ];
  return figure('Loss against Morse index of the final points', subtitle, { data: { values }, ...facetByGroup(groups, { layer }, { width: 260, height: 200 }) });
}
