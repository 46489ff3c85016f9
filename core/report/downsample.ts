/**
 * Fewer points per run for the page, every run kept. Long logs are cut into buckets of
 * consecutive steps and each bucket keeps its smallest and largest value (on the figure's own
 * scale: log ‖g‖² for ‖g‖²), so spikes and plateaus survive; the first and last points always
 * stay. Quantities that need the raw series (moving averages, targets, maxima) are computed
 * before this.
 */

/** Points per run such that a figure holds about `budget` points (between 40 and 1000 per run). */
export function pointsPerRun(runs: number, budget = 40_000): number {
  return Math.max(40, Math.min(1000, Math.floor(budget / Math.max(1, runs))));
}

/** `rows` of one run in step order; `value` is what the figure draws (NaN values are kept only as extremes are not). */
export function downsampleSeries<T>(rows: readonly T[], max: number, value: (row: T) => number): T[] {
  if (rows.length <= max || max < 4) return rows.slice();
  const inner = rows.length - 2;
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const out: T[] = [rows[0]];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (hi <= lo) continue;
    let iMin = -1, iMax = -1, vMin = Infinity, vMax = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = value(rows[i]);
      if (!Number.isFinite(v)) continue;
      if (v < vMin) { vMin = v; iMin = i; }
      if (v > vMax) { vMax = v; iMax = i; }
    }
    if (iMin < 0) { out.push(rows[lo]); continue; }
    if (iMin === iMax) out.push(rows[iMin]);
    else if (iMin < iMax) out.push(rows[iMin], rows[iMax]);
    else out.push(rows[iMax], rows[iMin]);
  }
  out.push(rows[rows.length - 1]);
  return out;
}

/** Downsamples rows of many runs (grouped by `id`, order kept within each run). */
export function downsampleByRun<T extends { id: string }>(rows: readonly T[], max: number, value: (row: T) => number): T[] {
  const byRun = new Map<string, T[]>();
  for (const r of rows) {
    let list = byRun.get(r.id);
    if (!list) byRun.set(r.id, (list = []));
    list.push(r);
  }
  const out: T[] = [];
  for (const list of byRun.values()) for (const r of downsampleSeries(list, max, value)) out.push(r);
  return out;
}
