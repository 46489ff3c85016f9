/**
 * `gradflat reproduce`: runs the suites of [GF] Figs. 1–5 (suites/fig*.yaml, quick or full),
 * measures what the paper reports (measures.ts) and writes reproduction.json and
 * reproduction.md — paper vs measured, with each suite's command and wall time. Every suite is
 * resumable, so an interrupted reproduction continues where it stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/io/errors.js';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from '../core/io/atomic.js';
import type { DenseKernels } from '../core/linalg/kernels.js';
import type { PluginRegistry } from '../core/registry/registry.js';
import { loadSuite } from '../core/suite/config.js';
import { runSuite, suiteInvocations } from '../core/suite/suite.js';
import { configHash, parseManifest } from '../core/run/run-directory.js';
import {
  fig1LinearClaims, fig1LinearControlClaims, fig1SwishClaims, fig1SwishControlClaims, fig2Claims, fig3Claims, fig3ControlClaims,
  fig4Claims, fig5Claims, fig5ControlClaims, readFigureRuns, type Claim, type FigureRuns,
} from './measures.js';

export const FIGURES = {
  'fig1-linear': fig1LinearClaims,
  'fig1-swish': fig1SwishClaims,
  'fig2-quartic': fig2Claims,
  'fig3-mnist-ae': fig3Claims,
  'fig4-mnist-mlp': fig4Claims,
  'fig5-memorize': fig5Claims,
} satisfies Record<string, (f: FigureRuns) => Claim[]>;
export type FigureId = keyof typeof FIGURES;
export const FIGURE_IDS = Object.keys(FIGURES) as FigureId[];

/**
 * The control experiment (`--control`), which asks whether the flat points are an artefact of
 * the Krylov solve: the same suites and starts with Newton-MR's solver=exact (p = −H⁺g) for
 * steps and final points, from suites/<figure>.exact[.quick].yaml, tabulated in control.md / control.json next to reproduction.md.
 */
export const CONTROL_FIGURES: Partial<Record<FigureId, (f: FigureRuns) => Claim[]>> = {
  'fig1-linear': fig1LinearControlClaims,
  'fig1-swish': fig1SwishControlClaims,
  'fig3-mnist-ae': fig3ControlClaims,
  'fig5-memorize': fig5ControlClaims,
};
export const CONTROL_FIGURE_IDS = FIGURE_IDS.filter((f) => f in CONTROL_FIGURES);

/** The suites folder shipped with the package (dist/studies → ../../suites). */
export const SUITES_DIR = fileURLToPath(new URL('../../suites/', import.meta.url));

export interface FigureResult {
  figure: FigureId;
  suiteFile: string;
  command: string;
  dir: string;
  variant: 'quick' | 'full';
  /** Finished runs on disk, and the runs the suite plans (fewer finished: a suite stopped part-way). */
  runs: number;
  plannedRuns: number;
  /** Σ of the finished runs' own wall times (each run is one worker's work). */
  runSeconds: number;
  /** Wall time of this invocation, and of every finished invocation in the suite's directory. */
  wallSeconds: number;
  totalWallSeconds: number;
  resumedRuns: number;
  kernels: string;
  claims: Claim[];
}

export interface ReproduceOptions {
  variant: 'quick' | 'full';
  figures?: readonly FigureId[];
  workers?: number;
  force?: boolean;
  /** Tabulate the runs already on disk without running anything (`--measure-only`). */
  measureOnly?: boolean;
  /** The control experiment (solver=exact suites, control.md) instead of the reproduction. */
  control?: boolean;
  registry: PluginRegistry;
  log?: (line: string) => void;
}

export async function reproduce(out: string, kernels: DenseKernels, opts: ReproduceOptions): Promise<FigureResult[]> {
  const results: FigureResult[] = [];
  const control = Boolean(opts.control);
  const claimsOf = control ? CONTROL_FIGURES : FIGURES;
  const ids = control ? CONTROL_FIGURE_IDS : FIGURE_IDS;
  const table = control ? 'control' : 'reproduction';
  for (const figure of opts.figures ?? ids) {
    if (opts.measureOnly && !opts.figures && !existsSync(join(out, figure, 'manifest.json'))) {
      opts.log?.(`${figure}: not run in ${out} yet, left out of the table`);
      continue;
    }
    if (!(figure in claimsOf)) throw new UsageError(`unknown figure '${figure}'${control ? ' for the control experiment' : ''}. Figures: ${ids.join(', ')}`);
    const suitePath = `suites/${figure}${control ? '.exact' : ''}${opts.variant === 'quick' ? '.quick' : ''}.yaml`;
    const suiteFile = join(SUITES_DIR, suitePath.slice('suites/'.length));
    if (!existsSync(suiteFile)) throw new Error(`suite file ${suiteFile} is missing from this installation`);
    const suite = await loadSuite(suiteFile, opts.registry);
    const dir = join(out, figure);
    const t0 = performance.now();
    let resumed = 0;
    if (opts.measureOnly) {
      if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`--measure-only: ${dir} holds no suite run yet; run \`gradflat reproduce${opts.variant === 'full' ? ' --full' : ''}${control ? ' --control' : ''} --figures ${figure}\` first`);
      const ran = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')))?.identity?.suite as { name?: string } | undefined;
      if (ran?.name !== suite.name) throw new UsageError(`--measure-only: ${dir} holds suite '${ran?.name}', not '${suite.name}' (${suitePath}); give the --out folder of a ${opts.variant} reproduction`);
      // Same name but an edited file (say more starts): its runs would be tabulated as complete.
      if (configHash(ran) !== configHash(suite)) {
        throw new UsageError(`--measure-only: ${dir} was run with an earlier version of ${suitePath}; run \`gradflat reproduce${opts.variant === 'full' ? ' --full' : ''} --figures ${figure}\` (add --force to start over) before tabulating it`);
      }
    } else {
      opts.log?.(`${figure}: running ${suiteFile} into ${dir}`);
      resumed = (await runSuite(suite, dir, kernels, { registry: opts.registry, workers: opts.workers, force: opts.force })).resumed;
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const runs = readFigureRuns(dir, suite.steppers[0].label);
    const startsFile = join(dir, 'starts.json');
    // starts.json is written before any run; without it nothing ran (the quartic's grid is its starts).
    const starts = existsSync(startsFile) ? (JSON.parse(readFileSync(startsFile, 'utf8')) as unknown[]).length : suite.starts.count;
    results.push({
      figure, variant: opts.variant, suiteFile: suitePath,
      command: `gradflat suite ${suitePath} --out ${dir}`,
      dir, runs: runs.records.length, plannedRuns: starts * suite.steppers.length,
      runSeconds: runs.records.reduce((t, r) => t + r.wallMs / 1000, 0),
      wallSeconds, resumedRuns: resumed, kernels: runs.records[0]?.kernels ?? kernels.name,
      totalWallSeconds: suiteInvocations(dir).reduce((t, i) => t + i.seconds, 0),
      claims: claimsOf[figure]!(runs),
    });
    opts.log?.(`${figure}: ${runs.records.length} runs, ${wallSeconds.toFixed(0)} s${resumed ? ` (${resumed} runs resumed from disk)` : ''}`);
  }
  if (opts.measureOnly && results.length === 0) {
    // Nothing to tabulate: an empty table with exit 0 would look like a reproduction that ran.
    const wanted = opts.figures ?? FIGURE_IDS;
    throw new Error(`--measure-only: ${out} holds none of the figure folders it tabulates (${wanted.map((f) => join(out, f)).join(', ')}); ` +
      `make them first with \`gradflat reproduce${opts.variant === 'full' ? ' --full' : ''} --out ${out}\` (or --figures ${wanted[0]} for one), then tabulate with --measure-only`);
  }
  // Figures tabulated before in this directory stay in the table: `--figures` adds or refreshes rows.
  const merged = mergeResults(readResults(join(out, `${table}.json`), opts.variant, opts.log, claimsOf), results);
  writeJsonAtomic(join(out, `${table}.json`), merged);
  writeFileAtomic(join(out, `${table}.md`), formatReproduction(merged, control ? `${opts.variant}, solver=exact` : opts.variant));
  return merged;
}

function readResults(path: string, variant: string, log?: (line: string) => void, claimsOf: object = FIGURES): FigureResult[] {
  if (!existsSync(path)) return [];
  let old: FigureResult[];
  try {
    old = JSON.parse(readFileSync(path, 'utf8')) as FigureResult[];
  } catch {
    log?.(`${path} is unreadable: the table is rebuilt from this invocation's figures`);
    return [];
  }
  const kept = old.filter((r) => r.variant === variant && r.figure in claimsOf && Array.isArray(r.claims));
  const dropped = old.filter((r) => !kept.includes(r)).map((r) => r.figure);
  if (dropped.length) log?.(`dropped rows of an older table (${dropped.join(', ')}); \`--measure-only --figures ${dropped.join(',')}\` re-tabulates them`);
  return kept;
}

/** The newer result of each figure, in FIGURE_IDS order. */
export function mergeResults(older: readonly FigureResult[], newer: readonly FigureResult[]): FigureResult[] {
  const by = new Map<FigureId, FigureResult>(older.map((r) => [r.figure, r]));
  for (const r of newer) by.set(r.figure, r);
  return FIGURE_IDS.filter((f) => by.has(f)).map((f) => by.get(f)!);
}

export function formatReproduction(results: readonly FigureResult[], variant: string): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const runs = (r: FigureResult) => (r.runs < r.plannedRuns ? `${r.runs} of ${r.plannedRuns} runs, partial` : `${r.runs} runs`);
  const lines = [`| figure | what | paper | measured (${variant}) |`, '|---|---|---|---|'];
  for (const r of results) {
    r.claims.forEach((c, i) => lines.push(`| ${i === 0 ? `${r.figure} (${runs(r)})` : ''} | ${esc(c.what)} | ${esc(c.paper)} | ${esc(c.measured)} |`));
  }
  lines.push('', '| figure | command | wall time (finished invocations) | Σ run time | kernels |', '|---|---|---|---|---|');
  for (const r of results) {
    const wall = r.totalWallSeconds > 0 ? `${r.totalWallSeconds.toFixed(0)} s` : '— (no invocation finished)';
    lines.push(`| ${r.figure} | \`${r.command}\` | ${wall} | ${r.runSeconds.toFixed(0)} s | ${r.kernels} |`);
  }
  return lines.join('\n') + '\n';
}
