/**
 * The default job (`npm start` → `gradflat demo`): Newton-MR on the quartic grid ([GF] Fig. 2)
 * and on the deep linear autoencoder ([GF] Fig. 1A/B) from loss-uniform starts, then a
 * Markdown report of what was measured. Every number in the report comes from these runs.
 * The linear autoencoder runs twice from the same starts: with the paper's fixed MINRES-QLP
 * tolerance and with gradflat's forcing rule (inexact Newton).
 */
import { writeFileAtomic } from '../core/io/atomic.js';
import { join } from 'node:path';
import type { DenseKernels } from '../core/linalg/kernels.js';
import { QUARTIC_CRITICAL_POINT, QUARTIC_FLAT_MINIMUM } from '../problems/quartic/oracle.js';
import { runExperiment, type ExperimentConfig, type ExperimentResult } from '../core/run/experiment.js';
import { aggregate, formatSummaryTable } from '../core/run/summary-table.js';

export interface DemoOptions {
  quick?: boolean;
  force?: boolean;
  log?: (line: string) => void;
}

export function demoConfigs(quick: boolean): { quartic: ExperimentConfig; linearAe: ExperimentConfig; linearAeForcing: ExperimentConfig } {
  const linearAe: ExperimentConfig = {
    problem: { name: 'linear-ae', seed: 1, samples: quick ? 2000 : 10_000, starts: { steps: quick ? 100 : 400 } },
    stepper: 'newton-mr', hyperparameters: { rtol: 1e-10 }, runs: quick ? 3 : 6, iterations: quick ? 60 : 120, seed: 1,
  };
  return {
    quartic: {
      problem: { name: 'quartic', seed: 1, grid: quick ? 8 : 20 }, stepper: 'newton-mr', runs: 1, iterations: quick ? 60 : 200, seed: 1,
    },
    linearAe,
    // The same starts with gradflat's inexact-Newton option: far cheaper steps, see the README.
    linearAeForcing: { ...linearAe, hyperparameters: { rtol: 1e-10, forcing: 'gradient' }, iterations: quick ? 60 : 300 },
  };
}

export function runDemo(out: string, kernels: DenseKernels, opts: DemoOptions = {}): string {
  const log = opts.log ?? (() => {});
  const cfg = demoConfigs(Boolean(opts.quick));
  log(`kernels: ${kernels.name}`);
  const force = Boolean(opts.force);
  const quartic = runExperiment(cfg.quartic, join(out, 'quartic'), kernels, { force });
  log(formatSummaryTable(quartic).split('\n').slice(-3).join('\n'));
  const lae = runExperiment(cfg.linearAe, join(out, 'linear-ae'), kernels, { force });
  log(formatSummaryTable(lae));
  const forcing = runExperiment(cfg.linearAeForcing, join(out, 'linear-ae-forcing'), kernels, { force });
  log(formatSummaryTable(forcing));
  const path = join(out, 'report.md');
  writeFileAtomic(path, demoReport(quartic, lae, forcing, kernels.name));
  return path;
}

function near(theta: number[], p: readonly number[], tol: number): boolean {
  return Math.abs(theta[0] - p[0]) < tol && Math.abs(theta[1] - p[1]) < tol;
}

export function quarticShares(res: ExperimentResult): { runs: number; critical: number; flat: number; flatGradNormSq: number[]; flatR: number[]; flatCertified: number; flatPaper: number } {
  let critical = 0, flat = 0, flatCertified = 0, flatPaper = 0;
  const flatGradNormSq: number[] = [], flatR: number[] = [];
  for (const r of res.records) {
    if (near(r.theta, QUARTIC_CRITICAL_POINT, 1e-6)) critical++;
    else if (near(r.theta, QUARTIC_FLAT_MINIMUM, 1e-2)) {
      flat++;
      flatGradNormSq.push(r.final.gradNormSq);
      flatR.push(r.final.r_solverA);
      // Classed gradient-flat by the certified criterion (spectral share bracket) and by the paper's (r > 0.9).
      if (r.final.class === 'gradient-flat') flatCertified++;
      if (r.final.classPaper === 'gradient-flat') flatPaper++;
    }
  }
  return { runs: res.records.length, critical, flat, flatGradNormSq, flatR, flatCertified, flatPaper };
}

function linearAeSection(title: string, res: ExperimentResult): string[] {
  const a = aggregate(res.records);
  const hvps = res.records.reduce((s, r) => s + r.work.hvp, 0);
  // Distinct critical points found, told apart by loss (to 1e-6) and count of negative eigenvalues.
  const found = new Set(res.records.filter((r) => r.final.gradNormSq < 1e-8)
    .map((r) => `${r.final.loss.toPrecision(7)}/${r.final.negativeEigenvalues}`));
  return [
    `## ${title}`,
    '',
    `- runs: ${a.runs}, at most ${res.records.reduce((m, r) => Math.max(m, r.steps), 0)} steps each, stepping time ${wallSeconds(res).toFixed(1)} s, ${hvps} Hessian-vector products`,
    `- final ‖g‖² < 1e-8: ${pct(a.belowCritical, a.runs)}; ≤ 1e-28: ${pct(a.below1e28, a.runs)}`,
    `- final points with ‖g‖² < 1e-8 matching an analytic Baldi–Hornik critical point (loss to 1e-6 relative, same index): ${a.truthMatched}/${a.truthChecked}`,
    ...a.cutoffs.map((c) => `- first iterate below ‖g‖² = ${c.cutoff.toExponential(0)}: reached in ${c.reached} runs; matched an analytic point in ${c.matched}/${c.checked}`),
    `- distinct critical points found (loss, number of negative eigenvalues): ${[...found].sort().join(', ') || 'none'}`,
    '',
    '```',
    formatSummaryTable(res),
    '```',
    '',
  ];
}

const pct = (k: number, n: number) => `${k}/${n} (${n ? ((100 * k) / n).toFixed(0) : 0}%)`;
const range = (xs: number[], d = 3) => (xs.length ? `${Math.min(...xs).toPrecision(d)} – ${Math.max(...xs).toPrecision(d)}` : '—');

/** Wall time summed over the runs' own records, so a resumed demo reports what the runs took. */
const wallSeconds = (res: ExperimentResult) => res.records.reduce((s, r) => s + r.wallMs, 0) / 1000;

function demoReport(quartic: ExperimentResult, lae: ExperimentResult, forcing: ExperimentResult, kernels: string): string {
  const q = quarticShares(quartic);
  const lines = [
    '# gradflat demo report',
    '',
    `Kernels: ${kernels}. Every number below was measured by the runs in this directory (their logs and records are beside this file).`,
    '',
    '## Quartic ([GF] Fig. 2), Newton-MR from a grid',
    '',
    `- runs: ${q.runs}, stepping time ${wallSeconds(quartic).toFixed(1)} s`,
    `- ended at the critical point (−3, 0): ${pct(q.critical, q.runs)}`,
    `- ended at the strict gradient-flat point (√2, 0): ${pct(q.flat, q.runs)}; there ‖g‖² ${range(q.flatGradNormSq, 6)} ` +
      `(analytic (9 − 4√2)² = ${((9 - 4 * Math.SQRT2) ** 2).toPrecision(6)}), r ${range(q.flatR)}; ` +
      `classed gradient-flat by the certified criterion ${pct(q.flatCertified, q.flat)}, by the paper's (r > 0.9) ${pct(q.flatPaper, q.flat)}`,
    '',
    ...linearAeSection('Deep linear autoencoder ([GF] Fig. 1A/B), Newton-MR with the paper\'s settings (rtol 1e-10, maxit n)', lae),
    ...linearAeSection('The same starts, Newton-MR with the forcing rule rtol_k = max(1e-10, min(0.1, ‖g_k‖))', forcing),
  ];
  return lines.join('\n');
}
