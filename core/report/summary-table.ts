/**
 * The table at the top of the page: per method (and the flat-start finder), runs done of
 * expected, counts by final class and medians of the final point. A suite's summary.json
 * (core/suite/summarize.ts) supplies its numbers and the head-to-head columns (left the flat
 * region, targets reached) when it is as recent as the run records; otherwise, and for
 * `gradflat run` directories, the same medians are computed from the records.
 */
import { CLASS_COLORS, median, type DirData, type RunRow } from '../io/run-rows.js';

export interface TableRow {
  dir: string;
  group: string;
  phase: 'method' | 'finder';
  done: number;
  expected: number | null;
  critical: number;
  flat: number;
  neither: number;
  /** Certified criterion only: the bracket at τ_flat could not decide within its budget. */
  undecided: number;
  /** Diverged runs (loss, ‖g‖² or r not finite), counted apart from the three classes. */
  nonFinite: number;
  gradNormSq: number;
  loss: number;
  steps: number;
  work: number;
  wallS: number;
  maxR: number;
  /** Suites: runs that left the flat region / runs whose r was measured. */
  leftFlat?: string;
  /** Suites: per target, runs that reached it and the median work. */
  targets?: string;
  source: 'summary.json' | 'run records';
}

interface SuiteMethodSummary {
  label: string; expectedRuns: number; completedRuns: number;
  classes: { critical: number; 'gradient-flat': number; neither: number; undecided?: number; 'non-finite'?: number };
  finalGradNormSq: { median: number } | null; finalLoss: { median: number } | null; steps: { median: number } | null;
  work: { median: number } | null; wallMs: { median: number } | null;
  headToHead?: { rMeasured: number; leftFlat: number; targets: Record<string, { reached: number; work: { median: number } | null }> };
}

const fromRecords = (d: DirData, group: string, rows: readonly RunRow[], phase: TableRow['phase']): TableRow => ({
  dir: d.name, group, phase, done: rows.length,
  expected: phase === 'finder' ? null : d.expectedRuns,
  critical: rows.filter((r) => r.cls === 'critical').length,
  flat: rows.filter((r) => r.cls === 'gradient-flat').length,
  neither: rows.filter((r) => r.cls === 'neither').length,
  undecided: rows.filter((r) => r.cls === 'undecided').length,
  nonFinite: rows.filter((r) => r.cls === 'non-finite').length,
  gradNormSq: median(rows.map((r) => r.gradNormSq)), loss: median(rows.map((r) => r.loss)), steps: median(rows.map((r) => r.steps)),
  work: median(rows.map((r) => r.work)), wallS: median(rows.map((r) => r.wallMs)) / 1000, maxR: median(rows.map((r) => r.maxR)),
  source: 'run records',
});

export function summaryTableRows(d: DirData, notes: string[] = []): TableRow[] {
  const out: TableRow[] = [];
  const methods = (d.kind === 'suite' && (d.summary as { methods?: SuiteMethodSummary[] } | null)?.methods) || [];
  const groups = [...new Set([...d.runs.map((r) => r.group), ...d.methodGroups])];
  for (const g of groups) {
    const rows = d.runs.filter((r) => r.group === g);
    const phase = rows[0]?.phase ?? (d.methodGroups.includes(g) ? 'method' : 'finder');
    const row = fromRecords(d, g, rows, phase);
    const label = rows[0]?.method ?? g.split(' · ').pop()!;
    const s = phase === 'method' ? methods.find((m) => m.label === label) : undefined;
    if (s && s.completedRuns === rows.length) {
      Object.assign(row, {
        expected: s.expectedRuns, critical: s.classes.critical, flat: s.classes['gradient-flat'], neither: s.classes.neither, undecided: s.classes.undecided ?? 0, nonFinite: s.classes['non-finite'] ?? 0,
        gradNormSq: s.finalGradNormSq?.median ?? NaN, loss: s.finalLoss?.median ?? NaN, steps: s.steps?.median ?? NaN,
        work: s.work?.median ?? NaN, wallS: (s.wallMs?.median ?? NaN) / 1000, source: 'summary.json',
      });
      if (s.headToHead) {
        row.leftFlat = `${s.headToHead.leftFlat}/${s.headToHead.rMeasured}`;
        row.targets = Object.entries(s.headToHead.targets)
          .map(([t, v]) => `${t}: ${v.reached}/${s.completedRuns}${v.work ? ` (work ${Number(v.work.median.toPrecision(3))})` : ''}`).join('; ');
      }
    } else if (s) {
      notes.push(`${d.name}: summary.json has ${s.completedRuns} finished run(s) of ${label}, the directory ${rows.length}: the table row is computed from the run records (run 'gradflat summarize ${d.path}' to refresh it)`);
    }
    out.push(row);
  }
  return out;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : '—');
const g3 = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : '—');

export function summaryTableHtml(rows: readonly TableRow[]): string {
  const manyDirs = new Set(rows.map((r) => r.dir)).size > 1;
  const h2h = rows.some((r) => r.leftFlat !== undefined || r.targets !== undefined);
  const swatch = (c: keyof typeof CLASS_COLORS) => `<span class="swatch" style="background:${CLASS_COLORS[c]}"></span>`;
  const head = [
    ...(manyDirs ? ['directory'] : []), 'method', 'runs', `${swatch('critical')}critical`, `${swatch('gradient-flat')}gradient-flat`, `${swatch('neither')}neither`, `${swatch('undecided')}undecided`, `${swatch('non-finite')}non-finite`,
    'median final ‖g‖²', 'median final loss', 'median steps', 'median work (HVP-eq)', 'median wall s', 'median max r',
    ...(h2h ? ['left flat region', 'targets reached'] : []),
  ];
  const body = rows.map((r) => {
    const cells = [
      ...(manyDirs ? [esc(r.dir)] : []),
      `${esc(r.group)}${r.phase === 'finder' ? ' <span class="muted">(flat-start search)</span>' : ''}`,
      `${r.done}${r.expected !== null ? `/${r.expected}` : ''}`, String(r.critical), String(r.flat), String(r.neither), String(r.undecided), String(r.nonFinite),
      sci(r.gradNormSq), g3(r.loss), g3(r.steps), g3(r.work), g3(r.wallS), g3(r.maxR),
      ...(h2h ? [esc(r.leftFlat ?? '—'), esc(r.targets ?? '—')] : []),
    ];
    const missing = r.expected !== null && r.done < r.expected;
    return `<tr${missing ? ' class="partial"' : ''} title="numbers from ${r.source}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="summary">\n<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

export { esc as escapeHtml };
