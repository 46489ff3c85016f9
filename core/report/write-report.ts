/**
 * `gradflat report DIR... --out OUT`: reads run directories (gradflat run or suite), builds
 * the figures' Vega-Lite specs from their rows, and writes
 *   OUT/index.html          summary table + interactive figures (opens from disk, offline)
 *   OUT/lib/                vega, vega-lite, vega-embed (copied from node_modules) and their licences
 *   OUT/specs/<fig>.vl.json one self-contained Vega-Lite spec per figure (data inline), reusable
 *   OUT/svg/<fig>.svg       the same figure rendered in Node by vega: stands alone
 *   OUT/report.json         what was written, from what, with the notes
 * No PNG: vega renders PNG through the native `canvas` package, which is not a dependency.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { registry as defaultRegistry, type PluginRegistry } from '../registry/registry.js';
import { packageVersion } from '../run/experiment.js';
import { terminalProgress, type Progress } from '../run/progress.js';
import { pointsPerRun } from './downsample.js';
import { gradNormSpec } from './fig-gradnorm.js';
import { h2hFlatnessMeasure, h2hFlatnessSpec, h2hProgressSpec, h2hShareSpec } from './fig-h2h.js';
import { lossIndexSpec } from './fig-loss-index.js';
import { spectralDensitySpec } from './fig-spectral-density.js';
import { profileSpec } from './fig-profile.js';
import { rEcdfSpec } from './fig-r-ecdf.js';
import { spectralFlatnessSpec } from './fig-spectral-flatness.js';
import { classAgreementSpec } from './fig-class-agreement.js';
import { rIterationsSpec } from './fig-r-iterations.js';
import { indexHtml, type PageFigure } from './html.js';
import { describeMissing, readRunDirectory } from './read-run-dir.js';
import { ReportInputError } from '../io/errors.js';
import { renderSvg } from './render-svg.js';
import type { DirData, RunRow, StepRow, TruthRow } from '../io/run-rows.js';
import { summaryTableHtml, summaryTableRows } from './summary-table.js';
import { specJson, type VlSpec } from './spec-common.js';

export interface ReportOptions {
  /** Page title (default: from the directories). */
  title?: string;
  /** Points per run in step figures (default: about 40,000 points per figure, 40–1000 per run). */
  maxPointsPerRun?: number;
  /** Render the static SVGs (default true). */
  svg?: boolean;
  /** Where steppers are looked up to replay runs for problem figures (default: the default registry). */
  registry?: PluginRegistry;
  progress?: Progress;
}

export interface ReportResult {
  out: string;
  index: string;
  figures: Array<{ id: string; title: string; spec: string; svg: string | null; warnings: string[] }>;
  missing: string[];
  notes: string[];
  bytes: { index: number; total: number };
  ms: number;
}

const MARKER = 'report.json';
const LIBS = [
  { pkg: 'vega', file: 'build/vega.min.js' },
  { pkg: 'vega-lite', file: 'build/vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'build/vega-embed.min.js' },
] as const;

/** The folder of an installed package (its exports hide package.json, so walk up from its entry point). */
function packageRoot(pkg: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(pkg));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === pkg) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the installed package '${pkg}' (run npm install)`);
    dir = up;
  }
}

/**
 * Names for the directories, unique by construction: each starts as its basename, and names
 * that coincide take one more parent folder, until they differ or a path runs out of folders
 * (the same directory given twice gets ` #i`, its position from 1). Figure, file and element
 * ids do not use these names but the directory's position (-d0, -d1, ...).
 */
export function uniqueNames(paths: readonly string[]): string[] {
  const full = paths.map((p) => resolve(p));
  const parts = full.map((p) => p.split(/[\\/]+/).filter(Boolean));
  const depth = paths.map(() => 1);
  const nameOf = (i: number) => parts[i].slice(-depth[i]).join('/') || full[i];
  for (;;) {
    const names = paths.map((_, i) => nameOf(i));
    let grew = false;
    names.forEach((n, i) => {
      if (depth[i] < parts[i].length && names.some((m, j) => m === n && full[j] !== full[i])) {
        depth[i]++;
        grew = true;
      }
    });
    if (!grew) break;
  }
  const taken = new Set<string>();
  return paths.map((_, i) => {
    let n = nameOf(i);
    while (taken.has(n)) n = `${n} #${i + 1}`;
    taken.add(n);
    return n;
  });
}

/** Refuses to write into a folder that is not empty and is not an earlier report. */
function prepareOut(out: string, inputs: readonly string[]): void {
  const abs = resolve(out);
  for (const d of inputs) {
    if (resolve(d) === abs) throw new ReportInputError(`--out ${out} is the run directory itself; write the report to a folder of its own (default: ${join(d, 'report')})`);
  }
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new ReportInputError(`--out ${out} is a file`);
    const entries = readdirSync(abs);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new ReportInputError(`the report folder ${out} is not empty and holds no earlier report (no ${MARKER}); refusing to write there. Give a new or empty folder (gradflat report --out), or move its files away`);
    }
    for (const f of ['specs', 'svg', 'lib', 'index.html', MARKER]) rmSync(join(abs, f), { recursive: true, force: true });
  }
  // The marker first, saying the report is being written: a report killed part-way is still
  // known as gradflat's, and the same command replaces it (written in full at the end).
  mkdirSync(abs, { recursive: true });
  writeFileSync(join(abs, MARKER), JSON.stringify({ generator: 'gradflat report', status: 'writing' }) + '\n');
  mkdirSync(join(abs, 'specs'), { recursive: true });
}

const CAPTIONS = {
  gradnorm: '‖g‖² of every logged iterate θ<sub>k</sub> (step logs, <code>gradNormSq</code>) on a log axis, one line per run, coloured by the class of the run\'s final point (its final record); a dot marks where each run ended and its tooltip gives the final record (loss, ‖g‖², r, steps, why it stopped). One panel per method; the flat-start finder of a suite has its own. As [GF] Figs. 1A/C, 3A, 4A, 5A.',
  lossIndex: 'Loss against Morse index (fraction of Hessian eigenvalues below −cutoff, from the dense spectrum of the final record, or estimated by <code>lanczos-slq</code> with its interval drawn as a bar) of every final point, coloured by class. Grey: the analytic critical points (truth.json), one dot per distinct (loss, index). As [GF] Figs. 1B/D, 3D.',
  density: 'Hessian spectral density of one final point per method (the lowest final ‖g‖² among runs whose index was estimated, <code>indexMethod: lanczos-slq</code>): stochastic Lanczos quadrature nodes of the final record (<code>indexEstimate.probes</code>) smoothed by a Gaussian of 1% of the spectral span, exactly resolved Ritz values as unit masses, the cutoff −c dashed; the estimated count of eigenvalues below −c and its interval in the subtitle. See docs/conventions.md (Morse index beyond the dense limit).',
  rIterations: 'r = ‖Hp+g‖/(‖H‖‖p‖+‖g‖) at each step where a Newton system was solved: Newton-MR\'s own solve (<code>newton.r_solverA</code>) or a suite\'s MINRES-QLP probe (<code>probe.r</code>, every few steps). The line is a trailing mean of the raw r over the last 10 iterations, computed from the full log before any thinning. Runs chosen per method: the largest maximal r of each final class, then the next largest. As [GF] Fig. 3B.',
  rEcdf: 'Empirical CDFs over the runs of each method of the final r (fresh probe at the final point, final record) and of the maximal r over the run\'s steps; the dashed line is the 0.9 threshold above which a point counts as gradient-flat. As [GF] Fig. 3C.',
  spectralFlatness: 'For each run, the share of ‖g‖² in eigen-directions of the final point\'s Hessian with |λ| ≤ τ·‖H‖₂, against τ (final record <code>spectralFlatness</code>): the line is the estimate, the band its certified bracket (<code>sharesLower</code> to <code>sharesUpper</code>; dense eigendecomposition for n ≤ 2000, where the band is the line, else Lanczos from g). Colour: the certified class, read where the dashed rules cross: gradient-flat when the band at τ<sub>flat</sub> lies on or above s<sub>flat</sub> (thresholds <code>flatTau</code>, <code>flatShare</code>), neither when below, undecided when it straddles s<sub>flat</sub> after the budget. A curve near 1 at small τ means g lies in the near-kernel of H: gradient-flat whatever a Krylov solve reports. Records older than the bracket hold the dense shares only.',
  flatStartFlatness: 'The same profiles for the final points of a suite\'s flat-start finder, the points the methods start from: a start counts as flat only when certified. The tooltip says whether the run gave a start (flat-starts.json: this final point, or its maximal-r iterate).',
  agreement: 'Per method (and the flat-start finder), runs counted by the paper\'s class (rows: r<sub>solverA</sub> &gt; <code>flatR</code>, record <code>classPaper</code>) and the certified class (columns: record <code>class</code>). On the framed diagonal the two criteria agree. Critical and non-finite are the same test under both, so disagreement lies among gradient-flat, neither and undecided: paper gradient-flat but certified neither is r above the threshold because the Krylov solve stopped early, not because g lies in the near-kernel of H; paper neither but certified gradient-flat is a flat point the solve missed (a long p along g). Undecided has no paper counterpart: the bracket at τ<sub>flat</sub> still straddles s<sub>flat</sub>. For records written before the certified criterion the certified class is decided from their dense shares with the same thresholds.',
  progress: 'Loss and ‖g‖² of every run against the method\'s cumulative oracle work (<code>cumulativeWork</code>, HVP-equivalents, probes excluded) and its wall time (<code>methodWallMs</code>), both up to θ<sub>k</sub>; all methods start from the same points. A dot marks each run\'s end at its final record\'s total work and wall time (a failed last attempt included); a run halted at θ<sub>0</sub> (no work) sits at the left edge of the log axis.',
  flatness: 'The paper\'s measure, r, over the steps of every run, one panel per method: the method\'s own Newton r where it solves one, else the suite\'s newton probe at its cadence (probe kind newton, or none). With spectral probes this figure shows the certified share instead.',
  flatnessShare: 'The certified measure over the steps of every run, one panel per method: at each spectral probe (the suite\'s cadence, every method alike, Newton-MR included) the share of ‖g‖² in Hessian eigen-directions with |λ| ≤ τ<sub>flat</sub>·‖H‖₂ (step log <code>probe.spectral</code> at <code>flatTau</code>) as a line, its certified bracket as a band, s<sub>flat</sub> (<code>flatShare</code>) dashed. A probe is flat when the band lies on or above s<sub>flat</sub>, not flat when wholly below, undecided when it straddles (<code>probe.verdict</code>, in the tooltip): the verdicts from which the table\'s "left flat region" is counted. Colour: class of the run\'s final point. The paper\'s r of Newton-MR\'s own solves is in the r figures above.',
  profile: 'Performance profile (Dolan &amp; Moré 2002) in oracle work: for each shared start the work each method needed to first reach the target (from the full step logs), divided by the least any method needed; the curve is the share of starts with that ratio ≤ τ. The target is the suite\'s <code>summary.targets</code>, or Moré &amp; Wild\'s test loss ≤ f<sub>L</sub> + 0.1(f<sub>0</sub> − f<sub>L</sub>) when the suite names none; there a start from which no method lowered the loss (f<sub>L</sub> ≥ f<sub>0</sub>) counts as unsolved by every method. Drawn when at least two methods ran.',
};

/** A figure before its files are written. */
type Figure = Omit<PageFigure, 'specFile' | 'svgFile'>;

/** What the figures are drawn from, and where their notes go. */
interface FigureInputs {
  data: readonly DirData[];
  dirs: readonly string[];
  runs: RunRow[];
  steps: StepRow[];
  registry: PluginRegistry;
  progress: Progress;
  /** Points per run in step figures. */
  maxPoints: number;
  opts: ReportOptions;
  notes: string[];
}

/** Reads every directory into rows; throws before anything is written when none has a finished run. */
function readDirectories(dirs: readonly string[], progress: Progress): { data: DirData[]; notes: string[]; missing: string[]; runs: RunRow[]; steps: StepRow[] } {
  const names = uniqueNames(dirs);
  // Read everything first: bad input fails before anything is written.
  const data: DirData[] = dirs.map((path, i) => readRunDirectory(path, {
    name: names[i], prefixGroups: dirs.length > 1,
    onRun: (done, total) => progress.update(`report: reading ${names[i]}: ${done}/${total} runs`),
  }));
  const notes = data.flatMap((d) => d.notes);
  const missing = data.flatMap((d) => describeMissing(d).map((m) => (dirs.length > 1 ? `${d.name}: ${m}` : m)));
  const runs = data.flatMap((d) => d.runs);
  const steps = data.flatMap((d) => d.steps);
  if (runs.length === 0) {
    throw new ReportInputError(`nothing to report: no finished run in ${dirs.join(', ')}${[...notes, ...missing].length ? ` (${[...notes, ...missing].join('; ')})` : ''}`);
  }
  return { data, notes, missing, runs, steps };
}

/** The figures over all runs of all directories, each drawn when its data exist (else a note says why not). */
function allRunsFigures({ data, runs, steps, maxPoints, opts, notes }: FigureInputs): Figure[] {
  const figures: Figure[] = [];
  const all = 'All runs';
  figures.push({ id: 'fig1-gradnorm', section: all, title: '‖g‖² per iteration', caption: CAPTIONS.gradnorm, spec: gradNormSpec(runs, steps, { maxPointsPerRun: maxPoints }) });
  if (runs.some((r) => Number.isFinite(r.index))) {
    const truth = new Map<string, TruthRow[]>(data.filter((d) => d.truth).map((d) => [d.name, d.truth!]));
    figures.push({ id: 'fig2-loss-index', section: all, title: 'Loss against Morse index', caption: CAPTIONS.lossIndex, spec: lossIndexSpec(runs, truth) });
  } else {
    notes.push('no final point has a Morse index (index method dense beyond its limit?): no loss–index figure');
  }
  if (runs.some((r) => r.density)) {
    figures.push({ id: 'fig2-spectral-density', section: all, title: 'Spectral density and estimated index', caption: CAPTIONS.density, spec: spectralDensitySpec(runs) });
  }
  const flatR = data[0].thresholds.flatR;
  if (steps.some((s) => s.r !== null)) {
    figures.push({ id: 'fig3-r-iterations', section: all, title: 'r per iteration', caption: CAPTIONS.rIterations, spec: rIterationsSpec(runs, steps, { flatR, maxPointsPerRun: opts.maxPointsPerRun }) });
  } else {
    notes.push('no step has a measured r (no Newton solves, probes off): no r-per-iteration figure');
  }
  if (runs.some((r) => Number.isFinite(r.r) || Number.isFinite(r.maxR))) {
    figures.push({ id: 'fig4-r-ecdf', section: all, title: 'ECDF of final and maximal r', caption: CAPTIONS.rEcdf, spec: rEcdfSpec(runs, { flatR }) });
  }
  // Thresholds of the first directory, as for flatR: directories compared side by side normally share them.
  const rule = data[0].thresholds;
  const finals = runs.filter((r) => r.phase === 'method' && r.spectral);
  if (finals.length > 0) {
    figures.push({ id: 'fig4-spectral-flatness', section: all, title: 'Spectral flatness of the final points', caption: CAPTIONS.spectralFlatness, spec: spectralFlatnessSpec(finals, rule) });
  }
  const finder = runs.filter((r) => r.phase === 'finder' && r.spectral);
  if (finder.length > 0) {
    figures.push({ id: 'fig4-flat-start-flatness', section: all, title: 'Spectral flatness of the flat starts', caption: `${CAPTIONS.spectralFlatness} ${CAPTIONS.flatStartFlatness}`, spec: spectralFlatnessSpec(finder, rule, { points: 'flat-starts' }) });
  }
  if (runs.some((r) => r.clsCertified !== undefined)) {
    figures.push({ id: 'fig4-class-agreement', section: all, title: "The paper's class against the certified class", caption: CAPTIONS.agreement, spec: classAgreementSpec(runs, rule) });
  } else {
    notes.push('no final point has a certified class (no spectral flatness in the records): no class-agreement figure');
  }
  return figures;
}

/** Each directory's own figures, appended to `figures`: the quartic's trajectories, a suite's head-to-head. */
function directoryFigures(figures: Figure[], { data, dirs, registry, progress, maxPoints, opts, notes }: FigureInputs): void {
  for (const [di, d] of data.entries()) {
    // Ids (figures, files, page elements) from the directory's position: names may differ only in characters an id cannot hold.
    const suffix = dirs.length > 1 ? `-d${di}` : '';
    const plugin = registry.problems.has(d.problem) ? registry.problems.get(d.problem) : undefined;
    if (plugin?.reportFigures) {
      const { figures: own, notes: n } = plugin.reportFigures(d, {
        steppers: registry,
        maxPointsPerRun: maxPoints, progress: (text) => progress.update(text),
      });
      notes.push(...n);
      for (const f of own) figures.push({ ...f, id: `${f.id}${suffix}`, section: `${f.section}${dirs.length > 1 ? `: ${d.name}` : ''}`, spec: f.spec as VlSpec });
    }
    if (d.kind === 'suite') {
      const methodRuns = d.runs.filter((r) => r.phase === 'method');
      if (methodRuns.length === 0) continue;
      const methods = d.methodGroups.filter((g) => methodRuns.some((r) => r.group === g));
      const section = `Head-to-head${dirs.length > 1 ? `: ${d.name}` : ''}`;
      figures.push({ id: `fig6-progress${suffix}`, section, title: 'Loss and ‖g‖² against work and wall time', caption: CAPTIONS.progress, spec: h2hProgressSpec(methodRuns, d.steps, { methods, maxPointsPerRun: maxPoints }) });
      // Spectral probes: the certified share, the measure the suite's "left flat" counts; else the paper's r.
      const measure = h2hFlatnessMeasure(d.steps, methods);
      if (measure === 'share') {
        const { flatTau, flatShare } = d.thresholds;
        figures.push({ id: `fig6-flatness${suffix}`, section, title: 'Certified flatness over the steps', caption: CAPTIONS.flatnessShare, spec: h2hShareSpec(methodRuns, d.steps, { methods, flatTau, flatShare, maxPointsPerRun: opts.maxPointsPerRun }) });
      } else if (measure === 'r') {
        figures.push({ id: `fig6-flatness${suffix}`, section, title: "The paper's r over the steps", caption: CAPTIONS.flatness, spec: h2hFlatnessSpec(methodRuns, d.steps, { methods, flatR: d.thresholds.flatR, maxPointsPerRun: opts.maxPointsPerRun }) });
      }
      if (methods.length >= 2) {
        figures.push({ id: `fig6-profile${suffix}`, section, title: 'Performance profile', caption: CAPTIONS.profile, spec: profileSpec(methodRuns, d.steps, methods, d.targets) });
      } else {
        notes.push(`${d.name}: only one method (${methods[0]}) has finished runs: no performance profile (it compares methods)`);
      }
    }
  }
}

/** Each figure's spec (and, unless opts.svg is false, its SVG) under `abs`. */
async function writeFigures(figures: readonly Figure[], abs: string, opts: ReportOptions, progress: Progress): Promise<{ written: ReportResult['figures']; page: PageFigure[] }> {
  const ids = figures.map((f) => f.id);
  if (new Set(ids).size !== ids.length) throw new Error(`internal: figure ids collide (${ids.join(', ')})`);
  const written: ReportResult['figures'] = [];
  const page: PageFigure[] = [];
  if (opts.svg !== false) mkdirSync(join(abs, 'svg'), { recursive: true });
  for (const [i, f] of figures.entries()) {
    progress.update(`report: figure ${i + 1}/${figures.length}: ${f.title}`);
    const specFile = `specs/${f.id}.vl.json`;
    writeFileSync(join(abs, specFile), specJson(f.spec) + '\n');
    let svgFile: string | null = null;
    let warnings: string[] = [];
    if (opts.svg !== false) {
      const r = await renderSvg(f.spec);
      warnings = r.warnings;
      svgFile = `svg/${f.id}.svg`;
      writeFileSync(join(abs, svgFile), r.svg);
    }
    page.push({ ...f, specFile, svgFile });
    written.push({ id: f.id, title: f.title, spec: join(abs, specFile), svg: svgFile && join(abs, svgFile), warnings });
  }
  return { written, page };
}

/** vega, vega-lite and vega-embed (with their licences) into `abs`/lib, so the page opens offline; their paths. */
function copyLibraries(abs: string): string[] {
  mkdirSync(join(abs, 'lib'), { recursive: true });
  const libs: string[] = [];
  for (const l of LIBS) {
    const root = packageRoot(l.pkg);
    const file = `lib/${basename(l.file)}`;
    copyFileSync(join(root, l.file), join(abs, file));
    if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(abs, 'lib', `LICENSE-${l.pkg}`));
    libs.push(file);
  }
  return libs;
}

export async function writeReport(dirs: readonly string[], out: string, opts: ReportOptions = {}): Promise<ReportResult> {
  const t0 = performance.now();
  if (dirs.length === 0) throw new ReportInputError("give at least one run directory (the --out of 'gradflat run' or 'gradflat suite')");
  const progress = opts.progress ?? terminalProgress();
  const registry = opts.registry ?? defaultRegistry;
  const { data, notes, missing, runs, steps } = readDirectories(dirs, progress);
  prepareOut(out, dirs);

  const maxPoints = opts.maxPointsPerRun ?? pointsPerRun(runs.length);
  const inputs: FigureInputs = { data, dirs, runs, steps, registry, progress, maxPoints, opts, notes };
  const figures = allRunsFigures(inputs);
  directoryFigures(figures, inputs);
  const abs = resolve(out);
  const { written, page } = await writeFigures(figures, abs, opts, progress);
  const libs = copyLibraries(abs);

  const tableNotes: string[] = [];
  const tableRows = data.flatMap((d) => summaryTableRows(d, tableNotes));
  notes.push(...tableNotes);
  const version = packageVersion();
  const title = opts.title ?? `gradflat report: ${data.map((d) => d.name).join(', ')}`;
  const html = indexHtml({
    title, generatedAt: new Date().toISOString(), version,
    dirs: data.map((d) => ({ name: d.name, path: d.path, kind: d.kind, problem: d.problem, description: d.description, runs: d.runs.length })),
    tableHtml: summaryTableHtml(tableRows), missing, notes, figures: page, libs,
    downsampling: `Every finished run is drawn. Step figures keep at most ${maxPoints} points per run${opts.maxPointsPerRun === undefined ? ' (the two r figures, about 30,000 points per figure and up to 1000 per run)' : ''}: the smallest and largest value in each stretch of consecutive steps, plus the first and last, so spikes survive; quartic trajectories keep points evenly spaced along their length, plus the first and last. Moving averages, maxima and work to targets are computed from the full logs first.`,
  });
  const index = join(abs, 'index.html');
  writeFileSync(index, html);
  writeFileSync(join(abs, MARKER), JSON.stringify({
    generator: 'gradflat report', version, createdAt: new Date().toISOString(),
    dirs: data.map((d) => ({ path: d.path, kind: d.kind, problem: d.problem, runs: d.runs.length })),
    maxPointsPerRun: maxPoints, figures: written.map((f) => ({ id: f.id, title: f.title, spec: relative(abs, f.spec), svg: f.svg && relative(abs, f.svg) })),
    missing, notes,
  }, null, 2) + '\n');
  progress.done();
  const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size);
  return { out: abs, index, figures: written, missing, notes, bytes: { index: statSync(index).size, total: size(abs) }, ms: performance.now() - t0 };
}
