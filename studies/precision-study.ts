/**
 * The float32-vs-float64 precision study (docs/precision.md): one suite file, run on both
 * engines from the SAME starting points (made once with the float64 engine, exactly as
 * `gradflat suite` makes them), every tfjs step also measured in float64.
 *
 *   node dist/cli/precision-study.js suites/precision-linear-ae.yaml [--out DIR] [--force]
 *
 * The suite file is an ordinary suite file (its `problem.engine` is ignored: both engines run);
 * `gradflat suite` runs it too, on the engine it names. Adding a network to the study is one more
 * suite file. For every run it records:
 *   - the engine's own view: the lowest ‖g‖² it reports, its final point's class and Morse index
 *     (evaluated with its own oracle, as a float32 user would see them);
 *   - the float64 view of the same points: at every tfjs step the float64 loss and ‖g‖² of θ_k
 *     AND of fp32(θ_k) — the point the tfjs oracle actually evaluates (it rounds θ to float32),
 *     and the weights a user gets back (toModel); the final point re-evaluated with the float64
 *     oracle at both (class, index, truth match);
 *   - the cost per HVP of each engine at the first start (medians, interleaved in this process).
 * Output: DIR/study.json, DIR/study.txt (the tables), DIR/<engine>/<label>/run-NNN.{ndjson,json}.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluatePoint, type PointReport } from '../core/analysis/evaluate-point.js';
import { writeJsonAtomic } from '../core/io/atomic.js';
import { selectKernels } from '../core/linalg/select-kernels.js';
import { normSq } from '../core/linalg/vector.js';
import { emptyCounters, type Oracle } from '../core/oracle/oracle.js';
import { registry as defaultRegistry } from '../core/registry/registry.js';
import { Rng } from '../core/random/rng.js';
import { packageVersion } from '../core/run/experiment.js';
import { runOne, type RunObserver, type RunRecord } from '../core/run/run-one.js';
import { loadSuite } from '../core/suite/config.js';
import { registerBuiltins } from '../builtins.js';
import { buildProblem, type Problem } from '../core/registry/catalog.js';
import { matchToTruth, type TruthPoint } from '../core/analysis/truth.js';
import { prepareEngine } from '../engines/select.js';
import { UsageError } from '../core/io/errors.js';

type Judgement = Pick<PointReport, 'loss' | 'gradNormSq' | 'r_solverA' | 'class' | 'classPaper' | 'index' | 'negativeEigenvalues' | 'minEigenvalue'>;

/** θ rounded to float32 (as the tfjs oracle rounds it, and as toModel writes it), widened back. */
export function fp32(theta: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(theta));
}

export interface StudyRun {
  engine: 'f64' | 'tfjs';
  label: string;
  run: number;
  steps: number;
  stopReason: string;
  wallMs: number;
  /** The method's own HVPs (final evaluation excluded). */
  hvps: number;
  /** Lowest ‖g‖² the engine itself reported along the run. */
  ownMinGradNormSq: number;
  /** The final point judged by the engine's own oracle, and by the float64 oracle. */
  own: Judgement;
  f64: Judgement;
  /** tfjs runs: the float64 oracle's judgement of fp32(final θ), the point tfjs evaluated and a user gets. */
  f64AtFp32?: Judgement;
  /** Lowest float64 ‖g‖² over the run's iterates (tfjs: measured at every step; f64: its own). */
  f64MinGradNormSq: number;
  /** tfjs runs: lowest float64 ‖g‖² over fp32(θ_k). */
  f64MinGradNormSqAtFp32?: number;
  truthOwn?: boolean;
  truthF64?: boolean;
  truthF64AtFp32?: boolean;
  /** tfjs runs: (own ‖g‖², float64 ‖g‖² at θ_k, float64 ‖g‖² at fp32(θ_k)) at every iterate. */
  pairs?: [number, number, number][];
  theta: number[];
}

export interface StudyResult {
  suite: string;
  problem: Record<string, unknown>;
  backend: string;
  starts: number;
  runs: StudyRun[];
  hvpMs: { engine: string; median: number; samples: number }[];
  text: string;
}

const pick = (p: PointReport) => ({
  loss: p.loss, gradNormSq: p.gradNormSq, r_solverA: p.r_solverA, class: p.class, classPaper: p.classPaper, index: p.index,
  negativeEigenvalues: p.negativeEigenvalues, minEigenvalue: p.minEigenvalue,
});

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Median ms per HVP of each oracle at θ (passes cached), interleaved in rounds. */
export function hvpCost(oracles: { name: string; oracle: Oracle }[], theta: Float64Array, rounds = 5, reps = 10): { engine: string; median: number; samples: number }[] {
  const n = theta.length;
  const rng = new Rng(99);
  const v = Float64Array.from({ length: n }, () => rng.normal());
  const out = new Float64Array(n);
  const times = oracles.map(() => [] as number[]);
  for (const { oracle } of oracles) { oracle.gradient(theta); for (let i = 0; i < 3; i++) oracle.hvp(theta, v, out); }
  for (let r = 0; r < rounds; r++) {
    oracles.forEach(({ oracle }, k) => {
      for (let i = 0; i < reps; i++) {
        v[(r * reps + i) % n] += 0.25;
        const t0 = performance.now();
        oracle.hvp(theta, v, out);
        times[k].push(performance.now() - t0);
      }
    });
  }
  return oracles.map(({ name }, k) => ({ engine: name, median: median(times[k]), samples: times[k].length }));
}

/** Float64 view of every tfjs iterate: loss and ‖g‖² by the float64 oracle at θ_k and at fp32(θ_k). */
function float64Observer(f64: Oracle, pairs: [number, number, number][]): RunObserver {
  let min = Infinity;
  let min32 = Infinity;
  return {
    onStep(m, from) {
      const { loss, gradient } = f64.gradient(from.theta);
      const g2 = normSq(gradient);
      const at32 = f64.gradient(fp32(from.theta));
      const g2at32 = normSq(at32.gradient);
      pairs.push([m.gradNormSq, g2, g2at32]);
      min = Math.min(min, g2);
      min32 = Math.min(min32, g2at32);
      return { f64: { loss, gradNormSq: g2 }, f64AtFp32: { loss: at32.loss, gradNormSq: g2at32 } };
    },
    work: () => emptyCounters(),
    finish: (final) => {
      min = Math.min(min, normSq(f64.gradient(final.theta).gradient));
      min32 = Math.min(min32, normSq(f64.gradient(fp32(final.theta)).gradient));
      return { f64MinGradNormSq: min, f64MinGradNormSqAtFp32: min32 };
    },
  };
}

export async function runPrecisionStudy(file: string, out: string, options: { force?: boolean; log?: (s: string) => void; timingRounds?: number } = {}): Promise<StudyResult> {
  const log = options.log ?? ((s: string) => process.stderr.write(s + '\n'));
  registerBuiltins();
  const registry = defaultRegistry;
  const suite = await loadSuite(file, registry);
  if (suite.starts.flat) throw new UsageError('the precision study runs from trained starts; remove starts.flat from the suite file');
  if (existsSync(out) && options.force) rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const kernels = selectKernels(undefined, () => {});
  const backend = await prepareEngine('tfjs');
  const problems: Record<'f64' | 'tfjs', Problem> = {
    f64: buildProblem({ ...suite.problem, engine: 'f64' }, kernels, { threads: 1 }),
    tfjs: buildProblem({ ...suite.problem, engine: 'tfjs' }, kernels),
  };
  try {
    const f64 = problems.f64.oracle;
    log(`precision study ${suite.name}: ${problems.f64.description}, n = ${f64.dim}; tfjs backend ${backend!.backend}; making ${suite.starts.count} starts (float64)`);
    const starts = problems.f64.startingPoints(suite.starts.count, new Rng(suite.seed).fork(2));
    writeJsonAtomic(join(out, 'starts.json'), starts.map((s) => Array.from(s)));
    const truth: TruthPoint[] | undefined = problems.f64.truth?.(suite.evaluation.indexCutoff);
    const probe = { rtol: suite.probe.rtol, ...(suite.probe.maxit !== null && { maxit: suite.probe.maxit }) };
    const judge = (oracle: Oracle, theta: Float64Array) => evaluatePoint(oracle, theta, kernels, { solve: probe, indexCutoff: suite.evaluation.indexCutoff, thresholds: suite.evaluation.thresholds });
    const matches = (p: PointReport) => (truth && p.negativeEigenvalues !== undefined ? matchToTruth(p.loss, p.negativeEigenvalues, truth).matched : undefined);
    const runs: StudyRun[] = [];
    const version = packageVersion();
    for (const s of suite.steppers) {
      for (const engine of ['f64', 'tfjs'] as const) {
        const oracle = problems[engine].oracle;
        const dir = join(out, engine, s.label);
        mkdirSync(dir, { recursive: true });
        starts.forEach((theta0, run) => {
          const pairs: [number, number, number][] = [];
          const record: RunRecord = runOne({
            oracle, kernels, stepperName: s.stepper, label: `${engine} ${s.label}`, problemName: problems[engine].name,
            makeStepper: (o, k) => registry.create(s.stepper, o, s.hyperparameters, { kernels: k }),
            iterations: s.iterations, targetGradNormSq: suite.stop.targetGradNormSq,
            cutoffs: suite.evaluation.cutoffs, indexCutoff: suite.evaluation.indexCutoff, thresholds: suite.evaluation.thresholds,
            probe, truth, version, runs: starts.length,
            progress: { update: () => {}, done: () => {} },
            observer: engine === 'tfjs' ? float64Observer(f64, pairs) : undefined,
          }, run, theta0, join(dir, `run-${String(run).padStart(3, '0')}.ndjson`));
          writeJsonAtomic(join(dir, `run-${String(run).padStart(3, '0')}.json`), record);
          const theta = Float64Array.from(record.theta);
          const f64Report = engine === 'f64' ? record.final : judge(f64, theta);
          const at32 = engine === 'tfjs' ? judge(f64, fp32(theta)) : undefined;
          const r: StudyRun = {
            engine, label: s.label, run, steps: record.steps, stopReason: record.stopReason, wallMs: record.wallMs,
            hvps: record.work.hvp,
            ownMinGradNormSq: record.minGradNormSq,
            own: pick(record.final), f64: pick(f64Report),
            f64MinGradNormSq: engine === 'f64' ? record.minGradNormSq : (record.observed?.f64MinGradNormSq as number),
            truthOwn: matches(record.final), truthF64: matches(f64Report),
            ...(at32 && {
              f64AtFp32: pick(at32), truthF64AtFp32: matches(at32),
              f64MinGradNormSqAtFp32: record.observed?.f64MinGradNormSqAtFp32 as number,
            }),
            ...(engine === 'tfjs' && { pairs }),
            theta: record.theta,
          };
          runs.push(r);
          log(`  ${engine.padEnd(4)} ${s.label} run ${run}: ${r.steps} steps, ${r.stopReason}; own ‖g‖² ${r.own.gradNormSq.toExponential(2)} (${r.own.class}, index ${r.own.index?.toFixed(4)}), float64 ‖g‖² ${r.f64.gradNormSq.toExponential(2)} (${r.f64.class}, index ${r.f64.index?.toFixed(4)})` +
            `${at32 ? `, at fp32(θ) ${at32.gradNormSq.toExponential(2)} (${at32.class})` : ''}, ${(r.wallMs / 1000).toFixed(1)} s`);
        });
      }
    }
    log('timing HVPs at the first start');
    const hvpMs = hvpCost([{ name: 'f64', oracle: f64 }, { name: `tfjs (${backend!.backend})`, oracle: problems.tfjs.oracle }], starts[0], options.timingRounds ?? 5);
    const result: StudyResult = {
      suite: suite.name, problem: { ...problems.f64.info, name: problems.f64.name, description: problems.f64.description },
      backend: backend!.backend, starts: starts.length, runs, hvpMs, text: '',
    };
    result.text = formatStudy(result, kernels.name);
    writeJsonAtomic(join(out, 'study.json'), result);
    writeFileSync(join(out, 'study.txt'), result.text);
    return result;
  } finally {
    problems.f64.oracle.dispose?.();
    problems.tfjs.oracle.dispose?.();
  }
}

const e = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? String(x) : x.toExponential(2));

/**
 * Relative error |own − ref|/ref of the tfjs engine's ‖g‖², by decade of the float64 ‖g‖² `ref`:
 * against float64 at fp32(θ_k) (`against: 'fp32'`, the default: the same point, so only the
 * arithmetic differs) or at θ_k (`'theta'`: also the rounding of θ to float32).
 */
export function trustTable(pairs: readonly (readonly number[])[], against: 'fp32' | 'theta' = 'fp32'): { decade: number; count: number; medianRelErr: number; maxRelErr: number }[] {
  const by = new Map<number, number[]>();
  for (const p of pairs) {
    const own = p[0];
    const t = against === 'theta' ? p[1] : (p[2] ?? p[1]);
    if (!(t > 0)) continue;
    const d = Math.floor(Math.log10(t));
    const list = by.get(d) ?? [];
    list.push(Math.abs(own - t) / t);
    by.set(d, list);
  }
  return [...by].sort((a, b) => b[0] - a[0]).map(([decade, xs]) => ({ decade, count: xs.length, medianRelErr: median(xs), maxRelErr: Math.max(...xs) }));
}

export function formatStudy(r: StudyResult, kernels: string): string {
  const lines: string[] = [];
  lines.push(`${r.suite}: ${String(r.problem.description)} (n = ${String(r.problem.parameters)}), ${r.starts} starts made once in float64; tfjs backend '${r.backend}', f64 kernels ${kernels}`);
  const labels = [...new Set(r.runs.map((x) => x.label))];
  for (const label of labels) {
    lines.push('', `method ${label}`);
    lines.push('run  engine  steps  stop                 own ‖g‖² min  own final: ‖g‖²  class         index    | float64 at final θ: ‖g‖²  class         index    truth  | float64 at fp32(final θ): ‖g‖²  class         index    truth  | float64 ‖g‖² min: at θ_k  at fp32(θ_k)');
    const runs = r.runs.filter((x) => x.label === label);
    const truth = (b: boolean | undefined) => (b === undefined ? '-' : b ? 'yes' : 'no');
    for (const x of runs) {
      const a = x.f64AtFp32;
      lines.push(`${String(x.run).padEnd(4)} ${x.engine.padEnd(7)} ${String(x.steps).padEnd(6)} ${x.stopReason.slice(0, 20).padEnd(20)} ${e(x.ownMinGradNormSq).padEnd(13)} ${e(x.own.gradNormSq).padEnd(15)} ${x.own.class.padEnd(13)} ${(x.own.index ?? NaN).toFixed(4).padEnd(8)} | ` +
        `${e(x.f64.gradNormSq).padEnd(25)} ${x.f64.class.padEnd(13)} ${(x.f64.index ?? NaN).toFixed(4).padEnd(8)} ${truth(x.truthF64).padEnd(6)} | ` +
        `${(a ? e(a.gradNormSq) : '-').padEnd(31)} ${(a?.class ?? '-').padEnd(13)} ${(a ? (a.index ?? NaN).toFixed(4) : '-').padEnd(8)} ${truth(x.truthF64AtFp32).padEnd(6)} | ` +
        `${e(x.f64MinGradNormSq).padEnd(9)} ${x.f64MinGradNormSqAtFp32 === undefined ? '-' : e(x.f64MinGradNormSqAtFp32)}`);
    }
    for (const engine of ['f64', 'tfjs'] as const) {
      const rs = runs.filter((x) => x.engine === engine);
      // Certified classes (crit/flat/neither/undecided), then the paper's (crit/flat/neither).
      const cls = (k: 'own' | 'f64') => ['critical', 'gradient-flat', 'neither', 'undecided'].map((c) => rs.filter((x) => x[k].class === c).length).join('/') +
        ` (paper ${['critical', 'gradient-flat', 'neither'].map((c) => rs.filter((x) => x[k].classPaper === c).length).join('/')})`;
      const at32 = rs.map((x) => x.f64MinGradNormSqAtFp32).filter((x): x is number => x !== undefined);
      lines.push(`${engine}: lowest ‖g‖² it reports: median ${e(median(rs.map((x) => x.ownMinGradNormSq)))} [min ${e(Math.min(...rs.map((x) => x.ownMinGradNormSq)))}]; ` +
        `float64 ‖g‖² of its iterates: median of run minima ${e(median(rs.map((x) => x.f64MinGradNormSq)))} [min ${e(Math.min(...rs.map((x) => x.f64MinGradNormSq)))}]` +
        `${at32.length > 0 ? `, of their fp32 roundings ${e(median(at32))} [min ${e(Math.min(...at32))}]` : ''}; ` +
        `classes crit/flat/neither/undecided own ${cls('own')}, float64 ${cls('f64')}; wall ${(rs.reduce((s, x) => s + x.wallMs, 0) / 1000).toFixed(1)} s, ${rs.reduce((s, x) => s + x.hvps, 0)} HVPs`);
    }
    const t = runs.filter((x) => x.engine === 'tfjs');
    const f = runs.filter((x) => x.engine === 'f64');
    const sameClass = t.filter((x) => f.find((y) => y.run === x.run)?.f64.class === x.f64.class).length;
    const sameIndexOwn = t.filter((x) => x.own.negativeEigenvalues !== undefined && x.own.negativeEigenvalues === x.f64.negativeEigenvalues).length;
    const bothCritical = t.filter((x) => x.f64.class === 'critical' && f.find((z) => z.run === x.run)?.f64.class === 'critical');
    const samePoint = bothCritical.filter((x) => {
      const y = f.find((z) => z.run === x.run)!;
      return x.f64.negativeEigenvalues === y.f64.negativeEigenvalues && Math.abs(x.f64.loss - y.f64.loss) <= 1e-6 * Math.abs(y.f64.loss);
    }).length;
    const rDiff = t.map((x) => Math.abs(x.own.r_solverA - x.f64.r_solverA)).filter(Number.isFinite);
    lines.push(`paired (same start): tfjs and f64 final points in the same float64 class ${sameClass}/${t.length}; ` +
      `both critical ${bothCritical.length}/${t.length}, of those the same critical point (float64 negative-eigenvalue count equal, loss within 1e-6) ${samePoint}/${bothCritical.length}; ` +
      `tfjs's own index equals the float64 index of its point ${sameIndexOwn}/${t.length}; |r(float32) − r(float64)| at its final points: max ${e(Math.max(...rDiff))}`);
    const sameClass32 = t.filter((x) => x.f64AtFp32 !== undefined && x.f64AtFp32.class === x.f64.class).length;
    lines.push(`rounding θ to float32 (the point tfjs evaluates, and the weights toModel writes): float64 class of fp32(final θ) = of final θ ${sameClass32}/${t.length}; ` +
      `linear-AE truth matches (loss within 1e-6, negative-eigenvalue count) of tfjs's final points: judged by float64 at θ ${t.filter((x) => x.truthF64).length}, at fp32(θ) ${t.filter((x) => x.truthF64AtFp32).length}, by tfjs's own evaluation ${t.filter((x) => x.truthOwn).length}`);
    const pairs = t.flatMap((x) => x.pairs ?? []);
    if (pairs.length > 0) {
      for (const against of ['fp32', 'theta'] as const) {
        lines.push(against === 'fp32'
          ? "tfjs's reported ‖g‖² against float64's at the point tfjs evaluated, fp32(θ_k), by decade of that float64 ‖g‖² (float32 arithmetic alone):"
          : "tfjs's reported ‖g‖² against float64's at θ_k itself, by decade of that float64 ‖g‖² (float32 arithmetic and the rounding of θ):");
        for (const row of trustTable(pairs, against)) lines.push(`  1e${row.decade}: ${String(row.count).padStart(5)} iterates, median |own − f64|/f64 ${e(row.medianRelErr)}, max ${e(row.maxRelErr)}`);
      }
    }
  }
  lines.push('', 'ms per HVP at the first start (passes cached, medians, interleaved): ' + r.hvpMs.map((h) => `${h.engine} ${h.median.toFixed(3)}`).join(', ') +
    (r.hvpMs.length === 2 ? ` (ratio ${(r.hvpMs[1].median / r.hvpMs[0].median).toFixed(2)}×)` : ''));
  return lines.join('\n') + '\n';
}

export const PRECISION_STUDY_USAGE = 'usage: node dist/cli/precision-study.js SUITE.yaml [--out DIR] [--force]';

/**
 * The study from command-line arguments (`SUITE.yaml [--out DIR] [--force]`, cli/precision-study.ts):
 * what to print when it is done. Bad arguments throw UsageError; the caller maps errors to exit codes.
 */
export async function precisionStudyCommand(args: readonly string[]): Promise<string> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new UsageError(PRECISION_STUDY_USAGE);
  const i = args.indexOf('--out');
  const out = i >= 0 ? args[i + 1] : join('runs', `precision-${file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/, '')}`);
  const result = await runPrecisionStudy(file, out, { force: args.includes('--force') });
  return result.text + `wrote ${out}/study.json, ${out}/study.txt\n`;
}
