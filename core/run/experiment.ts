/**
 * `gradflat run`: one problem, one stepper, many starts. Writes into `out/`:
 *   manifest.json        the resolved config, its hash, versions, kernels, seed
 *   starts.json          the starting points (made once; reused on resume)
 *   runs/run-NNN.ndjson  the step log (pino NDJSON, one object per step)
 *   runs/run-NNN.json    the final record, written atomically when the run ends
 *   truth.json           linear-ae: the analytic critical points' loss and index
 *   summary.json         every run's start and final point (θ inline when n ≤ 16)
 * Re-running into the same directory resumes: finished runs are kept, unfinished ones restart.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DENSE_MAX_DIM, evaluatePoint, lossAndIndex, type PointReport } from '../analysis/evaluate-point.js';
import { solverSettingsFrom } from '../analysis/newton-direction.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { DEFAULT_THRESHOLDS, type ClassThresholds } from '../analysis/flatness.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { normSq } from '../linalg/vector.js';
import { checkTheta, counterDelta, snapshotCounters, type OracleCounters } from '../oracle/oracle.js';
import { registry as defaultRegistry, type PluginRegistry } from '../plugins/registry.js';
import { buildProblem, type ProblemConfig } from '../problems/catalog.js';
import { matchToTruth, type TruthMatch } from '../problems/linear-ae-truth.js';
import { Rng } from '../random/rng.js';
import { terminalProgress } from './progress.js';
import { runStepper } from './run-loop.js';
import { openStepLog } from './step-log.js';

export interface ExperimentConfig {
  problem: ProblemConfig;
  stepper: string;
  hyperparameters?: Record<string, unknown>;
  /** Starting points (ignored by the quartic, whose grid sets them). */
  runs: number;
  iterations: number;
  seed: number;
  /** Stop a run once ‖g‖² ≤ this (default 0: never; the paper runs fixed iteration counts). */
  targetGradNormSq?: number;
  indexCutoff?: number;
  thresholds?: Partial<ClassThresholds>;
  /**
   * ‖g‖² cutoffs at which the first iterate below is kept and evaluated (loss, index, match
   * to analytic points) — the paper's 1e-8 vs 1e-2 contrast. Default [1e-2, 1e-8].
   */
  cutoffs?: number[];
  /** MINRES-QLP settings of the final-point probe when the stepper has none of its own. */
  probe?: MinresQlpOptions;
}

export interface CutoffPoint {
  cutoff: number;
  iteration: number;
  loss: number;
  gradNormSq: number;
  index?: number;
  negativeEigenvalues?: number;
  truth?: TruthMatch;
}

export interface RunRecord {
  run: number;
  start: { loss: number; gradNormSq: number };
  steps: number;
  stopReason: string;
  wallMs: number;
  work: OracleCounters;
  /** Smallest ‖g‖² seen along the run and the largest solver r (Newton-type steppers). */
  minGradNormSq: number;
  maxR?: number;
  final: PointReport;
  /** Nearest analytic critical point (problems with ground truth, when the index is known). */
  truth?: TruthMatch;
  /** The first iterate below each ‖g‖² cutoff (absent when never reached). */
  firstBelow: CutoffPoint[];
  theta: number[];
}

export interface ExperimentResult {
  dir: string;
  records: RunRecord[];
  summary: Summary;
}

export interface Summary {
  problem: string;
  stepper: string;
  hyperparameters: Record<string, unknown>;
  conventions: Record<string, string>;
  runs: Array<{
    run: number;
    start: { loss: number; gradNormSq: number };
    steps: number;
    stopReason: string;
    final: { loss: number; gradNormSq: number; r: number; rH: number; index?: number; class: string; theta?: number[] };
    truth?: TruthMatch;
  }>;
}

export interface ExperimentHooks {
  registry?: PluginRegistry;
  /** Called once when the fast kernels are unavailable, etc. */
  notice?: (msg: string) => void;
  /** Overwrite a directory written with a different config. */
  force?: boolean;
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

export function runExperiment(config: ExperimentConfig, out: string, kernels: DenseKernels, hooks: ExperimentHooks = {}): ExperimentResult {
  const registry = hooks.registry ?? defaultRegistry;
  const hp = registry.resolveHyperparameters(config.stepper, config.hyperparameters);
  if (!Number.isInteger(config.iterations) || config.iterations < 0) throw new Error(`iterations must be a non-negative integer, got ${config.iterations}`);
  if (!Number.isInteger(config.runs) || config.runs < 1) throw new Error(`runs must be a positive integer, got ${config.runs}`);
  const problem = buildProblem(config.problem, kernels);
  const resolved = { ...config, hyperparameters: hp };
  const hash = configHash(resolved);
  const manifestPath = join(out, 'manifest.json');
  if (existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as { configHash?: string };
    if (old.configHash !== hash && !hooks.force) {
      throw new Error(`${out} holds a run with a different configuration (hash ${old.configHash}, now ${hash}). ` +
        'Use another --out directory, or --force to start over there.');
    }
  }
  writeJsonAtomic(manifestPath, {
    gradflat: packageVersion(), node: process.version, kernels: kernels.name, configHash: hash, config: resolved,
    problem: { name: problem.name, description: problem.description, ...problem.info },
    createdAt: new Date().toISOString(),
  });

  const progress = terminalProgress();
  const rng = new Rng(config.seed);
  const startsPath = join(out, 'starts.json');
  let starts: Float64Array[];
  if (existsSync(startsPath) && !hooks.force) {
    starts = (JSON.parse(readFileSync(startsPath, 'utf8')) as number[][]).map((a) => Float64Array.from(a));
  } else {
    starts = problem.startingPoints(config.runs, rng.fork(2), (d, t) => progress.update(`making starting points: training run ${d}/${t}`));
    writeJsonAtomic(startsPath, starts.map((s) => Array.from(s)));
  }
  starts.forEach((s, i) => checkTheta(s, problem.oracle.dim, `starting point ${i}`));

  const truth = problem.truth?.();
  if (truth) {
    writeJsonAtomic(join(out, 'truth.json'), truth.map((t) => ({ subset: t.subset, loss: t.loss, index: t.index, negativeEigenvalues: t.negativeEigenvalues, indexCutoff: t.indexCutoff })));
  }

  const thresholds = { ...DEFAULT_THRESHOLDS, ...config.thresholds };
  // The final probe solves with the stepper's own MINRES-QLP settings (when it has any), so the
  // final r means what the stepper's last r meant; otherwise with the reference settings.
  const probe = { ...config.probe, ...solverSettingsFrom(hp) };
  const records: RunRecord[] = [];
  const oracle = problem.oracle;
  starts.forEach((theta0, run) => {
    const id = String(run).padStart(3, '0');
    const finalPath = join(out, 'runs', `run-${id}.json`);
    if (existsSync(finalPath) && !hooks.force) {
      records.push(JSON.parse(readFileSync(finalPath, 'utf8')) as RunRecord);
      return;
    }
    const log = openStepLog(join(out, 'runs', `run-${id}.ndjson`));
    const stepper = registry.create(config.stepper, oracle, hp);
    const before = snapshotCounters(oracle.counters);
    let minG = Infinity;
    let maxR: number | undefined;
    const cutoffs = config.cutoffs ?? [1e-2, 1e-8];
    const firstBelow = new Map<number, { iteration: number; theta: Float64Array }>();
    const start = oracle.gradient(theta0);
    log.write({ type: 'start', run, stepper: config.stepper, problem: problem.name, loss: start.loss, gradNormSq: normSq(start.gradient) });
    const outcome = runStepper(stepper, theta0, {
      maxIterations: config.iterations,
      targetGradNormSq: config.targetGradNormSq,
      onState: (st) => {
        for (const c of cutoffs) {
          if (st.gradNormSq < c && !firstBelow.has(c)) firstBelow.set(c, { iteration: st.iteration, theta: Float64Array.from(st.theta) });
        }
      },
      onStep: (m) => {
        log.write({ type: 'step', run, ...m });
        if (m.gradNormSq < minG) minG = m.gradNormSq;
        if (m.newton && Number.isFinite(m.newton.r_solverA)) maxR = Math.max(maxR ?? 0, m.newton.r_solverA);
        progress.update(`run ${run + 1}/${starts.length}  step ${m.iteration}  loss ${m.loss.toExponential(3)}  ‖g‖² ${m.gradNormSq.toExponential(2)}`);
      },
    });
    const work = counterDelta(oracle.counters, before);
    const cutoffPoint = (cutoff: number, iteration: number, theta: Float64Array): CutoffPoint => {
      if (oracle.dim > DENSE_MAX_DIM) {
        const { loss, gradient } = oracle.gradient(theta);
        return { cutoff, iteration, loss, gradNormSq: normSq(gradient) };
      }
      const ev = lossAndIndex(oracle, theta, kernels, config.indexCutoff);
      return { cutoff, iteration, ...ev, truth: truth ? matchToTruth(ev.loss, ev.negativeEigenvalues, truth) : undefined };
    };
    const final = evaluatePoint(oracle, outcome.state.theta, kernels, { solve: probe, indexCutoff: config.indexCutoff, thresholds });
    minG = Math.min(minG, final.gradNormSq);
    const record: RunRecord = {
      run, start: { loss: start.loss, gradNormSq: normSq(start.gradient) }, steps: outcome.steps, stopReason: outcome.stopReason,
      wallMs: outcome.wallMs, work, minGradNormSq: minG, maxR, final,
      truth: truth && final.negativeEigenvalues !== undefined ? matchToTruth(final.loss, final.negativeEigenvalues, truth) : undefined,
      firstBelow: [...firstBelow].map(([cutoff, p]) => cutoffPoint(cutoff, p.iteration, p.theta)),
      theta: Array.from(outcome.state.theta),
    };
    log.write({ type: 'final', run, steps: outcome.steps, stopReason: outcome.stopReason, ...final });
    log.close();
    writeJsonAtomic(finalPath, record);
    records.push(record);
  });
  progress.done();

  const summary: Summary = {
    problem: problem.name,
    stepper: config.stepper,
    hyperparameters: hp,
    conventions: {
      r: 'r = ‖Hp+g‖/(‖H‖‖p‖+‖g‖) with ‖H‖ = MINRES-QLP’s estimate of ‖A‖ (the paper’s figures); r_frobenius in runs/*.json uses ‖H‖_F',
      index: `fraction of Hessian eigenvalues < −${config.indexCutoff ?? 1e-5}`,
      class: `critical: ‖g‖² < ${thresholds.critical}; gradient-flat: r > ${thresholds.flatR}${Number.isFinite(thresholds.flatRH) ? ` and rH < ${thresholds.flatRH}` : ''}; else neither`,
    },
    runs: records.map((r) => ({
      run: r.run, start: r.start, steps: r.steps, stopReason: r.stopReason,
      final: {
        loss: r.final.loss, gradNormSq: r.final.gradNormSq, r: r.final.r_solverA, rH: r.final.rH_solverA,
        index: r.final.index, class: r.final.class, theta: r.theta.length <= 16 ? r.theta : undefined,
      },
      truth: r.truth,
    })),
  };
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return { dir: out, records, summary };
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      cachedVersion = (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
      return cachedVersion;
    } catch { /* try the next layout */ }
  }
  return 'unknown';
}
