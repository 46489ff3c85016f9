/**
 * Reads one run directory — `gradflat run` or `gradflat suite` output — into tidy rows
 * (core/io/run-rows.ts). Finished runs only are drawn; runs without a final record are listed as missing
 * (and as unfinished when their step log exists), never guessed. Bad input (no directory, an
 * empty one, a folder that is not gradflat's) fails with one clear message.
 */
import { ReportInputError } from '../io/errors.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readRunRecord } from '../run/record-file.js';
import type { RunRecord } from '../run/run-one.js';
import type { PointReport } from '../analysis/evaluate-point.js';
import { parseManifest, type Manifest } from '../run/run-directory.js';
import { WORK_WEIGHTS } from '../oracle/oracle.js';
import { DEFAULT_FLATNESS_CRITERION, sameTau } from '../analysis/spectral-flatness.js';
import {
  asClass, finiteOrNull, num, runId, type DirData, type MissingRuns, type PointClass, type RunRow, type SpectralRow, type StepperConfig, type StepRow, type StepShare, type TruthRow,
} from '../io/run-rows.js';

/** An estimated final index (indexMethod other than 'dense'): its interval and SLQ quadrature. */
function estimatedIndexFields(final: Json): Partial<RunRow> {
  const method = typeof final.indexMethod === 'string' ? final.indexMethod : undefined;
  const iv = final.indexInterval;
  if (!method || method === 'dense' || !Array.isArray(iv) || iv.length !== 2) return method ? { indexMethod: method } : {};
  const est = final.indexEstimate as Json | undefined;
  const count = final.negativeEigenvaluesInterval;
  const probes = Array.isArray(est?.probes) ? (est!.probes as Json[]).map((p) => ({ nodes: (p.nodes as unknown[]).map(num), weights: (p.weights as unknown[]).map(num) })) : undefined;
  const indexInterval: [number, number] = [num(iv[0]), num(iv[1])];
  return {
    indexMethod: method, indexInterval,
    ...(probes && Array.isArray(count) && {
      density: {
        n: num(est!.n),
        cutoff: num(final.indexCutoff), probes, locked: Array.isArray(est!.locked) ? (est!.locked as unknown[]).map(num) : [],
        negativeCount: num(final.negativeEigenvalues), countInterval: [num(count[0]), num(count[1])], confidence: num(est!.confidence),
      },
    }),
  };
}


export interface ReadOptions {
  /** Name of the directory in the report (default: its basename). */
  name?: string;
  /** Put `name · ` before every group (when several directories are compared). */
  prefixGroups?: boolean;
  /** Called as runs are read (for a progress line). */
  onRun?: (done: number, total: number) => void;
}

type Json = Record<string, unknown>;

/** HVP-equivalents of one step's oracle calls (the weights of core/oracle/oracle.ts). */
function workOf(w: unknown): number {
  if (!w || typeof w !== 'object') return 0;
  const c = w as Record<string, unknown>;
  let s = 0;
  for (const [k, weight] of Object.entries(WORK_WEIGHTS)) s += (Number(c[k]) || 0) * (weight as number);
  return s;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReportInputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`${path} is not valid JSON (${(e as Error).message}): this is not a gradflat run directory, or the file was damaged`);
  }
}

/** Subfolders that are themselves run directories (to suggest them when a parent folder is given). */
function childRunDirectories(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(path, d.name, 'manifest.json')))
      .map((d) => join(path, d.name));
  } catch {
    return [];
  }
}

const WHAT = "give the --out directory of 'gradflat run' or 'gradflat suite'";

/** Checks that `path` is a gradflat run directory and returns its manifest. */
export function readManifest(path: string): Manifest {
  if (!existsSync(path)) throw new ReportInputError(`${path}: no such directory (${WHAT})`);
  if (!statSync(path).isDirectory()) throw new ReportInputError(`${path} is a file, not a run directory (${WHAT})`);
  const entries = readdirSync(path);
  if (entries.length === 0) throw new ReportInputError(`${path} is empty: nothing to report (${WHAT})`);
  const manifestPath = join(path, 'manifest.json');
  if (!existsSync(manifestPath)) {
    const children = childRunDirectories(path);
    if (children.length > 0) {
      throw new ReportInputError(`${path} holds no gradflat run itself (no manifest.json), but these folders do: ${children.join(', ')}. Give them instead (several directories can be reported together)`);
    }
    throw new ReportInputError(`${path} holds no gradflat run (no manifest.json; found ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', ...' : ''}): ${WHAT}`);
  }
  const m = parseManifest(readJson(manifestPath, 'the manifest'));
  const ok = m?.gradflat !== undefined && ((m.kind === 'suite' && m.identity?.suite) || (m.kind === undefined && m.identity?.config));
  if (!m || !ok) {
    throw new ReportInputError(`${manifestPath} is not a gradflat manifest (it lacks 'gradflat' and the run's identity): ${path} was not written by 'gradflat run' or 'gradflat suite'`);
  }
  return m;
}

interface GroupSpec {
  group: string;
  method: string;
  phase: 'method' | 'finder';
  stepper: StepperConfig & { targetGradNormSq?: number };
  folder: string;
  /** θ₀ of run i, when the problem is two-dimensional. */
  startOf: (run: number) => number[] | undefined;
  expected: number | null;
  /** Finder groups: run → which of its points became a flat start (flat-starts.json `source`). */
  flatStarts?: Map<number, string>;
}

const RUN_FILE = /^run-(\d+)\.(json|ndjson)$/;

function runIndices(folder: string): { records: Set<number>; logs: Set<number> } {
  const records = new Set<number>(), logs = new Set<number>();
  if (!existsSync(folder)) return { records, logs };
  for (const f of readdirSync(folder)) {
    const m = RUN_FILE.exec(f);
    if (!m) continue;
    (m[2] === 'json' ? records : logs).add(Number(m[1]));
  }
  return { records, logs };
}

interface ParsedLog {
  steps: StepRow[];
  badLines: number;
}

/**
 * A spectral probe's share at τ_flat with its bracket, and the probe's verdict; undefined when
 * the step has no spectral probe or its grid lacks τ_flat. Only these four numbers are kept of
 * the probe's profile: step rows stay small (the figure draws τ_flat alone).
 */
function stepShareOf(probe: Json | undefined, flatTau: number): StepShare | undefined {
  const s = probe?.spectral as { taus?: unknown; shares?: unknown; sharesLower?: unknown; sharesUpper?: unknown } | undefined;
  if (!s || !Array.isArray(s.taus) || !Array.isArray(s.shares)) return undefined;
  const shares = s.shares;
  const k = s.taus.findIndex((t) => sameTau(num(t), flatTau));
  if (k < 0 || k >= shares.length) return undefined;
  const share = num(shares[k]);
  // Records without brackets hold exact shares: the bracket is the share.
  const bound = (b: unknown) => (Array.isArray(b) && b.length === shares.length ? num(b[k]) : share);
  const verdict = probe!.verdict;
  return {
    share: finiteOrNull(share), lower: finiteOrNull(bound(s.sharesLower)), upper: finiteOrNull(bound(s.sharesUpper)),
    ...((verdict === 'flat' || verdict === 'not-flat' || verdict === 'undecided') && { verdict }),
  };
}

/**
 * One step log (NDJSON) → rows; `cls` is the run's final class (colours every step). `flatTau`
 * (default DEFAULT_FLATNESS_CRITERION.tau): where spectral probes' shares are read.
 */
export function parseStepLog(text: string, id: string, group: string, run: number, cls: StepRow['cls'], flatTau: number = DEFAULT_FLATNESS_CRITERION.tau): ParsedLog {
  const steps: StepRow[] = [];
  let badLines = 0;
  let cumulative = 0;
  let lastWall: number | null = null;
  let sawWall = false;
  let final: Json | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: Json;
    try {
      rec = JSON.parse(line) as Json;
    } catch {
      badLines++;
      continue;
    }
    if (rec.type === 'final') {
      final = rec;
      continue;
    }
    if (rec.type !== 'step') continue;
    const newton = rec.newton as Json | undefined;
    const probe = rec.probe as Json | undefined;
    let r: number | null = null;
    if (newton && newton.r_solverA !== undefined) r = num(newton.r_solverA);
    else if (probe && probe.r !== undefined) r = num(probe.r);
    if (r !== null && !Number.isFinite(r)) r = null;
    const flat = stepShareOf(probe, flatTau);
    const workBefore = cumulative;
    const wallBefore = sawWall ? lastWall ?? 0 : null;
    cumulative = rec.cumulativeWork !== undefined ? num(rec.cumulativeWork) : cumulative + workOf(rec.work);
    if (rec.methodWallMs !== undefined) {
      sawWall = true;
      lastWall = num(rec.methodWallMs);
    }
    steps.push({
      id, group, run, cls, iteration: Number(rec.iteration), loss: num(rec.loss), gradNormSq: num(rec.gradNormSq), r,
      work: workBefore, wallMs: rec.methodWallMs !== undefined ? (wallBefore ?? 0) : null,
      ...(flat && { flat }),
    });
  }
  // The final point θ_N, unless a step line already describes it (a halted run logs its last try).
  if (final) {
    const n = Number(final.steps);
    if (Number.isFinite(n) && !steps.some((s) => s.iteration === n)) {
      steps.push({ id, group, run, cls, iteration: n, loss: num(final.loss), gradNormSq: num(final.gradNormSq), r: null, work: cumulative, wallMs: sawWall ? lastWall : null });
    }
  }
  return { steps, badLines };
}

/** Reads `path` into rows. Throws ReportInputError for a directory that is not a gradflat run. */
export function readRunDirectory(path: string, opts: ReadOptions = {}): DirData {
  const manifest = readManifest(path);
  const name = opts.name ?? (basename(path.replace(/[\\/]+$/, '')) || path);
  const prefix = opts.prefixGroups ? `${name} · ` : '';
  const isSuite = manifest.kind === 'suite';
  const problemInfo = manifest.problem ?? { name: undefined, parameters: undefined, description: undefined };
  const problem = String(problemInfo.name ?? 'unknown');
  const notes: string[] = [];
  const { starts, truth, summary } = readSideFiles(path, name, notes);
  // n as the manifest records it, else the starting points' length. Points of n ≤ 2 are kept for problem figures.
  const dim = typeof problemInfo.parameters === 'number' ? problemInfo.parameters : starts?.[0]?.length;
  const small = dim !== undefined && dim <= 2;
  const at: GroupPlace = { path, name, prefix, small, starts, notes };
  const { groups, thresholds, targets } = isSuite ? suiteGroups(manifest, at) : experimentGroups(manifest, at);
  const { runs, steps, missing } = readGroups(groups, { name, problem, small, notes, thresholds, onRun: opts.onRun });
  const methodGroups = groups.filter((g) => g.phase === 'method').map((g) => g.group);
  if (runs.length === 0) notes.push(`${name}: no run has finished yet`);
  return {
    path, name, kind: isSuite ? 'suite' : 'run', problem, description: typeof problemInfo.description === 'string' ? problemInfo.description : undefined,
    dim, runs, steps, truth, thresholds, missing, notes, summary, targets,
    steppers: Object.fromEntries(groups.map((g) => [g.group, g.stepper])),
    expectedRuns: groups.find((g) => g.phase === 'method')?.expected ?? null,
    methodGroups,
  };
}

/** The starting points, the analytic critical points and the summary, each when present (a damaged summary is a note). */
function readSideFiles(path: string, name: string, notes: string[]): { starts: number[][] | null; truth: TruthRow[] | null; summary: unknown } {
  const startsPath = join(path, 'starts.json');
  const starts = existsSync(startsPath) ? (readJson(startsPath, 'the starting points') as number[][]) : null;
  const truthPath = join(path, 'truth.json');
  const truth: TruthRow[] | null = existsSync(truthPath)
    ? (readJson(truthPath, 'the analytic critical points') as Json[]).map((t) => ({ loss: num(t.loss), index: num(t.index) }))
    : null;
  const summaryPath = join(path, 'summary.json');
  let summary: unknown = null;
  if (existsSync(summaryPath)) {
    try {
      summary = readJson(summaryPath, 'the summary');
    } catch (e) {
      notes.push(`${name}: ${(e as Error).message}; the table is computed from the run records`);
    }
  }
  return { starts, truth, summary };
}

/** Where a directory's groups are and how they are named. */
interface GroupPlace {
  path: string;
  name: string;
  /** Before every group's name (several directories compared). */
  prefix: string;
  /** Two-dimensional problem: runs carry their θ₀. */
  small: boolean;
  starts: number[][] | null;
  notes: string[];
}

interface Groups {
  groups: GroupSpec[];
  thresholds: DirData['thresholds'];
  targets: DirData['targets'];
}

/** A suite's groups: the flat-start finder (when the suite has one), then one per method. */
function suiteGroups(manifest: Json, { path, name, prefix, small, starts, notes }: GroupPlace): Groups {
  const groups: GroupSpec[] = [];
  const suite = (manifest.identity as Json).suite as {
    name: string; starts: { count: number; flat: null | { finder: StepperConfig } };
    steppers: StepperConfig[]; stop?: { targetGradNormSq?: number };
    evaluation?: { thresholds?: ThresholdsJson }; summary?: { targets?: { loss?: number; gradNormSq?: number } };
  };
  const thresholds = thresholdsOf(suite.evaluation?.thresholds);
  const targets: DirData['targets'] = { ...suite.summary?.targets };
  const trained = starts ? starts.length : suite.starts.count;
  const stop = suite.stop?.targetGradNormSq;
  let methodStart: (run: number) => number[] | undefined = (run) => (small ? starts?.[run] : undefined);
  let expected: number | null = trained;
  if (suite.starts.flat) {
    const finder = suite.starts.flat.finder;
    const finderGroup: GroupSpec = {
      group: `${prefix}finder (${finder.stepper})`, method: 'finder', phase: 'finder', stepper: { ...finder, targetGradNormSq: stop },
      folder: join(path, 'finder'), startOf: (run) => (small ? starts?.[run] : undefined), expected: trained,
    };
    groups.push(finderGroup);
    const flatPath = join(path, 'flat-starts.json');
    if (existsSync(flatPath)) {
      const flat = readJson(flatPath, 'the flat starts') as Array<{ theta?: number[]; finderRun?: unknown; source?: unknown }>;
      finderGroup.flatStarts = new Map(flat.filter((f) => typeof f.finderRun === 'number').map((f) => [f.finderRun as number, String(f.source ?? 'final')]));
      expected = flat.length;
      methodStart = (run) => (small ? flat[run]?.theta : undefined);
      if (flat.length === 0) notes.push(`${name}: the finder found no gradient-flat start, so no method ran`);
    } else {
      expected = null;
      notes.push(`${name}: the flat-start phase has not finished (no flat-starts.json), so no method has run yet; run 'gradflat suite' again to resume`);
    }
  }
  for (const s of suite.steppers) {
    groups.push({
      group: `${prefix}${s.label}`, method: s.label, phase: 'method', stepper: { ...s, targetGradNormSq: stop },
      folder: join(path, 'runs', s.label), startOf: methodStart, expected,
    });
  }
  return { groups, thresholds, targets };
}

/** A `gradflat run` directory's one group: its stepper's runs. */
function experimentGroups(manifest: Json, { path, prefix, small, starts }: GroupPlace): Groups {
  const config = (manifest.identity as Json).config as {
    stepper: string; hyperparameters?: Record<string, unknown>; runs?: number; targetGradNormSq?: number;
    thresholds?: ThresholdsJson;
  };
  const thresholds = thresholdsOf(config.thresholds);
  const groups: GroupSpec[] = [{
    group: `${prefix}${config.stepper}`, method: config.stepper, phase: 'method',
    stepper: { label: config.stepper, stepper: config.stepper, hyperparameters: config.hyperparameters ?? {}, targetGradNormSq: config.targetGradNormSq },
    folder: join(path, 'runs'), startOf: (run) => (small ? starts?.[run] : undefined),
    expected: starts ? starts.length : config.runs ?? null,
  }];
  return { groups, thresholds, targets: {} };
}

interface ThresholdsJson { critical?: unknown; flatR?: unknown; flatTau?: unknown; flatShare?: unknown }

/** The class thresholds of a suite or run config; absent ones (older configs) take the defaults. */
function thresholdsOf(t: ThresholdsJson | undefined): DirData['thresholds'] {
  return {
    critical: num(t?.critical ?? 1e-8), flatR: num(t?.flatR ?? 0.9),
    flatTau: num(t?.flatTau ?? DEFAULT_FLATNESS_CRITERION.tau), flatShare: num(t?.flatShare ?? DEFAULT_FLATNESS_CRITERION.share),
  };
}

interface RowContext {
  /** The directory's name in the report. */
  name: string;
  problem: string;
  small: boolean;
  notes: string[];
  thresholds: DirData['thresholds'];
  onRun?: (done: number, total: number) => void;
}

/** Every group's finished runs as rows (with their step rows), and the runs each is missing. */
function readGroups(groups: readonly GroupSpec[], c: RowContext): { runs: RunRow[]; steps: StepRow[]; missing: MissingRuns[] } {
  const runs: RunRow[] = [];
  const steps: StepRow[] = [];
  const missing: MissingRuns[] = [];
  const listed = groups.map((g) => ({ g, ...runIndices(g.folder) }));
  const total = listed.reduce((s, l) => s + l.records.size, 0);
  let done = 0;
  let badLines = 0;
  for (const { g, records, logs } of listed) {
    const all = new Set<number>([...records, ...Array.from({ length: g.expected ?? 0 }, (_, i) => i)]);
    const absent: number[] = [];
    for (const run of [...all].sort((a, b) => a - b)) {
      const read = records.has(run) ? readRun(g, run, c) : undefined;
      if (!read) {
        absent.push(run);
        continue;
      }
      runs.push(read.row);
      badLines += read.badLines;
      for (const s of read.steps) steps.push(s);
      c.onRun?.(++done, total);
    }
    if (absent.length > 0 || (g.expected === null && g.phase === 'method')) {
      missing.push({ group: g.group, runs: absent, unfinished: absent.filter((r) => logs.has(r)) });
    }
  }
  if (badLines > 0) c.notes.push(`${c.name}: ${badLines} step-log line(s) were not valid JSON (a run killed mid-write) and were skipped`);
  return { runs, steps, missing };
}

/** One run's final record as a row, with its step log's rows; undefined when the record is damaged. */
function readRun(g: GroupSpec, run: number, c: RowContext): { row: RunRow; steps: StepRow[]; badLines: number } | undefined {
  const { name, problem, small, notes } = c;
  const file = (ext: string) => join(g.folder, `run-${String(run).padStart(3, '0')}.${ext}`);
  // Through the record schema: encoded NaN/Infinity come back as numbers, a damaged record is named.
  const rec = readRunRecord(file('json'), (p, why) => notes.push(`${p} is damaged (${why}); run ${run} of ${g.group} skipped`));
  if (!rec) return undefined;
  const final: Partial<PointReport> = rec.final ?? {};
  const observed = rec.observed as { work?: unknown; wallMs?: unknown; flat?: { by?: unknown; maxR?: unknown } } | undefined;
  const id = runId(g.group, run);
  const cls = asClass(final.class);
  const spectral = spectralOf(final.spectralFlatness);
  const classes = classesOf(final as Json, cls, spectral, c.thresholds);
  let runSteps: StepRow[] = [];
  let badLines = 0;
  if (existsSync(file('ndjson'))) {
    const parsed = parseStepLog(readFileSync(file('ndjson'), 'utf8'), id, g.group, run, cls, c.thresholds.flatTau);
    runSteps = parsed.steps;
    badLines = parsed.badLines;
  }
  let maxR = -Infinity;
  for (const s of runSteps) if (s.r !== null && s.r > maxR) maxR = s.r;
  // Under spectral probes the observer's maxR is the share at τ_flat, not r: a method without
  // its own Newton solve then has no maximal r (NaN), rather than a share in r's place.
  const observedMaxR = observed?.flat?.by !== 'spectral' ? observed?.flat?.maxR : undefined;
  if (maxR === -Infinity) maxR = num(rec.maxR ?? observedMaxR);
  const theta = Array.isArray(rec.theta) && rec.theta.length <= 2 ? (rec.theta as unknown[]).map(num) : undefined;
  const start: Partial<RunRecord['start']> | undefined = rec.start;
  const row: RunRow = {
    dir: name, group: g.group, method: g.method, stepper: g.stepper.stepper, phase: g.phase, run, id, problem, cls, ...classes,
    loss: num(final.loss), gradNormSq: num(final.gradNormSq), r: num(final.r_solverA), maxR, index: num(final.index),
    steps: num(rec.steps), work: observed?.work !== undefined ? num(observed.work) : workOf(rec.work),
    wallMs: observed?.wallMs !== undefined ? num(observed.wallMs) : num(rec.wallMs), stopReason: String(rec.stopReason ?? ''),
    startLoss: num(start?.loss), startGradNormSq: num(start?.gradNormSq),
    ...(small && { start: g.startOf(run), theta }),
    ...(spectral && { spectral }),
    ...(g.flatStarts?.has(run) && { flatStart: g.flatStarts.get(run) }),
    ...estimatedIndexFields(final),
  };
  return { row, steps: runSteps, badLines };
}

/** One line per group with missing runs, for the page and the terminal. */
export function describeMissing(d: DirData): string[] {
  return d.missing.map((m) => {
    if (m.runs.length === 0) return `${m.group}: not started (its starting points are not made yet)`;
    const list = m.runs.map((r) => `run-${String(r).padStart(3, '0')}`);
    const shown = list.length > 12 ? `${list.slice(0, 12).join(', ')} and ${list.length - 12} more` : list.join(', ');
    return `${m.group}: ${m.runs.length} run(s) missing (${shown})${m.unfinished.length ? `; ${m.unfinished.length} of them started but unfinished` : ''}`;
  });
}

/**
 * The final record's spectral flatness as row data (absent or malformed: undefined). Records
 * written before brackets existed hold only the dense, exact shares: lower = upper = shares.
 */
function spectralOf(v: unknown): SpectralRow | undefined {
  const s = v as { taus?: unknown; shares?: unknown; sharesLower?: unknown; sharesUpper?: unknown; method?: unknown; products?: unknown } | undefined;
  if (!s || !Array.isArray(s.taus) || !Array.isArray(s.shares) || s.taus.length !== s.shares.length) return undefined;
  const shares = s.shares.map(num);
  const bound = (b: unknown) => (Array.isArray(b) && b.length === shares.length ? b.map(num) : [...shares]);
  return {
    taus: s.taus.map(num), shares, lower: bound(s.sharesLower), upper: bound(s.sharesUpper),
    ...(typeof s.method === 'string' && { method: s.method }),
    ...(s.products !== undefined && { products: num(s.products) }),
  };
}

/**
 * The paper's and the certified class of a final record. A record with `classPaper` states both
 * (its `class` is the certified one). An older record's `class` is the paper's; its certified class
 * is decided here from its shares as the criterion does (critical and non-finite are the same under
 * both criteria; otherwise gradient-flat when the lower bound at flatTau ≥ flatShare, neither when
 * the upper bound is below, else undecided), and is left unknown when it has no share at flatTau.
 */
function classesOf(final: Json, cls: PointClass, spectral: SpectralRow | undefined, t: DirData['thresholds']): Pick<RunRow, 'clsPaper' | 'clsCertified'> {
  if (final.classPaper !== undefined) return { clsPaper: asClass(final.classPaper), clsCertified: cls };
  if (cls === 'critical' || cls === 'non-finite') return { clsPaper: cls, clsCertified: cls };
  const k = spectral ? spectral.taus.findIndex((tau) => sameTau(tau, t.flatTau)) : -1;
  if (!spectral || k < 0 || !Number.isFinite(spectral.lower[k]) || !Number.isFinite(spectral.upper[k])) return { clsPaper: cls };
  const certified: PointClass = spectral.lower[k] >= t.flatShare ? 'gradient-flat' : spectral.upper[k] < t.flatShare ? 'neither' : 'undecided';
  return { clsPaper: cls, clsCertified: certified };
}
