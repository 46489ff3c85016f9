/**
 * What [GF] reports per figure, measured from a suite directory's runs (issue 5). Each claim
 * pairs the paper's statement (quoted, not computed) with the number measured here, so a
 * reproduction table can be written from runs alone. Pure functions of the records and logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../run/run-one.js';
import type { TrainingRunSummary } from '../problems/catalog.js';

export interface Claim {
  /** What is compared, e.g. 'runs ending critical / gradient-flat / neither'. */
  what: string;
  /** The paper's statement ([GF] text or figure). */
  paper: string;
  measured: string;
}

export interface FigureRuns {
  records: RunRecord[];
  /** Per run, the MINRES-QLP exit of every Newton step (from the step logs). */
  exits: string[][];
  training?: TrainingRunSummary[];
}

/** Reads a single-stepper suite directory (runs/<label>/run-NNN.{json,ndjson}). */
export function readFigureRuns(dir: string, label: string): FigureRuns {
  const records: RunRecord[] = [];
  const exits: string[][] = [];
  for (let i = 0; ; i++) {
    const base = join(dir, 'runs', label, `run-${String(i).padStart(3, '0')}`);
    if (!existsSync(`${base}.json`)) break;
    records.push(JSON.parse(readFileSync(`${base}.json`, 'utf8')) as RunRecord);
    exits.push(readFileSync(`${base}.ndjson`, 'utf8').split('\n').filter((l) => l.includes('"type":"step"'))
      .map((l) => (JSON.parse(l) as { newton?: { exit: string } }).newton?.exit ?? ''));
  }
  const tp = join(dir, 'training.json');
  return { records, exits, training: existsSync(tp) ? JSON.parse(readFileSync(tp, 'utf8')) as TrainingRunSummary[] : undefined };
}

const pct = (k: number, n: number) => (n === 0 ? '—' : `${k}/${n} (${Math.round((100 * k) / n)}%)`);
const e = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : String(x));
const count = <T>(xs: readonly T[], f: (x: T) => boolean) => xs.filter(f).length;

function classes(rs: readonly RunRecord[]): string {
  const c = (k: string) => count(rs, (r) => r.final.class === k);
  return `${pct(c('critical'), rs.length)} / ${pct(c('gradient-flat'), rs.length)} / ${pct(c('neither'), rs.length)}`;
}

function range(xs: readonly number[]): string {
  const f = xs.filter(Number.isFinite);
  return f.length ? `${e(Math.min(...f))} – ${e(Math.max(...f))}` : '—';
}

/** Share of Newton steps whose MINRES-QLP solve stopped by the co-kernel (least-squares) test. */
export function coKernelExitShare(exits: readonly string[][]): { coKernel: number; steps: number } {
  let coKernel = 0, steps = 0;
  for (const run of exits) {
    for (const x of run) {
      if (!x) continue;
      steps++;
      if (x === 'rtol-least-squares' || x === 'eps-least-squares') coKernel++;
    }
  }
  return { coKernel, steps };
}

function passingR(rs: readonly RunRecord[], t: number): number {
  return count(rs, (r) => (r.maxR ?? 0) > t);
}

export function fig1LinearClaims({ records: rs }: FigureRuns): Claim[] {
  const belowCut = rs.filter((r) => r.final.gradNormSq < 1e-8);
  const cut = (c: number) => {
    const hits = rs.map((r) => r.firstBelow.find((f) => f.cutoff === c)).filter((f) => f?.truth);
    return `${count(hits, (f) => f!.truth!.matched)}/${hits.length} match`;
  };
  return [
    { what: 'superlinear convergence to the float64 floor', paper: 'Newton-MR converges superlinearly, ‖g‖² to ~1e-30', measured: `min ‖g‖² < 1e-30 in ${pct(count(rs, (r) => r.minGradNormSq < 1e-30), rs.length)}; < 1e-20 in ${pct(count(rs, (r) => r.minGradNormSq < 1e-20), rs.length)}; lowest ${e(Math.min(...rs.map((r) => r.minGradNormSq)))}` },
    { what: 'found points vs analytic critical points (1e-8 cutoff)', paper: 'loss and index of found points match the analytic ones', measured: `${count(belowCut, (r) => Boolean(r.truth?.matched))}/${belowCut.length} final points with ‖g‖² < 1e-8 match (loss to 1e-6, same index)` },
    { what: 'first iterate below ‖g‖² = 1e-8 vs 1e-2', paper: 'match with the 1e-8 cutoff, not with 1e-2', measured: `1e-8: ${cut(1e-8)}; 1e-2: ${cut(1e-2)}` },
  ];
}

export function fig1SwishClaims({ records: rs }: FigureRuns): Claim[] {
  return [
    { what: 'no superlinear convergence on the Swish AE', paper: 'no run converges superlinearly; final norms many orders larger', measured: `min ‖g‖² < 1e-20 in ${pct(count(rs, (r) => r.minGradNormSq < 1e-20), rs.length)}; final ‖g‖² ${range(rs.map((r) => r.final.gradNormSq))}` },
    { what: 'classes of final points', paper: '(figure: few critical)', measured: classes(rs) },
  ];
}

export function fig2Claims({ records: rs }: FigureRuns): Claim[] {
  const at = (x: number, tol: number) => count(rs, (r) => Math.abs(r.theta[0] - x) < tol && Math.abs(r.theta[1]) < tol);
  return [
    { what: 'runs ending at the minimum (−3, 0) / the gradient-flat point (√2, 0)', paper: 'Newton-MR from a grid converges to either; (√2, 0) is a strict gradient-flat point (‖g‖² = (9 − 4√2)²)', measured: `${pct(at(-3, 1e-6), rs.length)} / ${pct(at(Math.SQRT2, 1e-3), rs.length)}` },
    { what: 'classes of final points', paper: 'critical or gradient-flat', measured: classes(rs) },
  ];
}

/** Loss of the network that outputs the per-pixel mean: the mean per-pixel variance, 1 for z-scored inputs. */
export const CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED = 1;

export function fig3Claims(f: FigureRuns): Claim[] {
  const rs = f.records;
  const crit = rs.filter((r) => r.final.class === 'critical');
  const ck = coKernelExitShare(f.exits);
  return [
    { what: 'runs ending critical / gradient-flat / neither', paper: '14% / 28% / 58%', measured: classes(rs) },
    { what: 'runs passing a point with r > 0.5, 0.9, 0.99', paper: '99%, 89%, 50%', measured: [0.5, 0.9, 0.99].map((t) => pct(passingR(rs, t), rs.length)).join(', ') },
    { what: 'final ‖g‖²', paper: 'flat run 2e-5, critical run 3e-13; 1e-4 – 5e1 during training', measured: range(rs.map((r) => r.final.gradNormSq)) },
    {
      what: 'critical points found: loss and index', paper: 'loss of the constant-mean-output network, low non-zero index',
      measured: crit.length === 0 ? 'no critical point found' : crit.map((r) => `loss ${r.final.loss.toFixed(4)} (constant-mean ${CONSTANT_MEAN_OUTPUT_LOSS_ZSCORED}), index ${r.final.index?.toFixed(3)}`).join('; '),
    },
    { what: 'Newton steps stopped by the co-kernel test', paper: '< 5%', measured: pct(ck.coKernel, ck.steps) },
  ];
}

export function fig4Claims({ records: rs }: FigureRuns): Claim[] {
  return [
    { what: 'runs passing a point with r > 0.9', paper: 'about 90%', measured: pct(passingR(rs, 0.9), rs.length) },
    { what: 'runs ending gradient-flat', paper: 'fewer than pass r > 0.9', measured: pct(count(rs, (r) => r.final.class === 'gradient-flat'), rs.length) },
    { what: 'classes of final points', paper: '—', measured: classes(rs) },
  ];
}

export function fig5Claims(f: FigureRuns): Claim[] {
  const rs = f.records;
  const badMinimum = rs.filter((r) => r.final.negativeEigenvalues === 0 && r.final.gradNormSq < 1e-8 && Math.abs(r.final.loss - Math.LN2) < 0.01 * Math.LN2);
  const acc = f.training?.map((t) => t.accuracy).filter((a): a is number => a !== undefined) ?? [];
  return [
    { what: 'training runs: correct of 50', paper: '48–50 of 50', measured: acc.length ? acc.map((a) => Math.round(a * 50)).join(', ') : '—' },
    { what: 'runs not reaching ‖g‖² < 1e-8', paper: '33/50', measured: pct(count(rs, (r) => r.minGradNormSq >= 1e-8), rs.length) },
    { what: 'runs meeting gradient-flat points (r > 0.9)', paper: '31/50', measured: pct(passingR(rs, 0.9), rs.length) },
    { what: 'bad local minimum: index 0, loss ln 2', paper: 'one', measured: `${badMinimum.length} run(s)${badMinimum.length ? ` (loss ${badMinimum.map((r) => r.final.loss.toFixed(4)).join(', ')})` : ''}` },
    { what: 'classes of final points', paper: '—', measured: classes(rs) },
  ];
}
