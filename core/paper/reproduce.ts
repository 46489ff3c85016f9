/**
 * `gradflat reproduce`: runs the suites of [GF] Figs. 1–5 (suites/fig*.yaml, quick or full),
 * measures what the paper reports (measures.ts) and writes reproduction.json and
 * reproduction.md — paper vs measured, with each suite's command and wall time. Every suite is
 * resumable, so an interrupted reproduction continues where it stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { DenseKernels } from '../linalg/kernels.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { loadSuite } from '../suite/config.js';
import { runSuite, suiteInvocations } from '../suite/suite.js';
import {
  fig1LinearClaims, fig1SwishClaims, fig2Claims, fig3Claims, fig4Claims, fig5Claims, readFigureRuns, type Claim, type FigureRuns,
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

/** The suites folder shipped with the package (dist/core/paper → ../../../suites). */
export const SUITES_DIR = fileURLToPath(new URL('../../../suites/', import.meta.url));

export interface FigureResult {
  figure: FigureId;
  suiteFile: string;
  command: string;
  dir: string;
  runs: number;
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
  registry: PluginRegistry;
  log?: (line: string) => void;
}

export async function reproduce(out: string, kernels: DenseKernels, opts: ReproduceOptions): Promise<FigureResult[]> {
  const results: FigureResult[] = [];
  for (const figure of opts.figures ?? FIGURE_IDS) {
    if (!(figure in FIGURES)) throw new Error(`unknown figure '${figure}'. Figures: ${FIGURE_IDS.join(', ')}`);
    const suiteFile = join(SUITES_DIR, `${figure}${opts.variant === 'quick' ? '.quick' : ''}.yaml`);
    if (!existsSync(suiteFile)) throw new Error(`suite file ${suiteFile} is missing from this installation`);
    const suite = await loadSuite(suiteFile, opts.registry);
    const dir = join(out, figure);
    opts.log?.(`${figure}: running ${suiteFile} into ${dir}`);
    const t0 = performance.now();
    const res = await runSuite(suite, dir, kernels, { registry: opts.registry, workers: opts.workers, force: opts.force });
    const wallSeconds = (performance.now() - t0) / 1000;
    const runs = readFigureRuns(dir, suite.steppers[0].label);
    results.push({
      figure, suiteFile: `suites/${figure}${opts.variant === 'quick' ? '.quick' : ''}.yaml`,
      command: `gradflat suite suites/${figure}${opts.variant === 'quick' ? '.quick' : ''}.yaml --out ${dir}`,
      dir, runs: runs.records.length, wallSeconds, resumedRuns: res.resumed, kernels: kernels.name,
      totalWallSeconds: suiteInvocations(dir).reduce((s, i) => s + i.seconds, 0),
      claims: FIGURES[figure](runs),
    });
    opts.log?.(`${figure}: ${runs.records.length} runs, ${wallSeconds.toFixed(0)} s${res.resumed ? ` (${res.resumed} runs resumed from disk)` : ''}`);
  }
  writeJsonAtomic(join(out, 'reproduction.json'), results);
  writeFileAtomic(join(out, 'reproduction.md'), formatReproduction(results, opts.variant));
  return results;
}

export function formatReproduction(results: readonly FigureResult[], variant: string): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| figure | what | paper | measured (${variant}) |`, '|---|---|---|---|'];
  for (const r of results) {
    r.claims.forEach((c, i) => lines.push(`| ${i === 0 ? `${r.figure} (${r.runs} runs)` : ''} | ${esc(c.what)} | ${esc(c.paper)} | ${esc(c.measured)} |`));
  }
  lines.push('', '| figure | command | wall time (all invocations) | kernels |', '|---|---|---|---|');
  for (const r of results) {
    lines.push(`| ${r.figure} | \`${r.command}\` | ${r.totalWallSeconds.toFixed(0)} s${r.resumedRuns ? ` (this time ${r.wallSeconds.toFixed(0)} s, ${r.resumedRuns} runs resumed)` : ''} | ${r.kernels} |`);
  }
  return lines.join('\n') + '\n';
}
